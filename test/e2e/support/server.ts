/**
 * One long-running, real n8n per e2e jest project (binary store), driven through its REST API.
 *
 * The project's global set-up (test/e2e/support/global-setup.ts) installs the package into a fresh
 * user folder as the Community Nodes panel does (once), starts `n8n start` on 127.0.0.1 with the
 * project's binary store and an owner account, and writes where it runs to a state file that the
 * test files read (its path is in the environment the workers inherit), with the owner's session
 * (one login: n8n allows five a minute). Each test file then, through the REST calls the editor makes:
 *
 *   const n8n = await connectN8n();                       // the project's n8n (beforeAll)
 *   const [credential] = await n8n.importCredentials(creds);   // POST /rest/credentials
 *   await n8n.importWorkflows([workflow]);                // POST /rest/workflows
 *   const run = await n8n.run(workflow.id);               // POST /rest/workflows/:id/run, then
 *                                                         // GET /rest/executions/:id until it ends
 *
 * Credentials get the ids n8n gives them, workflows ids of their own on the server (a workflow of
 * examples/ is imported by several files): both are remapped, so a test keeps using the ids it
 * gave (a workflow's credential references are rewritten to the credentials this file imported).
 * A run is n8n's manual execution (what the editor's *Execute workflow* does), from the
 * workflow's manual trigger; its result is the saved execution, parsed with n8n's own `flatted`.
 *
 * The global teardown stops n8n (its process group: the task runner too) and removes the folder
 * (unless KEEP_N8N_USER_FOLDER is set); n8n's log is kept as <tmp>/n8n-nodes-attachments-e2e/<store>-last-n8n.log.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DEMO_OWNER, ownerEnv } from '../../../scripts/start/demo-owner';
import type { CredentialToImport, E2eBinaryMode, ExecutionJson, WorkflowToImport } from './n8n';
import { E2E_FILES_DIR, binaryDataMode, createUserFolder, freePort, hostPaths, n8nEnv, newId, prepareHost, removeUserFolder } from './n8n';

/** Where a project's running n8n is, for the test files (JSON in the file named by E2E_N8N_STATE_<MODE>). */
export interface ServerState {
	mode: E2eBinaryMode;
	url: string;
	port: number;
	userFolder: string;
	pid: number;
	logFile: string;
	/**
	 * The owner's session, logged in once by the global set-up (n8n allows 5 logins a minute per
	 * account), and the browser id n8n bound it to (sent as the `browser-id` header with it).
	 */
	cookie: string;
	browserId: string;
}

const stateEnv = (mode: E2eBinaryMode) => `E2E_N8N_STATE_${mode.toUpperCase()}`;

/* ------------------------------------------------------------------------------------------------
 * Start and stop (global set-up and teardown, in jest's parent process)
 * ---------------------------------------------------------------------------------------------- */

interface Started extends ServerState {
	stop(): Promise<void>;
}

const running = ((globalThis as { __e2eN8n?: Map<E2eBinaryMode, Started> }).__e2eN8n ??= new Map());

function killGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}

/**
 * Prepares the host (once), installs the package into a new user folder and starts `n8n start`
 * with the given binary store; resolves once n8n answers, has written its node types and lets the
 * owner log in. Sets E2E_N8N_STATE_<MODE> for the workers.
 */
