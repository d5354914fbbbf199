/**
 * `npm start`: a real n8n with this package's nodes, wired to local sandboxes.
 *
 *  1. builds the package (npm run build);
 *  2. prepares the pinned n8n host if needed (scripts/n8n-host/prepare.sh: minutes the first time);
 *  3. installs the package into the git-ignored user folder .sandbox-data/ exactly as the
 *     Community Nodes panel does (scripts/n8n-host/install-package.sh);
 *  4. starts the sandboxes on fixed ports: each emulator with demo data, a Prism gate in front;
 *  5. imports the demo credentials (pointed at the gates) and the example workflows of examples/
 *     (again only when they changed since the last import: your edits are kept otherwise);
 *  6. starts `n8n start` on http://localhost:5678 (127.0.0.1 only, env of scripts/n8n-host/env.js)
 *     with an owner account set from the environment, so there is no sign-up page;
 *  7. prints what is there, then one line per request Prism checked.
 * Ctrl-C stops n8n (and its task runner), the gates and the emulators.
 *
 * Options: --reset (start from an empty .sandbox-data/), --reimport (import the examples again even
 * if unchanged, overwriting your edits to them), --verbose (n8n's log on the console too; it is
 * always in .sandbox-data/n8n.log), --port=<n> (editor port, default 5678; n8n's task broker takes
 * the next one), --data=<dir> (the user folder instead of .sandbox-data/, e.g. the editor suite's),
 * --queue (n8n in queue mode: PostgreSQL, Redis, main and 2 workers; see scripts/queue/start.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { EXAMPLES, type Example } from '../../examples';
import * as hostEnv from '../n8n-host/env';
import { httpStatus } from '../queue/processes';
import { startSandbox, type Sandbox } from '../../sandbox';
import { PROVIDERS } from '../../sandbox/providers';
import { subscribeDemoWebhooks } from '../../sandbox/wix/demo';
import type { WixServer } from '../../sandbox/wix/server';
import type { DemoCredential } from '../../sandbox/types';
import { DEMO_OWNER, ownerEnv } from './demo-owner';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const USER_FOLDER = path.resolve(REPO_ROOT, process.argv.find((a) => a.startsWith('--data='))?.slice('--data='.length) ?? '.sandbox-data');
const MARKER = path.join(USER_FOLDER, 'imported.json');
const N8N_LOG = path.join(USER_FOLDER, 'n8n.log');

/** The owner account n8n is given (N8N_INSTANCE_OWNER_*): a local demo login, not a secret. */
export { DEMO_OWNER };

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const PORT = Number(/^--port=(\d+)$/.exec(args.find((a) => a.startsWith('--port=')) ?? '')?.[1] ?? 5678);

const WIX_TRIGGER_TYPE = 'n8n-nodes-attachments.wixAttachmentTrigger';

const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const step = (text: string) => console.log(`[start] ${text}`);

/* ------------------------------------------------------------------------------------------------
 * Child processes
 * ---------------------------------------------------------------------------------------------- */

