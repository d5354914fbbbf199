/**
 * Helpers that drive a real n8n (the pinned one of .n8n-host/, see scripts/n8n-host/prepare.sh)
 * through its CLI. jest runs under the machine's Node 20; n8n runs as a child process under
 * Node 24, with the environment of scripts/n8n-host/env.js (offline, 127.0.0.1 only). The e2e
 * suite's test files drive one long-running n8n per project instead (./server.ts, which uses the
 * host, user folder and environment helpers here); the benchmark runs `n8n execute` per case:
 *   await prepareHost();                                  // once (global setup)
 *   const userFolder = await createUserFolder();         // this package installed as the panel does
 *   await importCredentials(userFolder, [credential]);
 *   const workflowId = await importWorkflow(userFolder, workflow);
 *   const run = await executeWorkflow(userFolder, workflowId);
 *   nodeOutput(run, 'Xero Attachment')                   // the node's output items
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';

import * as hostEnv from '../../../scripts/n8n-host/env';

/** Where makeFile (workflows.ts) keeps the files the workflows read: the one folder n8n may read. */
export const E2E_FILES_DIR = path.join(tmpdir(), 'n8n-nodes-attachments-e2e-files');

/** The 2.x host (n8n 2.41.1 under Node 24): the bench's, the queue suite's and the store projects'. */
export const hostPaths = hostEnv.hostPaths;

/** The lines of n8n hosted by scripts/n8n-host (env.js, LINES): 2.41.1 (2x) and 1.123.81 (1x). */
export type N8nLine = '2x' | '1x';

/** The n8n line of this jest project (its `globals.E2E_N8N_LINE`, or that environment variable); 2x otherwise. */
export function n8nLine(): N8nLine {
	const configured = (globalThis as { E2E_N8N_LINE?: string }).E2E_N8N_LINE ?? process.env.E2E_N8N_LINE ?? '2x';
	if (configured !== '2x' && configured !== '1x') throw new Error(`E2E_N8N_LINE must be 2x or 1x, not "${configured}"`);
	return configured;
}

/** The host of a line (default: this project's). */
export function linePaths(line: N8nLine = n8nLine()): hostEnv.HostPaths {
	return hostEnv.hostPathsFor(line);
}

/** Name of this package's node and credential types inside n8n. */
export const PACKAGE_NAME = 'n8n-nodes-attachments';
export const XERO_NODE_TYPE = `${PACKAGE_NAME}.xeroAttachment`;
export const XERO_CREDENTIAL_TYPE = 'xeroAttachmentOAuth2Api';

/**
 * The environment n8n runs with for a user folder: process.env + scripts/n8n-host/env.js +
 * `extra`. Pass ports when several n8n processes may run at once (n8n execute, too, opens the
 * task broker's port).
 */
export function n8nEnv(
	userFolder: string,
	extra: Record<string, string> = {},
	ports: { port?: number; brokerPort?: number } = {},
	line: N8nLine = n8nLine(),
): NodeJS.ProcessEnv {
	return hostEnv.n8nEnv(userFolder, { ...ports, line, extra: { N8N_DEFAULT_BINARY_DATA_MODE: binaryDataMode(), N8N_RESTRICT_FILE_ACCESS_TO: E2E_FILES_DIR, ...extra } });
}

/** The binary stores the e2e suite runs n8n with (test/e2e/jest.config.js). */
export type E2eBinaryMode = 'filesystem' | 'database';

/**
 * A jest project of test/e2e/jest.config.js: its name, the binary store and the n8n line its n8n
 * runs (its `globals` E2E_PROJECT, E2E_BINARY_MODE, E2E_N8N_LINE): `filesystem` and `database`
 * run n8n 2.41.1, `n8n-1x` runs n8n 1.123.81 with the filesystem store.
 */
export interface E2eProject {
	name: string;
	mode: E2eBinaryMode;
	line: N8nLine;
}

/**
 * Whether this project runs the example workflows of examples/: `database` (n8n 2.41.1; the
 * filesystem store's operations run in `filesystem`, the examples from the editor in the editor
 * suite) and `n8n-1x` (its one project: every example must run on n8n 1.123 too).
 */
export function runsExamples(): boolean {
	return binaryDataMode() === 'database' || n8nLine() === '1x';
}

