/**
 * The bulk part of `npm run bench` (`npm run bench -- --bulk` alone): per provider, at a set
 * latency (100 ms per request by default) and with the vendors' published limits in front of the
 * sandbox (bench/server.ts, `sandbox`), 1,000 attachments listed and downloaded and 200 uploaded,
 * by our node at its default concurrency, by our node one item at a time (Concurrency 1), and by
 * n8n's HTTP Request node (4.2) at its defaults moving the same files on the same sandbox.
 *
 * For each run: the measured nodes' execution time against the least time the limits allow
 * (see `leastTime`), the API calls a minute that makes against the provider's budget, the 429s
 * the sandbox answered, the most requests in flight, and the items lost (files that did not
 * arrive whole: every stored download and every received upload is SHA-256-checked against the
 * files the sandbox holds or was given; an item the node did not output counts as lost).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { executeWorkflow, executionError, importCredentials, type ExecutionResult } from '../test/e2e/support/n8n';
import { importWorkflows, node, workflow, type BinaryMeta, type WorkflowNode } from '../test/e2e/support/workflows';
import { IDS, NODE_TYPES, credentialRefs, credentialsFor, httpMultipartParameters } from './cases';
import { SMALL, bulkIds, smallFileSet, startBenchServer, useSmallSets, type BenchServer, type SandboxProvider } from './server';
import { clearStore, filesystemPath, storeEnv } from './stores';

export type BulkProvider = 'xero' | 'asana' | 'wix' | 'sunshine';
export type BulkRunner = 'ours' | 'ours-c1' | 'http';
export type BulkJob = 'download' | 'upload';

export const BULK_PROVIDERS: BulkProvider[] = ['xero', 'asana', 'wix', 'sunshine'];
export const BULK_RUNNERS: BulkRunner[] = ['ours', 'ours-c1', 'http'];

export interface BulkOptions {
	latencyMs: number;
	/** Attachments listed and downloaded (10 per parent). */
	items: number;
	uploads: number;
	providers: BulkProvider[];
	runners: BulkRunner[];
	/** Where the upload files are written (inside N8N_RESTRICT_FILE_ACCESS_TO). */
	inputDir: string;
	/** NODE_OPTIONS for the n8n runs, e.g. a CPU profile per run (profiling only). */
	nodeOptions?: (run: string) => string | undefined;
}

/** The published limits the sandbox enforces (bench/server.ts, sandbox/common/rate-limits.ts). */
export const VENDOR_LIMITS: Record<BulkProvider, { perMinute?: number; reads?: number; writes?: number; note: string }> = {
	xero: { perMinute: 60, reads: 5, writes: 5, note: '5 in flight, 60/min, 5,000/day per organization; X-MinLimit-Remaining, X-DayLimit-Remaining, X-AppMinLimit-Remaining' },
	asana: { perMinute: 1500, reads: 50, writes: 15, note: '1,500/min, 50 reads and 15 writes in flight' },
	wix: { perMinute: 200, note: '200/min' },
	sunshine: { note: 'none published, none set' },
};

const PROVIDER_LABEL: Record<BulkProvider, string> = { xero: 'Xero', asana: 'Asana', wix: 'Wix', sunshine: 'Sunshine' };
const RUNNER_LABEL: Record<BulkRunner, string> = { ours: 'ours (default concurrency)', 'ours-c1': 'ours, Concurrency 1', http: 'HTTP Request node 4.2, defaults' };

/** One phase of a job: calls to the API per item, and to a storage host after it. */
interface Phase {
	items: number;
	method: 'read' | 'write';
	/** Requests each item makes one after the other: the API call, then storage (0 or 1). */
	storage: number;
}

function phasesOf(provider: BulkProvider, job: BulkJob, items: number): Phase[] {
	const parents = Math.ceil(items / SMALL.perInvoice);
	if (job === 'upload') return [{ items, method: 'write', storage: provider === 'wix' ? 1 : 0 }];
	// Get Many per parent (one page of 10), then Get per attachment (Asana and Wix: record, then file).
	return [
		{ items: parents, method: 'read', storage: 0 },
		{ items, method: 'read', storage: provider === 'xero' ? 0 : 1 },
	];
}

