/**
 * Webhook triggers through n8n-core's real contexts and execution, the way n8n's server (the cli,
 * 2.41: ActiveWorkflowManager.addWebhooks / clearWebhooks, TestWebhooks, LiveWebhooks,
 * WebhookHelpers.executeWebhook) drives them, with a real HTTP server on 127.0.0.1 for the provider
 * to call. The one webhook harness of the trigger tests (test/nodes/…/trigger*, test/faults):
 *
 *   const trigger = await startTriggerHarness({ nodeTypes, credentialTypes, credentials, node });
 *   await trigger.activate();          // checkExists, then create (HookContext, mode 'trigger')
 *   …the provider calls trigger.productionUrl…
 *   await trigger.waitForExecutions(1); // webhook() (WebhookContext) started a run: WorkflowExecute
 *   await trigger.deactivate();        // delete (mode 'internal', activation 'update')
 *   await trigger.listen();            // "Listen for test event": the test URL, until one run
 *
 * What is n8n's: HookContext, WebhookContext (getBodyData, getHeaderData, getRequestObject with the
 * raw body, getResponseObject, getWorkflowStaticData), WorkflowExecute running the trigger node on
 * the items webhook() returned (its execute() runs there, as on a worker), the helpers, credentials
 * and binary store of test/support/n8n-harness.ts.
 *
 * What is modelled on n8n's server:
 * - Registration: the URL answers from before checkExists (n8n stores the webhook first, so a
 *   handshake during create() reaches the node). Production: checkExists, then create when it said
 *   false, in mode `trigger` with the activation mode given (`activate`, `init`, `update`); the
 *   static data saved after it. When either throws, the URL is dropped and delete() runs on the
 *   workflow as saved before (mode `internal`, activation `update`: clearWebhooks), and what the
 *   failed create() wrote is not saved. Deactivation: that same delete(). Test ("Listen for test
 *   event"): mode and activation `manual`; the registration keeps the static data its create()
 *   left, its requests see a copy of it (setTestStaticData) and save nothing, and it is removed
 *   (delete(), `internal`/`update`, with that static data) once a request started a run, or when
 *   its create() threw.
 * - Static data: like n8n's database, one saved copy; every activation and production request
 *   works on a workflow loaded from it, saved back whole when the node changed it, after the node
 *   answered. Two requests at once both start from the copy saved before.
 * - Requests: the body read and parsed as n8n's body parser does (JSON, form, text/plain; `rawBody`
 *   kept; larger than 16 MiB: 413; unparsable JSON: 422); 404 when the URL is not registered.
 *   Answers (response mode onReceived): the node's own (`noWebhookResponse`); `webhookResponse` or
 *   200 `{ message: 'Webhook call received' }` when it started nothing; 200 `{ message: 'Workflow
 *   was started' }` before the run when it did; 500 when webhook() threw.
 * What is ours: the HTTP server (n8n's is express; the request and response get the members the
 * nodes use), no database, no queue. The real server and queue mode are the e2e and queue suites'.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQueryString } from 'node:querystring';

import { ExecutionLifecycleHooks, HookContext, WebhookContext, WorkflowExecute } from 'n8n-core';
import { UnexpectedError, Workflow, createRunExecutionData, jsonParse } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	INode,
	INodeExecutionData,
	IRun,
	IWebhookData,
	IWebhookDescription,
	IWebhookResponseData,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { HarnessCredentialsHelper, HarnessNodeTypes, buildNodeTypes, harnessAdditionalData, resolveNode, runContext, setupN8nCore } from './n8n-harness';
import type { HarnessLogEntry, HarnessNodeSpec, RunNodeOptions } from './n8n-harness';

export type TriggerMode = 'production' | 'test';

export interface TriggerHarnessOptions {
	nodeTypes: RunNodeOptions['nodeTypes'];
	credentialTypes: ICredentialType[];
	/** Decrypted credential data by credential type. */
	credentials: Record<string, ICredentialDataDecryptedObject>;
	node: HarnessNodeSpec & { parameters: NonNullable<HarnessNodeSpec['parameters']> };
}