/** This jest project (its globals; outside a project: the environment variables of those names). */
export function e2eProject(): E2eProject {
	const mode = binaryDataMode();
	const name = (globalThis as { E2E_PROJECT?: string }).E2E_PROJECT ?? process.env.E2E_PROJECT ?? mode;
	return { name, mode, line: n8nLine() };
}

/**
 * The binary store of this jest project (its `globals.E2E_BINARY_MODE`), or of the environment
 * variable of that name; `filesystem` (n8n's own default outside queue mode) otherwise.
 */
export function binaryDataMode(): E2eBinaryMode {
	const configured = (globalThis as { E2E_BINARY_MODE?: string }).E2E_BINARY_MODE ?? process.env.E2E_BINARY_MODE ?? 'filesystem';
	if (configured !== 'filesystem' && configured !== 'database') throw new Error(`E2E_BINARY_MODE must be filesystem or database, not "${configured}"`);
	return configured;
}

// ---------------------------------------------------------------------------------------------
// Processes

export interface ProcessResult {
	exitCode: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	durationMs: number;
}

interface RunOptions {
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	timeoutMs?: number;
	/** Copy the child's output to this process's stderr as it comes (progress of long steps). */
	stream?: boolean;
}

function run(command: string, args: string[], options: RunOptions = {}): Promise<ProcessResult> {
	const child = spawn(command, args, {
		cwd: options.cwd ?? hostPaths.repoRoot,
		env: options.env ?? process.env,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true, // own process group, so that a timeout kills its children too
	});
	return outcome(child, options);
}

/**
 * What a child started with pipes and `detached: true` printed and how it ended; its whole group is
 * killed after `timeoutMs`; `stream` copies its output to this process's stderr as it comes.
 */
function outcome(child: ChildProcessByStdio<null, Readable, Readable>, options: { timeoutMs?: number; stream?: boolean; onEnd?: () => void }): Promise<ProcessResult> {
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const stdout: Buffer[] = [];
		const stderr: Buffer[] = [];
		child.stdout.on('data', (chunk: Buffer) => {
			stdout.push(chunk);
			if (options.stream) process.stderr.write(chunk);
		});
		child.stderr.on('data', (chunk: Buffer) => {
			stderr.push(chunk);
			if (options.stream) process.stderr.write(chunk);
		});
		const timer = options.timeoutMs ? setTimeout(() => killGroup(child.pid), options.timeoutMs) : undefined;
		const end = () => {
			if (timer) clearTimeout(timer);
			options.onEnd?.();
		};
		child.on('error', (error) => {
			end();
			reject(error);
		});
		child.on('close', (exitCode, signal) => {
			end();
			resolve({
				exitCode,
				signal,
				stdout: Buffer.concat(stdout).toString('utf8'),
				stderr: Buffer.concat(stderr).toString('utf8'),
				durationMs: Date.now() - started,
			});
		});
	});
}

/** SIGKILL to a process group started with `detached: true` (the process and all it started). */
function killGroup(pid: number | undefined): void {
	if (!pid) return;
	try {
		process.kill(-pid, 'SIGKILL');
	} catch {
		// already gone
	}
}

function describeFailure(what: string, result: ProcessResult): Error {
	const tail = (text: string) => text.split('\n').slice(-40).join('\n');
	return new Error(
		`${what} failed (exit ${result.exitCode ?? result.signal})\n--- stdout ---\n${tail(result.stdout)}\n--- stderr ---\n${tail(result.stderr)}`,
	);
}

