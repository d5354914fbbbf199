/**
 * One long-running, real n8n per e2e jest project (binary store and n8n line), driven through its
 * REST API.
 *
 * The project's global set-up (test/e2e/support/global-setup.ts) installs the package into a fresh
 * user folder as the Community Nodes panel does (once), starts `n8n start` of the project's line
 * (2.41.1 or 1.123.81) on 127.0.0.1 with the project's binary store and an owner account, and
 * writes where it runs to a state file that the test files read (its path is in the environment the
 * workers inherit), with the owner's session (one login: n8n allows five a minute). Each test file
 * then, through the REST calls the editor makes:
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
 * What n8n 1.123 (the `n8n-1x` project) does differently, each found by running it:
 * - no owner from the environment (N8N_INSTANCE_OWNER_* are 2.x's): the owner is set up through
 *   POST /rest/owner/setup, as the editor's first screen does, which also gives the session;
 * - POST /rest/workflows needs `active: false` (its column has no default there) and gives the
 *   workflow an id of its own (2.x keeps the one sent): the id n8n answers with is used;
 * - POST /rest/workflows/:id/run takes the whole workflow (`workflowData`, as saved) beside
 *   `triggerToStartFrom`, as 1.x's editor sends it.
 *
 * The global teardown stops n8n (its process group: the task runner too) and removes the folder
 * (unless KEEP_N8N_USER_FOLDER is set); n8n's log is kept as <tmp>/n8n-nodes-attachments-e2e/<project>-last-n8n.log.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DEMO_OWNER, ownerEnv } from '../../../scripts/start/demo-owner';
import type { CredentialToImport, E2eBinaryMode, E2eProject, ExecutionJson, N8nLine, WorkflowToImport } from './n8n';
import { E2E_FILES_DIR, createUserFolder, e2eProject, freePort, linePaths, n8nEnv, newId, prepareHost, removeUserFolder } from './n8n';

/** Where a project's running n8n is, for the test files (JSON in the file named by E2E_N8N_STATE_<PROJECT>). */
export interface ServerState {
	project: string;
	mode: E2eBinaryMode;
	line: N8nLine;
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

/** How long a run that ended may take to show its data (see run()). */
const DATA_GRACE_MS = 15_000;

const stateEnv = (project: string) => `E2E_N8N_STATE_${project.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/* ------------------------------------------------------------------------------------------------
 * Start and stop (global set-up and teardown, in jest's parent process)
 * ---------------------------------------------------------------------------------------------- */

interface Started extends ServerState {
	stop(): Promise<void>;
}

const running = ((globalThis as { __e2eN8n?: Map<string, Started> }).__e2eN8n ??= new Map());

function killGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}

/**
 * Prepares the project's host (once), installs the package into a new user folder and starts
 * `n8n start` of the project's line with its binary store; resolves once n8n answers, has written
 * its node types and lets the owner log in. Sets E2E_N8N_STATE_<PROJECT> for the workers.
 */
export async function startServer(project: E2eProject, timeoutMs = 5 * 60_000): Promise<ServerState> {
	const { name, mode, line } = project;
	const existing = running.get(name);
	if (existing) return existing;
	await prepareHost(line);
	const paths = linePaths(line);
	const userFolder = await createUserFolder(`n8n-e2e-${name}-`);
	const port = await freePort();
	const env = n8nEnv(
		userFolder,
		// 2.x sets its owner up from the environment; 1.x through the REST API once it runs (below).
		{ ...(line === '2x' ? ownerEnv() : {}), N8N_DEFAULT_BINARY_DATA_MODE: mode, N8N_RESTRICT_FILE_ACCESS_TO: E2E_FILES_DIR },
		{ port, brokerPort: await freePort() },
		line,
	);
	const logFile = path.join(userFolder, 'n8n.log');
	const log = openSync(logFile, 'a');
	const child = spawn(paths.node, [paths.n8nBin, 'start'], { cwd: userFolder, env, stdio: ['ignore', log, log], detached: true });
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
		running.delete(name);
		process.removeListener('exit', killOnExit);
		if (!exited) {
			killGroup(child.pid!, 'SIGTERM');
			const killer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), 20_000);
			await closed;
			clearTimeout(killer);
		}
		// n8n's log outlives the folder: what a failure is read from.
		const lastLog = path.join(tmpdir(), 'n8n-nodes-attachments-e2e', `${name}-last-n8n.log`);
		mkdirSync(path.dirname(lastLog), { recursive: true });
		if (existsSync(logFile)) copyFileSync(logFile, lastLog);
		if (!process.env.KEEP_N8N_USER_FOLDER) removeUserFolder(userFolder);
		else console.log(`kept the ${name} n8n's user folder ${userFolder}`);
	};
	const state: ServerState = { project: name, mode, line, url: `http://127.0.0.1:${port}`, port, userFolder, pid: child.pid!, logFile, cookie: '', browserId: randomUUID() };
	const tail = () => readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
	try {
		const deadline = Date.now() + timeoutMs;
		const typesDir = path.join(userFolder, '.cache', 'n8n', 'public', 'types');
		for (;;) {
			if (exited) throw new Error(`n8n start (${name}) ${exited} before it was ready:\n${tail()}`);
			if (Date.now() > deadline) throw new Error(`n8n start (${name}) not ready within ${timeoutMs / 1000} s:\n${tail()}`);
			const types = ['nodes.json', 'credentials.json'].every((file) => parsesAsArray(path.join(typesDir, file)));
			if (types && (await request(state.url, 'GET', '/healthz/readiness').then((r) => r.status === 200, () => false))) break;
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		// 2.x: the owner set from the environment logs in; 1.x: the owner is set up, which logs in.
		state.cookie = line === '2x' ? await logIn(state.url, state.browserId) : await setUpOwner(state.url, state.browserId);
	} catch (error) {
		await stop();
		throw error;
	}
	running.set(name, { ...state, stop });
	const dir = path.join(tmpdir(), 'n8n-nodes-attachments-e2e');
	mkdirSync(dir, { recursive: true });
	const stateFile = path.join(dir, `${name}-${process.pid}.json`);
	writeFileSync(stateFile, JSON.stringify(state, null, 2));
	process.env[stateEnv(name)] = stateFile;
	return state;
}

