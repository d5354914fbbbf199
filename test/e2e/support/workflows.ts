/**
 * Building the e2e workflows, reading what a run output (JSON and binary files), and the checks
 * every run goes through: Prism refused nothing, n8n reported success.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Sandbox } from '../../../sandbox';
import type { ExecutionJson, WorkflowToImport } from './n8n';
import { E2E_FILES_DIR, hostPaths, n8nLine, newId, runN8n } from './n8n';
import type { E2eN8n, RunResult } from './server';

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	executeOnce?: boolean;
	[key: string]: unknown;
}

export const TRIGGER_NAME = 'Start';

export function node(
	name: string,
	type: string,
	parameters: Record<string, unknown>,
	extra: Partial<WorkflowNode> = {},
): WorkflowNode {
	return { id: randomUUID(), name, type, typeVersion: 1, position: [0, 0], parameters, ...extra };
}


/**
 * A core node that makes a file: Read/Write Files from Disk (1.1) streams it from E2E_FILES_DIR
 * into the binary store under test, with the file name and MIME type given. (The file's bytes
 * do not pass through any item's JSON: run data holding megabytes of base64 made `n8n execute`'s
 * printed run cut off when n8n exited before the pipe had taken it all.)
 */
export function makeFile(label: string, file: { fileName: string; mimeType: string; content: Buffer }, binaryField = 'data'): WorkflowNode[] {
	mkdirSync(E2E_FILES_DIR, { recursive: true });
	// Named by content, not by the file name, which may hold characters a glob pattern reads.
	const stored = path.join(E2E_FILES_DIR, `${sha256(file.content)}.bin`);
	if (!existsSync(stored)) writeFileSync(stored, file.content);
	return [
		node(
			`${label}: file`,
			'n8n-nodes-base.readWriteFile',
			{ operation: 'read', fileSelector: stored, options: { fileName: file.fileName, mimeType: file.mimeType, dataPropertyName: binaryField } },
			{ typeVersion: 1.1 },
		),
	];
}

/**
 * A workflow: a manual trigger, then each chain as a branch of it (nodes of a chain connected in
 * order). With execution order v1 the branches run one after the other, top to bottom.
 */
export function workflow(name: string, chains: WorkflowNode[][], id = newId()): WorkflowToImport {
	const trigger = node(TRIGGER_NAME, 'n8n-nodes-base.manualTrigger', {});
	const nodes: WorkflowNode[] = [trigger];
	const connections: Record<string, { main: Array<Array<{ node: string; type: 'main'; index: 0 }>> }> = {};
	const connect = (from: string, to: string) => {
		connections[from] ??= { main: [[]] };
		connections[from].main[0].push({ node: to, type: 'main', index: 0 });
	};
	chains.forEach((chain, row) => {
		chain.forEach((current, column) => {
			nodes.push({ ...current, position: [240 * (column + 1), 200 * row] });
			connect(column === 0 ? TRIGGER_NAME : chain[column - 1].name, current.name);
		});
	});
	return { id, name, nodes, connections, settings: { executionOrder: 'v1' } };
}

