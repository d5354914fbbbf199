/**
 * `npm run bench`: the attachment nodes against n8n's own HTTP Request node and curl, in the real
 * n8n of the e2e suite (scripts/n8n-host), against a local streaming server (bench/server.ts).
 *
 *   npm run bench                      # full: filesystem store at 100 MiB and 1 GiB, database store
 *                                      # at 10 and 100 MiB (3 rounds each), 1,000 small files, bulk
 *   npm run bench -- --bulk            # the bulk part alone: per provider at 100 ms latency and the
 *                                      # vendors' limits, 1,000 listed + downloaded, 200 uploaded
 *   npm run bench -- --bulk --bulk-providers=asana --bulk-items=100 --bulk-uploads=20 --bulk-latency=100
 *   npm run bench -- --per-item        # the per-item part alone: 300 small items per operation at 0 ms,
 *                                      # ours (Concurrency 1 and default) and the HTTP Request node, CPU ms per item
 *   npm run bench -- --per-item --per-item-items=60 --per-item-rounds=1 --per-item-cases=asana-download
 *   npm run bench -- --quick           # small sizes (database: 8 MiB), 1 round, 100 small files
 *   npm run bench -- --sizes=100 --rounds=3 --skip-small      # --sizes: every store asked for
 *   npm run bench -- --stores=database --database-sizes=10,50 --skip-small
 *   npm run bench -- --only=xero-download,xero-upload --skip-small
 *
 * Writes bench/results.json and bench/chart.svg; prints the table. See README.md, "Benchmark".
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
	createUserFolder,
	executeWorkflow,
	executionError,
	hostPaths,
	importCredentials,
	prepareHost,
	removeUserFolder,
	type ExecutionResult,
	type WorkflowToImport,
} from '../test/e2e/support/n8n';
import { importWorkflows, node, workflow, type BinaryMeta, type WorkflowNode } from '../test/e2e/support/workflows';
import { BULK_PROVIDERS, BULK_RUNNERS, bulkTable, runBulk, type BulkProvider, type BulkResult, type BulkRunner } from './bulk';
import { PER_ITEM_CASES, PER_ITEM_RUNNERS, perItemMethod, perItemTable, runPerItem, summarisePerItem, type PerItemCase, type PerItemRunner, type PerItemSample } from './per-item';
import { CASES, IDS, MEASURED, NODE_TYPES, READER, credentialRefs, credentialsFor, readerNode, type BenchCase } from './cases';
import { renderChart } from './chart';
import { SMALL, expectedSha256, fileChunks, invoiceId, largeFileName, smallFileSet, startBenchServer, type BenchServer } from './server';
import { runCommand } from './process';
import { DATABASE_MAX_BYTES, STORES, clearStore, filesystemPath, sha256File, storeDiskBytes, storeEnv, storedDigest, type BinaryStore } from './stores';

const BENCH_DIR = __dirname;
const TMP = path.join(BENCH_DIR, 'tmp');
const INPUT_DIR = path.join(TMP, 'input');
const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
	quick: boolean;
	/** The binary stores the large-file cases run in, in this order. */
	stores: BinaryStore[];
	/** The size groups of each store asked for. */
	sizes: Partial<Record<BinaryStore, number[]>>;
	rounds: Record<number, number>;
	small: boolean;
	large: boolean;
	only?: string[];
	smallInvoices: number;
	smallSeconds: number;
	out: string;
	chart: string;
	/** Write a V8 CPU profile of every n8n run under bench/tmp/cpuprof/ (see bench/cpuprofile.ts). */
	cpuProf: boolean;
	nodeOptions?: string;
	/**
	 * Experiment: patch the *installed copy* of the package (in the bench's temporary user folder,
	 * never nodes/) so uploads read the binary store in chunks of this many bytes.
	 */
	uploadChunk?: number;
	/** The bulk part (bench/bulk.ts); `bulkOnly`: nothing else, and results.json keeps the rest. */
	bulk: boolean;
	bulkOnly: boolean;
	/** With --bulk: keep the earlier bulk results of the cases not run this time (same latency and sizes). */
	bulkMerge: boolean;
	bulkLatencyMs: number;
	bulkItems: number;
	bulkUploads: number;
	bulkProviders: BulkProvider[];
	bulkRunners: BulkRunner[];
	/** The per-item part (bench/per-item.ts); `perItemOnly`: nothing else, and results.json keeps the rest. */
	perItem: boolean;
	perItemOnly: boolean;
	perItemItems: number;
	perItemRounds: number;
	perItemCases: PerItemCase[];
	perItemRunners: PerItemRunner[];
}

/** Flags that pick some large-file cases: a run with any of them leaves the bulk part out. */
const LARGE_SELECTION_FLAGS = ['only', 'sizes', 'stores', 'database-sizes', 'filesystem-sizes', 'rounds', 'upload-chunk', 'skip-large'];

