/**
 * Webhook triggers through n8n-core's real code, the way n8n's cli drives them:
 *
 * - Activation: `webhookMethods.default.checkExists`, then `create` when it answers false, each
 *   with n8n-core's `HookContext` (production: mode `trigger`, activation `activate`; "Listen for
 *   test event": mode `manual`, activation `manual`, the test URL), as the cli's
 *   WebhookService.createWebhookIfNotExists does; when that throws, `delete` runs (mode
 *   `internal`, activation `update`) and the error is the activation error, as the cli's
 *   WebhookTriggerRegistrar does. Deactivation: `delete`.
 * - A delivery: an HTTP request to this harness's `/webhook/<path>` (or `/webhook-test/<path>`)
 *   on 127.0.0.1, its body read and parsed as n8n's body parser does (JSON, text/plain, form;
 *   `rawBody` kept), handed to the node's `webhook` in n8n-core's `WebhookContext`, and answered
 *   as the cli's WebhookHelpers.executeWebhook answers (responseMode `onReceived`: 200
 *   `{"message":"Workflow was started"}` when it starts an execution; the node's own answer with
 *   `noWebhookResponse`; `webhookResponse` or `{"message":"Webhook call received"}` without
 *   workflow data; 500 when the node throws). With workflow data, an execution starts from the
 *   trigger node with those items (n8n-core's `WorkflowExecute`, mode `webhook` or `manual`), and
 *   a test registration is removed after the delivery that started one (the cli's TestWebhooks).
 * - Static data: kept like n8n's database keeps it: every activation and delivery works on a fresh
 *   copy (the cli loads the workflow for each delivery), saved back only when the node changed
 *   it, after the node answered. Two deliveries at once both start from the copy saved before.
 *
 * What is ours: the HTTP server (n8n's is express; the request and response get the members the
 * nodes use: `body`, `rawBody`, `query`, `params`, `status()`, `json()`, `send()`), no database,
 * no queue. Queue mode and the real cli are the e2e and queue suites' part.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQueryString } from 'node:querystring';

import { ExecutionLifecycleHooks, HookContext, WebhookContext, WorkflowExecute } from 'n8n-core';
import { NodeHelpers, Workflow, createRunExecutionData, jsonParse } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IRun,
	IWebhookData,
	IWebhookResponseData,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { HarnessCredentialsHelper, HarnessNodeTypes, buildNodeTypes, harnessAdditionalData, runContext, setupN8nCore } from './n8n-harness';
import type { HarnessLogEntry } from './n8n-harness';

export type TriggerMode = 'production' | 'test';

export interface TriggerHarnessOptions {
	nodeTypes: INodeType[];
	credentialTypes: ICredentialType[];
	/** Decrypted credential data by credential type name. */
	credentials: Record<string, ICredentialDataDecryptedObject>;
	trigger: { type: string; parameters: INodeParameters; name?: string; credentials?: INode['credentials'] };
	/** Static data the workflow starts with (default none). */
	staticData?: IDataObject;
}

/** One delivery as the harness received and answered it. */
export interface Delivery {
	mode: TriggerMode;
	status: number;
	/** The answer's body, parsed when JSON. */
	answer: unknown;
	/** Whether the node's `webhook` returned workflow data (an execution started). */
	started: boolean;
	/** What the node's `webhook` threw, if it did. */
	error?: Error;
	logs: HarnessLogEntry[];
}

/** One execution a delivery started. */
export interface TriggerExecution {
	mode: TriggerMode;
	run: IRun;
	/** The trigger node's output 0 (after its `execute`, when it has one). */
	items: INodeExecutionData[];
	error?: Error;
	logs: HarnessLogEntry[];
}

export interface TriggerHarness {
	/** The production URL the node registers (the harness's `/webhook/<webhookId>/<path>`). */
	productionUrl: string;
	/** The test URL ("Listen for test event"). */
	testUrl: string;
	/** The static data as "the database" holds it now. */
	staticData(): IDataObject;
	/** checkExists, then create when needed; rejects with the activation error. */
	activate(mode?: TriggerMode): Promise<void>;
	deactivate(mode?: TriggerMode): Promise<void>;
	isActive(mode?: TriggerMode): boolean;
	deliveries: Delivery[];
	executions: TriggerExecution[];
	/** Resolves when `count` executions have ended (or rejects after `timeoutMs`). */
	waitForExecutions(count: number, timeoutMs?: number): Promise<TriggerExecution[]>;
	/** Resolves when every execution started so far has ended (and a test registration a delivery ended is removed). */
	settle(): Promise<void>;
	credentialsStore: Record<string, ICredentialDataDecryptedObject>;
	close(): Promise<void>;
}

