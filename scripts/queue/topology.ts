/**
 * n8n in queue mode as n8n documents it (https://docs.n8n.io/hosting/scaling/queue-mode/), on
 * one machine, 127.0.0.1 only:
 *
 *   PostgreSQL (a cluster of our own, ./postgres.ts) ─┐
 *   Redis (redis-server, ./redis.ts) ─────────────────┼─ n8n main (`n8n start`, EXECUTIONS_MODE=queue):
 *                                                     │    editor, REST, production webhooks /webhook/<path>
 *                                                     └─ N × `n8n worker --concurrency=C`: run the executions
 *
 * Every n8n process uses the same user folder (where the package is installed the way the
 * Community Nodes panel installs it), the same encryption key, database and Redis, and a task
 * broker port of its own. Binary data goes to the `database` store (n8n's default in queue mode;
 * the filesystem store is not shared across machines). Workers serve /healthz on a port of their
 * own (QUEUE_HEALTH_CHECK_*), bound to 127.0.0.1.
 *
 * Used by `npm start -- --queue` (./start.ts) and by the queue suite (test/queue).
 *
 *   const topology = await startQueueInfrastructure({ userFolder, dataDir });
 *   await topology.cli(['import:credentials', `--input=${file}`]);   // n8n CLI against the same database
 *   await topology.startN8n();                                         // main, then the workers
 *   topology.webhookUrl('my-path'); topology.workerOf(executionId);
 *   await topology.stop();                                             // every process group; ports checked closed
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import * as hostEnv from '../n8n-host/env';
import { startPostgres, type Postgres } from './postgres';
import { freePort, httpStatus, runCommand, signalGroup, spawnGroup, stopGroup, type GroupProcess } from './processes';
import { startRedis, type Redis } from './redis';

export interface QueueTopologyOptions {
	/** The n8n user folder (data in <folder>/.n8n), with the package installed already. */
	userFolder: string;
	/** Git-ignored folder for the cluster (postgres/), redis (redis/) and the logs (logs/). */
	dataDir: string;
	/** Default 2. */
	workers?: number;
	/** `n8n worker --concurrency`, default 5. */
	concurrency?: number;
	/** Main's port (editor, REST, webhooks); default a free one. */
	mainPort?: number;
	/** Extra variables for every n8n process (main, workers, CLI). */
	env?: Record<string, string>;
	/** Extra variables for main only (e.g. the owner account). */
	mainEnv?: Record<string, string>;
	/** Postgres without fsync (tests). */
	volatile?: boolean;
	/** Each output line of each process (npm start --verbose). */
	onLine?: (processName: string, line: string) => void;
}

export interface N8nProcess extends GroupProcess {
	role: 'main' | 'worker';
	/** The port it serves HTTP on: main's editor/webhooks, a worker's health check. */
	httpPort: number;
	brokerPort: number;
}

export interface QueueTopology {
	postgres: Postgres;
	redis: Redis;
	main?: N8nProcess;
	workers: N8nProcess[];
	mainPort: number;
	mainUrl: string;
	/** Main's production webhook URL for a path. */
	webhookUrl(webhookPath: string): string;
	/** The environment every n8n process gets (queue mode, database, Redis, binary store). */
	sharedEnv(): Record<string, string>;
	/** An n8n CLI command (import:*, publish:workflow, …) against the same database and Redis. */
	cli(args: string[], options?: { timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }>;
	/** Starts main, waits until it is ready, then the workers (in parallel) until they are. */
	startN8n(extraEnv?: Record<string, string>): Promise<void>;
	/** Stops the workers and main (SIGTERM to each group, SIGKILL after a grace period). */
	stopN8n(): Promise<void>;
	/** SIGKILL to one worker's process group (the worker and its task runner), as a crash would. */
	killWorker(index: number): Promise<void>;
	/** The worker (its name) whose log says it started this execution, if any (stopped workers included). */
	workerOf(executionId: string): string | undefined;
	/** Peak resident set size (VmHWM) of each running n8n process, in bytes. */
	peakRss(): Record<string, number | undefined>;
	/** Every process of the topology, in start order. */
	processes(): GroupProcess[];
	/** Everything: n8n processes, Redis, Postgres; then checks no port of theirs is open. */
	stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitHealthy(proc: N8nProcess, urlPath: string, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if ((await httpStatus(proc.httpPort, urlPath)) === 200) return;
		if (!proc.running()) throw new Error(`${proc.name} exited before it was ready (log: ${proc.logFile}):\n${proc.output().slice(-4000)}`);
		if (Date.now() > deadline) throw new Error(`${proc.name} was not ready within ${timeoutMs / 1000} s (log: ${proc.logFile}):\n${proc.output().slice(-4000)}`);
		await sleep(500);
	}
}

function readVmHwm(pid: number): number | undefined {
	try {
		const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) * 1024 : undefined;
	} catch {
		return undefined;
	}
}