function parseOptions(argv: string[]): Options {
	const flags = new Map<string, string>();
	for (const arg of argv) {
		const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
		if (!match) throw new Error(`unknown argument ${arg}`);
		flags.set(match[1], match[2] ?? 'true');
	}
	const quick = flags.has('quick');
	const bulkOnly = flags.has('bulk');
	const perItemOnly = flags.has('per-item');
	const alone = bulkOnly || perItemOnly;
	const list = <T extends string>(name: string, all: T[]): T[] => {
		const asked = (flags.get(name)?.split(',') ?? all) as T[];
		for (const value of asked) if (!all.includes(value)) throw new Error(`--${name}: "${value}" is not one of ${all.join(', ')}`);
		return asked;
	};
	const stores = (flags.get('stores') ?? STORES.join(',')).split(',') as BinaryStore[];
	for (const store of stores) if (!STORES.includes(store)) throw new Error(`--stores: "${store}" is not one of ${STORES.join(', ')}`);
	const toBytes = (list: string) => list.split(',').map((mib) => Math.round(Number(mib) * MiB));
	// The database store holds whole files and refuses them over 512 MiB: smaller sizes there.
	const defaults: Record<BinaryStore, string> = { filesystem: quick ? '8,32' : '100,1024', database: quick ? '8' : '10,100' };
	const sizes: Options['sizes'] = {};
	for (const store of stores) {
		const asked = toBytes(flags.get(`${store}-sizes`) ?? flags.get('sizes') ?? defaults[store]);
		const kept = store === 'database' ? asked.filter((size) => size <= DATABASE_MAX_BYTES) : asked;
		if (kept.length < asked.length) log(`database store: ${asked.filter((size) => !kept.includes(size)).map(formatSize).join(', ')} skipped (over ${formatSize(DATABASE_MAX_BYTES)}, see bench/stores.ts)`);
		sizes[store] = kept;
	}
	const rounds: Record<number, number> = {};
	for (const size of Object.values(sizes).flat()) rounds[size] = Number(flags.get('rounds') ?? (quick ? 1 : 3));
	return {
		quick,
		stores,
		sizes,
		rounds,
		small: !flags.has('skip-small') && !alone,
		large: !flags.has('skip-large') && !alone,
		// The full run includes the bulk and per-item parts; a selection of large-file cases (or --skip-bulk, --skip-per-item) does not.
		bulk: bulkOnly || (!perItemOnly && !flags.has('skip-bulk') && !LARGE_SELECTION_FLAGS.some((flag) => flags.has(flag))),
		bulkOnly,
		perItem: perItemOnly || (!bulkOnly && !flags.has('skip-per-item') && !LARGE_SELECTION_FLAGS.some((flag) => flags.has(flag))),
		perItemOnly,
		perItemItems: Number(flags.get('per-item-items') ?? (quick ? 60 : 300)),
		perItemRounds: Number(flags.get('per-item-rounds') ?? (quick ? 1 : 3)),
		perItemCases: list('per-item-cases', PER_ITEM_CASES),
		perItemRunners: list('per-item-runners', PER_ITEM_RUNNERS),
		bulkMerge: flags.has('bulk-merge'),
		bulkLatencyMs: Number(flags.get('bulk-latency') ?? 100),
		bulkItems: Number(flags.get('bulk-items') ?? (quick ? 100 : 1000)),
		bulkUploads: Number(flags.get('bulk-uploads') ?? (quick ? 20 : 200)),
		bulkProviders: list('bulk-providers', BULK_PROVIDERS),
		bulkRunners: list('bulk-runners', BULK_RUNNERS),
		only: flags.get('only')?.split(','),
		smallInvoices: Number(flags.get('small-invoices') ?? (quick ? 10 : SMALL.invoices)),
		smallSeconds: Number(flags.get('small-seconds') ?? (quick ? 10 : 60)),
		// A quick run must not overwrite the committed results.
		out: flags.get('out') ?? path.join(BENCH_DIR, quick ? 'tmp/results.quick.json' : 'results.json'),
		// An --out elsewhere is a side run: its chart goes beside it, not over bench/chart.svg.
		chart: flags.get('chart') ?? (flags.has('out') ? String(flags.get('out')).replace(/\.json$/, '') + '.svg' : path.join(BENCH_DIR, quick ? 'tmp/chart.quick.svg' : 'chart.svg')),
		cpuProf: flags.has('cpu-prof'),
		nodeOptions: flags.get('node-options'),
		uploadChunk: flags.has('upload-chunk') ? Number(flags.get('upload-chunk')) : undefined,
	};
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const median = (values: number[]): number => {
	const sorted = [...values].sort((a, b) => a - b);
	if (sorted.length === 0) return NaN;
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const formatSize = (bytes: number) => (bytes >= 1024 * MiB ? `${bytes / 1024 / MiB} GiB` : `${bytes / MiB} MiB`);

/** Writes the generated file of `size` bytes for uploads (streamed; kept between runs). */
async function ensureInputFile(size: number): Promise<string> {
	mkdirSync(INPUT_DIR, { recursive: true });
	const file = path.join(INPUT_DIR, largeFileName(size));
	if (existsSync(file) && statSync(file).size === size) return file;
	const out = createWriteStream(file);
	for (const chunk of fileChunks(size)) if (!out.write(chunk)) await once(out, 'drain');
	out.end();
	await once(out, 'finish');
	return file;
}

interface RunNode {
	startTime?: number;
	executionTime?: number;
	data?: { main?: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, BinaryMeta> }> | null> };
	error?: unknown;
}

function nodeRuns(run: ExecutionResult, name: string): RunNode[] {
	return (run.json?.data?.resultData?.runData?.[name] ?? []) as RunNode[];
}

function failed(run: ExecutionResult): string | undefined {
	if (run.exitCode === 0 && run.json?.status === 'success' && !executionError(run)) return undefined;
	const error = run.json?.data?.resultData?.error;
	return error ? [error.message, error.description].filter(Boolean).join(' | ') : `exit ${run.exitCode}: ${run.stderr.slice(-1500)}${run.stdout.slice(-1500)}`;
}

/**
 * A baseline run counts when n8n printed a successful run, even if the process then crashed on
 * its way out: seen on this project's machine with n8n 2.41.1 on Node 24.22.3, trigger-only runs
 * in either store end with SIGSEGV (exit 139) after printing the run; GNU time still reports the
 * process's peak RSS. The crash is recorded in the baseline (exit codes).
 */
function baselineFailed(run: ExecutionResult): string | undefined {
	if (run.json?.status === 'success' && !executionError(run)) return undefined;
	return failed(run);
}

// ---------------------------------------------------------------------------------------------
// Large files

let cpuProfDir: string | undefined;
/** --node-options=…: NODE_OPTIONS for the n8n runs (e.g. --trace-gc); profiling only. */
let extraNodeOptions: string | undefined;

type Runner = 'ours' | 'http' | 'curl';

interface Sample {
	case: string;
	size: number;
	runner: Runner;
	/** The binary store n8n ran with; 'none' for curl (no n8n, no store). */
	store: BinaryStore | 'none';
	round: number;
	/** The node's own execution time in n8n's run data (curl: its total time). */
	ms: number;
	/** Peak RSS of the n8n process (undefined for curl). */
	peakRss?: number;
	/** The whole `n8n execute` process, start-up included. */
	processMs?: number;
	bytesChecked: number;
	sha256Ok: boolean;
	error?: string;
	/** 1-minute load average right after the run (the machine is shared). */
	load1?: number;
}

interface Plan {
	benchCase: BenchCase;
	store: BinaryStore;
	/** The size group (as asked for). */
	group: number;
	/** The size actually moved (the provider's maximum when smaller). */
	size: number;
	workflows: Record<Exclude<Runner, 'curl'>, WorkflowToImport>;
}

function planCases(options: Options, base: string): Plan[] {
	const creds = credentialRefs();
	const plans: Plan[] = [];
	const seen = new Set<string>();
	for (const store of options.stores) {
		for (const group of options.sizes[store] ?? []) {
			for (const benchCase of CASES) {
				if (options.only && !options.only.includes(benchCase.id)) continue;
				const size = Math.min(group, benchCase.maxBytes ?? Infinity);
				const key = `${store}:${benchCase.id}@${size}`;
				if (seen.has(key)) continue; // over the provider's limit and already run at it
				seen.add(key);
				const chain = (measured: WorkflowNode) =>
					benchCase.direction === 'upload' ? [readerNode(path.join(INPUT_DIR, largeFileName(size))), measured] : [measured];
				plans.push({
					benchCase,
					store,
					group,
					size,
					workflows: {
						ours: workflow(`bench ${benchCase.id} ${size} ${store} ours`, [chain(benchCase.ours(size, base, creds))]),
						http: workflow(`bench ${benchCase.id} ${size} ${store} http`, [chain(benchCase.http(size, base))]),
					},
				});
			}
		}
	}
	return plans;
}

async function checkRun(plan: Plan, runner: Runner, run: ExecutionResult, server: BenchServer, userFolder: string, uploadsBefore: number): Promise<Pick<Sample, 'bytesChecked' | 'sha256Ok' | 'error'>> {
	const expected = expectedSha256(plan.size);
	const error = failed(run);
	if (error) return { bytesChecked: 0, sha256Ok: false, error };
	if (plan.benchCase.direction === 'download') {
		const item = nodeRuns(run, MEASURED)[0]?.data?.main?.[0]?.[0];
		const got = await storedDigest(userFolder, item?.binary?.data);
		if (!got) return { bytesChecked: 0, sha256Ok: false, error: `${runner}: no binary in the ${plan.store} store (id ${String(item?.binary?.data?.id)})` };
		if (got.store !== plan.store) return { bytesChecked: got.bytes, sha256Ok: false, error: `${runner}: the file went to the ${got.store} store, not the ${plan.store} one` };
		return { bytesChecked: got.bytes, sha256Ok: got.bytes === plan.size && got.sha256 === expected };
	}
	const uploads = server.uploads.slice(uploadsBefore).filter((upload) => upload.route === plan.benchCase.uploadRoute);
	if (uploads.length !== 1) return { bytesChecked: 0, sha256Ok: false, error: `${runner}: the server received ${uploads.length} uploads` };
	return { bytesChecked: uploads[0].bytes, sha256Ok: uploads[0].bytes === plan.size && uploads[0].sha256 === expected };
}

async function runN8nCase(plan: Plan, runner: 'ours' | 'http', round: number, server: BenchServer, userFolder: string, env: Record<string, string>): Promise<Sample> {
	const uploadsBefore = server.uploads.length;
	const nodeOptions = [
		...(cpuProfDir ? [`--cpu-prof --cpu-prof-dir=${path.join(cpuProfDir, `${plan.benchCase.id}-${plan.size}-${runner}-${round}`)}`] : []),
		...(extraNodeOptions ? [extraNodeOptions] : []),
	].join(' ');
	const runEnv = { ...env, ...storeEnv(plan.store), ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) };
	const run = await executeWorkflow(userFolder, plan.workflows[runner].id!, { env: runEnv, timeoutMs: 15 * 60_000 });
	if (extraNodeOptions) writeFileSync(path.join(TMP, `stdout-${plan.benchCase.id}-${plan.size}-${plan.store}-${runner}-${round}.txt`), run.stdout);
	const measured = nodeRuns(run, MEASURED)[0];
	const checked = await checkRun(plan, runner, run, server, userFolder, uploadsBefore);
	clearStore(userFolder, plan.store);
	return {
		case: plan.benchCase.id,
		size: plan.size,
		runner,
		store: plan.store,
		round,
		ms: measured?.executionTime ?? NaN,
		peakRss: run.peakRssBytes,
		processMs: run.durationMs,
		...checked,
		load1: os.loadavg()[0],
	};
}

