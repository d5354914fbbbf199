/**
 * Webhook triggers through n8n-core's real contexts and execution, the way n8n's server drives
 * them (packages/cli: WebhookService.createWebhookIfNotExists, LiveWebhooks, TestWebhooks,
 * WebhookHelpers.executeWebhook), with a real HTTP server on 127.0.0.1 for the provider to call:
 *
 *   const trigger = await startTriggerHarness({ nodeTypes, credentialTypes, credentials, node });
 *   await trigger.activate();          // checkExists, then create (HookContext, mode 'trigger')
 *   …the provider calls trigger.webhookUrl('production')…
 *   await trigger.waitForExecutions(1); // webhook() (WebhookContext) started a run: WorkflowExecute
 *   await trigger.deactivate();        // delete
 *   await trigger.listen();            // "Listen for test event": the test URL, until one run
 *
 * What is n8n's: HookContext, WebhookContext (getBodyData, getHeaderData, getRequestObject with the
 * raw body, getResponseObject, getWorkflowStaticData), WorkflowExecute running the trigger node
 * with the items webhook() returned (its execute() runs there, as on a worker), the helpers,
 * credentials and binary store of test/support/n8n-harness.ts.
 *
 * What is modelled on n8n's server: the static data. Like n8n's database it is one saved copy;
 * every activation and every request gets a workflow of its own loaded from it, and a workflow
 * whose static data changed is saved back whole, after its activation or once the request is
 * answered (LiveWebhooks). A test registration keeps the static data its create() left, for its
 * requests and its delete() (TestWebhooks), and saves nothing. Answers: a node's own
 * (`noWebhookResponse`); 200 `{ message: 'Webhook call received' }` when it started nothing; 200
 * `{ message: 'Workflow was started' }` before the run when it did (response mode onReceived); 500
 * when webhook() threw. The request object has what n8n's has for a JSON body: `rawBody`, `body`,
 * `headers`, `query`, `params`.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ExecutionLifecycleHooks, HookContext, WebhookContext, WorkflowExecute } from 'n8n-core';
import { NodeHelpers, UnexpectedError, Workflow, createRunExecutionData } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	IRun,
	IWebhookData,
	IWebhookDescription,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowActivateMode,
} from 'n8n-workflow';

import {
	HarnessCredentialsHelper,
	HarnessNodeTypes,
	buildNodeTypes,
	harnessAdditionalData,
	latestVersion,
	runContext,
	setupN8nCore,
} from './n8n-harness';
import type { AnyNodeType, HarnessLogEntry, RunNodeOptions } from './n8n-harness';

export type TriggerMode = 'production' | 'test';

export interface TriggerHarnessOptions {
	nodeTypes: RunNodeOptions['nodeTypes'];
	credentialTypes: ICredentialType[];
	/** Decrypted credential data by credential type. */
	credentials: Record<string, ICredentialDataDecryptedObject>;
	node: { type: string; parameters: INodeParameters; name?: string; typeVersion?: number; continueOnFail?: boolean };
}

/** A request the harness answered. */
export interface HarnessRequest {
	mode: TriggerMode;
	method: string;
	headers: IncomingHttpHeaders;
	body: Buffer;
	status?: number;
	/** What webhook() returned: started a run, answered itself, or neither. */
	outcome?: 'started' | 'answered' | 'nothing' | 'error' | 'not registered';
	error?: Error;
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
	/** The node's production or test webhook URL on this harness's server. */
	webhookUrl(mode: TriggerMode): string;
	/** The node's static data as the "database" holds it (a copy). */
	staticData(): IDataObject;
	/** Replaces the saved static data of the node (a restart with other data, a lost save). */
	setStaticData(data: IDataObject): void;
	/** Production activation: checkExists, then create when it said false; static data saved. */
	activate(activation?: WorkflowActivateMode): Promise<{ created: boolean }>;
	/** Deactivation: delete(); static data saved. */
	deactivate(): Promise<void>;
	/** "Listen for test event": registration on the test URL, removed after the first run it starts. */
	listen(): Promise<void>;
	/** Ends a test registration (delete()) if there is one. */
	stopListening(): Promise<void>;
	readonly listening: boolean;
	requests: HarnessRequest[];
	executions: TriggerExecution[];
	/** Resolves once `count` runs have ended (rejects after `timeoutMs`). */
	waitForExecutions(count: number, timeoutMs?: number): Promise<TriggerExecution[]>;
	/** Resolves once no request is being answered and no run is under way. */
	idle(): Promise<void>;
	credentialsStore: Record<string, ICredentialDataDecryptedObject>;
	/** Log entries of activations, requests and runs. */
	logs: HarnessLogEntry[];
	close(): Promise<void>;
}