export async function startServer(mode: E2eBinaryMode, timeoutMs = 5 * 60_000): Promise<ServerState> {
	const existing = running.get(mode);
	if (existing) return existing;
	await prepareHost();
	const userFolder = await createUserFolder(`n8n-e2e-${mode}-`);
	const port = await freePort();
	const env = n8nEnv(
		userFolder,
		{ ...ownerEnv(), N8N_DEFAULT_BINARY_DATA_MODE: mode, N8N_RESTRICT_FILE_ACCESS_TO: E2E_FILES_DIR },
		{ port, brokerPort: await freePort() },
	);
	const logFile = path.join(userFolder, 'n8n.log');
	const log = openSync(logFile, 'a');
	const child = spawn(hostPaths.node, [hostPaths.n8nBin, 'start'], { cwd: userFolder, env, stdio: ['ignore', log, log], detached: true });
	closeSync(log);
	let exited: string | undefined;
	const closed = new Promise<void>((resolve) =>
		child.on('close', (code, signal) => {
			exited = `exit ${code ?? signal}`;
			resolve();
		}),
	);
	const killOnExit = () => killGroup(child.pid!, 'SIGKILL');
	process.once('exit', killOnExit);
	const stop = async () => {
		running.delete(mode);
		process.removeListener('exit', killOnExit);
		if (!exited) {
			killGroup(child.pid!, 'SIGTERM');
			const killer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), 20_000);
			await closed;
			clearTimeout(killer);
		}
		// n8n's log outlives the folder: what a failure is read from.
		const lastLog = path.join(tmpdir(), 'n8n-nodes-attachments-e2e', `${mode}-last-n8n.log`);
		mkdirSync(path.dirname(lastLog), { recursive: true });
		if (existsSync(logFile)) copyFileSync(logFile, lastLog);
		if (!process.env.KEEP_N8N_USER_FOLDER) removeUserFolder(userFolder);
		else console.log(`kept the ${mode} n8n's user folder ${userFolder}`);
	};
	const state: ServerState = { mode, url: `http://127.0.0.1:${port}`, port, userFolder, pid: child.pid!, logFile, cookie: '', browserId: randomUUID() };
	const tail = () => readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
	try {
		const deadline = Date.now() + timeoutMs;
		const typesDir = path.join(userFolder, '.cache', 'n8n', 'public', 'types');
		for (;;) {
			if (exited) throw new Error(`n8n start (${mode}) ${exited} before it was ready:\n${tail()}`);
			if (Date.now() > deadline) throw new Error(`n8n start (${mode}) not ready within ${timeoutMs / 1000} s:\n${tail()}`);
			const types = ['nodes.json', 'credentials.json'].every((file) => parsesAsArray(path.join(typesDir, file)));
			if (types && (await request(state.url, 'GET', '/healthz/readiness').then((r) => r.status === 200, () => false))) break;
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		state.cookie = await logIn(state.url, state.browserId); // the owner set from the environment
	} catch (error) {
		await stop();
		throw error;
	}
	running.set(mode, { ...state, stop });
	const dir = path.join(tmpdir(), 'n8n-nodes-attachments-e2e');
	mkdirSync(dir, { recursive: true });
	const stateFile = path.join(dir, `${mode}-${process.pid}.json`);
	writeFileSync(stateFile, JSON.stringify(state, null, 2));
	process.env[stateEnv(mode)] = stateFile;
	return state;
}

/** Stops every n8n startServer started in this process. */
export async function stopServers(): Promise<void> {
	for (const [mode, started] of [...running]) {
		await started.stop();
		const stateFile = process.env[stateEnv(mode)];
		if (stateFile) rmSync(stateFile, { force: true });
	}
}

function parsesAsArray(file: string): boolean {
	try {
		return Array.isArray(JSON.parse(readFileSync(file, 'utf8')));
	} catch {
		return false; // not there yet, or still being written
	}
}

/* ------------------------------------------------------------------------------------------------
 * REST
 * ---------------------------------------------------------------------------------------------- */

interface Reply {
	status: number;
	body: string;
	cookies: string[];
}