async function runCurl(plan: Plan, round: number, server: BenchServer, base: string): Promise<Sample> {
	const input = path.join(INPUT_DIR, largeFileName(plan.size));
	const output = path.join(TMP, 'curl-download.bin');
	const uploadsBefore = server.uploads.length;
	const args = ['-sS', '--fail', '-o', plan.benchCase.direction === 'download' ? output : '/dev/null', '-w', '%{time_total}', ...plan.benchCase.curl(plan.size, base, input)];
	const result = await runCommand('curl', args);
	const sample: Sample = { case: plan.benchCase.id, size: plan.size, runner: 'curl', store: 'none', round, ms: Number(result.stdout.trim()) * 1000, bytesChecked: 0, sha256Ok: false, load1: os.loadavg()[0] };
	if (result.code !== 0) return { ...sample, error: `curl exit ${result.code}: ${result.stderr}` };
	if (plan.benchCase.direction === 'download') {
		const got = await sha256File(output);
		rmSync(output, { force: true });
		return { ...sample, bytesChecked: got.bytes, sha256Ok: got.bytes === plan.size && got.sha256 === expectedSha256(plan.size) };
	}
	const uploads = server.uploads.slice(uploadsBefore);
	const upload = uploads[uploads.length - 1];
	return { ...sample, bytesChecked: upload?.bytes ?? 0, sha256Ok: uploads.length === 1 && upload.bytes === plan.size && upload.sha256 === expectedSha256(plan.size) };
}