/**
 * The least time the limits allow, in ms, and what sets it: the per-minute budget (never more
 * than B calls in any 60 s, so the N-th call goes at floor((N-1)/B) minutes at the earliest, then
 * one latency), or the calls in flight the vendor allows (each holding its place one latency;
 * storage calls are not the API and have no limit), or, with neither, the latency of each item's
 * calls in a row. Phases (Get Many, then Get) follow each other, as the nodes do.
 */
export function leastTime(provider: BulkProvider, job: BulkJob, items: number, latencyMs: number): { ms: number; bound: string; apiCalls: number } {
	const limits = VENDOR_LIMITS[provider];
	const phases = phasesOf(provider, job, items);
	const apiCalls = phases.reduce((sum, phase) => sum + phase.items, 0);
	let flight = 0;
	let flightBound = false;
	for (const phase of phases) {
		const max = phase.method === 'read' ? limits.reads : limits.writes;
		const api = max ? Math.ceil(phase.items / max) * latencyMs : latencyMs;
		if (max && phase.items > max) flightBound = true;
		flight += api + phase.storage * latencyMs;
	}
	const budget = limits.perMinute && apiCalls > limits.perMinute ? Math.floor((apiCalls - 1) / limits.perMinute) * 60_000 + latencyMs : 0;
	if (budget >= flight) return { ms: budget, bound: `budget (${limits.perMinute}/min)`, apiCalls };
	return { ms: flight, bound: flightBound ? 'calls in flight' : 'latency', apiCalls };
}

