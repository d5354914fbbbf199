/**
 * The queue suite's set-up: the four sandboxes (emulators behind Prism gates, random ports), a
 * user folder with the package installed the way the Community Nodes panel does, and the queue
 * topology of scripts/queue (Postgres + Redis + n8n main + 2 workers, --concurrency=5) with the
 * suite's credentials and webhook workflows imported and published.
 *
 * Every webhook call carries a unique `tag` in its query string; the Webhook node's output (which
 * n8n saves with the execution) holds it, so the execution of each call is found in Postgres by
 * that tag, and the worker that ran it in the workers' own logs ("Worker started execution <id>").
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import * as hostEnv from '../../../scripts/n8n-host/env';
import { publishWorkflows, startQueueInfrastructure, type QueueTopology } from '../../../scripts/queue/topology';
import { startSandbox, type Sandbox } from '../../../sandbox';
import type { DemoCredential } from '../../../sandbox/types';
import { createUserFolder, removeUserFolder } from '../../e2e/support/n8n';
import { sha256, type WorkflowNode } from '../../e2e/support/workflows';

export { sha256 };
export type { WorkflowNode };

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/* ------------------------------------------------------------------------------------------------
 * Workflows: Webhook trigger → node(s) → the answer of the last node
 * ---------------------------------------------------------------------------------------------- */

export function node(name: string, type: string, parameters: Record<string, unknown>, extra: Partial<WorkflowNode> = {}): WorkflowNode {
	return { id: randomUUID(), name, type, typeVersion: 1, position: [0, 0], parameters, ...extra };
}

/** What main answers the webhook call with, once the last node (on a worker) has finished. */
export type Answer = 'json' | 'all' | 'binary';

export interface WebhookWorkflow {
	id: string;
	name: string;
	active: boolean;
	nodes: WorkflowNode[];
	connections: Record<string, { main: Array<Array<{ node: string; type: 'main'; index: 0 }>> }>;
	settings: Record<string, unknown>;
	/** For the suite: the webhook path and method. */
	meta: { path: string; method: 'GET' | 'POST' };
}

export const WEBHOOK_NODE = 'Webhook';

/**
 * A published workflow: a Webhook node (2.1) on `path`, then `chain` in order. An uploaded file
 * (a POST whose body is neither JSON nor a form) becomes the binary property `data`, named by the
 * request's Content-Disposition and typed by its Content-Type; the answer is the last node's first
 * item (json), all items, or its binary property `data`.
 */
export function webhookWorkflow(name: string, webhookPath: string, method: 'GET' | 'POST', chain: WorkflowNode[], answer: Answer): WebhookWorkflow {
	const trigger = node(
		WEBHOOK_NODE,
		'n8n-nodes-base.webhook',
		{
			httpMethod: method,
			path: webhookPath,
			responseMode: 'lastNode',
			responseData: answer === 'binary' ? 'firstEntryBinary' : answer === 'all' ? 'allEntries' : 'firstEntryJson',
			...(answer === 'binary' ? { responseBinaryPropertyName: 'data' } : {}),
			options: method === 'POST' ? { binaryPropertyName: 'data' } : {},
		},
		{ typeVersion: 2.1, webhookId: randomUUID() },
	);
	const nodes = [trigger, ...chain].map((current, column) => ({ ...current, position: [240 * column, 0] as [number, number] }));
	const connections: WebhookWorkflow['connections'] = {};
	for (let i = 1; i < nodes.length; i++) connections[nodes[i - 1].name] = { main: [[{ node: nodes[i].name, type: 'main', index: 0 }]] };
	const id = `q${randomBytes(8).toString('hex')}`.slice(0, 16);
	return { id, name, active: true, nodes, connections, settings: { executionOrder: 'v1' }, meta: { path: webhookPath, method } };
}

/** `={{ $json.query.<name> }}`: a parameter taken from the webhook call's query string. */
export const fromQuery = (name: string) => `={{ $json.query.${name} }}`;

/* ------------------------------------------------------------------------------------------------
 * Harness
 * ---------------------------------------------------------------------------------------------- */