interface Baseline {
	store: BinaryStore;
	round: number;
	/** Exit codes of the trigger-only run and the read-only runs (by size), when not 0. */
	exitCodes?: Record<string, number | null>;
	/** Trigger only. */
	triggerPeakRss?: number;
	/** Trigger + Read/Write Files from Disk of the largest input (what uploads start from). */
	readPeakRss?: Record<number, number | undefined>;
	readMs?: Record<number, number>;
}

// ---------------------------------------------------------------------------------------------
// Many small files

interface SmallResult {
	invoices: number;
	attachments: number;
	requestsNeeded: number;
	limits: { maxConcurrent: number; perMinute: number; burst: number; retryAfter: string };
	/** List + Download nodes' execution time. */
	completionMs: number;
	listMs: number;
	downloadMs: number;
	/** (requests - burst) / rate: the least time the budget lets them take. */
	allowedMs: number;
	/** allowedMs / completionMs. */
	rateEfficiency: number;
	requestsSeen: number;
	accepted: number;
	seen429: number;
	seen429Concurrency: number;
	maxInFlight: number;
	downloaded: number;
	verified: number;
	lost: number;
	peakRss?: number;
	error?: string;
}

async function runSmallFiles(options: Options, userFolder: string, env: Record<string, string>): Promise<SmallResult> {
	const invoices = options.smallInvoices;
	const attachments = invoices * SMALL.perInvoice;
	const requestsNeeded = invoices + attachments;
	// The budget: a minute's worth of requests so that the run takes about `smallSeconds`.
	const perMinute = Math.round((requestsNeeded * 60) / options.smallSeconds);
	// Two seconds' worth: more than a client earns while it waits out a whole-second Retry-After.
	const burst = Math.ceil((2 * perMinute) / 60);
	const limits = { maxConcurrent: 5, perMinute, burst };
	const server = await startBenchServer({ limits });
	try {
		const creds = credentialRefs();
		await importCredentials(userFolder, credentialsFor(server.url));
		const xero = (name: string, parameters: Record<string, unknown>) =>
			node(name, NODE_TYPES.xero, { resource: 'invoice', tenantId: { __rl: true, mode: 'id', value: IDS.tenant }, ...parameters }, { credentials: { xeroAttachmentOAuth2Api: creds.xero } });
		const ids = Array.from({ length: invoices }, (_, i) => invoiceId(i));
		const flow = workflow('bench many small files', [
			[
				node('Invoices', 'n8n-nodes-base.code', { jsCode: `return ${JSON.stringify(ids)}.map((invoiceId) => ({ json: { invoiceId } }));` }, { typeVersion: 2 }),
				xero('List', { operation: 'getAll', parentId: '={{ $json.invoiceId }}', returnAll: true }),
				xero('Download', {
					operation: 'get',
					parentId: "={{ $('Invoices').item.json.invoiceId }}",
					getBy: 'attachmentId',
					attachmentId: '={{ $json.AttachmentID }}',
					binaryPropertyName: 'data',
					options: { mimeType: '={{ $json.MimeType }}' },
				}),
			],
		]);
		await importWorkflows(userFolder, [flow]);
		log(`many small files: ${invoices} invoices × ${SMALL.perInvoice} attachments, ${perMinute} requests/min, burst ${burst}, 5 concurrent`);
		// The filesystem store, whatever E2E_BINARY_MODE says: the files are read back from disk.
		const run = await executeWorkflow(userFolder, flow.id!, { env: { ...env, ...storeEnv('filesystem') }, timeoutMs: 30 * 60_000 });
		const error = failed(run);
		const listMs = nodeRuns(run, 'List')[0]?.executionTime ?? NaN;
		const downloadMs = nodeRuns(run, 'Download')[0]?.executionTime ?? NaN;
		const items = nodeRuns(run, 'Download')[0]?.data?.main?.[0] ?? [];
		const files = smallFileSet();
		const verifiedIds = new Set<string>();
		// The download's items pair with the listing's: the attachment ID is in the listed record.
		const listed = nodeRuns(run, 'List')[0]?.data?.main?.[0] ?? [];
		for (const item of items) {
			const paired = (item as { pairedItem?: { item?: number } }).pairedItem?.item;
			const expected = files.get(String(listed[paired ?? -1]?.json.AttachmentID));
			const file = filesystemPath(userFolder, item.binary?.data?.id);
			if (!expected || !file || !existsSync(file)) continue;
			const content = readFileSync(file);
			if (createHash('sha256').update(content).digest('hex') === expected.sha256) verifiedIds.add(expected.attachmentId);
		}
		clearStore(userFolder, 'filesystem');
		const completionMs = listMs + downloadMs;
		const allowedMs = ((requestsNeeded - burst) / perMinute) * 60_000;
		return {
			invoices,
			attachments,
			requestsNeeded,
			limits: { ...limits, retryAfter: 'whole seconds, at least 1 (ceil of the time until the bucket has a token), as Xero sends it' },
			completionMs,
			listMs,
			downloadMs,
			allowedMs,
			rateEfficiency: allowedMs / completionMs,
			requestsSeen: server.rate.requests,
			accepted: server.rate.accepted,
			seen429: server.rate.rejected429 + server.rate.rejectedConcurrency,
			seen429Concurrency: server.rate.rejectedConcurrency,
			maxInFlight: server.rate.maxInFlight,
			downloaded: items.length,
			verified: verifiedIds.size,
			lost: attachments - verifiedIds.size,
			peakRss: run.peakRssBytes,
			error,
		};
	} finally {
		await server.close();
	}
}