export interface BulkResult {
	provider: BulkProvider;
	job: BulkJob;
	runner: BulkRunner;
	items: number;
	latencyMs: number;
	/** The measured nodes' execution time (until the node failed, if it did). */
	ms: number;
	leastMs: number;
	leastBound: string;
	/** leastMs / ms. */
	ofLeast: number;
	apiCallsNeeded: number;
	/** Requests the provider's API got (429s and retries included) and how many were accepted. */
	apiRequests: number;
	apiAccepted: number;
	/** Accepted API calls per minute over the run. */
	callsPerMinute: number;
	budgetPerMinute?: number;
	seen429: number;
	/** Requests in flight at once at the API (storage apart). */
	maxInFlight: number;
	storageRequests: number;
	verified: number;
	lost: number;
	error?: string;
	load1: number;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The upload files: the first `count` small files' bytes under new names (distinct contents). */
export function writeUploadFiles(dir: string, count: number): Map<string, number> {
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	const expected = new Map<string, number>();
	const files = [...smallFileSet().values()];
	for (let k = 0; k < count; k++) {
		const file = files[k];
		writeFileSync(path.join(dir, `upload-${String(k).padStart(4, '0')}.pdf`), file.content);
		expected.set(file.sha256, (expected.get(file.sha256) ?? 0) + 1);
	}
	return expected;
}

const conc = (runner: BulkRunner) => (runner === 'ours-c1' ? { concurrency: 1 } : {});

const httpNode = (name: string, parameters: Record<string, unknown>) => node(name, 'n8n-nodes-base.httpRequest', { options: {}, ...parameters }, { typeVersion: 4.2 });
const xeroHeaders = { sendHeaders: true, headerParameters: { parameters: [{ name: 'xero-tenant-id', value: IDS.tenant }, { name: 'Accept', value: 'application/json' }] } };
const fileResponse = { response: { response: { responseFormat: 'file', outputPropertyName: 'data' } } };
const codeNode = (name: string, jsCode: string) => node(name, 'n8n-nodes-base.code', { jsCode }, { typeVersion: 2 });

/** Parent IDs of the download job, as each provider names them. */
function parentIds(provider: BulkProvider, parents: number): string[] {
	const id = provider === 'xero' ? bulkIds.xeroInvoice : provider === 'asana' ? bulkIds.asanaTask : bulkIds.wixContact;
	return Array.from({ length: parents }, (_, i) => id(i));
}

/** The nodes a run's time is the sum of, and the node whose output holds the files. */
interface Flow {
	chain: WorkflowNode[];
	measured: string[];
	output: string;
}

function downloadFlow(provider: BulkProvider, runner: BulkRunner, base: string, items: number): Flow {
	const creds = credentialRefs();
	const ids = parentIds(provider, Math.ceil(items / SMALL.perInvoice));
	const parents = codeNode('Parents', `return ${JSON.stringify(ids)}.map((parentId) => ({ json: { parentId } }));`);
	const tenant = { __rl: true, mode: 'id', value: IDS.tenant };
	if (runner !== 'http') {
		const options = conc(runner);
		const ours = (name: string, parameters: Record<string, unknown>) => {
			const credentials: Record<string, { id: string; name: string }> =
				provider === 'xero' ? { xeroAttachmentOAuth2Api: creds.xero } : provider === 'asana' ? { asanaAttachmentApi: creds.asana } : { wixAttachmentApi: creds.wix };
			return node(name, NODE_TYPES[provider], parameters, { credentials });
		};
		const [list, download] =
			provider === 'xero'
				? [
						ours('List', { resource: 'invoice', tenantId: tenant, operation: 'getAll', parentId: '={{ $json.parentId }}', returnAll: true, options }),
						ours('Download', {
							resource: 'invoice',
							tenantId: tenant,
							operation: 'get',
							parentId: "={{ $('Parents').item.json.parentId }}",
							getBy: 'attachmentId',
							attachmentId: '={{ $json.AttachmentID }}',
							binaryPropertyName: 'data',
							options: { mimeType: '={{ $json.MimeType }}', ...options },
						}),
					]
				: provider === 'asana'
					? [
							ours('List', { authentication: 'accessToken', resource: 'attachment', operation: 'getAll', parent: { __rl: true, mode: 'id', value: '={{ $json.parentId }}' }, returnAll: true, options }),
							ours('Download', { authentication: 'accessToken', resource: 'attachment', operation: 'get', attachmentId: '={{ $json.gid }}', download: true, binaryPropertyName: 'data', options }),
						]
					: [
							ours('List', { authentication: 'apiKey', resource: 'contactAttachment', operation: 'getAll', contactId: '={{ $json.parentId }}', returnAll: true, options }),
							ours('Download', {
								authentication: 'apiKey',
								resource: 'contactAttachment',
								operation: 'get',
								contactId: "={{ $('Parents').item.json.parentId }}",
								attachmentId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
								download: true,
								binaryPropertyName: 'data',
								options,
							}),
						];
		return { chain: [parents, list, download], measured: ['List', 'Download'], output: 'Download' };
	}
	if (provider === 'xero') {
		return {
			chain: [
				parents,
				httpNode('List', { method: 'GET', url: `=${base}/api.xro/2.0/Invoices/{{ $json.parentId }}/Attachments`, ...xeroHeaders }),
				codeNode('Split', 'return $input.all().flatMap((item) => item.json.Attachments.map((attachment) => ({ json: attachment })));'),
				httpNode('Download', { method: 'GET', url: `=${base}/api.xro/2.0/Invoices/{{ $('Parents').item.json.parentId }}/Attachments/{{ $json.AttachmentID }}`, ...xeroHeaders, options: fileResponse }),
			],
			measured: ['List', 'Split', 'Download'],
			output: 'Download',
		};
	}
	const [listUrl, split, recordUrl, fileUrl] =
		provider === 'asana'
			? [`=${base}/api/1.0/attachments?parent={{ $json.parentId }}`, 'data', `=${base}/api/1.0/attachments/{{ $json.gid }}`, '={{ $json.data.download_url }}']
			: [`=${base}/contacts/v4/attachments/{{ $json.parentId }}`, 'attachments', `=${base}/contacts/v4/attachments/{{ $json.contactId }}/{{ $json.id }}`, '={{ $json.attachment.document.url }}'];
	return {
		chain: [
			parents,
			httpNode('List', { method: 'GET', url: listUrl }),
			codeNode('Split', `return $input.all().flatMap((item) => item.json.${split}.map((record) => ({ json: record })));`),
			httpNode('Record', { method: 'GET', url: recordUrl }),
			httpNode('Download', { method: 'GET', url: fileUrl, options: fileResponse }),
		],
		measured: ['List', 'Split', 'Record', 'Download'],
		output: 'Download',
	};
}

function uploadFlow(provider: BulkProvider, runner: BulkRunner, base: string, inputDir: string): Flow {
	const creds = credentialRefs();
	const read = node('Read', 'n8n-nodes-base.readWriteFile', { operation: 'read', fileSelector: `${inputDir}/*.pdf`, options: {} }, { typeVersion: 1.1 });
	// 20 parents, 10 files each (Xero takes 10 per document).
	const xeroExpression = "'11111111-0000-4000-8000-' + String($itemIndex % 20).padStart(12, '0')";
	const wixExpression = "'33333333-0000-4000-8000-' + String($itemIndex % 20).padStart(12, '0')";
	const xeroParent = `={{ ${xeroExpression} }}`;
	const asanaParent = "={{ '12' + String($itemIndex % 20).padStart(14, '0') }}";
	const wixContact = `={{ ${wixExpression} }}`;
	if (runner !== 'http') {
		const options = conc(runner);
		const upload =
			provider === 'xero'
				? node('Upload', NODE_TYPES.xero, { resource: 'invoice', tenantId: { __rl: true, mode: 'id', value: IDS.tenant }, operation: 'upload', parentId: xeroParent, binaryPropertyName: 'data', fileName: '', options }, { credentials: { xeroAttachmentOAuth2Api: creds.xero } })
				: provider === 'asana'
					? node('Upload', NODE_TYPES.asana, { authentication: 'accessToken', resource: 'attachment', operation: 'upload', parent: { __rl: true, mode: 'id', value: asanaParent }, source: 'binary', binaryPropertyName: 'data', options }, { credentials: { asanaAttachmentApi: creds.asana } })
					: provider === 'wix'
						? node('Upload', NODE_TYPES.wix, { authentication: 'apiKey', resource: 'contactAttachment', contactId: wixContact, operation: 'upload', binaryPropertyName: 'data', options }, { credentials: { wixAttachmentApi: creds.wix } })
						: node('Upload', NODE_TYPES.sunshine, { authentication: 'apiKey', resource: 'attachment', appId: { __rl: true, mode: 'id', value: IDS.sunshineApp }, operation: 'upload', binaryPropertyName: 'data', options }, { credentials: { sunshineConversationsAttachmentApi: creds.sunshine } });
		return { chain: [read, upload], measured: ['Upload'], output: 'Upload' };
	}
	const multipart = (url: string, field: string, textFields: Record<string, string>) => httpNode('Upload', httpMultipartParameters(url, field, textFields));
	if (provider === 'xero') {
		const url = `=${base}/api.xro/2.0/Invoices/{{ ${xeroExpression} }}/Attachments/{{ $binary.data.fileName }}`;
		return { chain: [read, httpNode('Upload', { method: 'PUT', url, sendBody: true, contentType: 'binaryData', inputDataFieldName: 'data', ...xeroHeaders })], measured: ['Upload'], output: 'Upload' };
	}
	if (provider === 'asana') return { chain: [read, multipart(`${base}/api/1.0/attachments`, 'file', { parent: asanaParent })], measured: ['Upload'], output: 'Upload' };
	if (provider === 'sunshine') return { chain: [read, multipart(`${base}/v2/apps/${IDS.sunshineApp}/attachments?access=public`, 'source', {})], measured: ['Upload'], output: 'Upload' };
	// Wix: ask for an upload URL, then PUT the file there (the Code node puts the file back on the item).
	return {
		chain: [
			read,
			httpNode('Upload URL', {
				method: 'POST',
				url: `=${base}/contacts/v4/attachments/{{ ${wixExpression} }}/upload-url`,
				sendBody: true,
				specifyBody: 'json',
				jsonBody: '={{ JSON.stringify({ fileName: $binary.data.fileName, mimeType: $binary.data.mimeType }) }}',
			}),
			codeNode('File', "const files = $('Read').all();\nreturn $input.all().map((item, i) => ({ json: item.json, binary: files[i].binary }));"),
			httpNode('Upload', { method: 'PUT', url: '={{ $json.uploadUrl }}', sendBody: true, contentType: 'binaryData', inputDataFieldName: 'data' }),
		],
		measured: ['Upload URL', 'File', 'Upload'],
		output: 'Upload',
	};
}

interface RunNode {
	executionTime?: number;
	data?: { main?: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, BinaryMeta> }> | null> };
}
const nodeRuns = (run: ExecutionResult, name: string) => (run.json?.data?.resultData?.runData?.[name] ?? []) as RunNode[];

