/**
 * `npm start -- --queue`: the sandboxes of `npm start`, with n8n in queue mode (./topology.ts):
 * PostgreSQL and Redis of our own, n8n main on http://localhost:5678 (editor, webhooks) and two
 * workers (--concurrency=5) that run every execution, all sharing the user folder
 * .queue-data/start/n8n where the package is installed the Community Nodes panel's way.
 *
 * Each example workflow of examples/ is imported with a Webhook trigger added beside its manual
 * trigger and published, so it runs on a worker when its production URL is called; the script
 * prints that URL and a curl line for each. Editor runs go to the workers too
 * (OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS). Ctrl-C stops every process (each process group) and
 * checks that none of their ports is left open.
 *
 * Each example gets a webhook path of its own, named after its file (examples/xero-attachments,
 * examples/ai-agent-attachments, …: exampleWebhookPath), so two examples of one provider never
 * share one. The demo credentials imported are those of every example's provider and of the
 * sandboxes it uses besides (the agent example's scripted model).
 *
 * Everything lives in .queue-data/start/ (git-ignored): the cluster (postgres/), Redis' folder, the
 * user folder (n8n/), the logs (logs/). The demo credentials and examples are imported again at
 * every start. Options: --reset (empty the data folder first), --verbose (n8n's logs on the console),
 * --port=<n> (main's port, default 5678), --random-ports (sandboxes on free ports instead of 40xx),
 * --data=<dir> (the data folder instead of .queue-data/start/; the queue-demo test's own).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { EXAMPLES, type Example } from '../../examples';
import * as hostEnv from '../n8n-host/env';
import { DEMO_OWNER, ownerEnv } from '../start/demo-owner';
import { startSandbox, type Sandbox } from '../../sandbox';
import { PROVIDERS } from '../../sandbox/providers';
import { portOpen } from './processes';
import { publishWorkflows, startQueueInfrastructure, type QueueTopology } from './topology';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const DEFAULT_DATA_DIR = path.join(REPO_ROOT, '.queue-data', 'start');

const step = (text: string) => console.log(`[start --queue] ${text}`);
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

function run(label: string, command: string, args: string[]): Promise<void> {
	return new Promise((resolve, reject) => {
		const env = { ...process.env };
		delete env.NODE_OPTIONS;
		const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
		const output: string[] = [];
		child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
		child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
		child.on('error', reject);
		child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${label} failed (exit ${code}):\n${output.join('').slice(-4000)}`))));
	});
}

interface WorkflowJson {
	id: string;
	name: string;
	nodes: Array<{ name: string; type: string; position?: [number, number]; [key: string]: unknown }>;
	connections: Record<string, { main: unknown[][] }>;
	[key: string]: unknown;
}

/**
 * The production webhook path of an example: `examples/<its file name without .json>`, one per
 * example (file names are unique; two examples of one provider, Asana's and the agent's, once got
 * the same path and only one of them answered).
 */
export function exampleWebhookPath(example: Example): string {
	return `examples/${example.file.replace(/\.json$/, '')}`;
}