const BODY_LIMIT = 16 * 1024 * 1024;

/** The members of express's request and response the nodes use, on Node's own objects. */
type HarnessRequest = IncomingMessage & { body?: unknown; rawBody?: Buffer; query: IDataObject; params: IDataObject; contentType?: string };
type HarnessResponse = ServerResponse & {
	status(code: number): HarnessResponse;
	json(value: unknown): HarnessResponse;
	send(value?: unknown): HarnessResponse;
	/** What was written with json() or send() (for the test's record of the delivery). */
	written?: string;
};

function asExpressResponse(res: ServerResponse): HarnessResponse {
	const response = res as HarnessResponse;
	const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
	res.end = ((chunk?: unknown, ...rest: unknown[]) => {
		if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) response.written = (response.written ?? '') + chunk.toString();
		return (end as (...args: unknown[]) => ServerResponse)(chunk, ...rest);
	}) as ServerResponse['end'];
	response.status = (code: number) => {
		res.statusCode = code;
		return response;
	};
	response.json = (value: unknown) => {
		if (!res.headersSent) res.setHeader('Content-Type', 'application/json; charset=utf-8');
		res.end(JSON.stringify(value));
		return response;
	};
	response.send = (value?: unknown) => {
		if (value === undefined) res.end();
		else if (typeof value === 'string' || Buffer.isBuffer(value)) res.end(value);
		else response.json(value);
		return response;
	};
	return response;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > BODY_LIMIT) return undefined;
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks);
}

/** As n8n's parseBody: JSON, XML is not needed here, form, text/plain; anything else stays raw. */
function parseBody(req: HarnessRequest, raw: Buffer): void {
	req.rawBody = raw;
	const contentType = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
	req.contentType = contentType;
	if (raw.length === 0) return;
	const text = raw.toString('utf8').replace(/^\ufeff/, '');
	if (contentType === 'application/json') req.body = jsonParse(text);
	else if (contentType === 'application/x-www-form-urlencoded') req.body = parseQueryString(text);
	else if (contentType === 'text/plain') req.body = text;
}