const WORKFLOW_ID = 'harness-trigger-workflow';

function plain(value: unknown): IDataObject {
	const copy = JSON.parse(JSON.stringify(value ?? {})) as IDataObject;
	delete copy.__dataChanged;
	return copy;
}

export async function startTriggerHarness(opts: TriggerHarnessOptions): Promise<TriggerHarness> {
	await setupN8nCore();
	const types = buildNodeTypes(opts);
	const thrown = new Map<string, Error>();
	const nodeTypes = new HarnessNodeTypes(types, thrown);
	const declared: AnyNodeType | undefined = types.get(opts.node.type) ?? types.get(opts.node.type.slice(opts.node.type.lastIndexOf('.') + 1));
	if (!declared) throw new UnexpectedError(`Harness: unknown node type "${opts.node.type}"`);
	const typeVersion = opts.node.typeVersion ?? latestVersion(declared);
	const description = NodeHelpers.getVersionedNodeType(declared, typeVersion).description;
	const credentials: INode['credentials'] = {};
	for (const { name } of description.credentials ?? []) {
		if (opts.credentials[name]) credentials[name] = { id: `harness-${name}`, name: `Harness ${name}` };
	}
	const node: INode = {
		id: randomUUID(),
		name: opts.node.name ?? 'Trigger',
		type: opts.node.type,
		typeVersion,
		position: [0, 0],
		parameters: structuredClone(opts.node.parameters),
		credentials,
		webhookId: randomUUID(),
		...(opts.node.continueOnFail ? { continueOnFail: true } : {}),
	};
	const found = (description.webhooks ?? []).find((webhook) => webhook.name === 'default') as IWebhookDescription | undefined;
	if (!found) throw new UnexpectedError(`Harness: ${opts.node.type} has no default webhook`);
	const webhookDescription: IWebhookDescription = found;
	const webhookPath = String(webhookDescription.path);

	const credentialsStore = structuredClone(opts.credentials);
	const credentialsHelper = new HarnessCredentialsHelper(opts.credentialTypes, credentialsStore);
	const logs: HarnessLogEntry[] = [];
	let database: IDataObject = {};
	let testStaticData: IDataObject | undefined;
	const requests: HarnessRequest[] = [];
	const executions: TriggerExecution[] = [];
	const underway = new Set<Promise<unknown>>();
	let counter = 0;
	let baseUrl = '';

	const workflowOf = (staticData: IDataObject) =>
		new Workflow({ id: WORKFLOW_ID, name: 'Harness trigger workflow', nodes: [node], connections: {}, active: true, nodeTypes, staticData, settings: { executionOrder: 'v1' } });

	const additionalDataOf = (extra: Partial<IWorkflowExecuteAdditionalData> = {}, hooks?: ExecutionLifecycleHooks, executionId = `harness-trigger-${process.pid}-${++counter}`) => {
		const data = harnessAdditionalData(credentialsHelper, hooks, executionId, WORKFLOW_ID);
		Object.assign(data, { webhookBaseUrl: `${baseUrl}/webhook`, webhookTestBaseUrl: `${baseUrl}/webhook-test` }, extra);
		return data;
	};

	const webhookDataOf = (additionalData: IWorkflowExecuteAdditionalData, mode: TriggerMode): IWebhookData => ({
		httpMethod: webhookDescription.httpMethod as IWebhookData['httpMethod'],
		node: node.name,
		path: `${node.webhookId}/${webhookPath}`,
		webhookDescription,
		workflowId: WORKFLOW_ID,
		workflowExecuteAdditionalData: additionalData,
		webhookId: node.webhookId,
		isTest: mode === 'test',
	});

	const nodeType = () => nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const hooksOf = (mode: TriggerMode) => {
		const methods = nodeType().webhookMethods?.default;
		if (!methods) throw new UnexpectedError('Harness: the node has no webhookMethods.default');
		return { methods, mode };
	};

	const saveIfChanged = (workflow: Workflow) => {
		if ((workflow.staticData as IDataObject).__dataChanged === true) database = plain(workflow.staticData);
	};

	const track = <T>(promise: Promise<T>): Promise<T> => {
		underway.add(promise);
		void promise.then(
			() => underway.delete(promise),
			() => underway.delete(promise),
		);
		return promise;
	};

	/** delete() of a registration, with the static data it was made with. */
	async function deleteRegistration(workflow: Workflow, mode: TriggerMode): Promise<void> {
		const additionalData = additionalDataOf();
		const { methods } = hooksOf(mode);
		const context = new HookContext(workflow, node, additionalData, mode === 'test' ? 'manual' : 'trigger', mode === 'test' ? 'manual' : 'update', webhookDataOf(additionalData, mode));
		await runContext.run(logs, async () => await methods.delete.call(context));
	}

	/** checkExists, then create; on an error, delete() as n8n's registrar clears a failed registration. */
	async function register(workflow: Workflow, mode: TriggerMode, activation: WorkflowActivateMode): Promise<boolean> {
		const additionalData = additionalDataOf();
		const { methods } = hooksOf(mode);
		const context = new HookContext(workflow, node, additionalData, mode === 'test' ? 'manual' : 'trigger', activation, webhookDataOf(additionalData, mode));
		return await runContext.run(logs, async () => {
			try {
				if (await methods.checkExists.call(context)) return false;
				await methods.create.call(context);
				return true;
			} catch (error) {
				await methods.delete.call(context).catch(() => undefined);
				throw error;
			}
		});
	}

	async function runWorkflow(workflow: Workflow, mode: TriggerMode, workflowData: INodeExecutionData[][]): Promise<void> {
		const runLogs: HarnessLogEntry[] = [];
		const executionId = `harness-trigger-run-${process.pid}-${++counter}`;
		const workflowBase = { id: WORKFLOW_ID, name: workflow.name, active: true, nodes: [node], connections: {}, settings: workflow.settings, createdAt: new Date(), updatedAt: new Date() } as unknown as IWorkflowBase;
		const executionMode = mode === 'test' ? 'manual' : 'webhook';
		const hooks = new ExecutionLifecycleHooks(executionMode, executionId, workflowBase);
		const additionalData = additionalDataOf({}, hooks, executionId);
		const runExecutionData = createRunExecutionData({ executionData: { nodeExecutionStack: [{ node, data: { main: workflowData }, source: null }] } });
		const run = await runContext.run(runLogs, async () => await new WorkflowExecute(additionalData, executionMode, runExecutionData).processRunExecutionData(workflow));
		logs.push(...runLogs);
		const recorded = run.data.resultData.error;
		const error = recorded ? (thrown.get(node.name) ?? (recorded as unknown as Error)) : undefined;
		thrown.delete(node.name);
		const tasks = run.data.resultData.runData[node.name];
		executions.push({ mode, run, items: tasks?.[tasks.length - 1]?.data?.main?.[0] ?? [], error, logs: runLogs });
	}

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks);
		const url = new URL(req.url ?? '/', baseUrl);
		const mode: TriggerMode | undefined = url.pathname === `/webhook/${node.webhookId}/${webhookPath}` ? 'production' : url.pathname === `/webhook-test/${node.webhookId}/${webhookPath}` ? 'test' : undefined;
		const record: HarnessRequest = { mode: mode ?? 'production', method: req.method ?? 'GET', headers: req.headers, body: rawBody };
		requests.push(record);
		res.once('finish', () => (record.status = res.statusCode));
		const answer = (status: number, value: unknown) => {
			if (res.headersSent) return;
			const body = JSON.stringify(value);
			res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) });
			res.end(body);
		};
		if (!mode || req.method !== webhookDescription.httpMethod || (mode === 'test' && !testStaticData)) {
			record.outcome = 'not registered';
			return answer(404, { message: 'The requested webhook is not registered.' });
		}
		const contentType = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
		let body: unknown = {};
		if (rawBody.length && contentType === 'application/json') {
			try {
				body = JSON.parse(rawBody.toString('utf8'));
			} catch {
				record.outcome = 'error';
				return answer(422, { message: 'Failed to parse request body' });
			}
		}
		Object.assign(req, { rawBody, body, query: Object.fromEntries(url.searchParams), params: {}, contentType, readRawBody: async () => undefined });

		// Production: a workflow loaded from the database per request; test: the registration's static data.
		const workflow = workflowOf(mode === 'production' ? structuredClone(database) : {});
		if (mode === 'test' && testStaticData) workflow.setTestStaticData(testStaticData);
		const additionalData = additionalDataOf({ httpRequest: req as never, httpResponse: res as never });
		const context = new WebhookContext(workflow, node, additionalData, mode === 'test' ? 'manual' : 'webhook', webhookDataOf(additionalData, mode), [], null);
		let result;
		try {
			result = await runContext.run(logs, async () => await nodeType().webhook!.call(context));
		} catch (error) {
			record.outcome = 'error';
			record.error = error as Error;
			return answer(500, { message: 'Workflow Webhook Error: Workflow could not be started!' });
		}
		if (result.noWebhookResponse) record.outcome = 'answered';
		if (!result.workflowData) {
			record.outcome ??= 'nothing';
			answer(200, { message: 'Webhook call received' });
		} else {
			record.outcome = 'started';
			answer(200, { message: 'Workflow was started' });
		}
		if (mode === 'production') saveIfChanged(workflow);
		if (result.workflowData) {
			await runWorkflow(workflow, mode, result.workflowData);
			if (mode === 'test') await harness.stopListening();
		}
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
		webhookUrl: (mode) => `${baseUrl}/${mode === 'test' ? 'webhook-test' : 'webhook'}/${node.webhookId}/${webhookPath}`,
		staticData: () => plain(database[`node:${node.name}`]),
		setStaticData(data) {
			database = { ...database, [`node:${node.name}`]: plain(data) };
		},
		async activate(activation = 'activate') {
			const workflow = workflowOf(structuredClone(database));
			try {
				const created = await register(workflow, 'production', activation);
				return { created };
			} finally {
				saveIfChanged(workflow);
			}
		},
		async deactivate() {
			const workflow = workflowOf(structuredClone(database));
			try {
				await deleteRegistration(workflow, 'production');
			} finally {
				saveIfChanged(workflow);
			}
		},
		async listen() {
			const workflow = workflowOf({});
			testStaticData = {};
			try {
				await register(workflow, 'test', 'manual');
				testStaticData = workflow.staticData as IDataObject;
			} catch (error) {
				testStaticData = undefined;
				throw error;
			}
		},
		async stopListening() {
			if (!testStaticData) return;
			const workflow = workflowOf(testStaticData);
			testStaticData = undefined;
			await deleteRegistration(workflow, 'test');
		},
		get listening() {
			return testStaticData !== undefined;
		},
		requests,
		executions,
		async waitForExecutions(count, timeoutMs = 30_000) {
			const deadline = Date.now() + timeoutMs;
			while (executions.length < count) {
				if (Date.now() > deadline) throw new Error(`${executions.length} of ${count} executions within ${timeoutMs} ms`);
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
			return executions.slice(0, count);
		},
		async idle() {
			while (underway.size > 0) await Promise.allSettled([...underway]);
		},
		credentialsStore,
		logs,
		async close() {
			await harness.idle();
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
	};
	return harness;
}
