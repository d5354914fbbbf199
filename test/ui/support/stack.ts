/**
 * The stack of `npm start` (scripts/start/main.ts: build, install as the Community Nodes panel
 * does, sandboxes, demo credentials and examples, `n8n start` with the demo owner) started for the
 * editor suite: its own user folder (--data) in a temporary directory and its own editor port
 * (--port; the task broker takes the next one), so that a developer's `npm start` on 5678 is left
 * alone. The sandboxes keep their fixed ports (the demo credentials point at them): when another
 * stack holds them, the start is retried until they are free.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { PROVIDERS } from '../../../sandbox/providers';
import { httpStatus } from '../../../scripts/queue/processes';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export interface StackInfo {
	url: string;
	port: number;
	dataDir: string;
	/** pid of scripts/start/main.ts's tsx wrapper (its own process group). */
	pid: number;
}

export interface Stack extends StackInfo {
	stop(): Promise<void>;
}

const READY = /n8n is ready at http:\/\/localhost:(\d+)/;
const PORT_BUSY = /sandbox: a port of .* is in use/;

export async function isPortFree(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/** A free port whose next one is free too (n8n's task broker). */
async function freePortPair(): Promise<number> {
	for (let attempt = 0; attempt < 50; attempt++) {
		const port = 20000 + Math.floor(Math.random() * 30000);
		if ((await isPortFree(port)) && (await isPortFree(port + 1))) return port;
	}
	throw new Error('no free pair of ports found');
}

export async function healthy(port: number): Promise<boolean> {
	return (await httpStatus(port, '/healthz')) === 200;
}

/** Every fixed port of the sandboxes (sandbox/<provider>/demo.ts). */
export const SANDBOX_PORTS = PROVIDERS.flatMap((provider) => Object.values(provider.defaultPorts));

function killGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}

interface Attempt {
	child: ChildProcess;
	outcome: Promise<{ ready: true; port: number } | { ready: false; busy: boolean; output: string }>;
}

function launch(dataDir: string, port: number, log: NodeJS.WritableStream): Attempt {
	const env = { ...process.env };
	delete env.NODE_OPTIONS;
	const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/start/main.ts', `--data=${dataDir}`, `--port=${port}`], {
		cwd: REPO_ROOT,
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
		// Its own process group: SIGINT to the group is Ctrl-C in npm start's terminal.
		detached: true,
	});
	let output = '';
	const outcome = new Promise<Awaited<Attempt['outcome']>>((resolve) => {
		const onData = (chunk: Buffer) => {
			log.write(chunk);
			output += chunk.toString('utf8');
			const ready = READY.exec(output);
			if (ready) resolve({ ready: true, port: Number(ready[1]) });
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.on('close', () => resolve({ ready: false, busy: PORT_BUSY.test(output), output }));
	});
	return { child, outcome };
}

/**
 * Starts the stack and resolves once scripts/start/main.ts printed "n8n is ready" (after /healthz
 * answered and the examples were imported). Its console output goes to <dataDir>/start.log.
 */
export async function startStack(options: { busyRetryMs?: number; log?: (line: string) => void } = {}): Promise<Stack> {
	const say = options.log ?? ((line: string) => console.log(`[ui] ${line}`));
	const dataDir = mkdtempSync(path.join(tmpdir(), 'n8n-ui-'));
	const port = await freePortPair();
	const log = createWriteStream(path.join(dataDir, 'start.log'), { flags: 'a' });
	const deadline = Date.now() + (options.busyRetryMs ?? 5 * 60_000);
	for (;;) {
		say(`starting the npm start stack on port ${port} (user folder ${dataDir})…`);
		const attempt = launch(dataDir, port, log);
		const result = await Promise.race([
			attempt.outcome,
			new Promise<{ ready: false; busy: false; output: string }>((resolve) =>
				setTimeout(() => resolve({ ready: false, busy: false, output: 'timed out after 10 minutes' }), 10 * 60_000).unref(),
			),
		]);
		if (result.ready) {
			const pid = attempt.child.pid!;
			return {
				url: `http://localhost:${result.port}`,
				port: result.port,
				dataDir,
				pid,
				stop: async () => {
					await stopProcessGroup(attempt.child);
					log.end();
				},
			};
		}
		await stopProcessGroup(attempt.child);
		if (result.busy && Date.now() < deadline) {
			say('the sandbox ports are in use by another stack; retrying in 15 s…');
			await new Promise((resolve) => setTimeout(resolve, 15_000));
			continue;
		}
		log.end();
		throw new Error(`npm start did not get ready:\n${result.output.split('\n').slice(-40).join('\n')}`);
	}
}

/** Ctrl-C to the stack's process group, SIGKILL after 45 s. */
async function stopProcessGroup(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
	killGroup(child.pid!, 'SIGINT');
	const killer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), 45_000);
	await exited;
	clearTimeout(killer);
}

/** Ports of the stack still open after it stopped (none expected). */
export async function openPorts(info: StackInfo): Promise<number[]> {
	const open: number[] = [];
	for (const port of [info.port, info.port + 1, ...SANDBOX_PORTS]) {
		if (!(await isPortFree(port))) open.push(port);
	}
	return open;
}

export function removeDataDir(dataDir: string): void {
	rmSync(dataDir, { recursive: true, force: true });
}

export function startLogTail(dataDir: string, lines = 40): string {
	try {
		return readFileSync(path.join(dataDir, 'start.log'), 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}