// ---------------------------------------------------------------------------------------------
// Machine

function machine() {
	const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
	const n8nVersion = (() => {
		try {
			return (JSON.parse(readFileSync(path.join(hostPaths.n8nDir, 'node_modules', 'n8n', 'package.json'), 'utf8')) as { version: string }).version;
		} catch {
			return 'unknown';
		}
	})();
	return {
		cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown',
		cores: os.cpus().length,
		ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
		os: `${os.type()} ${os.release()}`,
		benchNode: process.version,
		n8nNode: '',
		n8nVersion,
	};
}

// ---------------------------------------------------------------------------------------------
// Summary

export interface CaseSummary {
	case: string;
	label: string;
	direction: string;
	store: BinaryStore;
	group: number;
	size: number;
	rounds: number;
	oursMs: number;
	httpMs: number;
	curlMs: number;
	oursRssGrowth: number;
	httpRssGrowth: number;
	/** Ours over the read-only baseline (uploads): the upload node's own share. */
	oursRssOverRead?: number;
	ratioHttp: number;
	ratioCurl: number;
	bytesChecked: string;
	/** Judged on the filesystem store only: the database store holds whole files by design. */
	targets?: { rss: boolean; vsHttp: boolean; vsCurl: boolean };
}

function summarise(plans: Plan[], samples: Sample[], baselines: Baseline[]): CaseSummary[] {
	return plans.map((plan) => {
		const storeBaselines = baselines.filter((b) => b.store === plan.store);
		const triggerBaseline = median(storeBaselines.map((b) => b.triggerPeakRss).filter((v): v is number => v !== undefined));
		// curl's samples have no store: the same ones stand beside every store's row.
		const of = (runner: Runner) =>
			samples.filter((s) => s.case === plan.benchCase.id && s.size === plan.size && s.runner === runner && (runner === 'curl' || s.store === plan.store));
		const ok = (list: Sample[]) => list.filter((s) => !s.error && s.sha256Ok);
		const ours = of('ours');
		const http = of('http');
		const curl = of('curl');
		const oursMs = median(ok(ours).map((s) => s.ms));
		const httpMs = median(ok(http).map((s) => s.ms));
		const curlMs = median(ok(curl).map((s) => s.ms));
		const oursRss = median(ok(ours).map((s) => s.peakRss ?? NaN));
		const httpRss = median(ok(http).map((s) => s.peakRss ?? NaN));
		const readRss = median(storeBaselines.map((b) => b.readPeakRss?.[plan.size]).filter((v): v is number => v !== undefined));
		const all = [...ours, ...http, ...curl];
		const checked = all.filter((s) => s.sha256Ok).length;
		const oursRssGrowth = oursRss - triggerBaseline;
		const ratioHttp = oursMs / httpMs;
		const ratioCurl = oursMs / curlMs;
		return {
			case: plan.benchCase.id,
			label: plan.benchCase.label,
			direction: plan.benchCase.direction,
			store: plan.store,
			group: plan.group,
			size: plan.size,
			rounds: ours.length,
			oursMs,
			httpMs,
			curlMs,
			oursRssGrowth,
			httpRssGrowth: httpRss - triggerBaseline,
			oursRssOverRead: plan.benchCase.direction === 'upload' && Number.isFinite(readRss) ? oursRss - readRss : undefined,
			ratioHttp,
			ratioCurl,
			bytesChecked: `${checked}/${all.length} runs SHA-256 ok`,
			targets: plan.store === 'filesystem' ? { rss: oursRssGrowth <= 16 * MiB, vsHttp: ratioHttp <= 0.5, vsCurl: ratioCurl <= 2 } : undefined,
		};
	});
}