export interface Harness {
	sandbox: Sandbox;
	topology: QueueTopology;
	userFolder: string;
	dataDir: string;
	/** Imported credentials by key. */
	credentials: Record<string, { id: string; name: string }>;
	/** How long each step of the set-up took (ms): sandboxMs, userFolderMs, postgresAndRedisMs, importCredentialsMs, importWorkflowsMs. */
	timings: Record<string, number>;
	/** Imports the workflows (n8n import:workflow) and publishes them (publishWorkflows, before main starts). */
	publish(workflows: WebhookWorkflow[]): Promise<void>;
	/** Throws if a Prism gate refused an exchange since the last call (each test's afterEach); resets the gates. */
	checkGates(): void;
	close(): Promise<void>;
}

export interface HarnessOptions {
	/** Extra credentials (e.g. pointed at a throttling proxy), keyed by the name the suite uses. */
	extraCredentials?: (sandbox: Sandbox) => Promise<Record<string, DemoCredential>> | Record<string, DemoCredential>;
	/** Extra variables for every n8n process. */
	env?: Record<string, string>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
	const timings: Record<string, number> = {};
	const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
		const started = Date.now();
		try {
			return await work();
		} finally {
			timings[name] = (timings[name] ?? 0) + Date.now() - started;
		}
	};
	const dataDir = path.join(REPO_ROOT, '.queue-data', `test-${process.pid}-${randomBytes(3).toString('hex')}`);
	mkdirSync(dataDir, { recursive: true });
	let userFolder: string | undefined;
	// The sandboxes (Prism's start-up is most of it) while the package is installed and PostgreSQL and Redis start.
	const [started, infrastructure] = await Promise.allSettled([
		timed('sandboxMs', () => startSandbox({ noDemoData: true })),
		(async () => {
			const folder = (userFolder = await timed('userFolderMs', () => createUserFolder('n8n-queue-')));
			const infra = await timed('postgresAndRedisMs', () => startQueueInfrastructure({ userFolder: folder, dataDir, workers: 2, concurrency: 5, volatile: true, env: options.env }));
			return { folder, infra };
		})(),
	]);
	if (started.status === 'rejected' || infrastructure.status === 'rejected') {
		if (infrastructure.status === 'fulfilled') await infrastructure.value.infra.stop().catch(() => undefined);
		if (started.status === 'fulfilled') await started.value.close();
		if (userFolder && !process.env.KEEP_QUEUE_DATA) removeUserFolder(userFolder);
		throw started.status === 'rejected' ? started.reason : (infrastructure as PromiseRejectedResult).reason;
	}
	const sandbox = started.value;
	const { folder, infra: topology } = infrastructure.value;
	try {
		const named: Record<string, DemoCredential> = {};
		for (const provider of sandbox.providers) for (const credential of provider.credentials) named[provider.name] = credential;
		named.sunshineJwt = { ...named.sunshine, id: 'sunshineQueueJwt01', name: 'Sunshine Conversations JWT (local sandbox)', type: 'sunshineConversationsAttachmentJwtApi' };
		Object.assign(named, (await options.extraCredentials?.(sandbox)) ?? {});
		const file = path.join(dataDir, 'credentials.json');
		writeFileSync(file, JSON.stringify(Object.values(named), null, 2));
		await timed('importCredentialsMs', () => topology.cli(['import:credentials', `--input=${file}`]));
		rmSync(file, { force: true });
		const credentials = Object.fromEntries(Object.entries(named).map(([key, credential]) => [key, { id: credential.id, name: credential.name }]));

		const harness: Harness = {
			sandbox,
			topology,
			userFolder: folder,
			dataDir,
			credentials,
			timings,
			async publish(workflows) {
				const workflowFile = path.join(dataDir, `workflows-${randomBytes(4).toString('hex')}.json`);
				writeFileSync(workflowFile, JSON.stringify(workflows.map((workflow) => ({ ...workflow, meta: undefined, active: false })), null, 2));
				try {
					await timed('importWorkflowsMs', () => topology.cli(['import:workflow', `--input=${workflowFile}`]));
				} finally {
					rmSync(workflowFile, { force: true });
				}
				await publishWorkflows(topology, workflows.map((workflow) => workflow.id));
			},
			checkGates() {
				const problems = sandbox.problems();
				for (const provider of sandbox.providers) provider.gate.reset();
				if (problems.length > 0) throw new Error(`Prism refused ${problems.length} exchange(s):\n${problems.join('\n')}`);
			},
			async close() {
				await topology.stop();
				await sandbox.close();
				if (!process.env.KEEP_QUEUE_DATA) {
					// The logs of the last run stay (small, and what a failure is read from).
					const lastLogs = path.join(REPO_ROOT, '.queue-data', 'last-run-logs');
					rmSync(lastLogs, { recursive: true, force: true });
					cpSync(path.join(dataDir, 'logs'), lastLogs, { recursive: true });
					rmSync(dataDir, { recursive: true, force: true });
					removeUserFolder(folder);
				} else console.log(`kept ${dataDir} and ${folder}`);
			},
		};
		return harness;
	} catch (error) {
		await topology.stop().catch(() => undefined);
		await sandbox.close();
		if (!process.env.KEEP_QUEUE_DATA) removeUserFolder(folder);
		throw error;
	}
}