function failure(run: ExecutionResult): string | undefined {
	if (run.exitCode === 0 && run.json?.status === 'success' && !executionError(run)) return undefined;
	const error = run.json?.data?.resultData?.error;
	return error ? [error.message, error.description].filter(Boolean).join(' | ').slice(0, 400) : `exit ${run.exitCode}: ${run.stderr.slice(-600)}`;
}

async function runOne(
	server: BenchServer,
	userFolder: string,
	env: Record<string, string>,
	options: BulkOptions,
	provider: BulkProvider,
	job: BulkJob,
	runner: BulkRunner,
	uploadHashes: Map<string, number>,
	log: (message: string) => void,
): Promise<BulkResult> {
	const items = job === 'download' ? options.items : options.uploads;
	const flow = job === 'download' ? downloadFlow(provider, runner, server.url, items) : uploadFlow(provider, runner, server.url, options.inputDir);
	const wf = workflow(`bench bulk ${provider} ${job} ${runner}`, [flow.chain]);
	await importWorkflows(userFolder, [wf]);
	const nodeOptions = options.nodeOptions?.(`${provider}-${job}-${runner}`);
	const execute = async () => {
		server.resetSandbox();
		return await executeWorkflow(userFolder, wf.id!, { env: { ...env, ...storeEnv('filesystem'), ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) }, timeoutMs: 60 * 60_000 });
	};
	let run = await execute();
	if (run.exitCode === 0 && !run.json) {
		// n8n exited before the pipe had taken its whole printed run (a few MB here): once more.
		log(`bulk ${provider} ${job} ${runner}: n8n's printed run was cut off (${run.stdout.length} characters); running it again`);
		clearStore(userFolder, 'filesystem');
		run = await execute();
	}
	const error = failure(run);
	const ms = flow.measured.reduce((sum, name) => sum + nodeRuns(run, name).reduce((total, r) => total + (r.executionTime ?? 0), 0), 0);
	const outputs = nodeRuns(run, flow.output)[0]?.data?.main?.[0] ?? [];

	let verified = 0;
	if (job === 'download') {
		// Every stored file is checked against the 1,000 the sandbox serves (all different).
		const expected = new Map([...smallFileSet().values()].filter((file) => file.i < Math.ceil(items / SMALL.perInvoice)).map((file) => [file.sha256, 1]));
		for (const item of outputs) {
			const file = filesystemPath(userFolder, item.binary?.data?.id);
			if (!file || !existsSync(file)) continue;
			const digest = sha256(readFileSync(file));
			if ((expected.get(digest) ?? 0) > 0) {
				expected.set(digest, 0);
				verified++;
			}
		}
	} else {
		const route = provider === 'xero' ? 'xero' : provider === 'asana' ? 'asana' : provider === 'wix' ? 'wix' : 'sunshine';
		const left = new Map(uploadHashes);
		for (const upload of server.uploads.filter((u) => u.route === route)) {
			if ((left.get(upload.sha256) ?? 0) > 0) {
				left.set(upload.sha256, left.get(upload.sha256)! - 1);
				verified++;
			}
		}
		// An upload the sandbox received but the node did not report done is not counted as lost:
		// the file is there. Duplicates beyond the 200 would show as more uploads than files.
	}
	clearStore(userFolder, 'filesystem');

	const least = leastTime(provider, job, items, options.latencyMs);
	const stats = server.sandbox[provider as SandboxProvider];
	const limiterStats = server.limiterStats();
	const accepted =
		provider === 'xero'
			? Object.entries(limiterStats).filter(([key]) => key.startsWith('xero')).reduce((sum, [, s]) => sum + s.accepted, 0)
			: provider === 'sunshine'
				? stats.requests
				: limiterStats[provider].accepted;
	const result: BulkResult = {
		provider,
		job,
		runner,
		items,
		latencyMs: options.latencyMs,
		ms,
		leastMs: least.ms,
		leastBound: least.bound,
		ofLeast: ms > 0 ? least.ms / ms : NaN,
		apiCallsNeeded: least.apiCalls,
		apiRequests: stats.requests,
		apiAccepted: accepted,
		callsPerMinute: ms > 0 ? (accepted / ms) * 60_000 : NaN,
		budgetPerMinute: VENDOR_LIMITS[provider].perMinute,
		seen429: stats.rejected429,
		maxInFlight: stats.maxInFlight,
		storageRequests: server.sandbox.storage.requests,
		verified,
		lost: items - verified,
		error,
		load1: os.loadavg()[0],
	};
	log(
		`bulk ${provider} ${job} ${runner}: ${(ms / 1000).toFixed(1)} s (least ${(least.ms / 1000).toFixed(1)} s, ${least.bound}; ${(result.ofLeast * 100).toFixed(1)}%), ` +
			`${result.apiRequests} API requests, ${result.seen429} × 429, max ${result.maxInFlight} in flight, ${verified}/${items} SHA-256 ok${error ? `; ERROR ${error}` : ''}`,
	);
	return result;
}

