/**
 * The binary stores the bench runs n8n with, one `n8n execute` per run with
 * N8N_DEFAULT_BINARY_DATA_MODE set to the store:
 *
 * - `filesystem` (n8n's default outside queue mode): a stream handed to prepareBinaryData is
 *   written to disk as it arrives, and getBinaryStream reads the file in chunks;
 * - `database` (n8n's default in queue mode): prepareBinaryData reads the whole stream into one
 *   Buffer and inserts it into the `binary_data` table (FileTooLargeError over
 *   N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE, 512 MiB by default), and getBinaryStream returns the
 *   whole file as one chunk. Memory grows with the file by design, whichever node moves it.
 *
 * How a run's stored file is read back (SHA-256) and how a store is emptied between runs.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

import { hostPaths } from '../test/e2e/support/n8n';
import { readBinary, type BinaryMeta } from '../test/e2e/support/workflows';

export type BinaryStore = 'filesystem' | 'database';
export const STORES: readonly BinaryStore[] = ['filesystem', 'database'];

const MiB = 1024 * 1024;

/**
 * The largest file the bench runs in the database store: n8n refuses files over 512 MiB there, and
 * readBinary hands a row over as base64 text, which must stay under V8's longest string
 * (about 512 M characters, i.e. 384 MiB of file): 256 MiB keeps clear of both.
 */
export const DATABASE_MAX_BYTES = 256 * MiB;

/** The extra environment of an `n8n execute` in this store (it overrides the e2e default). */
export function storeEnv(store: BinaryStore): Record<string, string> {
	return { N8N_DEFAULT_BINARY_DATA_MODE: store };
}

function storageDir(userFolder: string): string {
	return path.join(userFolder, '.n8n', 'storage');
}

function databaseFile(userFolder: string): string {
	return path.join(userFolder, '.n8n', 'database.sqlite');
}

/** The file a `filesystem` binary id names, or undefined for any other id. */
export function filesystemPath(userFolder: string, id: string | undefined): string | undefined {
	const match = /^filesystem(?:-v2)?:(.+)$/.exec(id ?? '');
	return match ? path.join(storageDir(userFolder), match[1]) : undefined;
}

/** Size and SHA-256 of a file, read 1 MiB at a time. */
export async function sha256File(file: string): Promise<{ bytes: number; sha256: string }> {
	const hash = createHash('sha256');
	let bytes = 0;
	for await (const chunk of createReadStream(file, { highWaterMark: MiB }) as AsyncIterable<Buffer>) {
		hash.update(chunk);
		bytes += chunk.length;
	}
	return { bytes, sha256: hash.digest('hex') };
}

/**
 * Size and SHA-256 of a binary a run output, and the store that holds it (`filesystem-v2:` file
 * streamed from disk, `database:` row through readBinary); undefined when there is none.
 */
export async function storedDigest(
	userFolder: string,
	meta: BinaryMeta | undefined,
): Promise<{ store: BinaryStore; bytes: number; sha256: string } | undefined> {
	const id = meta?.id ?? '';
	const file = filesystemPath(userFolder, id);
	if (file) return existsSync(file) ? { store: 'filesystem', ...(await sha256File(file)) } : undefined;
	if (!id.startsWith('database:')) return undefined;
	const bytes = readBinary(userFolder, meta!);
	return { store: 'database', bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Empties the store after a run (each holds up to a whole file per run, 1 GiB in the filesystem
 * store): the storage folder's contents, or every `binary_data` row (SQLite reuses the freed
 * pages, so the database file stays at about the largest run's size instead of adding up).
 */
export function clearStore(userFolder: string, store: BinaryStore): void {
	if (store === 'filesystem') {
		const dir = storageDir(userFolder);
		if (!existsSync(dir)) return;
		for (const entry of readdirSync(dir)) rmSync(path.join(dir, entry), { recursive: true, force: true });
		return;
	}
	const script = `
		const sqlite3 = require(${JSON.stringify(path.join(hostPaths.n8nDir, 'node_modules', 'sqlite3'))});
		const db = new sqlite3.Database(process.argv[1]);
		db.run('DELETE FROM binary_data', (error) => {
			if (error) { console.error(error.message); process.exit(1); }
			db.close((closeError) => { if (closeError) { console.error(closeError.message); process.exit(1); } });
		});`;
	const result = spawnSync(hostPaths.node, ['-e', script, databaseFile(userFolder)], { encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`emptying binary_data in ${databaseFile(userFolder)} failed: ${result.stderr}`);
}

/** Bytes the store takes on disk now (storage folder, or the SQLite file and its WAL). */
export function storeDiskBytes(userFolder: string, store: BinaryStore): number {
	const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);
	if (store === 'database') return size(databaseFile(userFolder)) + size(`${databaseFile(userFolder)}-wal`);
	const walk = (dir: string): number =>
		existsSync(dir)
			? readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => sum + (entry.isDirectory() ? walk(path.join(dir, entry.name)) : size(path.join(dir, entry.name))), 0)
			: 0;
	return walk(storageDir(userFolder));
}