/** A request the harness answered. */
export interface Delivery {
	mode: TriggerMode;
	method: string;
	headers: IncomingHttpHeaders;
	body: Buffer;
	status?: number;
	/** The answer's body, parsed when JSON. */
	answer?: unknown;
	/** What webhook() did: started a run, answered itself, neither, threw; or the URL was not registered. */
	outcome?: 'started' | 'answered' | 'nothing' | 'error' | 'not registered';
	/** What webhook() threw. */
	error?: Error;
	logs: HarnessLogEntry[];
}

/** A run webhook() started. */
export interface TriggerExecution {
	mode: TriggerMode;
	run: IRun;
	/** The trigger node's output (its execute() run on webhook()'s items). */
	items: INodeExecutionData[];
	error?: Error;
	logs: HarnessLogEntry[];
}

export interface TriggerHarness {
	node: INode;
	/** The node's production URL (`/webhook/<webhookId>/<path>`) and test URL (`/webhook-test/…`). */
	readonly productionUrl: string;
	readonly testUrl: string;
	/** The node's static data as the "database" holds it (a copy). */
	staticData(): IDataObject;
	/** Replaces the saved static data of the node (a restart with other data, a lost save). */
	setStaticData(data: IDataObject): void;
	/** Production activation: checkExists, then create when it said false; rejects with the activation error. */
	activate(activation?: WorkflowActivateMode): Promise<{ created: boolean }>;
	/** Deactivation: delete(); static data saved. */
	deactivate(): Promise<void>;
	/** Whether the production URL is registered. */
	readonly active: boolean;
	/** "Listen for test event": registration on the test URL, removed after the first run it starts. */
	listen(): Promise<void>;
	/** Ends a test registration (delete()) if there is one. */
	stopListening(): Promise<void>;
	readonly listening: boolean;
	deliveries: Delivery[];
	executions: TriggerExecution[];
	/** Resolves once `count` runs have ended (rejects after `timeoutMs`). */
	waitForExecutions(count: number, timeoutMs?: number): Promise<TriggerExecution[]>;
	/** Resolves once no request is being answered, no run is under way and no test registration is being removed. */
	settle(): Promise<void>;
	credentialsStore: Record<string, ICredentialDataDecryptedObject>;
	/** Log entries of activations, requests and runs. */
	logs: HarnessLogEntry[];
	close(): Promise<void>;
}

const WORKFLOW_ID = 'harness-trigger-workflow';
const BODY_LIMIT = 16 * 1024 * 1024;