function table(summaries: CaseSummary[], small?: SmallResult): string {
	const mib = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / MiB).toFixed(1)}` : 'n/a');
	const s = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : 'n/a');
	const x = (ratio: number) => (Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a');
	const mark = (ok: boolean) => (ok ? 'ok' : 'MISS');
	const header = ['case', 'size', 'store', 'ours s', 'HTTP node s', 'curl s', 'ours/HTTP', 'ours/curl', 'ours RSS +MiB', 'HTTP RSS +MiB', 'bytes checked', 'targets RSS/HTTP/curl'];
	const rows = summaries.map((c) => [
		c.label,
		formatSize(c.size),
		c.store,
		s(c.oursMs),
		s(c.httpMs),
		s(c.curlMs),
		x(c.ratioHttp),
		x(c.ratioCurl),
		mib(c.oursRssGrowth),
		mib(c.httpRssGrowth),
		c.bytesChecked,
		c.targets ? `${mark(c.targets.rss)}/${mark(c.targets.vsHttp)}/${mark(c.targets.vsCurl)}` : 'n/a (store buffers)',
	]);
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
	const out = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
	if (small) {
		out.push(
			'',
			`Many small files: ${small.attachments} attachments on ${small.invoices} invoices (${small.requestsNeeded} requests), ` +
				`${small.limits.perMinute}/min budget (burst ${small.limits.burst}), ${small.limits.maxConcurrent} concurrent`,
			`  completion ${s(small.completionMs)} s vs ${s(small.allowedMs)} s the budget allows: ${(small.rateEfficiency * 100).toFixed(1)}% of the allowed rate; ` +
				`429s seen ${small.seen429}; items lost ${small.lost} (${small.verified}/${small.attachments} SHA-256 ok)${small.error ? `; ERROR ${small.error}` : ''}`,
		);
	}
	return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
	const options = parseOptions(process.argv.slice(2));
	const startedAt = new Date();
	const loadBefore = os.loadavg();
	log(`load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
	mkdirSync(TMP, { recursive: true });

	log('preparing the n8n host (scripts/n8n-host/prepare.sh) and building the package');
	await prepareHost();
	const build = await runCommand('npm', ['run', 'build']);
	if (build.code !== 0) throw new Error(`npm run build failed:\n${build.stdout.slice(-3000)}\n${build.stderr.slice(-3000)}`);
	const userFolder = await createUserFolder('n8n-bench-');
	if (options.uploadChunk) {
		const file = path.join(userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-attachments', 'dist', 'nodes', 'shared', 'transport', 'upload.js');
		const source = readFileSync(file, 'utf8');
		const patched = source.replace(/const UPLOAD_CHUNK_BYTES = [^;]+;/, `const UPLOAD_CHUNK_BYTES = ${options.uploadChunk};`);
		if (patched === source) throw new Error(`--upload-chunk: the UPLOAD_CHUNK_BYTES constant not found in ${file}`);
		writeFileSync(file, patched);
		log(`EXPERIMENT: the installed copy reads uploads in ${options.uploadChunk}-byte chunks`);
	}
	// n8n prints the run's JSON through its logger: the log level must stay at info (env.js).
	const env = { N8N_RESTRICT_FILE_ACCESS_TO: INPUT_DIR };
	if (options.cpuProf) cpuProfDir = path.join(TMP, 'cpuprof');
	extraNodeOptions = options.nodeOptions;
	const info = machine();
	info.n8nNode = (await runCommand(hostPaths.node, ['--version'])).stdout.trim();

	const samples: Sample[] = [];
	const baselines: Baseline[] = [];
	/** The most each store took on disk right after a run was cleared away (database: the SQLite file). */
	const storeDiskMax: Partial<Record<BinaryStore, number>> = {};
	let plans: Plan[] = [];
	let small: SmallResult | undefined;
	let bulk: BulkResult[] = [];
	let perItem: PerItemSample[] = [];
	const server = await startBenchServer();
	try {
		if (options.large) {
			await importCredentials(userFolder, credentialsFor(server.url));
			plans = planCases(options, server.url);
			const uploadSizes = [...new Set(plans.filter((p) => p.benchCase.direction === 'upload').map((p) => p.size))];
			for (const size of uploadSizes) {
				log(`input file ${formatSize(size)}`);
				await ensureInputFile(size);
			}
			for (const size of new Set(plans.map((p) => p.size))) expectedSha256(size);
			const trigger = workflow('bench baseline: trigger only', []);
			const readers = Object.fromEntries(uploadSizes.map((size) => [size, workflow(`bench baseline: read ${size}`, [[readerNode(path.join(INPUT_DIR, largeFileName(size)))]])]));
			await importWorkflows(userFolder, [trigger, ...Object.values(readers), ...plans.flatMap((p) => [p.workflows.ours, p.workflows.http])]);

			const maxRounds = Math.max(...Object.values(options.rounds));
			for (let round = 1; round <= maxRounds; round++) {
				// curl has no store: once per case and size and round, beside the first store that has them.
				const curlDone = new Set<string>();
				for (const store of options.stores) {
					const storePlans = plans.filter((plan) => plan.store === store && round <= options.rounds[plan.group]);
					if (storePlans.length === 0) continue;
					const storeRunEnv = { ...env, ...storeEnv(store) };
					const baseline: Baseline = { store, round, readPeakRss: {}, readMs: {} };
					const triggerRun = await executeWorkflow(userFolder, trigger.id!, { env: storeRunEnv });
					baseline.triggerPeakRss = baselineFailed(triggerRun) ? undefined : triggerRun.peakRssBytes;
					if (baselineFailed(triggerRun)) log(`round ${round} ${store} store: the trigger-only run failed: ${baselineFailed(triggerRun)}`);
					if (triggerRun.exitCode !== 0) (baseline.exitCodes ??= {}).trigger = triggerRun.exitCode;
					const storeUploadSizes = new Set(storePlans.filter((plan) => plan.benchCase.direction === 'upload').map((plan) => plan.size));
					for (const size of storeUploadSizes) {
						const readRun = await executeWorkflow(userFolder, readers[size].id!, { env: storeRunEnv });
						baseline.readPeakRss![size] = baselineFailed(readRun) ? undefined : readRun.peakRssBytes;
						if (baselineFailed(readRun)) log(`round ${round} ${store} store: the read-only run of ${formatSize(size)} failed: ${baselineFailed(readRun)}`);
						if (readRun.exitCode !== 0) (baseline.exitCodes ??= {})[`read ${size}`] = readRun.exitCode;
						baseline.readMs![size] = nodeRuns(readRun, READER)[0]?.executionTime ?? NaN;
						clearStore(userFolder, store);
					}
					baselines.push(baseline);
					log(`round ${round} ${store} store: baseline peak RSS ${((baseline.triggerPeakRss ?? NaN) / MiB).toFixed(1)} MiB`);
					for (const plan of storePlans) {
						const what = `round ${round} ${plan.benchCase.id} ${formatSize(plan.size)}`;
						for (const runner of ['ours', 'http'] as const) {
							const sample = await runN8nCase(plan, runner, round, server, userFolder, env);
							samples.push(sample);
							storeDiskMax[store] = Math.max(storeDiskMax[store] ?? 0, storeDiskBytes(userFolder, store));
							log(
								`${what} ${store} ${runner}: ${(sample.ms / 1000).toFixed(2)} s, ` +
									`peak RSS ${((sample.peakRss ?? NaN) / MiB).toFixed(1)} MiB, ${sample.sha256Ok ? 'SHA-256 ok' : 'SHA-256 NOT ok'}${sample.error ? ` ERROR ${sample.error}` : ''}`,
							);
						}
						const curlKey = `${plan.benchCase.id}@${plan.size}`;
						if (curlDone.has(curlKey)) continue;
						curlDone.add(curlKey);
						const curl = await runCurl(plan, round, server, server.url);
						samples.push(curl);
						log(`${what} curl: ${(curl.ms / 1000).toFixed(2)} s${curl.error ? ` ERROR ${curl.error}` : ''}`);
					}
					log(`round ${round} ${store} store: ${(storeDiskBytes(userFolder, store) / MiB).toFixed(1)} MiB on disk after clearing`);
				}
			}
		}
		if (options.small) small = await runSmallFiles(options, userFolder, env);
		// What each of the last two parts needs from here: its input folder, and its n8n runs'
		// NODE_OPTIONS (a CPU profile into a folder of its own with --cpu-prof; --node-options).
		const partOf = (part: string) => ({
			inputDir: path.join(INPUT_DIR, part),
			nodeOptions: (run: string) =>
				[...(cpuProfDir ? [`--cpu-prof --cpu-prof-dir=${path.join(cpuProfDir, `${part}-${run}`)}`] : []), ...(extraNodeOptions ? [extraNodeOptions] : [])].join(' ') || undefined,
		});
		if (options.bulk) {
			const { bulkLatencyMs: latencyMs, bulkItems: items, bulkUploads: uploads, bulkProviders: providers, bulkRunners: runners } = options;
			bulk = await runBulk(userFolder, env, { latencyMs, items, uploads, providers, runners, ...partOf('bulk') }, log);
		}
		if (options.perItem) {
			const { perItemItems: items, perItemRounds: rounds, perItemCases: cases, perItemRunners: runners } = options;
			perItem = await runPerItem(userFolder, env, { items, rounds, cases, runners, ...partOf('per-item') }, log);
		}
	} finally {
		await server.close();
		if (!process.env.KEEP_N8N_USER_FOLDER) removeUserFolder(userFolder);
		rmSync(path.join(TMP, 'curl-download.bin'), { force: true });
		if (!process.env.KEEP_BENCH_INPUT) rmSync(INPUT_DIR, { recursive: true, force: true });
	}

	const loadAfter = os.loadavg();
	const bulkSection = options.bulk
		? {
				date: startedAt.toISOString(),
				durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
				machine: info,
				load: { before: loadBefore, after: loadAfter, duringMax: Math.max(...bulk.map((r) => r.load1)), duringMedian: median(bulk.map((r) => r.load1)) },
				method: {
					sandbox:
						'bench/server.ts on 127.0.0.1 with `sandbox`: every request waits latencyMs before it is handled; each API has its vendor\'s published limits in front of it ' +
						'(sandbox/common/rate-limits.ts, rolling windows: never more than the budget accepted in any 60 s; 429 with Retry-After in whole seconds beyond them); ' +
						'storage and upload hosts (pre-signed URLs) have latency but no limit; every run starts on a fresh account',
					least: 'bench/bulk.ts leastTime: max(budget bound floor((N-1)/B) min + latency, calls-in-flight bound, each item\'s calls in a row at the latency)',
					time: "sum of the measured nodes' executionTime (List and Download, or Upload; the HTTP Request node's chain with its Code nodes)",
					lost: 'items whose file did not arrive whole: stored downloads and received uploads SHA-256-checked against the files; an item not output counts as lost (for the HTTP Request node: failed)',
				},
				latencyMs: options.bulkLatencyMs,
				results: bulk,
			}
		: undefined;
	const perItemSummaries = summarisePerItem(perItem);
	const perItemSection = options.perItem
		? {
				date: startedAt.toISOString(),
				machine: info,
				load: { before: loadBefore, after: loadAfter, duringMax: Math.max(...perItem.map((r) => r.load1)), duringMedian: median(perItem.map((r) => r.load1)) },
				method: perItemMethod,
				items: options.perItemItems,
				rounds: options.perItemRounds,
				cases: perItemSummaries,
				samples: perItem,
			}
		: undefined;
	const previous = existsSync(options.out) ? (JSON.parse(readFileSync(options.out, 'utf8')) as Record<string, unknown> & { notes?: string[] }) : undefined;
	if (options.perItemOnly && !options.bulkOnly) {
		// Only the per-item part ran: the rest of the committed results stays as it was.
		mkdirSync(path.dirname(options.out), { recursive: true });
		writeFileSync(options.out, `${JSON.stringify({ ...(previous ?? {}), perItem: perItemSection }, null, 2)}\n`);
		console.log(
			`\nPer-item benchmark ${startedAt.toISOString()} — ${info.cores} × ${info.cpuModel}, n8n ${info.n8nVersion} on Node ${info.n8nNode}, ` +
				`load ${loadBefore[0].toFixed(2)} before, ${perItemSection!.load.duringMedian.toFixed(2)} median / ${perItemSection!.load.duringMax.toFixed(2)} max during`,
		);
		console.log(`${options.perItemItems} items per run, 0 ms latency, no vendor limits; medians of ${options.perItemRounds} rounds; CPU = the n8n process's CPU time in the measured window\n`);
		console.log(perItemTable(perItemSummaries));
		console.log(`\nwrote ${path.relative(process.cwd(), options.out)}`);
		return;
	}
	if (options.bulkOnly) {
		// Only the bulk part ran (and perhaps the per-item part): the rest of the committed results stays as it was.
		if (options.bulkMerge && bulkSection) {
			const earlier = (previous?.bulk as { results?: BulkResult[] } | undefined)?.results ?? [];
			const key = (r: BulkResult) => `${r.provider} ${r.job} ${r.runner}`;
			const rerun = new Set(bulk.map(key));
			const kept = earlier.filter((r) => !rerun.has(key(r)) && r.latencyMs === options.bulkLatencyMs && r.items === (r.job === 'download' ? options.bulkItems : options.bulkUploads));
			const order = (r: BulkResult) => BULK_PROVIDERS.indexOf(r.provider) * 100 + (r.job === 'download' ? 0 : 10) + BULK_RUNNERS.indexOf(r.runner);
			bulk = [...kept, ...bulk].sort((a, b) => order(a) - order(b));
			bulkSection.results = bulk;
			bulkSection.load.duringMax = Math.max(...bulk.map((r) => r.load1));
			bulkSection.load.duringMedian = median(bulk.map((r) => r.load1));
			(bulkSection as Record<string, unknown>).merged = `${kept.length} results kept from the run of ${String((previous?.bulk as { date?: string } | undefined)?.date)}`;
		}
		const merged = { ...(previous ?? {}), bulk: bulkSection, ...(perItemSection ? { perItem: perItemSection } : {}) };
		mkdirSync(path.dirname(options.out), { recursive: true });
		writeFileSync(options.out, `${JSON.stringify(merged, null, 2)}\n`);
		// Results of runs before the database store was measured have no store: they are the filesystem's.
		const previousCases = ((previous?.cases ?? []) as CaseSummary[]).map((c) => ({ ...c, store: c.store ?? 'filesystem' }));
		const previousMachine = (previous?.machine ?? info) as ReturnType<typeof machine>;
		writeFileSync(
			options.chart,
			renderChart(previousCases, previous?.small as SmallResult | undefined, { date: `${String(previous?.date ?? startedAt.toISOString()).slice(0, 10)} (bulk ${startedAt.toISOString().slice(0, 10)})`, machine: `${previousMachine.cores} cores ${previousMachine.cpuModel}, ${previousMachine.ramGiB} GiB, n8n ${previousMachine.n8nVersion}` }, bulk),
		);
		console.log(`\nBulk benchmark ${startedAt.toISOString()} — ${info.cores} × ${info.cpuModel}, n8n ${info.n8nVersion} on Node ${info.n8nNode}, load ${loadBefore[0].toFixed(2)} before, ${bulkSection!.load.duringMedian.toFixed(2)} median during`);
		console.log(`${options.bulkLatencyMs} ms per request; vendor limits in the sandbox; time = measured nodes' execution time\n`);
		console.log(bulkTable(bulk));
		if (perItemSection) console.log(`\nPer item, ${options.perItemItems} items, 0 ms latency:\n\n${perItemTable(perItemSummaries)}`);
		console.log(`\nwrote ${path.relative(process.cwd(), options.out)} and ${path.relative(process.cwd(), options.chart)}`);
		return;
	}
	const summaries = summarise(plans, samples, baselines);
	const results = {
		date: startedAt.toISOString(),
		durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
		mode: options.quick ? 'quick' : 'full',
		machine: info,
		load: {
			before: loadBefore,
			after: loadAfter,
			// 1-minute load averages sampled after every run.
			duringMax: Math.max(...samples.map((sample) => sample.load1 ?? 0)),
			duringMedian: median(samples.map((sample) => sample.load1 ?? NaN).filter(Number.isFinite)),
		},
		method: {
			n8n: 'n8n execute --id (one process per run) in the pinned n8n of scripts/n8n-host, binary store as the sample says (N8N_DEFAULT_BINARY_DATA_MODE), package installed as the Community Nodes panel does',
			stores:
				'filesystem: the store streams (a stream is written to disk as it arrives; uploads read it in chunks). database: n8n reads the whole stream into one Buffer and inserts it into ' +
				'the binary_data table of its SQLite database, and hands it back as one chunk, so memory grows with the file for any node by design (the store refuses files over 512 MiB); ' +
				'the targets are judged on filesystem rows only. The store is emptied after every run (storage folder; binary_data rows). curl has no store (store "none"), and runs once per case, size and round',
			time: "the measured node's executionTime in n8n's run data (curl: time_total)",
			rss: 'peak RSS of the n8n process (GNU time -v), minus the median peak RSS of a trigger-only workflow run in the same bench and store',
			order: 'per round, store (in --stores order) and case: ours, then the HTTP Request node (4.2), then curl; rounds repeat the whole sequence',
			uploads: "the file is read first by n8n's Read/Write Files from Disk node (into the binary store: streamed in filesystem, buffered in database); the upload node's own time is measured",
			server: 'bench/server.ts on 127.0.0.1: downloads generated on the fly, uploads hashed as they arrive; no authentication checked',
			limits: 'Asana accepts files up to 100 MiB and Sunshine Conversations up to 50 MiB: those uploads run at that size and are not repeated for bigger groups',
		},
		targets: { rssGrowthMiB: 16, vsHttpRatio: 0.5, vsCurlRatio: 2, smallFilesRate: 0.9, smallFilesLost: 0, stores: ['filesystem'] },
		stores: options.sizes,
		storeDiskMaxBytes: storeDiskMax,
		baselines,
		cases: summaries,
		small,
		bulk: bulkSection,
		perItem: perItemSection,
		samples,
		notes: [] as string[],
	};
	if (previous?.notes?.length) results.notes = previous.notes; // hand-written analysis survives a re-run
	mkdirSync(path.dirname(options.out), { recursive: true });
	writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
	writeFileSync(options.chart, renderChart(summaries, small, { date: startedAt.toISOString().slice(0, 10), machine: `${info.cores} cores ${info.cpuModel}, ${info.ramGiB} GiB, n8n ${info.n8nVersion}` }, bulk));
	console.log(
		`\nBenchmark ${startedAt.toISOString()} — ${info.cores} × ${info.cpuModel}, ${info.ramGiB} GiB RAM, n8n ${info.n8nVersion} on Node ${info.n8nNode}, ` +
			`load ${loadBefore[0].toFixed(2)} before, ${results.load.duringMedian.toFixed(2)} median / ${results.load.duringMax.toFixed(2)} max during`,
	);
	console.log(
		'Medians; time = node execution time; RSS = peak RSS of the n8n process over a trigger-only run in the same store; ' +
			'database rows: n8n holds the whole file in that store by design (no targets there).\n',
	);
	console.log(table(summaries, small));
	if (bulk.length) console.log(`\nBulk, ${options.bulkLatencyMs} ms per request, vendor limits in the sandbox:\n\n${bulkTable(bulk)}`);
	if (perItemSection) console.log(`\nPer item, ${options.perItemItems} items, 0 ms latency:\n\n${perItemTable(perItemSummaries)}`);
	console.log(`\nwrote ${path.relative(process.cwd(), options.out)} and ${path.relative(process.cwd(), options.chart)}`);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