/** `n8n import:workflow` of several workflows at once (one n8n process; the benchmark's way: the e2e suite imports into its running n8n, support/server.ts). */
export async function importWorkflows(userFolder: string, workflows: WorkflowToImport[]): Promise<void> {
	const file = path.join(userFolder, `workflows-${newId()}.json`);
	writeFileSync(file, JSON.stringify(workflows.map((w) => ({ active: false, settings: {}, ...w })), null, 2));
	try {
		const result = await runN8n(userFolder, ['import:workflow', `--input=${file}`]);
		if (result.exitCode !== 0) throw new Error(`n8n import:workflow failed (exit ${result.exitCode}):\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
	} finally {
		rmSync(file, { force: true });
	}
}

/* ------------------------------------------------------------------------------------------------
 * Output
 * ---------------------------------------------------------------------------------------------- */

export interface BinaryMeta {
	id?: string;
	data?: string;
	fileName?: string;
	mimeType?: string;
	fileSize?: string;
	bytes?: number;
	[key: string]: unknown;
}

export interface OutputItem {
	json: Record<string, unknown>;
	binary?: Record<string, BinaryMeta>;
}

/** The items a node output (first output, first run). */
export function itemsOf(run: { json?: ExecutionJson }, nodeName: string): OutputItem[] {
	const runs = run.json?.data?.resultData?.runData?.[nodeName];
	if (!runs) throw new Error(`Node "${nodeName}" did not run; nodes that ran: ${Object.keys(run.json?.data?.resultData?.runData ?? {}).join(', ')}`);
	return (runs[0]?.data?.main?.[0] ?? []) as OutputItem[];
}

/**
 * The bytes of a binary output. In filesystem mode (scripts/n8n-host/env.js) `id` is
 * `filesystem-v2:<path>` and the file is `<path>` under n8n's storage folder
 * (N8N_BINARY_DATA_STORAGE_PATH, default <user folder>/.n8n/storage on n8n 2.x and
 * <user folder>/.n8n/binaryData on 1.x); in memory mode the bytes are inline in `data` (base64).
 */
/** The folder of n8n's filesystem binary store for this user folder (its name differs by n8n line). */
export function binaryStoreFolder(userFolder: string): string {
	return process.env.N8N_BINARY_DATA_STORAGE_PATH || path.join(userFolder, '.n8n', n8nLine() === '1x' ? 'binaryData' : 'storage');
}

export function readBinary(userFolder: string, meta: BinaryMeta): Buffer {
	const id = meta.id ?? '';
	// In a jest project of test/e2e/jest.config.js the file must be in that project's store: a run
	// that silently fell back to another store would prove nothing about this one.
	const project = (globalThis as { E2E_BINARY_MODE?: string }).E2E_BINARY_MODE;
	const store = id.split(':')[0].replace(/-v2$/, '');
	if (project && store !== project) throw new Error(`binary data "${id}" is not in the ${project} store this project runs`);
	const match = /^filesystem(?:-v2)?:(.+)$/.exec(id);
	if (match) {
		return readFileSync(path.join(binaryStoreFolder(userFolder), match[1]));
	}
	const inDatabase = /^database:(.+)$/.exec(id);
	if (inDatabase) return readFromDatabaseStore(userFolder, inDatabase[1]);
	if (id) throw new Error(`binary data "${id}" is in a mode these tests cannot read`);
	return Buffer.from(meta.data ?? '', 'base64');
}

/**
 * A file of n8n's `database` binary store: the `binary_data` row of the user folder's SQLite
 * database, read with the host's own sqlite3 module under Node 24 (the repository has none).
 */
function readFromDatabaseStore(userFolder: string, fileId: string): Buffer {
	const database = path.join(userFolder, '.n8n', 'database.sqlite');
	const script = `
		const sqlite3 = require(${JSON.stringify(path.join(hostPaths.n8nDir, 'node_modules', 'sqlite3'))});
		const db = new sqlite3.Database(process.argv[1], sqlite3.OPEN_READONLY);
		db.get('SELECT data FROM binary_data WHERE fileId = ?', process.argv[2], (error, row) => {
			if (error) { console.error(error.message); process.exit(1); }
			if (!row) { console.error('no binary_data row ' + process.argv[2]); process.exit(1); }
			process.stdout.write(Buffer.from(row.data).toString('base64'));
			db.close();
		});`;
	const result = spawnSync(hostPaths.node, ['-e', script, database, fileId], { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
	if (result.status !== 0) throw new Error(`reading binary data "${fileId}" from ${database} failed: ${result.stderr}`);
	return Buffer.from(result.stdout, 'base64');
}

export function sha256(bytes: Buffer): string {
	return createHash('sha256').update(bytes).digest('hex');
}

/* ------------------------------------------------------------------------------------------------
 * Runs
 * ---------------------------------------------------------------------------------------------- */

/** Runs a workflow in the project's n8n (a manual execution, support/server.ts) after clearing the gates' exchange logs. */
export async function runWorkflow(n8n: E2eN8n, sandbox: Sandbox, workflowId: string): Promise<RunResult> {
	for (const provider of sandbox.providers) provider.gate.reset();
	return await n8n.run(workflowId);
}

/** Prism's refusals during the last run, as one error (undefined when there were none). */
export function prismError(sandbox: Sandbox): Error | undefined {
	const problems = sandbox.problems();
	return problems.length > 0 ? new Error(`Prism refused ${problems.length} exchange(s):\n${problems.join('\n')}`) : undefined;
}

/** The run's error message, if the workflow failed. */
export function runError(run: RunResult): string | undefined {
	return run.json.data?.resultData?.error?.message;
}

/** Throws (Prism's message first) unless Prism accepted every exchange and the run succeeded. */
export function expectSuccess(run: RunResult, sandbox: Sandbox): void {
	const refused = prismError(sandbox);
	const failed = run.status !== 'success' || runError(run) !== undefined;
	if (refused) {
		if (failed) refused.message += `\nn8n: ${describeRunError(run)}`;
		throw refused;
	}
	if (failed) throw new Error(`The workflow failed (execution ${run.executionId}, status ${run.status}): ${describeRunError(run)}`);
}

export function describeRunError(run: RunResult): string {
	const error = run.json.data?.resultData?.error;
	if (error) return [error.message, error.description].filter(Boolean).join(' | ');
	return `no error recorded; status ${run.status}, last node ${String(run.json.data?.resultData?.lastNodeExecuted)}`;
}

/* ------------------------------------------------------------------------------------------------
 * Nodes that have landed
 * ---------------------------------------------------------------------------------------------- */

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** The node files package.json declares (`n8n.nodes`): what n8n loads from the package. */
export function declaredNodeFiles(): string[] {
	return (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { n8n: { nodes?: string[] } }).n8n.nodes ?? [];
}

/**
 * `describe` once the node is declared in package.json, `describe.skip` (with a note) before: a
 * node being written is compiled but not loaded by n8n, so its e2e suite waits for it.
 */
export function describeIfDeclared(nodeFile: string): jest.Describe {
	if (declaredNodeFiles().includes(nodeFile)) return describe;
	console.log(`skipped until package.json declares ${nodeFile} (n8n.nodes)`);
	return describe.skip;
}