export async function startQueueInfrastructure(options: QueueTopologyOptions): Promise<QueueTopology> {
	const dataDir = path.resolve(options.dataDir);
	const logDir = path.join(dataDir, 'logs');
	mkdirSync(logDir, { recursive: true });
	const workerCount = options.workers ?? 2;
	const concurrency = options.concurrency ?? 5;

	const postgres = await startPostgres({ dataDir: path.join(dataDir, 'postgres'), logFile: path.join(logDir, 'postgres.log'), volatile: options.volatile });
	let redis: Redis;
	try {
		redis = await startRedis({ dir: path.join(dataDir, 'redis'), logFile: path.join(logDir, 'redis.log') });
	} catch (error) {
		await postgres.stop();
		throw error;
	}
	const mainPort = options.mainPort ?? (await freePort());
	let extra: Record<string, string> = {};
	/** Every worker started, the stopped and killed ones too (their logs tell who ran what). */
	const history: N8nProcess[] = [];

	const sharedEnv = (): Record<string, string> => ({
		EXECUTIONS_MODE: 'queue',
		...postgres.env,
		...redis.env,
		// n8n's default in queue mode, said explicitly (env.js sets filesystem for single-process runs).
		N8N_DEFAULT_BINARY_DATA_MODE: 'database',
		// Editor runs go to the workers too, as n8n recommends for queue mode.
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		// Main's URL in the webhook URLs it shows (and that the workers build for Wait/Respond nodes).
		N8N_WEBHOOK_URL: `http://localhost:${mainPort}/`,
		...(options.env ?? {}),
		...extra,
	});

	const topology: QueueTopology = {
		postgres,
		redis,
		workers: [],
		mainPort,
		mainUrl: `http://localhost:${mainPort}`,
		webhookUrl: (webhookPath) => `http://127.0.0.1:${mainPort}/webhook/${webhookPath.replace(/^\//, '')}`,
		sharedEnv,

		async cli(args, cliOptions = {}) {
			const env = hostEnv.n8nEnv(options.userFolder, { port: await freePort([mainPort]), brokerPort: await freePort([mainPort]), extra: sharedEnv() });
			return await runCommand(hostEnv.hostPaths.node, [hostEnv.hostPaths.n8nBin, ...args], {
				env,
				cwd: options.userFolder,
				timeoutMs: cliOptions.timeoutMs ?? 180_000,
			});
		},

		async startN8n(extraEnv = {}) {
			extra = extraEnv;
			const spawnN8n = async (role: 'main' | 'worker', name: string, httpPort: number): Promise<N8nProcess> => {
				const brokerPort = await freePort([mainPort, httpPort]);
				const env = hostEnv.n8nEnv(options.userFolder, {
					port: role === 'main' ? httpPort : await freePort([mainPort, httpPort, brokerPort]),
					brokerPort,
					extra: {
						...sharedEnv(),
						...(role === 'main'
							? (options.mainEnv ?? {})
							: { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(httpPort), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' }),
					},
				});
				const args = role === 'main' ? ['start'] : ['worker', `--concurrency=${concurrency}`];
				const proc = spawnGroup({
					name,
					command: hostEnv.hostPaths.node,
					args: [hostEnv.hostPaths.n8nBin, ...args],
					env,
					cwd: options.userFolder,
					logFile: path.join(logDir, `${name}.log`),
					ports: [httpPort, brokerPort],
					onLine: options.onLine ? (line) => options.onLine!(name, line) : undefined,
				});
				return Object.assign(proc, { role, httpPort, brokerPort });
			};
			// Main first: it runs the database migrations and owns the webhooks.
			const main = await spawnN8n('main', 'main', mainPort);
			topology.main = main;
			await waitHealthy(main, '/healthz/readiness', 300_000);
			const workers: N8nProcess[] = [];
			for (let i = 1; i <= workerCount; i++) workers.push(await spawnN8n('worker', `worker-${i}`, await freePort([mainPort])));
			topology.workers = workers;
			history.push(...workers);
			await Promise.all(workers.map((worker) => waitHealthy(worker, '/healthz/readiness', 300_000)));
			await Promise.all(workers.map((worker) => worker.waitForLine(/n8n worker is now ready/, 60_000)));
		},

		async stopN8n() {
			// Workers first (they finish or give up their jobs), then main.
			await Promise.all(topology.workers.map((worker) => stopGroup(worker, { graceMs: 30_000 })));
			if (topology.main) await stopGroup(topology.main, { graceMs: 30_000 });
		},

		async killWorker(index) {
			const worker = topology.workers[index];
			signalGroup(worker.pid, 'SIGKILL');
			await worker.exited;
			await stopGroup(worker); // reaps what is left of the group, checks its ports
		},

		workerOf(executionId) {
			const pattern = new RegExp(`Worker started execution ${executionId} \\(job`);
			return history.find((worker) => worker.output().split('\n').some((line) => pattern.test(line)))?.name;
		},

		peakRss() {
			const result: Record<string, number | undefined> = {};
			for (const proc of [topology.main, ...topology.workers]) if (proc?.running()) result[proc.name] = readVmHwm(proc.pid);
			return result;
		},

		processes: () => [postgres.process, redis.process, ...(topology.main ? [topology.main] : []), ...topology.workers],

		async stop() {
			const errors: unknown[] = [];
			await topology.stopN8n().catch((error: unknown) => errors.push(error));
			await redis.stop().catch((error: unknown) => errors.push(error));
			await postgres.stop().catch((error: unknown) => errors.push(error));
			if (errors.length > 0) throw errors[0];
		},
	};
	return topology;
}

/**
 * Publishes workflows before main starts (main reads which workflows are published, and registers
 * their production webhooks, at start-up), exactly as `n8n publish:workflow --id=<id>` does:
 * n8n 2.41.1's command is one call to `WorkflowRepository.publishVersion` (@n8n/db), which checks
 * that the workflow is not archived and that its current `versionId` has a `workflow_history` row,
 * then sets `active = true, "activeVersionId" = "versionId"`. Done here as one SQL statement for
 * all of them: the command takes one ID, and each run boots a whole n8n CLI (15–40 s on a 2-core
 * machine), which made the suite's set-up minutes long for 22 workflows.
 *
 * Not `import:workflow --activeState=fromJson`: in n8n 2.41.1 it activates as the instance owner,
 * and before main has set the owner account up (N8N_INSTANCE_OWNER_*) that is a shell user, so
 * every activation fails with "User attempted to activate a workflow without permissions".
 */
export async function publishWorkflows(topology: QueueTopology, ids: string[]): Promise<void> {
	const quoted = ids.map((id) => `'${id.replace(/'/g, "''")}'`).join(',');
	await topology.postgres.psql(
		`UPDATE workflow_entity w SET active = true, "activeVersionId" = w."versionId"
		 WHERE w.id IN (${quoted}) AND NOT w."isArchived"
		   AND EXISTS (SELECT 1 FROM workflow_history h WHERE h."workflowId" = w.id AND h."versionId" = w."versionId")`,
	);
	const published = await topology.postgres.query<{ id: string }>(`SELECT id FROM workflow_entity WHERE active AND "activeVersionId" IS NOT NULL AND id IN (${quoted})`);
	if (published.length !== ids.length) {
		const missing = ids.filter((id) => !published.some((row) => row.id === id));
		throw new Error(`${missing.length} workflow(s) could not be published (archived, or no workflow_history row for their versionId): ${missing.join(', ')}`);
	}
}