/** The example with a Webhook trigger (GET <path>, answering the last node's items) beside its manual trigger. */
export function withWebhookTrigger(workflow: WorkflowJson, webhookPath: string): WorkflowJson {
	const manual = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger');
	if (!manual) throw new Error(`example "${workflow.name}" has no manual trigger to put a webhook beside`);
	const [x] = manual.position ?? [0, 0];
	// Under the lowest node (an agent's model and tools sit below it), so it covers none of them.
	const lowest = Math.max(...workflow.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote').map((n) => n.position?.[1] ?? 0));
	const webhook = {
		id: randomUUID(),
		name: 'Webhook (queue mode)',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2.1,
		position: [x, lowest + 200] as [number, number],
		webhookId: randomUUID(),
		parameters: { httpMethod: 'GET', path: webhookPath, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
	};
	return {
		...workflow,
		active: true,
		nodes: [...workflow.nodes, webhook],
		connections: { ...workflow.connections, [webhook.name]: workflow.connections[manual.name] },
	};
}

export async function startQueueMode(args: string[]): Promise<void> {
	const flag = (name: string) => args.includes(`--${name}`);
	const port = Number(/^--port=(\d+)$/.exec(args.find((a) => a.startsWith('--port=')) ?? '')?.[1] ?? 5678);
	const dataArg = args.find((a) => a.startsWith('--data='))?.slice('--data='.length);
	const DATA_DIR = dataArg ? path.resolve(REPO_ROOT, dataArg) : DEFAULT_DATA_DIR;
	const USER_FOLDER = path.join(DATA_DIR, 'n8n');
	const shown = (file: string) => (file.startsWith(`${REPO_ROOT}${path.sep}`) ? path.relative(REPO_ROOT, file) : file);
	const started = Date.now();
	let sandbox: Sandbox | undefined;
	let topology: QueueTopology | undefined;
	let stopping = false;

	const stop = async (reason: string, code: number) => {
		if (stopping) return;
		stopping = true;
		console.log(`\n[start --queue] ${reason}: stopping the workers, main, Redis, PostgreSQL and the sandboxes…`);
		const ports = topology ? topology.processes().flatMap((p) => p.ports) : [];
		try {
			await topology?.stop();
		} catch (error) {
			console.error(`[start --queue] ${error instanceof Error ? error.message : String(error)}`);
			code = code || 1;
		}
		await sandbox?.close();
		const open: number[] = [];
		for (const p of ports) if (await portOpen(p)) open.push(p);
		console.log(open.length === 0 ? `[start --queue] stopped; none of their ports (${ports.join(', ')}) is open.` : `[start --queue] still open: ${open.join(', ')}`);
		process.exit(open.length === 0 ? code : 1);
	};
	process.on('SIGINT', () => void stop('Ctrl-C', 0));
	process.on('SIGTERM', () => void stop('SIGTERM', 0));
	process.on('SIGHUP', () => void stop('SIGHUP', 0));

	try {
		if (flag('reset')) {
			step(`--reset: removing ${shown(DATA_DIR)}/`);
			rmSync(DATA_DIR, { recursive: true, force: true });
		}
		if (await portOpen(port)) throw new Error(`something already listens on 127.0.0.1:${port} (another npm start?); stop it or use --port=<n>`);
		mkdirSync(USER_FOLDER, { recursive: true });
		step('building the package (npm run build)…');
		await run('build', 'npm', ['run', 'build', '--silent']);
		const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { n8n: { nodes?: string[]; credentials?: string[] } };
		const now = new Date();
		for (const f of [...(pkg.n8n.nodes ?? []), ...(pkg.n8n.credentials ?? [])]) if (existsSync(path.join(REPO_ROOT, f))) utimesSync(path.join(REPO_ROOT, f), now, now);
		step('preparing the n8n host (the first time takes several minutes)…');
		await run('n8n-host', 'bash', [hostEnv.hostPaths.prepareScript]);
		step(`installing the package into ${shown(USER_FOLDER)}/ as the Community Nodes panel does…`);
		await run('install', 'bash', [hostEnv.hostPaths.installPackageScript, USER_FOLDER]);

		step(`starting the sandboxes (emulators + Prism)${flag('random-ports') ? ' on free ports' : ''}…`);
		sandbox = await startSandbox({ fixedPorts: !flag('random-ports') });
		const declared = pkg.n8n.nodes ?? [];
		const withNode = PROVIDERS.filter((provider) => declared.includes(provider.nodeFile)).map((provider) => provider.name);
		// Each example gets a Webhook trigger beside its manual one; an example a provider's event starts has none.
		const examples = EXAMPLES.filter((example) => withNode.includes(example.provider) && !example.trigger);

		step(`starting PostgreSQL and Redis (${shown(DATA_DIR)}/postgres, ${shown(DATA_DIR)}/redis)…`);
		topology = await startQueueInfrastructure({
			userFolder: USER_FOLDER,
			dataDir: DATA_DIR,
			workers: 2,
			concurrency: 5,
			mainPort: port,
			mainEnv: ownerEnv(),
			onLine: flag('verbose') ? (name, line) => console.log(`  ${name} | ${line}`) : undefined,
		});

		step('importing the demo credentials and the examples (with a Webhook trigger each), publishing them…');
		// The credentials of every example's provider and of the sandboxes it uses besides (the agent's model).
		const used = new Set(examples.flatMap((example) => [example.provider, ...(example.uses ?? [])]));
		const credentials = sandbox.providers.filter((provider) => used.has(provider.name)).flatMap((provider) => provider.credentials);
		const credentialFile = path.join(DATA_DIR, 'demo-credentials.json');
		writeFileSync(credentialFile, JSON.stringify(credentials, null, 2));
		await topology.cli(['import:credentials', `--input=${credentialFile}`]).finally(() => rmSync(credentialFile, { force: true }));
		const hooks = examples.map((example) => ({ example, path: exampleWebhookPath(example) }));
		const workflows = hooks.map(({ example, path: webhookPath }) =>
			withWebhookTrigger(JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples', example.file), 'utf8')) as WorkflowJson, webhookPath),
		);
		const workflowFile = path.join(DATA_DIR, 'example-workflows.json');
		writeFileSync(workflowFile, JSON.stringify(workflows.map((w) => ({ ...w, active: false })), null, 2));
		await topology.cli(['import:workflow', `--input=${workflowFile}`]).finally(() => rmSync(workflowFile, { force: true }));
		await publishWorkflows(topology, workflows.map((w) => w.id));

		step(`starting n8n main on port ${port}, then 2 workers (logs: ${shown(DATA_DIR)}/logs/)…`);
		await topology.startN8n();

		const lines: string[] = [];
		lines.push('', bold(`n8n (queue mode) is ready at http://localhost:${port}`) + `  (started in ${Math.round((Date.now() - started) / 1000)} s)`);
		lines.push(`  Log in as ${bold(DEMO_OWNER.email)} with password ${bold(DEMO_OWNER.password)} (a local demo account).`);
		lines.push('', 'Processes (each in its own process group; Ctrl-C stops them all):');
		for (const proc of topology.processes()) lines.push(`  ${proc.name.padEnd(9)} pid ${proc.pid}, 127.0.0.1:${proc.ports.join(', ')}  log ${path.relative(REPO_ROOT, proc.logFile)}`);
		lines.push('', 'Example workflows, published: each call of its production URL runs on a worker.');
		for (const { example, path: webhookPath } of hooks) {
			const url = `http://localhost:${port}/webhook/${webhookPath}`;
			lines.push(`  "${example.title}"`, `     ${url}`, `     curl -s ${url}`);
		}
		lines.push(
			'',
			`Which worker ran an execution: "Worker started execution <id>" in ${shown(DATA_DIR)}/logs/worker-<n>.log;`,
			'binary data is in PostgreSQL (n8n\'s database store, the default in queue mode).',
			'',
		);
		console.log(lines.join('\n'));
		const exits = [topology.main!, ...topology.workers].map((proc) => proc.exited.then(() => proc.name));
		const first = await Promise.race(exits);
		if (!stopping) await stop(`${first} exited; see ${shown(DATA_DIR)}/logs/${first}.log`, 1);
	} catch (error) {
		console.error(`\n[start --queue] FAILED: ${error instanceof Error ? error.message : String(error)}`);
		await stop('error', 1);
	}
}