/** Runs every provider, job and runner asked for, each on a fresh sandbox account. */
export async function runBulk(userFolder: string, env: Record<string, string>, options: BulkOptions, log: (message: string) => void): Promise<BulkResult[]> {
	// More items than the 1,000 small files: more sets of them, so every file is still distinct.
	useSmallSets(Math.max(SMALL.invoices, Math.ceil(Math.max(options.items, options.uploads) / SMALL.perInvoice)));
	const server = await startBenchServer({ sandbox: { latencyMs: options.latencyMs, vendorLimits: true } });
	const results: BulkResult[] = [];
	try {
		await importCredentials(userFolder, credentialsFor(server.url));
		const uploadHashes = writeUploadFiles(options.inputDir, options.uploads);
		for (const provider of options.providers) {
			for (const job of ['download', 'upload'] as BulkJob[]) {
				// Sunshine Conversations has no list or download of attachments.
				if (provider === 'sunshine' && job === 'download') continue;
				for (const runner of options.runners) {
					log(`bulk ${provider} ${job} ${runner}: ${job === 'download' ? `${options.items} attachments` : `${options.uploads} uploads`} at ${options.latencyMs} ms (${VENDOR_LIMITS[provider].note})`);
					results.push(await runOne(server, userFolder, env, options, provider, job, runner, uploadHashes, log));
				}
			}
		}
	} finally {
		await server.close();
		rmSync(options.inputDir, { recursive: true, force: true });
	}
	return results;
}