async function request(
	base: string,
	method: string,
	urlPath: string,
	options: { body?: unknown; cookie?: string; browserId?: string; timeoutMs?: number } = {},
): Promise<Reply> {
	const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
	return await new Promise<Reply>((resolve, reject) => {
		const req = http.request(
			new URL(urlPath, base),
			{
				method,
				agent: false,
				headers: {
					accept: 'application/json',
					...(options.browserId ? { 'browser-id': options.browserId } : {}),
					...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
					...(options.cookie ? { cookie: options.cookie } : {}),
				},
				timeout: options.timeoutMs ?? 60_000,
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('error', reject);
				res.on('end', () => {
					const setCookie = res.headers['set-cookie'] ?? [];
					resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), cookies: setCookie.map((c) => c.split(';')[0]) });
				});
			},
		);
		req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: no answer within ${options.timeoutMs ?? 60_000} ms`)));
		req.on('error', reject);
		req.end(payload);
	});
}

async function logIn(base: string, browserId: string): Promise<string> {
	const reply = await request(base, 'POST', '/rest/login', { body: { emailOrLdapLoginId: DEMO_OWNER.email, password: DEMO_OWNER.password }, browserId });
	const cookie = reply.cookies.find((c) => c.startsWith('n8n-auth='));
	if (reply.status !== 200 || !cookie) throw new Error(`POST /rest/login: ${reply.status} ${reply.body.slice(0, 500)}`);
	return cookie;
}

/* ------------------------------------------------------------------------------------------------
 * The test files' side
 * ---------------------------------------------------------------------------------------------- */

export interface RunResult {
	executionId: string;
	/** n8n's status of the execution: success, error, crashed, canceled… */
	status: string;
	/** The run as `n8n execute` printed it: `data.resultData.runData[<node>]`, `data.resultData.error`, and the status. */
	json: ExecutionJson;
	durationMs: number;
}

export interface E2eN8n {
	mode: E2eBinaryMode;
	url: string;
	/** The user folder: binary data of the filesystem store under .n8n/storage, the SQLite database in .n8n. */
	userFolder: string;
	/** Creates the credentials (n8n encrypts their data); returns them with the ids n8n gave them. */
	importCredentials(credentials: CredentialToImport[]): Promise<Array<CredentialToImport & { id: string }>>;
	/** Creates the workflows; credential ids they name that this file imported are replaced by n8n's. */
	importWorkflows(workflows: WorkflowToImport[]): Promise<void>;
	/** A manual execution of a workflow this file imported (by the id the file gave it), to its end. */
	run(workflowId: string, options?: { timeoutMs?: number }): Promise<RunResult>;
	/** Publishes (activates) a workflow this file imported: n8n registers its triggers' webhooks. */
	activate(workflowId: string): Promise<void>;
	/** Unpublishes (deactivates) it: n8n removes its triggers' webhooks. */
	deactivate(workflowId: string): Promise<void>;
	/**
	 * How n8n's publication of the workflow went (2.x publishes through an outbox, after answering
	 * the activation): `in_progress`, `published`, `partial`, `failed`, with each trigger's status
	 * and error (what the editor shows).
	 */
	publicationStatus(workflowId: string): Promise<{ status: string; triggers: Array<{ nodeId: string; status: string; errorMessage?: string | null }> }>;
	/** "Listen for test event" on a trigger of the workflow (its test webhook registered); whether n8n now waits for it. */
	listen(workflowId: string, triggerName: string): Promise<boolean>;
	/** The workflow's executions, newest first (id, mode, status). */
	executions(workflowId: string): Promise<Array<{ id: string; mode: string; status: string }>>;
	/** One execution, once it has ended (as `run` returns it). */
	execution(executionId: string, options?: { timeoutMs?: number }): Promise<RunResult>;
}

interface ApiWorkflowNode {
	name: string;
	type: string;
	credentials?: Record<string, { id: string; name?: string }>;
}

/** The running n8n of this jest project (its `globals.E2E_BINARY_MODE`), as its owner (the global set-up's session). */
export async function connectN8n(): Promise<E2eN8n> {
	const mode = binaryDataMode();
	const stateFile = process.env[stateEnv(mode)];
	if (!stateFile || !existsSync(stateFile)) {
		throw new Error(`no running ${mode} n8n (${stateEnv(mode)} unset or gone): run the e2e suite with test/e2e/jest.config.js, whose global set-up starts it`);
	}
	const state = JSON.parse(readFileSync(stateFile, 'utf8')) as ServerState;
	const { cookie, browserId } = state;
	const credentialIds = new Map<string, string>();
	const workflows = new Map<string, { serverId: string; trigger?: string; versionId?: string }>();

	const api = async <T>(method: string, urlPath: string, body?: unknown): Promise<T> => {
		const reply = await request(state.url, method, urlPath, { body, cookie, browserId });
		if (reply.status < 200 || reply.status >= 300) throw new Error(`${method} ${urlPath}: ${reply.status} ${reply.body.slice(0, 2000)}\n(n8n's log: ${state.logFile})`);
		return (JSON.parse(reply.body) as { data: T }).data;
	};
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- n8n's own copy, from the host
	const flatted = require(path.join(hostPaths.n8nDir, 'node_modules', 'flatted')) as { parse(text: string): unknown };

	return {
		mode,
		url: state.url,
		userFolder: state.userFolder,
		async importCredentials(credentials) {
			const created: Array<CredentialToImport & { id: string }> = [];
			for (const credential of credentials) {
				const { id } = await api<{ id: string }>('POST', '/rest/credentials', { name: credential.name, type: credential.type, data: credential.data });
				if (credential.id) credentialIds.set(credential.id, id);
				created.push({ ...credential, id });
			}
			return created;
		},
		async importWorkflows(list) {
			for (const workflow of list) {
				const given = workflow.id ?? newId();
				const nodes = (workflow.nodes as ApiWorkflowNode[]).map((node) => ({
					...node,
					...(node.credentials
						? { credentials: Object.fromEntries(Object.entries(node.credentials).map(([type, ref]) => [type, { ...ref, id: credentialIds.get(ref.id) ?? ref.id }])) }
						: {}),
				}));
				const trigger = nodes.find((node) => node.type === 'n8n-nodes-base.manualTrigger');
				const serverId = newId();
				const created = await api<{ versionId?: string }>('POST', '/rest/workflows', {
					id: serverId,
					name: `${workflow.name} [${given}]`,
					nodes,
					connections: workflow.connections,
					settings: workflow.settings ?? {},
					...(workflow.pinData ? { pinData: workflow.pinData } : {}),
				});
				workflows.set(given, { serverId, trigger: trigger?.name, versionId: created.versionId });
			}
		},
		async run(workflowId, options = {}) {
			const workflow = imported(workflowId);
			if (!workflow.trigger) throw new Error(`workflow ${workflowId} has no manual trigger to run it from`);
			const started = Date.now();
			const result = await api<{ executionId?: string; waitingForWebhook?: boolean }>('POST', `/rest/workflows/${workflow.serverId}/run`, {
				triggerToStartFrom: { name: workflow.trigger },
			});
			if (!result.executionId) throw new Error(`n8n did not start workflow ${workflowId}: ${JSON.stringify(result)}`);
			return await untilEnded(result.executionId, options.timeoutMs ?? 300_000, started);
		},
		async activate(workflowId) {
			const workflow = imported(workflowId);
			await api('POST', `/rest/workflows/${workflow.serverId}/activate`, { versionId: workflow.versionId });
		},
		async deactivate(workflowId) {
			await api('POST', `/rest/workflows/${imported(workflowId).serverId}/deactivate`, {});
		},
		async publicationStatus(workflowId) {
			return await api('GET', `/rest/workflows/${imported(workflowId).serverId}/publication-status`);
		},
		async listen(workflowId, triggerName) {
			const result = await api<{ waitingForWebhook?: boolean }>('POST', `/rest/workflows/${imported(workflowId).serverId}/run`, { triggerToStartFrom: { name: triggerName } });
			return result.waitingForWebhook === true;
		},
		async executions(workflowId) {
			const filter = encodeURIComponent(JSON.stringify({ workflowId: imported(workflowId).serverId }));
			const list = await api<{ results: Array<{ id: string; mode: string; status: string }> }>('GET', `/rest/executions?filter=${filter}&limit=100`);
			return list.results.map(({ id, mode, status }) => ({ id: String(id), mode, status }));
		},
		async execution(executionId, options = {}) {
			return await untilEnded(executionId, options.timeoutMs ?? 300_000, Date.now());
		},
	};

	function imported(workflowId: string) {
		const workflow = workflows.get(workflowId);
		if (!workflow) throw new Error(`workflow ${workflowId} was not imported by this test file`);
		return workflow;
	}

	async function untilEnded(executionId: string, timeoutMs: number, started: number): Promise<RunResult> {
		for (;;) {
			const execution = await api<{ status: string; finished: boolean; stoppedAt?: string | null; data: string }>('GET', `/rest/executions/${executionId}`);
			const ended = !['new', 'running', 'waiting'].includes(execution.status) && (execution.stoppedAt || ['crashed', 'canceled'].includes(execution.status));
			if (ended) {
				const data = flatted.parse(execution.data) as ExecutionJson['data'];
				return { executionId, status: execution.status, json: { data, status: execution.status }, durationMs: Date.now() - started };
			}
			if (Date.now() - started > timeoutMs) throw new Error(`execution ${executionId} still ${execution.status} after ${timeoutMs} ms`);
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
	}
}
