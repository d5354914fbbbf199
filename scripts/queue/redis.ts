/**
 * A redis-server of our own (Debian's package `redis-server`), on 127.0.0.1 only, without
 * persistence: n8n's queue (Bull) lives in it for as long as the topology runs.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { freePort, spawnGroup, stopGroup, type GroupProcess } from './processes';

export interface Redis {
	port: number;
	process: GroupProcess;
	/** n8n's QUEUE_BULL_REDIS_* variables for this server. */
	env: Record<string, string>;
	stop(): Promise<void>;
}

export async function startRedis(options: { dir: string; logFile: string; port?: number; command?: string }): Promise<Redis> {
	mkdirSync(options.dir, { recursive: true });
	const port = options.port ?? (await freePort());
	const proc = spawnGroup({
		name: 'redis',
		command: options.command ?? process.env.REDIS_SERVER ?? 'redis-server',
		args: ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', path.resolve(options.dir), '--protected-mode', 'yes'],
		env: process.env,
		cwd: options.dir,
		logFile: options.logFile,
		ports: [port],
	});
	await proc.waitForLine(/Ready to accept connections/, 30_000).catch((error: Error) => {
		throw new Error(/ENOENT/.test(proc.output()) ? 'redis-server is not installed: apt-get install -y redis-server' : error.message);
	});
	return {
		port,
		process: proc,
		env: { QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(port) },
		stop: () => stopGroup(proc, { signal: 'SIGTERM', graceMs: 10_000 }),
	};
}