/** Runs `n8n <args>` under Node 24 for a user folder. */
export async function runN8n(
	userFolder: string,
	args: string[],
	options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<ProcessResult> {
	const paths = linePaths();
	return await run(paths.node, [paths.n8nBin, ...args], {
		env: n8nEnv(userFolder, options.env),
		cwd: userFolder,
		timeoutMs: options.timeoutMs ?? 120_000,
	});
}

async function runN8nOrThrow(userFolder: string, args: string[]): Promise<ProcessResult> {
	const result = await runN8n(userFolder, args);
	if (result.exitCode !== 0) throw describeFailure(`n8n ${args.join(' ')}`, result);
	return result;
}

// ---------------------------------------------------------------------------------------------
// Host and user folders

const hostReady = new Map<N8nLine, Promise<void>>();

/**
 * Makes sure the pinned n8n of a line (default: this project's) is installed
 * (scripts/n8n-host/prepare.sh --line <line>: minutes the first time, a second afterwards),
 * streaming its progress to stderr. Once per process and line.
 */
export async function prepareHost(line: N8nLine = n8nLine()): Promise<void> {
	let ready = hostReady.get(line);
	if (!ready) {
		ready = run('bash', [hostPaths.prepareScript, '--line', line], { stream: true, timeoutMs: 30 * 60_000 }).then((result) => {
			if (result.exitCode !== 0) throw describeFailure(`scripts/n8n-host/prepare.sh --line ${line}`, result);
		});
		hostReady.set(line, ready);
	}
	return await ready;
}

/**
 * A fresh n8n user folder (data in <folder>/.n8n) with this package installed the way the
 * Community Nodes panel installs it (scripts/n8n-host/install-package.sh; builds dist/ if stale).
 */
export async function createUserFolder(prefix = 'n8n-e2e-'): Promise<string> {
	const userFolder = mkdtempSync(path.join(tmpdir(), prefix));
	const result = await run('bash', [hostPaths.installPackageScript, userFolder], { timeoutMs: 10 * 60_000 });
	if (result.exitCode !== 0) throw describeFailure('scripts/n8n-host/install-package.sh', result);
	return userFolder;
}

export function removeUserFolder(userFolder: string): void {
	rmSync(userFolder, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Import

/** n8n's own ids are 16 alphanumerics; import keeps any given id of up to 21 characters. */
export function newId(): string {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	return Array.from(randomBytes(16), (byte) => alphabet[byte % alphabet.length]).join('');
}

export interface CredentialToImport {
	id?: string;
	name: string;
	type: string;
	/** Plain data: n8n encrypts it on import. */
	data: Record<string, unknown>;
}

/** `n8n import:credentials` of the given credentials; returns them with their ids. */
export async function importCredentials(
	userFolder: string,
	credentials: CredentialToImport[],
): Promise<Array<CredentialToImport & { id: string }>> {
	const withIds = credentials.map((credential) => ({ ...credential, id: credential.id ?? newId() }));
	const file = path.join(userFolder, `credentials-${newId()}.json`);
	writeFileSync(file, JSON.stringify(withIds, null, 2));
	try {
		await runN8nOrThrow(userFolder, ['import:credentials', `--input=${file}`]);
	} finally {
		rmSync(file, { force: true });
	}
	return withIds;
}

export interface WorkflowToImport {
	id?: string;
	name: string;
	nodes: unknown[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	active?: boolean;
	[key: string]: unknown;
}

/** `n8n import:workflow` of one workflow (it must start with n8n-nodes-base.manualTrigger to be executable); returns its id. */
export async function importWorkflow(userFolder: string, workflow: WorkflowToImport): Promise<string> {
	const id = workflow.id ?? newId();
	const file = path.join(userFolder, `workflow-${id}.json`);
	writeFileSync(file, JSON.stringify({ active: false, settings: {}, ...workflow, id }, null, 2));
	try {
		await runN8nOrThrow(userFolder, ['import:workflow', `--input=${file}`]);
	} finally {
		rmSync(file, { force: true });
	}
	return id;
}

// ---------------------------------------------------------------------------------------------
// Execute

export interface ExecutionResult extends ProcessResult {
	/**
	 * The run (n8n's IRun: `data.resultData.runData[<node name>]`, `data.resultData.error`...)
	 * parsed from the JSON that follows the log lines on stdout; undefined if there was none.
	 * n8n prints it on success (--rawOutput) and, at log level info, on a failed run too.
	 */
	json: ExecutionJson | undefined;
	/** Peak resident set size of the n8n process, when it could be measured. */
	peakRssBytes?: number;
}

export interface ExecutionJson {
	data?: {
		resultData?: {
			runData?: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, unknown> }> | null> }; error?: unknown }>>;
			error?: { message?: string; description?: string; [key: string]: unknown };
			lastNodeExecuted?: string;
		};
	};
	status?: string;
	[key: string]: unknown;
}

const GNU_TIME = '/usr/bin/time';

/**
 * `n8n execute --id=<id> --rawOutput`. The peak RSS comes from GNU time (`/usr/bin/time -v`) when
 * the machine has it, else from polling VmHWM in /proc/<pid>/status (slightly less exact: the last
 * poll may miss a final spike). `measureRss: false` runs n8n directly.
 */
export async function executeWorkflow(
	userFolder: string,
	workflowId: string,
	options: {
		env?: Record<string, string>;
		timeoutMs?: number;
		/** true (default): GNU time if present, else /proc; or force one; false: no measurement */
		measureRss?: boolean | 'gnu-time' | 'proc';
		/** Called with the pid of the process started: n8n's own unless GNU time runs it (measureRss false or 'proc'). */
		onSpawn?: (pid: number) => void;
	} = {},
): Promise<ExecutionResult> {
	// `n8n execute` starts the task broker: a port of its own, so that runs can overlap.
	const env = n8nEnv(userFolder, options.env, { brokerPort: await freePort() });
	const paths = linePaths();
	const n8nArgs = [paths.n8nBin, 'execute', `--id=${workflowId}`, '--rawOutput'];
	const measure = options.measureRss ?? true;
	const useTime = (measure === true && existsSync(GNU_TIME)) || measure === 'gnu-time';
	const timeFile = path.join(userFolder, `time-${newId()}.txt`);

	let polledPeak: number | undefined;
	const [command, args] = useTime ? [GNU_TIME, ['-v', '-o', timeFile, paths.node, ...n8nArgs]] : [paths.node, n8nArgs];
	const child = spawn(command, args, { cwd: userFolder, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	if (child.pid !== undefined) options.onSpawn?.(child.pid);
	const poller =
		measure !== false && !useTime
			? setInterval(() => {
					const hwm = readVmHwm(child.pid);
					if (hwm !== undefined) polledPeak = Math.max(polledPeak ?? 0, hwm);
				}, 25)
			: undefined;
	// With GNU time in between, n8n is a grandchild: the timeout kills the whole group.
	const result = await outcome(child, { timeoutMs: options.timeoutMs ?? 300_000, onEnd: () => poller && clearInterval(poller) });

	let peakRssBytes = polledPeak;
	if (useTime && existsSync(timeFile)) {
		peakRssBytes = parseGnuTimeMaxRss(readFileSync(timeFile, 'utf8'));
		rmSync(timeFile, { force: true });
	}
	return { ...result, json: parseRunJson(result.stdout), peakRssBytes };
}

function readVmHwm(pid: number | undefined): number | undefined {
	if (!pid) return undefined;
	try {
		const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) * 1024 : undefined;
	} catch {
		return undefined; // exited between polls
	}
}

/** "Maximum resident set size (kbytes): 412345" from `/usr/bin/time -v`. */
export function parseGnuTimeMaxRss(report: string): number | undefined {
	const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(report);
	return match ? Number(match[1]) * 1024 : undefined;
}

/**
 * n8n prints log lines, then the run as pretty-printed JSON (`JSON.stringify(run, null, 2)`):
 * the JSON is the text from the first line that is exactly `{` (or `[`) up to the matching
 * closing line that parses. Tries candidates from the last one backwards, so a JSON-looking log
 * line earlier does not win over the run printed at the end.
 */
export function parseRunJson(stdout: string): ExecutionJson | undefined {
	const lines = stdout.split('\n');
	for (let start = lines.length - 1; start >= 0; start--) {
		const first = lines[start].trimEnd();
		if (first !== '{' && first !== '[') continue;
		const closing = first === '{' ? '}' : ']';
		for (let end = start + 1; end < lines.length; end++) {
			if (lines[end].trimEnd() !== closing) continue;
			try {
				return JSON.parse(lines.slice(start, end + 1).join('\n')) as ExecutionJson;
			} catch {
				// not the matching line yet
			}
		}
	}
	return undefined;
}

/** The json of the items a node output on its first output (first run of that node). */
export function nodeOutput(execution: ExecutionResult, nodeName: string): Array<Record<string, unknown>> {
	const runs = execution.json?.data?.resultData?.runData?.[nodeName];
	const items = runs?.[0]?.data?.main?.[0] ?? [];
	return items.map((item) => item.json);
}

/** The run's error message, if the workflow failed. */
export function executionError(execution: ExecutionResult): string | undefined {
	return execution.json?.data?.resultData?.error?.message;
}

/** A port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
		});
	});
}