/** Stops every n8n startServer started in this process. */
export async function stopServers(): Promise<void> {
	for (const [name, started] of [...running]) {
		await started.stop();
		const stateFile = process.env[stateEnv(name)];
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

/** n8n 1.x: the owner account set up as the editor's first screen does (the answer logs it in). */
async function setUpOwner(base: string, browserId: string): Promise<string> {
	const { email, password, firstName, lastName } = DEMO_OWNER;
	const reply = await request(base, 'POST', '/rest/owner/setup', { body: { email, password, firstName, lastName }, browserId });
	const cookie = reply.cookies.find((c) => c.startsWith('n8n-auth='));
	if (reply.status !== 200 || !cookie) throw new Error(`POST /rest/owner/setup: ${reply.status} ${reply.body.slice(0, 500)}`);
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
	project: string;
	mode: E2eBinaryMode;
	line: N8nLine;
	url: string;
	/** The user folder: binary data of the filesystem store under .n8n/storage, the SQLite database in .n8n. */
	userFolder: string;
	/** Creates the credentials (n8n encrypts their data); returns them with the ids n8n gave them. */
	importCredentials(credentials: CredentialToImport[]): Promise<Array<CredentialToImport & { id: string }>>;
	/** Creates the workflows; credential ids they name that this file imported are replaced by n8n's. */
	importWorkflows(workflows: WorkflowToImport[]): Promise<void>;
	/**
	 * A manual execution of a workflow this file imported (by the id the file gave it), to its end;
	 * from its manual trigger, or from the trigger named (a polling trigger's "Fetch Test Event").
	 */
	run(workflowId: string, options?: { timeoutMs?: number; trigger?: string }): Promise<RunResult>;
	/** Publishes (activates) an imported workflow: n8n registers its triggers (a polling trigger polls at once). */
	activate(workflowId: string): Promise<void>;
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
	executions(workflowId: string): Promise<ExecutionSummary[]>;
	/** An execution, once it ended. */
	execution(executionId: string, options?: { timeoutMs?: number }): Promise<RunResult>;
	/** Any REST call as the owner: the `data` of n8n's answer (throws on a status outside 2xx). Triggers use it (support/triggers.ts). */
	api<T>(method: string, urlPath: string, body?: unknown): Promise<T>;
	/** n8n's own `flatted`, which saved executions' data is serialised with. */
	parseExecutionData(text: string): unknown;
}

export interface ExecutionSummary {
	id: string;
	mode: string;
	status: string;
	startedAt?: string;
}

interface ApiWorkflowNode {
	name: string;
	type: string;
	credentials?: Record<string, { id: string; name?: string }>;
}

/** The running n8n of this jest project (its `globals.E2E_PROJECT`), as its owner (the global set-up's session). */
export async function connectN8n(): Promise<E2eN8n> {
	const project = e2eProject();
	const stateFile = process.env[stateEnv(project.name)];
	if (!stateFile || !existsSync(stateFile)) {
		throw new Error(`no running ${project.name} n8n (${stateEnv(project.name)} unset or gone): run the e2e suite with test/e2e/jest.config.js, whose global set-up starts it`);
	}
	const state = JSON.parse(readFileSync(stateFile, 'utf8')) as ServerState;
	const { cookie, browserId, mode, line } = state;
	const credentialIds = new Map<string, string>();
	/** Per workflow the id n8n gave it, its manual trigger if any, its version (to activate it) and, for 1.x's run, the workflow as saved. */
	const workflows = new Map<string, { serverId: string; trigger?: string; versionId?: string; saved: unknown }>();

	const api = async <T>(method: string, urlPath: string, body?: unknown): Promise<T> => {
		const reply = await request(state.url, method, urlPath, { body, cookie, browserId });
		if (reply.status < 200 || reply.status >= 300) throw new Error(`${method} ${urlPath}: ${reply.status} ${reply.body.slice(0, 2000)}\n(n8n's log: ${state.logFile})`);
		return (JSON.parse(reply.body) as { data: T }).data;
	};
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- n8n's own copy, from the host
	const flatted = require(path.join(linePaths(line).n8nDir, 'node_modules', 'flatted')) as { parse(text: string): unknown };

	return {
		project: state.project,
		mode,
		line,
		url: state.url,
		userFolder: state.userFolder,
		api,
		parseExecutionData: (text) => flatted.parse(text),
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
				// A workflow without a manual trigger can be activated, not run (run() says so).
				const trigger = nodes.find((node) => node.type === 'n8n-nodes-base.manualTrigger');
				const saved = await api<{ id: string; versionId?: string }>('POST', '/rest/workflows', {
					id: newId(), // kept by 2.x; 1.x gives an id of its own
					name: `${workflow.name} [${given}]`,
					...(line === '1x' ? { active: false } : {}),
					nodes,
					connections: workflow.connections,
					settings: workflow.settings ?? {},
					...(workflow.pinData ? { pinData: workflow.pinData } : {}),
				});
				workflows.set(given, { serverId: saved.id, trigger: trigger?.name, versionId: saved.versionId, saved });
			}
		},
		async run(workflowId, options = {}) {
			const workflow = workflows.get(workflowId);
			if (!workflow) throw new Error(`workflow ${workflowId} was not imported by this test file`);
			const trigger = options.trigger ?? workflow.trigger;
			if (!trigger) throw new Error(`workflow ${workflowId} has no manual trigger to run it from`);
			const started = Date.now();
			const timeoutMs = options.timeoutMs ?? 300_000;
			const start = () => startRun(workflow, trigger);
			// n8n checks the nodes' parameters before it starts a run, their regex validations (the
			// pickers') in node:vm with a 250 ms timeout (n8n-workflow's safeRegex, 1.123 and 2.41
			// alike); on a machine at load 10 and more the first one after start-up can take longer,
			// and n8n answers 500 "Regular expression execution timed out" without starting anything
			// (seen once in CI on 1.123). Nothing ran, so the run is asked for again, twice at most.
			let result: Awaited<ReturnType<typeof start>> | undefined;
			for (let attempt = 1; !result; attempt++) {
				result = await start().catch((error: Error) => {
					if (attempt < 3 && / 500 .*Regular expression execution timed out/.test(error.message)) return undefined;
					throw error;
				});
				if (!result) await new Promise((resolve) => setTimeout(resolve, 1_000));
			}
			if (!result.executionId) throw new Error(`n8n did not start workflow ${workflowId}: ${JSON.stringify(result)}`);
			return await endOf(result.executionId, started, timeoutMs);
		},
		async activate(workflowId) {
			const workflow = serverWorkflow(workflowId);
			// 2.x activates with its own route; 1.x by saving the workflow active.
			if (line === '1x') await api('PATCH', `/rest/workflows/${workflow.serverId}`, { active: true, versionId: workflow.versionId });
			else await api('POST', `/rest/workflows/${workflow.serverId}/activate`, { versionId: workflow.versionId });
		},
		async deactivate(workflowId) {
			const workflow = serverWorkflow(workflowId);
			if (line === '1x') await api('PATCH', `/rest/workflows/${workflow.serverId}`, { active: false });
			else await api('POST', `/rest/workflows/${workflow.serverId}/deactivate`, {});
		},
		async publicationStatus(workflowId) {
			return await api('GET', `/rest/workflows/${serverWorkflow(workflowId).serverId}/publication-status`);
		},
		async listen(workflowId, triggerName) {
			return (await startRun(serverWorkflow(workflowId), triggerName)).waitingForWebhook === true;
		},
		async executions(workflowId) {
			const filter = encodeURIComponent(JSON.stringify({ workflowId: serverWorkflow(workflowId).serverId }));
			const list = await api<{ results: ExecutionSummary[] }>('GET', `/rest/executions?filter=${filter}&limit=100`);
			return list.results.map(({ id, mode, status, startedAt }) => ({ id: String(id), mode, status, startedAt }));
		},
		async execution(executionId, options = {}) {
			return await endOf(executionId, Date.now(), options.timeoutMs ?? 300_000);
		},
	};

	/** A manual run from a trigger (the editor's *Execute workflow* or "Listen for test event"): n8n's answer. */
	async function startRun(workflow: { serverId: string; saved: unknown }, trigger: string): Promise<{ executionId?: string; waitingForWebhook?: boolean }> {
		return await api('POST', `/rest/workflows/${workflow.serverId}/run`, {
			...(line === '1x' ? { workflowData: workflow.saved } : {}),
			triggerToStartFrom: { name: trigger },
		});
	}

	function serverWorkflow(workflowId: string): { serverId: string; versionId?: string; saved: unknown } {
		const workflow = workflows.get(workflowId);
		if (!workflow) throw new Error(`workflow ${workflowId} was not imported by this test file`);
		return workflow;
	}

	async function endOf(executionId: string, started: number, timeoutMs: number): Promise<RunResult> {
		let endedAt: number | undefined;
		for (;;) {
			const execution = await api<{ status: string; finished: boolean; stoppedAt?: string | null; data: string }>('GET', `/rest/executions/${executionId}`);
			const ended = !['new', 'running', 'waiting'].includes(execution.status) && (execution.stoppedAt || ['crashed', 'canceled'].includes(execution.status));
			if (ended) {
				const data = flatted.parse(execution.data) as ExecutionJson['data'] | unknown[];
				// n8n 1.123 can answer with the execution ended but its data not written yet (an empty
				// array: "Found successful execution where data is empty stringified array" in its
				// log); the data follows within moments. A crashed or canceled run may have none.
				const written = !Array.isArray(data) && data?.resultData !== undefined;
				endedAt ??= Date.now();
				if (written || ['crashed', 'canceled'].includes(execution.status) || Date.now() - endedAt > DATA_GRACE_MS) {
					return { executionId, status: execution.status, json: { data: Array.isArray(data) ? undefined : data, status: execution.status }, durationMs: Date.now() - started };
				}
			}
			if (Date.now() - started > timeoutMs) throw new Error(`execution ${executionId} still ${execution.status} after ${timeoutMs} ms`);
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
	}
}