/* ------------------------------------------------------------------------------------------------
 * Calls and what n8n recorded
 * ---------------------------------------------------------------------------------------------- */

export interface CallResult {
	tag: string;
	status: number;
	headers: Record<string, string>;
	body: Buffer;
	durationMs: number;
	/** The JSON answer, when it parses. */
	json?: unknown;
}

export interface Upload {
	fileName: string;
	mimeType: string;
	content: Buffer;
}

/**
 * Calls main's production webhook: GET with `query`, or POST with the file as the raw body
 * (Content-Type its MIME type, Content-Disposition its name). Adds a unique `tag` to the query.
 *
 * One connection per call (`agent: false`), not fetch's pool: a pooled socket left idle by an
 * earlier case can be closed by main (Node's 5 s keep-alive timeout) just as the next call writes
 * on it, and that call then fails with "fetch failed" (other side closed) although n8n did nothing
 * wrong. A failure says its cause (code and message), not only "fetch failed".
 */
export async function callWebhook(
	topology: QueueTopology,
	workflow: WebhookWorkflow,
	query: Record<string, string> = {},
	upload?: Upload,
	options: { timeoutMs?: number; tag?: string } = {},
): Promise<CallResult> {
	const tag = options.tag ?? randomUUID();
	const url = new URL(topology.webhookUrl(workflow.meta.path));
	for (const [key, value] of Object.entries({ ...query, tag })) url.searchParams.set(key, value);
	const timeoutMs = options.timeoutMs ?? 600_000;
	const started = Date.now();
	return await new Promise<CallResult>((resolve, reject) => {
		const request = http.request(
			url,
			{
				method: workflow.meta.method,
				agent: false,
				headers: upload
					? { 'content-type': upload.mimeType, 'content-disposition': `attachment; filename="${upload.fileName}"`, 'content-length': String(upload.content.length) }
					: {},
			},
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('error', fail);
				response.on('end', () => {
					clearTimeout(timer);
					const body = Buffer.concat(chunks);
					let json: unknown;
					try {
						json = JSON.parse(body.toString('utf8'));
					} catch {
						json = undefined;
					}
					const headers = Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]));
					resolve({ tag, status: response.statusCode ?? 0, headers, body, durationMs: Date.now() - started, json });
				});
			},
		);
		function fail(error: NodeJS.ErrnoException) {
			clearTimeout(timer);
			reject(new Error(`${workflow.meta.method} /webhook/${workflow.meta.path} after ${Date.now() - started} ms: ${error.code ?? error.name} ${error.message}`));
		}
		const timer = setTimeout(() => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' })), timeoutMs);
		request.on('error', fail);
		request.end(upload?.content);
	});
}

export interface ExecutionRecord {
	id: string;
	workflowId: string;
	mode: string;
	status: string;
	finished: boolean;
	startedAt: string | null;
	stoppedAt: string | null;
}