/** The bulk table, as the bench prints it and bench/README.md shows it. */
export function bulkTable(results: BulkResult[]): string {
	const s = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : 'n/a');
	const header = ['provider', 'job', 'runner', 'time s', 'least s (bound)', 'of least', 'API calls/min (budget)', '429s', 'max in flight', 'items lost'];
	const rows = results.map((r) => [
		PROVIDER_LABEL[r.provider],
		r.job === 'download' ? `list + download ${r.items}` : `upload ${r.items}`,
		RUNNER_LABEL[r.runner],
		`${s(r.ms)}${r.error ? ' (failed)' : ''}`,
		`${s(r.leastMs)} (${r.leastBound})`,
		// A run that failed part-way did not do the job: no share of the least time, no rate.
		r.error ? 'n/a' : Number.isFinite(r.ofLeast) ? `${(r.ofLeast * 100).toFixed(1)}%` : 'n/a',
		`${!r.error && Number.isFinite(r.callsPerMinute) ? Math.round(r.callsPerMinute) : 'n/a'}${r.budgetPerMinute ? ` (${r.budgetPerMinute})` : ''}`,
		String(r.seen429),
		String(r.maxInFlight),
		r.runner === 'http' && r.lost > 0 ? `${r.lost} failed` : String(r.lost),
	]);
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
	const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
	return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