/** Runs a command to completion, its output prefixed on the console; throws with the tail of it. */
async function run(label: string, command: string, commandArgs: string[], options: { quiet?: boolean } = {}): Promise<void> {
	const started = Date.now();
	const output: string[] = [];
	await new Promise<void>((resolve, reject) => {
		const child = spawn(command, commandArgs, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: withoutNodeOptions(process.env) });
		const onData = (chunk: Buffer) => {
			for (const line of chunk.toString('utf8').split('\n')) {
				if (!line.trim()) continue;
				output.push(line);
				if (!options.quiet) console.log(`  ${label} | ${line}`);
			}
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			if (code === 0) return resolve();
			reject(new Error(`${label} failed (${signal ?? `exit ${code}`}):\n${output.slice(-40).join('\n')}`));
		});
	});
	step(`${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function withoutNodeOptions(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
	const copy = { ...env };
	delete copy.NODE_OPTIONS; // tsx's loader flags must not reach npm, bash or n8n
	return copy;
}

async function runN8n(commandArgs: string[]): Promise<void> {
	const output: string[] = [];
	await new Promise<void>((resolve, reject) => {
		const child = spawn(hostEnv.hostPaths.node, [hostEnv.hostPaths.n8nBin, ...commandArgs], {
			cwd: USER_FOLDER,
			env: hostEnv.n8nEnv(USER_FOLDER, { port: PORT }),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
		child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
		child.on('error', reject);
		child.on('close', (code) =>
			code === 0 ? resolve() : reject(new Error(`n8n ${commandArgs.join(' ')} failed (exit ${code}):\n${output.join('').slice(-4000)}`)),
		);
	});
}

/* ------------------------------------------------------------------------------------------------
 * Steps
 * ---------------------------------------------------------------------------------------------- */

/** The nodes package.json declares (those n8n will load), as `n8n-nodes-attachments.<name>` types. */
function declaredNodeFiles(): string[] {
	const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { n8n: { nodes?: string[]; credentials?: string[] } };
	return pkg.n8n.nodes ?? [];
}

async function build(): Promise<void> {
	step('building the package (npm run build)…');
	await run('build', 'npm', ['run', 'build', '--silent'], { quiet: true });
	// tsc and gulp keep the mtime of unchanged outputs; install-package.sh compares mtimes with the
	// sources, so mark the declared files fresh (as install-package.sh does after its own build).
	const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { n8n: { nodes?: string[]; credentials?: string[] } };
	const now = new Date();
	for (const file of [...(pkg.n8n.nodes ?? []), ...(pkg.n8n.credentials ?? [])]) {
		if (existsSync(path.join(REPO_ROOT, file))) utimesSync(path.join(REPO_ROOT, file), now, now);
	}
}

interface ImportMarker {
	/** Per demo credential (by id), the hash of what was imported. */
	credentials?: Record<string, string> | string;
	workflows?: Record<string, string>;
}

const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

function readMarker(): ImportMarker {
	try {
		return JSON.parse(readFileSync(MARKER, 'utf8')) as ImportMarker;
	} catch {
		return {};
	}
}

/** Imports the demo credentials and the examples (of the running providers whose node is declared). */
async function importDemo(sandbox: Sandbox, examples: Example[]): Promise<{ imported: string[]; kept: string[] }> {
	const marker = readMarker();
	// Only the credentials of the nodes n8n will load: a credential of a type n8n does not know shows as broken.
	const providers = new Set(examples.flatMap((example) => [example.provider, ...(example.uses ?? [])]));
	const credentials: DemoCredential[] = sandbox.providers.filter((provider) => providers.has(provider.name)).flatMap((provider) => [...provider.credentials, ...(provider.triggerCredentials ?? [])]);
	const imported: string[] = [];
	const kept: string[] = [];
	// Only the credentials that changed: the Wix webhook credential holds the key of the sandbox's
	// app, made anew at each start; your edits to the others are kept.
	const importedCredentials: Record<string, string> = typeof marker.credentials === 'object' ? marker.credentials : {};
	const changed = credentials.filter((credential) => importedCredentials[credential.id] !== hash(credential) || flag('reimport'));
	if (changed.length > 0) {
		const file = path.join(USER_FOLDER, 'demo-credentials.json');
		writeFileSync(file, JSON.stringify(changed, null, 2));
		try {
			await runN8n(['import:credentials', `--input=${file}`]);
		} finally {
			rmSync(file, { force: true });
		}
		for (const credential of changed) importedCredentials[credential.id] = hash(credential);
		marker.credentials = importedCredentials;
		imported.push(`${changed.length} demo credential(s)`);
	}
	marker.workflows ??= {};
	const toImport: unknown[] = [];
	for (const example of examples) {
		const workflow = JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples', example.file), 'utf8')) as Record<string, unknown>;
		const digest = hash(workflow);
		if (marker.workflows[example.workflowId] === digest && !flag('reimport')) {
			kept.push(example.title);
			continue;
		}
		toImport.push(workflow);
		marker.workflows[example.workflowId] = digest;
		imported.push(example.title);
	}
	if (toImport.length > 0) {
		const file = path.join(USER_FOLDER, 'example-workflows.json');
		writeFileSync(file, JSON.stringify(toImport, null, 2));
		try {
			await runN8n(['import:workflow', `--input=${file}`]);
		} finally {
			rmSync(file, { force: true });
		}
	}
	writeFileSync(MARKER, JSON.stringify(marker, null, 2));
	return { imported, kept };
}

/**
 * A Wix app subscribes webhooks in its dashboard, not through an API: the sandbox's app is
 * subscribed to the Production and Test URLs of each Wix trigger example, as a user pastes them.
 */
function subscribeWixExamples(sandbox: Sandbox, examples: Example[]): void {
	for (const example of examples.filter((candidate) => candidate.trigger === WIX_TRIGGER_TYPE)) {
		const workflow = JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples', example.file), 'utf8')) as { nodes: Array<{ type: string; webhookId?: string }> };
		const webhookId = workflow.nodes.find((node) => node.type === WIX_TRIGGER_TYPE)?.webhookId;
		if (webhookId) subscribeDemoWebhooks(sandbox.get<WixServer>('wix').emulator, `http://localhost:${PORT}`, webhookId);
	}
}

async function healthy(port: number): Promise<boolean> {
	return (await httpStatus(port, '/healthz')) === 200;
}

const TYPES_DIR = path.join(USER_FOLDER, '.cache', 'n8n', 'public', 'types');

