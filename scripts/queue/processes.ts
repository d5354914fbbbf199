/**
 * Long-running child processes of the queue topology (postgres, redis-server, n8n main and
 * workers): each in a process group of its own, its output in a log file and a small in-memory
 * tail, stopped by signalling the whole group (n8n's task runner is a child of n8n) and then
 * checked: the group is gone and its ports no longer accept connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import http from 'node:http';
import { connect, createServer } from 'node:net';

export interface GroupProcess {
	name: string;
	pid: number;
	child: ChildProcess;
	logFile: string;
	/** Ports this process listens on (checked closed after stop). */
	ports: number[];
	/** Everything it printed so far (stdout and stderr interleaved, capped at the last 4 MiB). */
	output(): string;
	/** Resolves when the process has exited (immediately if it has). */
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
	running(): boolean;
	/** Resolves with the first output line matching `pattern` (already printed ones count). */
	waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
}

const OUTPUT_CAP = 4 * 1024 * 1024;

export interface SpawnGroupOptions {
	name: string;
	command: string;
	args: string[];
	env: NodeJS.ProcessEnv;
	cwd: string;
	logFile: string;
	ports?: number[];
	/** Each output line, prefixed by the caller (npm start --verbose). */
	onLine?: (line: string) => void;
}

export function spawnGroup(options: SpawnGroupOptions): GroupProcess {
	const log: WriteStream = createWriteStream(options.logFile, { flags: 'a' });
	log.write(`\n===== ${options.name}: ${options.command} ${options.args.join(' ')} (${new Date().toISOString()}) =====\n`);
	const child = spawn(options.command, options.args, {
		cwd: options.cwd,
		env: options.env,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true, // its own process group: stop() signals it and everything it started
	});
	let text = '';
	let partial = '';
	const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
	const onChunk = (chunk: Buffer) => {
		log.write(chunk);
		const piece = chunk.toString('utf8');
		text += piece;
		if (text.length > OUTPUT_CAP) text = text.slice(-OUTPUT_CAP);
		const lines = (partial + piece).split('\n');
		partial = lines.pop() ?? '';
		for (const line of lines) {
			options.onLine?.(line);
			for (const waiter of waiters.slice()) {
				if (waiter.pattern.test(line)) {
					waiters.splice(waiters.indexOf(waiter), 1);
					waiter.resolve(line);
				}
			}
		}
	};
	child.stdout!.on('data', onChunk);
	child.stderr!.on('data', onChunk);
	let exitState: { code: number | null; signal: NodeJS.Signals | null } | undefined;
	const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
		child.on('close', (code, signal) => {
			exitState = { code, signal };
			log.end(`\n===== ${options.name} exited (${signal ?? `code ${code}`}) =====\n`);
			resolve(exitState);
		});
		child.on('error', (error) => {
			text += `\nspawn error: ${error.message}\n`;
			exitState = { code: null, signal: null };
			resolve(exitState);
		});
	});
	if (!child.pid) throw new Error(`could not start ${options.name} (${options.command})`);
	return {
		name: options.name,
		pid: child.pid,
		child,
		logFile: options.logFile,
		ports: options.ports ?? [],
		output: () => text,
		exited,
		running: () => exitState === undefined,
		waitForLine(pattern, timeoutMs) {
			const already = text.split('\n').find((line) => pattern.test(line));
			if (already !== undefined) return Promise.resolve(already);
			return new Promise((resolve, reject) => {
				const waiter = { pattern, resolve: (line: string) => (clearTimeout(timer), resolve(line)) };
				const timer = setTimeout(() => {
					waiters.splice(waiters.indexOf(waiter), 1);
					reject(new Error(`${options.name}: no line matching ${pattern} within ${timeoutMs} ms; last output:\n${text.slice(-3000)}`));
				}, timeoutMs);
				waiters.push(waiter);
				void exited.then(() => {
					if (!waiters.includes(waiter)) return;
					waiters.splice(waiters.indexOf(waiter), 1);
					clearTimeout(timer);
					reject(new Error(`${options.name} exited before printing ${pattern}; last output:\n${text.slice(-3000)}`));
				});
			});
		},
	};
}

/** Signals a whole process group; false when there is no such group any more. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
	try {
		process.kill(-pid, signal);
		return true;
	} catch {
		return false;
	}
}

function groupAlive(pid: number): boolean {
	try {
		process.kill(-pid, 0);
		return true;
	} catch {
		return false;
	}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stops a process group: `signal` (default SIGTERM), SIGKILL after `graceMs`, then waits until no
 * process of the group is left and its ports refuse connections. Throws if a port stays open.
 */
export async function stopGroup(proc: GroupProcess, options: { signal?: NodeJS.Signals; graceMs?: number } = {}): Promise<void> {
	if (proc.running()) signalGroup(proc.pid, options.signal ?? 'SIGTERM');
	const killer = setTimeout(() => signalGroup(proc.pid, 'SIGKILL'), options.graceMs ?? 20_000);
	await proc.exited;
	clearTimeout(killer);
	// The leader is gone; children (n8n's task runner, postgres' backends) may linger briefly.
	const deadline = Date.now() + 10_000;
	while (groupAlive(proc.pid)) {
		if (Date.now() > deadline) {
			signalGroup(proc.pid, 'SIGKILL');
			await sleep(200);
			if (groupAlive(proc.pid)) throw new Error(`${proc.name}: processes of group ${proc.pid} survive SIGKILL`);
			break;
		}
		await sleep(100);
	}
	await waitPortsClosed(proc.name, proc.ports);
}

/** The status of a GET of `urlPath` on 127.0.0.1:port (n8n's /healthz), undefined when nothing answers within 3 s. */
export function httpStatus(port: number, urlPath: string): Promise<number | undefined> {
	return new Promise((resolve) => {
		const req = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: 3000 }, (res) => {
			res.resume();
			resolve(res.statusCode);
		});
		req.on('error', () => resolve(undefined));
		req.on('timeout', () => {
			req.destroy();
			resolve(undefined);
		});
	});
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect({ host: '127.0.0.1', port });
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
		socket.setTimeout(1000, () => {
			socket.destroy();
			resolve(false);
		});
	});
}

export async function waitPortsClosed(name: string, ports: number[], timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (const port of ports) {
		while (await portOpen(port)) {
			if (Date.now() > deadline) throw new Error(`${name}: port ${port} is still open after stopping`);
			await sleep(100);
		}
	}
}

export async function waitPortOpen(name: string, port: number, proc: GroupProcess | undefined, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await portOpen(port))) {
		if (proc && !proc.running()) throw new Error(`${name} exited before listening on ${port}:\n${proc.output().slice(-3000)}`);
		if (Date.now() > deadline) throw new Error(`${name} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
		await sleep(200);
	}
}

/** A port free on 127.0.0.1 right now (not in `avoid`). */
export async function freePort(avoid: number[] = []): Promise<number> {
	for (;;) {
		const port = await new Promise<number>((resolve, reject) => {
			const server = createServer();
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => {
				const address = server.address();
				server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
			});
		});
		if (!avoid.includes(port)) return port;
	}
}

/** Runs a command to completion; rejects with its output on a non-zero exit. */
export function runCommand(
	command: string,
	args: string[],
	options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; allowFailure?: boolean } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
		child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
		const timer = setTimeout(() => child.pid && signalGroup(child.pid, 'SIGKILL'), options.timeoutMs ?? 120_000);
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			const result = { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
			if (code !== 0 && !options.allowFailure) {
				reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`));
			} else resolve(result);
		});
	});
}
