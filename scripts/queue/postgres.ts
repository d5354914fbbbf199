/**
 * A PostgreSQL cluster of our own, in a git-ignored folder of the repository: created with
 * initdb the first time, run as a child process (not a system service) on 127.0.0.1 only, and
 * stopped with the topology. Debian's binaries (/usr/lib/postgresql/<major>/bin, package
 * `postgresql`), or $PG_BIN_DIR.
 *
 * postgres refuses to run as root: as root the cluster belongs to the `postgres` system user that
 * Debian's package creates, and initdb/postgres are started through `setpriv` as that user.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';

import { freePort, runCommand, spawnGroup, stopGroup, waitPortOpen, type GroupProcess } from './processes';

export const DB_NAME = 'n8n';
export const DB_USER = 'n8n';
/** Trust authentication on 127.0.0.1 (a local test cluster): n8n still needs a password set. */
export const DB_PASSWORD = 'n8n-local';

export function postgresBinDir(): string {
	if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
	const root = '/usr/lib/postgresql';
	const majors = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : [];
	for (const major of majors) {
		if (existsSync(path.join(root, major, 'bin', 'postgres'))) return path.join(root, major, 'bin');
	}
	throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/<major>/bin/postgres): apt-get install -y postgresql');
}

/** As root: the command run as the postgres user (setpriv execs it, so signals reach postgres itself). */
function asClusterOwner(command: string, args: string[]): [string, string[]] {
	if (process.getuid?.() !== 0) return [command, args];
	return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', command, ...args]];
}

function ownerIds(): { uid: number; gid: number } | undefined {
	if (process.getuid?.() !== 0) return undefined;
	// Debian's postgresql package creates this user; its ids come from the passwd database.
	try {
		return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) };
	} catch {
		throw new Error('running as root, but there is no `postgres` user to own the cluster (apt-get install -y postgresql creates it)');
	}
}

export interface Postgres {
	port: number;
	dataDir: string;
	process: GroupProcess;
	/** n8n's DB_* variables for this cluster. */
	env: Record<string, string>;
	/** Runs SQL with psql; returns its unaligned, tab-separated output. */
	psql(sql: string): Promise<string>;
	/** Runs a SELECT and returns its rows as objects (json_agg). */
	query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
	stop(): Promise<void>;
}

export async function startPostgres(options: {
	/** The cluster's folder (created by initdb when empty or absent). */
	dataDir: string;
	logFile: string;
	port?: number;
	/** Faster, not crash-safe: fsync off (tests). */
	volatile?: boolean;
}): Promise<Postgres> {
	const bin = postgresBinDir();
	const dataDir = path.resolve(options.dataDir);
	const owner = ownerIds();
	if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
		mkdirSync(dataDir, { recursive: true, mode: 0o700 });
		if (owner) chownSync(dataDir, owner.uid, owner.gid);
		const [command, args] = asClusterOwner(path.join(bin, 'initdb'), [
			'-D', dataDir, '-U', DB_USER, '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-instructions', '--no-sync',
		]);
		await runCommand(command, args, { timeoutMs: 120_000, env: { ...process.env, LC_ALL: 'C.UTF-8' } });
	}
	const port = options.port ?? (await freePort());
	const settings = [
		'listen_addresses=127.0.0.1',
		`port=${port}`,
		'unix_socket_directories=', // TCP on 127.0.0.1 only
		'max_connections=200', // 3 n8n processes × 25 (DB_POSTGRESDB_POOL_SIZE) + CLI runs
		...(options.volatile ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : []),
	];
	const [command, args] = asClusterOwner(path.join(bin, 'postgres'), ['-D', dataDir, ...settings.flatMap((s) => ['-c', s])]);
	const proc = spawnGroup({ name: 'postgres', command, args, env: { ...process.env, LC_ALL: 'C.UTF-8' }, cwd: dataDir, logFile: options.logFile, ports: [port] });
	await waitPortOpen('postgres', port, proc, 60_000);

	const psqlBin = path.join(bin, 'psql');
	const psql = async (sql: string, database = DB_NAME): Promise<string> => {
		const result = await runCommand(psqlBin, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-At', '-F', '\t', '-h', '127.0.0.1', '-p', String(port), '-U', DB_USER, '-d', database, '-c', sql], {
			env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
			timeoutMs: 60_000,
		});
		return result.stdout;
	};
	// The server answers before it accepts logins while it starts up: retry a trivial query.
	const deadline = Date.now() + 60_000;
	for (;;) {
		try {
			await psql('SELECT 1', 'postgres');
			break;
		} catch (error) {
			if (Date.now() > deadline || !proc.running()) throw error;
			await new Promise((resolve) => setTimeout(resolve, 300));
		}
	}
	const exists = (await psql(`SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'`, 'postgres')).trim() === '1';
	if (!exists) await psql(`CREATE DATABASE ${DB_NAME}`, 'postgres');

	return {
		port,
		dataDir,
		process: proc,
		env: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(port),
			DB_POSTGRESDB_DATABASE: DB_NAME,
			DB_POSTGRESDB_USER: DB_USER,
			DB_POSTGRESDB_PASSWORD: DB_PASSWORD,
			// n8n's default is 2 connections per process, given up after 20 s: with 25 uploads at once,
			// main's writes of the webhook bodies into the database store waited longer than that, and
			// the Webhook node (2.1) swallows the error and passes on an item without the file. 10 was
			// still short on a loaded 2-core machine; 25 covers one connection per upload in flight.
			DB_POSTGRESDB_POOL_SIZE: '25',
			DB_POSTGRESDB_CONNECTION_TIMEOUT: '60000',
		},
		psql: (sql) => psql(sql),
		async query<T>(sql: string): Promise<T[]> {
			const out = (await psql(`SELECT coalesce(json_agg(row_to_json(q)), '[]'::json) FROM (${sql}) q`)).trim();
			return JSON.parse(out || '[]') as T[];
		},
		// SIGINT is postgres' "fast shutdown": clients are disconnected, the cluster is left clean.
		stop: () => stopGroup(proc, { signal: 'SIGINT', graceMs: 30_000 }),
	};
}

/** Who runs the cluster, for messages. */
export function clusterOwner(): string {
	return process.getuid?.() === 0 ? 'postgres' : userInfo().username;
}