function startN8n(): ChildProcess {
	// n8n writes the types its editor gets at each start; drop the last start's, so that what is
	// read after /healthz is this start's.
	rmSync(TYPES_DIR, { recursive: true, force: true });
	const log = createWriteStream(N8N_LOG, { flags: 'a' });
	log.write(`\n===== n8n start ${new Date().toISOString()} =====\n`);
	const child = spawn(hostEnv.hostPaths.node, [hostEnv.hostPaths.n8nBin, 'start'], {
		cwd: USER_FOLDER,
		env: hostEnv.n8nEnv(USER_FOLDER, { port: PORT, brokerPort: PORT + 1, extra: ownerEnv() }),
		stdio: ['ignore', 'pipe', 'pipe'],
		// Its own process group: Ctrl-C reaches this script, which stops n8n and its task runner together.
		detached: true,
	});
	for (const stream of [child.stdout, child.stderr]) {
		stream.on('data', (chunk: Buffer) => {
			log.write(chunk);
			if (flag('verbose')) process.stdout.write(`  n8n | ${chunk.toString('utf8').replace(/\n(?=.)/g, '\n  n8n | ')}`);
		});
	}
	child.on('close', () => log.end());
	return child;
}

/** The node types n8n wrote for its editor (<user folder>/.cache/n8n/public/types/nodes.json). */
async function loadedNodeTypes(timeoutMs: number): Promise<string[] | undefined> {
	const file = path.join(TYPES_DIR, 'nodes.json');
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		try {
			const nodes = JSON.parse(readFileSync(file, 'utf8')) as Array<{ name: string }>;
			return [...new Set(nodes.map((n) => n.name).filter((name) => name.startsWith('n8n-nodes-attachments.')))];
		} catch {
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	}
	return undefined;
}

/** Parent pid of a process, from /proc (Linux); undefined when it is gone or unknown. */
function parentOf(pid: number): number | undefined {
	try {
		// "pid (comm) state ppid …": comm may hold spaces, so split after the last ')'.
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
	} catch {
		return undefined;
	}
}

/**
 * `kill <npm pid>` (unlike Ctrl-C, which reaches the whole process group) ends npm and its shell
 * but not tsx, whose wrapper then lives on under init with this script and n8n. Stop when the
 * launcher chain is orphaned like that.
 */
function watchLauncher(onOrphaned: () => void): void {
	const wrapper = process.ppid;
	const launcher = parentOf(wrapper);
	if (wrapper === 1 || launcher === undefined || launcher === 1) return; // started that way: nothing to watch
	const timer = setInterval(() => {
		if (process.ppid === 1 || parentOf(wrapper) === 1) {
			clearInterval(timer);
			onOrphaned();
		}
	}, 2000);
	timer.unref();
}

/* ------------------------------------------------------------------------------------------------
 * Main
 * ---------------------------------------------------------------------------------------------- */