/** The executions (execution_entity) whose saved data holds `tag`. */
export async function executionsTagged(topology: QueueTopology, tag: string): Promise<ExecutionRecord[]> {
	if (!/^[0-9a-f-]{36}$/.test(tag)) throw new Error(`not a tag: ${tag}`);
	return await topology.postgres.query<ExecutionRecord>(
		`SELECT e.id::text AS id, e."workflowId", e.mode, e.status, e.finished, e."startedAt", e."stoppedAt"
		 FROM execution_entity e JOIN execution_data d ON d."executionId" = e.id
		 WHERE d.data LIKE '%${tag}%' ORDER BY e.id`,
	);
}

const EXECUTION_COLUMNS = `id::text AS id, "workflowId", mode, status, finished, "startedAt", "stoppedAt"`;

/** Every execution of a workflow (execution_entity), oldest first. */
export async function executionsOfWorkflow(topology: QueueTopology, workflowId: string): Promise<ExecutionRecord[]> {
	return await topology.postgres.query<ExecutionRecord>(`SELECT ${EXECUTION_COLUMNS} FROM execution_entity WHERE "workflowId" = '${workflowId.replace(/'/g, "''")}' ORDER BY id`);
}

/** One execution by its ID (execution_entity), if there is one. */
export async function executionById(topology: QueueTopology, executionId: string): Promise<ExecutionRecord | undefined> {
	const [found] = await topology.postgres.query<ExecutionRecord>(`SELECT ${EXECUTION_COLUMNS} FROM execution_entity WHERE id = ${Number(executionId)}`);
	return found;
}

/** A file of n8n's `database` binary store (binary_data), by the binary's ID (`database:<fileId>`): its size and SHA-256, computed by Postgres. */
export async function storedFile(topology: QueueTopology, binaryId: string | undefined): Promise<{ size: number; sha256: string }> {
	const fileId = /^database:([0-9a-f-]{36})$/.exec(binaryId ?? '')?.[1];
	if (!fileId) throw new Error(`binary "${binaryId}" is not in the database store`);
	const [row] = await topology.postgres.query<{ size: number; sha256: string }>(
		`SELECT octet_length(data)::int AS size, encode(sha256(data), 'hex') AS sha256 FROM binary_data WHERE "fileId" = '${fileId}'`,
	);
	if (!row) throw new Error(`no binary_data row for ${binaryId}`);
	return row;
}

/** Waits until the call's execution is saved (n8n saves it as it ends) and returns it. */
export async function executionOf(topology: QueueTopology, tag: string, timeoutMs = 60_000): Promise<ExecutionRecord> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const found = await executionsTagged(topology, tag);
		if (found.length > 1) throw new Error(`${found.length} executions for one call (tag ${tag}): ${found.map((e) => e.id).join(', ')}`);
		if (found.length === 1 && found[0].status !== 'running' && found[0].status !== 'new') return found[0];
		if (Date.now() > deadline) throw new Error(`no finished execution for tag ${tag} within ${timeoutMs} ms (${JSON.stringify(found)})`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** The run data n8n saved for an execution (execution_data.data, parsed with n8n's own `flatted`). */
export async function executionData(topology: QueueTopology, executionId: string): Promise<ExecutionRunData> {
	const rows = await topology.postgres.query<{ data: string }>(`SELECT data FROM execution_data WHERE "executionId" = ${Number(executionId)}`);
	if (rows.length === 0) throw new Error(`no execution_data for execution ${executionId}`);
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- n8n's own copy, from the host
	const flatted = require(path.join(hostEnv.hostPaths.n8nDir, 'node_modules', 'flatted')) as { parse(text: string): unknown };
	return flatted.parse(rows[0].data) as ExecutionRunData;
}

export interface ExecutionRunData {
	resultData?: {
		error?: { message?: string; description?: string; name?: string; [key: string]: unknown };
		runData?: Record<string, Array<{ error?: { message?: string; description?: string }; data?: unknown }>>;
		lastNodeExecuted?: string;
	};
}