export async function startTriggerHarness(options: TriggerHarnessOptions): Promise<TriggerHarness> {
	await setupN8nCore();
	const nodeTypesMap = buildNodeTypes({ nodeTypes: options.nodeTypes });
	const nodeTypes = new HarnessNodeTypes(nodeTypesMap, new Map());
	const credentialsStore = structuredClone(options.credentials);
	const credentialsHelper = new HarnessCredentialsHelper(options.credentialTypes, credentialsStore);
	const nodeType = nodeTypes.getByNameAndVersion(options.trigger.type);
	const description = nodeType.description;
	const webhookDescription = description.webhooks?.[0];
	if (!webhookDescription || !nodeType.webhook) throw new Error(`${options.trigger.type} is not a webhook trigger`);

	const credentials: INode['credentials'] = options.trigger.credentials ?? {};
	if (!options.trigger.credentials) {
		for (const { name } of description.credentials ?? []) {
			if (options.credentials[name]) credentials[name] = { id: `harness-${name}`, name: `Harness ${name}` };
		}
	}
	const node: INode = {
		id: 'harness-trigger',
		name: options.trigger.name ?? description.defaults.name ?? 'Trigger',
		type: options.trigger.type,
		typeVersion: Array.isArray(description.version) ? Math.max(...description.version) : description.version,
		position: [0, 0],
		parameters: structuredClone(options.trigger.parameters),
		credentials,
		webhookId: randomUUID(),
	};
	const workflowId = `harness-trigger-${randomUUID().slice(0, 8)}`;
	let stored: IDataObject = structuredClone(options.staticData ?? {});
	const active: Record<TriggerMode, boolean> = { production: false, test: false };
	const deliveries: Delivery[] = [];
	const executions: TriggerExecution[] = [];
	const running = new Set<Promise<void>>();
	const waiters: Array<() => void> = [];

	const server = http.createServer((req, res) => void handle(req, res));
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const path = `${node.webhookId}/${String(webhookDescription.path).replace(/^\/|\/$/g, '')}`;
	const productionUrl = `${base}/webhook/${path}`;
	const testUrl = `${base}/webhook-test/${path}`;

	/** A workflow as the cli makes one for each activation and delivery: static data from "the database". */
	function loadWorkflow(): Workflow {
		return new Workflow({
			id: workflowId,
			name: 'Harness trigger workflow',
			nodes: [structuredClone(node)],
			connections: {},
			active: true,
			nodeTypes,
			staticData: structuredClone(stored),
			settings: { executionOrder: 'v1' },
		});
	}

	function saveStaticData(workflow: Workflow): void {
		if ((workflow.staticData as { __dataChanged?: boolean }).__dataChanged === true) stored = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
	}

	function additionalDataFor(extra: Partial<IWorkflowExecuteAdditionalData> = {}, hooks?: ExecutionLifecycleHooks): IWorkflowExecuteAdditionalData {
		const data = harnessAdditionalData(credentialsHelper, hooks, hooks?.executionId ?? `harness-${randomUUID().slice(0, 8)}`, workflowId);
		return Object.assign(data, { webhookBaseUrl: `${base}/webhook`, webhookTestBaseUrl: `${base}/webhook-test`, ...extra });
	}

	function webhookDataOf(workflow: Workflow, additionalData: IWorkflowExecuteAdditionalData, mode: TriggerMode): IWebhookData {
		const workflowNode = workflow.getNode(node.name)!;
		return {
			httpMethod: webhookDescription!.httpMethod as IWebhookData['httpMethod'],
			node: node.name,
			path: NodeHelpers.getNodeWebhookPath(workflowId, workflowNode, String(webhookDescription!.path)),
			webhookDescription: webhookDescription!,
			workflowId,
			workflowExecuteAdditionalData: additionalData,
			webhookId: node.webhookId,
			...(mode === 'test' ? { isTest: true } : {}),
		};
	}

	async function runWebhookMethod(method: 'checkExists' | 'create' | 'delete', mode: WorkflowExecuteMode, activation: WorkflowActivateMode, kind: TriggerMode, logs: HarnessLogEntry[]) {
		const workflow = loadWorkflow();
		const additionalData = additionalDataFor();
		const context = new HookContext(workflow, workflow.getNode(node.name)!, additionalData, mode, activation, webhookDataOf(workflow, additionalData, kind));
		const fn = nodeType.webhookMethods?.default?.[method];
		if (!fn) return true;
		try {
			return await runContext.run(logs, async () => await fn.call(context));
		} finally {
			saveStaticData(workflow);
		}
	}

	async function activate(kind: TriggerMode = 'production'): Promise<void> {
		const logs: HarnessLogEntry[] = [];
		const [mode, activation]: [WorkflowExecuteMode, WorkflowActivateMode] = kind === 'production' ? ['trigger', 'activate'] : ['manual', 'manual'];
		try {
			const exists = await runWebhookMethod('checkExists', mode, activation, kind, logs);
			if (!exists) await runWebhookMethod('create', mode, activation, kind, logs);
		} catch (error) {
			await runWebhookMethod('delete', 'internal', 'update', kind, logs).catch(() => undefined);
			throw error;
		}
		active[kind] = true;
	}

	async function deactivate(kind: TriggerMode = 'production'): Promise<void> {
		active[kind] = false;
		await runWebhookMethod('delete', 'internal', 'update', kind, []);
	}

	async function execute(kind: TriggerMode, items: INodeExecutionData[][]): Promise<void> {
		const logs: HarnessLogEntry[] = [];
		const workflow = loadWorkflow();
		const thrown = new Map<string, Error>();
		workflow.nodeTypes = new HarnessNodeTypes(nodeTypesMap, thrown);
		const runExecutionData = createRunExecutionData({
			executionData: { nodeExecutionStack: [{ node: workflow.getNode(node.name)!, data: { main: items }, source: null }] },
		});
		const mode: WorkflowExecuteMode = kind === 'production' ? 'webhook' : 'manual';
		const executionId = `harness-${randomUUID().slice(0, 8)}`;
		const workflowData = { id: workflowId, name: workflow.name, active: true, nodes: [node], connections: {}, settings: workflow.settings, createdAt: new Date(), updatedAt: new Date() } as unknown as IWorkflowBase;
		const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
		const run = await runContext.run(logs, async () => await new WorkflowExecute(additionalDataFor({}, hooks), mode, runExecutionData).processRunExecutionData(workflow));
		const tasks = run.data.resultData.runData[node.name];
		const recorded = run.data.resultData.error;
		executions.push({
			mode: kind,
			run,
			items: tasks?.[tasks.length - 1]?.data?.main?.[0] ?? [],
			error: recorded ? (thrown.get(node.name) ?? (recorded as unknown as Error)) : undefined,
			logs,
		});
		for (const wake of waiters.splice(0)) wake();
	}

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', base);
		const kind: TriggerMode | undefined = url.pathname === `/webhook/${path}` ? 'production' : url.pathname === `/webhook-test/${path}` ? 'test' : undefined;
		const response = asExpressResponse(res);
		if (!kind || !active[kind] || req.method !== webhookDescription!.httpMethod) {
			req.resume();
			response.status(404).json({ code: 404, message: 'The requested webhook is not registered.' });
			return;
		}
		const raw = await readBody(req);
		if (!raw) {
			response.status(413).json({ code: 413, message: 'Request body too large' });
			return;
		}
		const request = req as HarnessRequest;
		request.query = Object.fromEntries(url.searchParams);
		request.params = {};
		try {
			parseBody(request, raw);
		} catch {
			response.status(422).json({ code: 422, message: 'Failed to parse request body' });
			return;
		}
		const logs: HarnessLogEntry[] = [];
		const delivery: Delivery = { mode: kind, status: 0, answer: undefined, started: false, logs };
		const workflow = loadWorkflow();
		const additionalData = additionalDataFor({ httpRequest: request, httpResponse: response } as unknown as Partial<IWorkflowExecuteAdditionalData>);
		const mode: WorkflowExecuteMode = kind === 'production' ? 'webhook' : 'manual';
		const context = new WebhookContext(workflow, workflow.getNode(node.name)!, additionalData, mode, webhookDataOf(workflow, additionalData, kind), [], null);
		let result: IWebhookResponseData | undefined;
		try {
			result = await runContext.run(logs, async () => await nodeType.webhook!.call(context));
		} catch (error) {
			delivery.error = error as Error;
		}
		saveStaticData(workflow);
		if (delivery.error || !result) {
			response.status(500).json({ code: 0, message: 'Workflow Webhook Error: Workflow could not be started!' });
		} else if (result.noWebhookResponse === true) {
			if (!res.writableEnded) res.end();
		} else if (result.workflowData === undefined) {
			response.status(200).json(result.webhookResponse ?? { message: 'Webhook call received' });
		} else {
			delivery.started = true;
			response.status(200).json({ message: 'Workflow was started' });
			const done = execute(kind, result.workflowData).finally(() => running.delete(done));
			running.add(done);
			// A test registration listens for one event (the cli removes it once an execution started); settle() waits for it.
			if (kind === 'test') {
				const removed = deactivate('test')
					.catch(() => undefined)
					.finally(() => running.delete(removed));
				running.add(removed);
			}
		}
		delivery.status = res.statusCode;
		try {
			delivery.answer = JSON.parse(response.written ?? '');
		} catch {
			delivery.answer = response.written ?? '';
		}
		deliveries.push(delivery);
	}

	return {
		productionUrl,
		testUrl,
		staticData: () => structuredClone(stored),
		activate,
		deactivate,
		isActive: (kind = 'production') => active[kind],
		deliveries,
		executions,
		async waitForExecutions(count, timeoutMs = 30_000) {
			const deadline = Date.now() + timeoutMs;
			while (executions.length < count) {
				const left = deadline - Date.now();
				if (left <= 0) throw new Error(`${executions.length} of ${count} executions after ${timeoutMs} ms`);
				await new Promise<void>((resolve) => {
					const timer = setTimeout(resolve, Math.min(left, 500));
					waiters.push(() => {
						clearTimeout(timer);
						resolve();
					});
				});
			}
			return executions.slice(0, count);
		},
		async settle() {
			while (running.size > 0) await Promise.allSettled([...running]);
		},
		credentialsStore,
		async close() {
			while (running.size > 0) await Promise.allSettled([...running]);
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
	};
}