async function main(): Promise<void> {
	const started = Date.now();
	let sandbox: Sandbox | undefined;
	let n8n: ChildProcess | undefined;
	let stopping = false;

	const stop = async (reason: string, code: number) => {
		if (stopping) return;
		stopping = true;
		console.log(`\n[start] ${reason}: stopping n8n and the sandboxes…`);
		if (n8n && n8n.exitCode === null && n8n.signalCode === null) {
			const exited = new Promise<void>((resolve) => n8n!.once('close', () => resolve()));
			try {
				process.kill(-n8n.pid!, 'SIGTERM');
			} catch {
				// already gone
			}
			const killer = setTimeout(() => {
				try {
					process.kill(-n8n!.pid!, 'SIGKILL');
				} catch {
					// already gone
				}
			}, 20_000);
			await exited;
			clearTimeout(killer);
		}
		// n8n's task runner and anything else left in its process group.
		if (n8n?.pid) {
			try {
				process.kill(-n8n.pid, 'SIGKILL');
			} catch {
				// nothing left
			}
		}
		await sandbox?.close();
		console.log('[start] stopped.');
		process.exit(code);
	};
	process.on('SIGINT', () => void stop('Ctrl-C', 0));
	process.on('SIGTERM', () => void stop('SIGTERM', 0));
	process.on('SIGHUP', () => void stop('SIGHUP', 0));
	watchLauncher(() => void stop('npm exited', 0));

	try {
		if (flag('reset')) {
			step(`--reset: removing ${USER_FOLDER}`);
			rmSync(USER_FOLDER, { recursive: true, force: true });
		}
		if (await healthy(PORT)) throw new Error(`something already answers on http://127.0.0.1:${PORT}/healthz (another npm start?); stop it or use --port=<n>`);
		mkdirSync(USER_FOLDER, { recursive: true });
		await build();
		step('preparing the n8n host (the first time takes several minutes)…');
		await run('n8n-host', 'bash', [hostEnv.hostPaths.prepareScript]);
		step('installing the package into .sandbox-data/ as the Community Nodes panel does…');
		await run('install', 'bash', [hostEnv.hostPaths.installPackageScript, USER_FOLDER]);

		step('starting the sandboxes (emulators + Prism)…');
		sandbox = await startSandbox({ fixedPorts: true, log: (line) => console.log(line) });
		const declared = declaredNodeFiles();
		const withNode = PROVIDERS.filter((provider) => declared.includes(provider.nodeFile)).map((provider) => provider.name);
		const examples = EXAMPLES.filter((example) => withNode.includes(example.provider));

		subscribeWixExamples(sandbox, examples);
		step('importing the demo credentials and example workflows…');
		const { imported, kept } = await importDemo(sandbox, examples);

		step(`starting n8n on port ${PORT} (log: ${path.relative(REPO_ROOT, N8N_LOG)})…`);
		n8n = startN8n();
		const exitedEarly = new Promise<number>((resolve) => n8n!.once('close', (code) => resolve(code ?? 1)));
		const deadline = Date.now() + 300_000;
		for (;;) {
			if (await healthy(PORT)) break;
			if (n8n.exitCode !== null || n8n.signalCode !== null) {
				const tail = readFileSync(N8N_LOG, 'utf8').split('\n').slice(-30).join('\n');
				throw new Error(`n8n exited before it was ready:\n${tail}`);
			}
			if (Date.now() > deadline) throw new Error(`n8n did not answer /healthz within 5 minutes (log: ${N8N_LOG})`);
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		const types = await loadedNodeTypes(60_000);

		const lines: string[] = [];
		lines.push('', bold(`n8n is ready at http://localhost:${PORT}`) + `  (started in ${Math.round((Date.now() - started) / 1000)} s)`);
		lines.push(`  Log in as ${bold(DEMO_OWNER.email)} with password ${bold(DEMO_OWNER.password)} (a local demo account).`);
		lines.push('', 'Nodes of this package (search "Attachment" in the node panel):');
		for (const provider of PROVIDERS.filter((candidate) => candidate.nodeFile !== '')) {
			const loaded = types?.includes(provider.nodeType);
			const state = loaded ? 'loaded' : declared.includes(provider.nodeFile) ? 'declared, but n8n did not load it!' : 'not in package.json yet';
			lines.push(`  ${provider.displayName} Attachment (${provider.nodeType}): ${state}`);
		}
		const triggers = [...new Set(examples.flatMap((example) => (example.trigger ? [example.trigger] : [])))];
		if (triggers.length > 0) lines.push('', 'Triggers of this package (each in an example below):');
		for (const trigger of triggers) {
			const example = examples.find((candidate) => candidate.trigger === trigger)!;
			lines.push(`  ${trigger}: ${types?.includes(trigger) ? 'loaded' : 'n8n did not load it!'}, in "${example.title}"`);
		}
		lines.push('', 'Example workflows (Overview → Workflows):');
		for (const example of examples) {
			lines.push(`  "${example.title}" (examples/${example.file})${kept.includes(example.title) ? ', kept as you left it' : ''}`);
			for (const line of example.steps) lines.push(`     - ${line}`);
		}
		if (examples.length === 0) lines.push('  none (no node of a running sandbox is declared in package.json)');
		lines.push('', 'Sandboxes (credentials point their Base URL Override at the Prism gate):');
		for (const provider of sandbox.providers) {
			lines.push(`  ${provider.displayName}: Prism ${provider.baseUrl} → emulator ${provider.emulatorUrl}`);
			for (const credential of provider.credentials) lines.push(`     credential "${credential.name}"`);
			for (const line of provider.demo) lines.push(`     ${line}`);
		}
		if (imported.length > 0) lines.push('', `Imported: ${imported.join('; ')}.`);
		lines.push(
			'',
			'Open a workflow and click "Execute workflow". Every request the nodes make is checked by Prism',
			'against the vendor\'s OpenAPI spec; its verdicts follow below. Ctrl-C stops everything.',
			'',
		);
		console.log(lines.join('\n'));
		const code = await exitedEarly;
		if (!stopping) await stop(`n8n exited (code ${code}); see ${N8N_LOG}`, code || 1);
	} catch (error) {
		console.error(`\n[start] FAILED: ${error instanceof Error ? error.message : String(error)}`);
		await stop('error', 1);
	}
}

// `npm start -- --queue`: the same sandboxes with n8n in queue mode (scripts/queue/start.ts).
if (flag('queue')) void import('../queue/start').then((queue) => queue.startQueueMode(args));
else void main();