function plain(value: unknown): IDataObject {
	const copy = JSON.parse(JSON.stringify(value ?? {})) as IDataObject;
	delete copy.__dataChanged;
	return copy;
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

/** As n8n's parseBody: JSON, form, text/plain; anything else only as `rawBody`. Throws on JSON that is none. */
function parseBody(raw: Buffer, contentType: string): unknown {
	if (raw.length === 0) return {};
	const text = raw.toString('utf8').replace(/^\ufeff/, '');
	if (contentType === 'application/json') return jsonParse(text);
	if (contentType === 'application/x-www-form-urlencoded') return parseQueryString(text);
	if (contentType === 'text/plain') return text;
	return {};
}

/** The members of express's response the nodes use, on Node's own; what json()/send()/end() wrote is kept. */
function asExpressResponse(res: ServerResponse) {
	const response = res as ServerResponse & { status(code: number): typeof response; json(value: unknown): typeof response; send(value?: unknown): typeof response; written?: string };
	const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
	res.end = ((chunk?: unknown, ...rest: unknown[]) => {
		if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) response.written = (response.written ?? '') + chunk.toString();
		return end(chunk, ...rest);
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

export async function startTriggerHarness(opts: TriggerHarnessOptions): Promise<TriggerHarness> {
	await setupN8nCore();
	const types = buildNodeTypes(opts);
	const thrown = new Map<string, Error>();
	const nodeTypes = new HarnessNodeTypes(types, thrown);
	const { node, versioned } = resolveNode(types, { webhookId: randomUUID(), ...opts.node }, opts.credentials, { id: randomUUID() });
	const found = (versioned.description.webhooks ?? []).find((webhook) => webhook.name === 'default') as IWebhookDescription | undefined;
	if (!found) throw new UnexpectedError(`Harness: ${opts.node.type} has no default webhook`);
	const webhookDescription: IWebhookDescription = found;
	const webhookPath = `${node.webhookId}/${String(webhookDescription.path).replace(/^\/|\/$/g, '')}`;

	const credentialsStore = structuredClone(opts.credentials);
	const credentialsHelper = new HarnessCredentialsHelper(opts.credentialTypes, credentialsStore);
	const logs: HarnessLogEntry[] = [];
	let database: IDataObject = {};
	let active = false;
	let testStaticData: IDataObject | undefined;
	const deliveries: Delivery[] = [];
	const executions: TriggerExecution[] = [];
	const underway = new Set<Promise<unknown>>();
	const waiters: Array<() => void> = [];
	let counter = 0;
	let baseUrl = '';

	const workflowOf = (staticData: IDataObject) =>
		new Workflow({ id: WORKFLOW_ID, name: 'Harness trigger workflow', nodes: [node], connections: {}, active: true, nodeTypes, staticData, settings: { executionOrder: 'v1' } });
	const fromDatabase = () => workflowOf(structuredClone(database));
	const saveIfChanged = (workflow: Workflow) => {
		if ((workflow.staticData as IDataObject).__dataChanged === true) database = plain(workflow.staticData);
	};

	const additionalDataOf = (extra: object = {}, hooks?: ExecutionLifecycleHooks, executionId = `harness-trigger-${process.pid}-${++counter}`) => {
		const data = harnessAdditionalData(credentialsHelper, hooks, executionId, WORKFLOW_ID);
		return Object.assign(data, { webhookBaseUrl: `${baseUrl}/webhook`, webhookTestBaseUrl: `${baseUrl}/webhook-test` }, extra);
	};

	const webhookDataOf = (additionalData: IWorkflowExecuteAdditionalData, mode: TriggerMode): IWebhookData => ({
		httpMethod: webhookDescription.httpMethod as IWebhookData['httpMethod'],
		node: node.name,
		path: webhookPath,
		webhookDescription,
		workflowId: WORKFLOW_ID,
		workflowExecuteAdditionalData: additionalData,
		webhookId: node.webhookId,
		isTest: mode === 'test',
	});

	const nodeType = () => nodeTypes.getByNameAndVersion(node.type, node.typeVersion);

	const track = <T>(promise: Promise<T>): Promise<T> => {
		underway.add(promise);
		void promise.then(
			() => underway.delete(promise),
			() => underway.delete(promise),
		);
		return promise;
	};

	/** One webhookMethods call in n8n-core's HookContext. */
	async function hook(method: 'checkExists' | 'create' | 'delete', workflow: Workflow, mode: TriggerMode, executeMode: WorkflowExecuteMode, activation: WorkflowActivateMode): Promise<boolean> {
		const fn = nodeType().webhookMethods?.default?.[method];
		if (!fn) throw new UnexpectedError('Harness: the node has no webhookMethods.default');
		const additionalData = additionalDataOf();
		const context = new HookContext(workflow, node, additionalData, executeMode, activation, webhookDataOf(additionalData, mode));
		return await runContext.run(logs, async () => await fn.call(context));
	}

	/** checkExists, then create when it said false (the cli's WebhookService.createWebhookIfNotExists). */
	async function register(workflow: Workflow, mode: TriggerMode, activation: WorkflowActivateMode): Promise<boolean> {
		const executeMode: WorkflowExecuteMode = mode === 'test' ? 'manual' : 'trigger';
		if (await hook('checkExists', workflow, mode, executeMode, activation)) return false;
		await hook('create', workflow, mode, executeMode, activation);
		return true;
	}

	async function runWorkflow(workflow: Workflow, mode: TriggerMode, workflowData: INodeExecutionData[][]): Promise<void> {
		const runLogs: HarnessLogEntry[] = [];
		const executionId = `harness-trigger-run-${process.pid}-${++counter}`;
		const workflowBase = { id: WORKFLOW_ID, name: workflow.name, active: true, nodes: [node], connections: {}, settings: workflow.settings, createdAt: new Date(), updatedAt: new Date() } as unknown as IWorkflowBase;
		const executionMode: WorkflowExecuteMode = mode === 'test' ? 'manual' : 'webhook';
		const hooks = new ExecutionLifecycleHooks(executionMode, executionId, workflowBase);
		const runExecutionData = createRunExecutionData({ executionData: { nodeExecutionStack: [{ node, data: { main: workflowData }, source: null }] } });
		const run = await runContext.run(runLogs, async () => await new WorkflowExecute(additionalDataOf({}, hooks, executionId), executionMode, runExecutionData).processRunExecutionData(workflow));
		logs.push(...runLogs);
		const recorded = run.data.resultData.error;
		const error = recorded ? (thrown.get(node.name) ?? (recorded as unknown as Error)) : undefined;
		thrown.delete(node.name);
		const tasks = run.data.resultData.runData[node.name];
		executions.push({ mode, run, items: tasks?.[tasks.length - 1]?.data?.main?.[0] ?? [], error, logs: runLogs });
		for (const wake of waiters.splice(0)) wake();
	}

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', baseUrl);
		const mode: TriggerMode | undefined = url.pathname === `/webhook/${webhookPath}` ? 'production' : url.pathname === `/webhook-test/${webhookPath}` ? 'test' : undefined;
		const response = asExpressResponse(res);
		const raw = await readBody(req);
		const delivery: Delivery = { mode: mode ?? 'production', method: req.method ?? 'GET', headers: req.headers, body: raw ?? Buffer.alloc(0), logs: [] };
		deliveries.push(delivery);
		res.once('finish', () => {
			delivery.status = res.statusCode;
			try {
				delivery.answer = JSON.parse(response.written ?? '');
			} catch {
				delivery.answer = response.written ?? '';
			}
		});
		const answer = (status: number, value: unknown) => {
			if (!res.headersSent) response.status(status).json(value);
		};
		const registered = mode === 'production' ? active : mode === 'test' && testStaticData !== undefined;
		if (!registered || req.method !== webhookDescription.httpMethod) {
			delivery.outcome = 'not registered';
			return answer(404, { code: 404, message: 'The requested webhook is not registered.' });
		}
		if (!raw) {
			delivery.outcome = 'error';
			return answer(413, { code: 413, message: 'Request body too large' });
		}
		const contentType = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
		let body: unknown;
		try {
			body = parseBody(raw, contentType);
		} catch {
			delivery.outcome = 'error';
			return answer(422, { code: 422, message: 'Failed to parse request body' });
		}
		Object.assign(req, { rawBody: raw, body, query: Object.fromEntries(url.searchParams), params: {}, contentType, readRawBody: async () => undefined });

		const workflow = mode === 'production' ? fromDatabase() : workflowOf({});
		if (mode === 'test') workflow.setTestStaticData(structuredClone(testStaticData!));
		const additionalData = additionalDataOf({ httpRequest: req, httpResponse: response });
		const context = new WebhookContext(workflow, node, additionalData, mode === 'test' ? 'manual' : 'webhook', webhookDataOf(additionalData, mode!), [], null);
		let result: IWebhookResponseData;
		try {
			result = await runContext.run(delivery.logs, async () => await nodeType().webhook!.call(context));
		} catch (error) {
			delivery.outcome = 'error';
			delivery.error = error as Error;
			return answer(500, { code: 0, message: 'Workflow Webhook Error: Workflow could not be started!' });
		} finally {
			logs.push(...delivery.logs);
		}
		if (mode === 'production') saveIfChanged(workflow);
		if (result.noWebhookResponse === true) {
			delivery.outcome = 'answered';
			if (!res.writableEnded) res.end();
		} else if (!result.workflowData) {
			delivery.outcome = 'nothing';
			answer(200, result.webhookResponse ?? { message: 'Webhook call received' });
		} else answer(200, { message: 'Workflow was started' });
		if (!result.workflowData) return;
		delivery.outcome = 'started';
		// A test registration listens for one event: TestWebhooks removes it once a run started.
		if (mode === 'test') void track(harness.stopListening());
		await runWorkflow(workflow, mode!, result.workflowData);
	}

	const server = http.createServer((req, res) => {
		void track(
			handle(req, res).catch((error: Error) => {
				if (!res.headersSent) {
					res.writeHead(500);
					res.end(String(error));
				}
			}),
		);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	const harness: TriggerHarness = {
		node,
		productionUrl: `${baseUrl}/webhook/${webhookPath}`,
		testUrl: `${baseUrl}/webhook-test/${webhookPath}`,
		staticData: () => plain(database[`node:${node.name}`]),
		setStaticData(data) {
			database = { ...database, [`node:${node.name}`]: plain(data) };
		},
		async activate(activation = 'activate') {
			const workflow = fromDatabase();
			active = true;
			try {
				const created = await register(workflow, 'production', activation);
				saveIfChanged(workflow);
				return { created };
			} catch (error) {
				// The cli's clearWebhooks: delete() on the workflow as saved, its static data saved.
				active = false;
				const saved = fromDatabase();
				await hook('delete', saved, 'production', 'internal', 'update').catch(() => undefined);
				saveIfChanged(saved);
				throw error;
			}
		},
		async deactivate() {
			const workflow = fromDatabase();
			try {
				await hook('delete', workflow, 'production', 'internal', 'update');
				active = false;
			} finally {
				saveIfChanged(workflow);
			}
		},
		get active() {
			return active;
		},
		async listen() {
			const workflow = workflowOf({});
			testStaticData = {};
			try {
				await register(workflow, 'test', 'manual');
				testStaticData = plain(workflow.staticData);
			} catch (error) {
				testStaticData = undefined;
				await hook('delete', workflow, 'test', 'internal', 'update').catch(() => undefined);
				throw error;
			}
		},
		async stopListening() {
			if (!testStaticData) return;
			const workflow = workflowOf(testStaticData);
			testStaticData = undefined;
			await hook('delete', workflow, 'test', 'internal', 'update');
		},
		get listening() {
			return testStaticData !== undefined;
		},
		deliveries,
		executions,
		async waitForExecutions(count, timeoutMs = 30_000) {
			const deadline = Date.now() + timeoutMs;
			while (executions.length < count) {
				const left = deadline - Date.now();
				if (left <= 0) throw new Error(`${executions.length} of ${count} executions within ${timeoutMs} ms`);
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
			while (underway.size > 0) await Promise.allSettled([...underway]);
		},
		credentialsStore,
		logs,
		async close() {
			await harness.settle();
			if (!server.listening) return;
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
	};
	return harness;
}

/**
 * The trigger harnesses of a test file (or describe block), the one set-up every trigger test
 * shares: the returned function starts one through `start`; after each test, once `settleProvider`
 * says the provider sent every delivery it started (the emulator's own settle, when it is a
 * useEmulator fixture that has one, runs before this), each harness the test started is closed.
 */
export function useTriggerHarnesses<A extends unknown[]>(start: (...args: A) => Promise<TriggerHarness>, settleProvider?: () => Promise<void>): (...args: A) => Promise<TriggerHarness> {
	const open: TriggerHarness[] = [];
	afterEach(async () => {
		await settleProvider?.();
		for (const harness of open.splice(0)) await harness.close();
	});
	return async (...args: A) => {
		const harness = await start(...args);
		open.push(harness);
		return harness;
	};
}
