/**
 * The per-item part of `npm run bench` (`npm run bench -- --per-item` alone): what one item costs
 * n8n when nothing else does. For each operation that moves a file or a record (Xero Get and
 * Upload, Asana Get with download and Upload, Wix Get with download and Upload, Sunshine Upload),
 * N small items (1–16 KiB files) against the bench server at 0 ms latency with no vendor limits,
 * moved by our node at Concurrency 1, by our node at its default concurrency, and by n8n's HTTP
 * Request node (4.2) making the same requests (its defaults: every item at once), without a
 * credential (`http`, the bench's usual baseline) and with the same credential as ours, signed by
 * n8n as a predefined credential type (`http-cred`: what the HTTP Request node pays for it).
 *
 * Per run: the wall time of the measured nodes (from the first one's start to the last one's end,
 * n8n's run data) and the CPU time the n8n process spent in that window, both per item. The CPU
 * time is read from /proc/<pid>/stat (utime + stime, all threads: the isolate that evaluates
 * expressions and the garbage collector included) every few milliseconds by the bench, and
 * interpolated at the window's ends; nothing runs inside n8n to measure it. The measured windows
 * hold no Code node (those run in n8n's task runner, another process): the inputs are made before
 * the window, and the HTTP Request node's Wix upload puts the file back on its item with a Merge
 * node (n8n's main process) instead.
 *
 * Every item's bytes are checked: each stored download (filesystem store) against the file the
 * server holds for that item, every upload the server received against the files given.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';

import { executeWorkflow, executionError, importCredentials, newId, type ExecutionResult, type WorkflowToImport } from '../test/e2e/support/n8n';
import { TRIGGER_NAME, importWorkflows, node, type BinaryMeta, type WorkflowNode } from '../test/e2e/support/workflows';
import { writeUploadFiles } from './bulk';
import { IDS, NODE_TYPES, credentialRefs, credentialsFor, httpMultipartParameters } from './cases';
import { SMALL, bulkIds, smallFileSet, startBenchServer, useSmallSets, type BenchServer } from './server';
import { clearStore, filesystemPath, storeEnv } from './stores';

export type PerItemCase = 'xero-download' | 'xero-upload' | 'asana-download' | 'asana-upload' | 'wix-download' | 'wix-upload' | 'sunshine-upload';
export type PerItemRunner = 'ours-c1' | 'ours' | 'http' | 'http-cred';

export const PER_ITEM_CASES: PerItemCase[] = ['xero-download', 'xero-upload', 'asana-download', 'asana-upload', 'wix-download', 'wix-upload', 'sunshine-upload'];
export const PER_ITEM_RUNNERS: PerItemRunner[] = ['ours-c1', 'ours', 'http', 'http-cred'];

const CASE_LABEL: Record<PerItemCase, string> = {
	'xero-download': 'Xero Get (download)',
	'xero-upload': 'Xero Upload',
	'asana-download': 'Asana Get with download',
	'asana-upload': 'Asana Upload',
	'wix-download': 'Wix Get with download',
	'wix-upload': 'Wix Upload',
	'sunshine-upload': 'Sunshine Upload',
};

/** Our node's default Concurrency for the operation (provider.ts of each node). */
const DEFAULT_CONCURRENCY: Record<PerItemCase, number> = {
	'xero-download': 5,
	'xero-upload': 5,
	'asana-download': 50,
	'asana-upload': 15,
	'wix-download': 5,
	'wix-upload': 5,
	'sunshine-upload': 4,
};

/** Requests one item makes (the HTTP Request node makes the same). */
const REQUESTS_PER_ITEM: Record<PerItemCase, number> = {
	'xero-download': 1,
	'xero-upload': 1,
	'asana-download': 2,
	'asana-upload': 1,
	'wix-download': 2,
	'wix-upload': 2,
	'sunshine-upload': 1,
};

export interface PerItemOptions {
	items: number;
	rounds: number;
	cases: PerItemCase[];
	runners: PerItemRunner[];
	/** Where the upload files are written (inside N8N_RESTRICT_FILE_ACCESS_TO). */
	inputDir: string;
	/** NODE_OPTIONS for the n8n runs, e.g. a CPU profile per run (profiling only: it inflates the CPU figures). */
	nodeOptions?: (run: string) => string | undefined;
}

export interface PerItemSample {
	case: PerItemCase;
	runner: PerItemRunner;
	round: number;
	items: number;
	/** From the first measured node's start to the last one's end (n8n's run data). */
	ms: number;
	/** CPU time of the n8n process (all threads) in that window. */
	cpuMs: number;
	/** CPU time of the whole `n8n execute` process, start-up included. */
	processCpuMs: number;
	/** Items whose bytes arrived whole (SHA-256). */
	verified: number;
	error?: string;
	/** 1-minute load average right after the run. */
	load1: number;
}

// ---------------------------------------------------------------------------------------------
// CPU time of a process, sampled from /proc

const CLOCK_TICKS_PER_S = (() => {
	const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
	const ticks = Number(out.stdout?.trim());
	return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
})();

/** utime + stime of `pid` in ms (all its threads), or undefined once it is gone. */
function processCpuMs(pid: number): number | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// The command name (field 2) may hold spaces: the fields after it follow its closing ')'.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
	} catch {
		return undefined;
	}
}

/** (time, CPU ms) of a process every `everyMs`, for the CPU time between two moments. */
class CpuSampler {
	private readonly samples: Array<[number, number]> = [];
	private timer?: NodeJS.Timeout;

	start(pid: number, everyMs = 5): void {
		const sample = () => {
			const cpu = processCpuMs(pid);
			if (cpu !== undefined) this.samples.push([Date.now(), cpu]);
		};
		sample();
		this.timer = setInterval(sample, everyMs);
	}

	stop(): void {
		if (this.timer) clearInterval(this.timer);
	}

	/** The CPU time at `at` (epoch ms), interpolated between the samples around it. */
	at(at: number): number {
		const samples = this.samples;
		if (samples.length === 0) return NaN;
		if (at <= samples[0][0]) return samples[0][1];
		for (let k = 1; k < samples.length; k++) {
			const [t1, c1] = samples[k];
			if (at <= t1) {
				const [t0, c0] = samples[k - 1];
				return t1 === t0 ? c1 : c0 + ((c1 - c0) * (at - t0)) / (t1 - t0);
			}
		}
		return samples[samples.length - 1][1];
	}

	between(from: number, to: number): number {
		return this.at(to) - this.at(from);
	}

	get last(): number {
		return this.samples.length ? this.samples[this.samples.length - 1][1] : NaN;
	}
}

// ---------------------------------------------------------------------------------------------
// Workflows

interface Flow {
	workflow: WorkflowToImport;
	/** The nodes whose window is measured (in the order they run). */
	measured: string[];
	/** The node whose output holds the files (downloads). */
	output: string;
	direction: 'download' | 'upload';
}

/** A workflow with its connections spelled out: `edges` are [from, to, input of `to`]. */
function graph(name: string, nodes: WorkflowNode[], edges: Array<[string, string, number?]>): WorkflowToImport {
	const trigger = node(TRIGGER_NAME, 'n8n-nodes-base.manualTrigger', {});
	const connections: Record<string, { main: Array<Array<{ node: string; type: 'main'; index: number }>> }> = {};
	for (const [from, to, index] of edges) {
		connections[from] ??= { main: [[]] };
		connections[from].main[0].push({ node: to, type: 'main', index: index ?? 0 });
	}
	const placed = nodes.map((n, column) => ({ ...n, position: [240 * (column + 1), 0] as [number, number] }));
	return { id: newId(), name, nodes: [trigger, ...placed], connections, settings: { executionOrder: 'v1' } };
}

/** Nodes in a row after the trigger. */
function chain(name: string, nodes: WorkflowNode[]): WorkflowToImport {
	const names = [TRIGGER_NAME, ...nodes.map((n) => n.name)];
	return graph(
		name,
		nodes,
		nodes.map((n, k) => [names[k], n.name]),
	);
}

/** The credential an API call of the HTTP Request node is signed with (runner http-cred): our node's, as a predefined credential type. */
interface HttpCredential {
	type: string;
	ref: { id: string; name: string };
}
const httpNode = (name: string, parameters: Record<string, unknown>, credential?: HttpCredential) =>
	node(
		name,
		'n8n-nodes-base.httpRequest',
		{ options: {}, ...parameters, ...(credential ? { authentication: 'predefinedCredentialType', nodeCredentialType: credential.type } : {}) },
		{ typeVersion: 4.2, ...(credential ? { credentials: { [credential.type]: credential.ref } } : {}) },
	);
const codeNode = (name: string, jsCode: string) => node(name, 'n8n-nodes-base.code', { jsCode }, { typeVersion: 2 });
const fileResponse = { response: { response: { responseFormat: 'file', outputPropertyName: 'data' } } };
const xeroHeaders = { sendHeaders: true, headerParameters: { parameters: [{ name: 'xero-tenant-id', value: IDS.tenant }, { name: 'Accept', value: 'application/json' }] } };
const tenant = { __rl: true, mode: 'id', value: IDS.tenant };

/** Set `i` and place `j` of download item `k`: ten files per parent, as the server holds them. */
const place = (k: number) => ({ i: Math.floor(k / SMALL.perInvoice), j: k % SMALL.perInvoice });

/** The input items of a download job: the IDs each provider names item `k`'s file by. */
function downloadInputs(kase: PerItemCase, items: number): Array<Record<string, string>> {
	return Array.from({ length: items }, (_, k): Record<string, string> => {
		const { i, j } = place(k);
		if (kase === 'xero-download') return { parentId: bulkIds.xeroInvoice(i), attachmentId: bulkIds.wixAttachment(i, j) };
		if (kase === 'asana-download') return { gid: bulkIds.asanaAttachment(i, j) };
		return { contactId: bulkIds.wixContact(i), attachmentId: bulkIds.wixAttachment(i, j) };
	});
}

/** The SHA-256 of download item `k`'s file. */
function expectedDownload(k: number): string {
	const { i, j } = place(k);
	return smallFileSet().get(bulkIds.wixAttachment(i, j))!.sha256;
}

function flowOf(kase: PerItemCase, runner: PerItemRunner, base: string, items: number, inputDir: string): Flow {
	const creds = credentialRefs();
	const title = `bench per-item ${kase} ${runner}`;
	const options = runner === 'ours-c1' ? { concurrency: 1 } : {};
	const signed = runner === 'http-cred';
	const cred: Record<'xero' | 'asana' | 'wix' | 'sunshine', HttpCredential | undefined> = {
		xero: signed ? { type: 'xeroAttachmentOAuth2Api', ref: creds.xero } : undefined,
		asana: signed ? { type: 'asanaAttachmentApi', ref: creds.asana } : undefined,
		wix: signed ? { type: 'wixAttachmentApi', ref: creds.wix } : undefined,
		sunshine: signed ? { type: 'sunshineConversationsAttachmentApi', ref: creds.sunshine } : undefined,
	};
	const ourRunner = runner === 'ours' || runner === 'ours-c1';
	if (kase.endsWith('-download')) {
		const inputs = codeNode('Items', `return ${JSON.stringify(downloadInputs(kase, items))}.map((json) => ({ json }));`);
		if (ourRunner) {
			const ours =
				kase === 'xero-download'
					? node(
							'Get',
							NODE_TYPES.xero,
							// With the MIME type given, one request an item (without it, the listing first).
							{ resource: 'invoice', tenantId: tenant, operation: 'get', parentId: '={{ $json.parentId }}', getBy: 'attachmentId', attachmentId: '={{ $json.attachmentId }}', binaryPropertyName: 'data', options: { mimeType: 'application/pdf', ...options } },
							{ credentials: { xeroAttachmentOAuth2Api: creds.xero } },
						)
					: kase === 'asana-download'
						? node(
								'Get',
								NODE_TYPES.asana,
								{ authentication: 'accessToken', resource: 'attachment', operation: 'get', attachmentId: '={{ $json.gid }}', download: true, binaryPropertyName: 'data', options },
								{ credentials: { asanaAttachmentApi: creds.asana } },
							)
						: node(
								'Get',
								NODE_TYPES.wix,
								{
									authentication: 'apiKey',
									resource: 'contactAttachment',
									operation: 'get',
									contactId: '={{ $json.contactId }}',
									attachmentId: { __rl: true, mode: 'id', value: '={{ $json.attachmentId }}' },
									download: true,
									binaryPropertyName: 'data',
									options,
								},
								{ credentials: { wixAttachmentApi: creds.wix } },
							);
			return { workflow: chain(title, [inputs, ours]), measured: ['Get'], output: 'Get', direction: 'download' };
		}
		if (kase === 'xero-download') {
			// Xero wants the file's type in a contentType header, as ours sends it.
			const headers = { sendHeaders: true, headerParameters: { parameters: [...xeroHeaders.headerParameters.parameters, { name: 'contentType', value: 'application/pdf' }] } };
			const get = httpNode('Get', { method: 'GET', url: `=${base}/api.xro/2.0/Invoices/{{ $json.parentId }}/Attachments/{{ $json.attachmentId }}`, ...headers, options: fileResponse }, cred.xero);
			return { workflow: chain(title, [inputs, get]), measured: ['Get'], output: 'Get', direction: 'download' };
		}
		const [recordUrl, fileUrl] =
			kase === 'asana-download'
				? [`=${base}/api/1.0/attachments/{{ $json.gid }}`, '={{ $json.data.download_url }}']
				: [`=${base}/contacts/v4/attachments/{{ $json.contactId }}/{{ $json.attachmentId }}`, '={{ $json.attachment.document.url }}'];
		return {
			// The file comes from storage (a pre-signed URL): without the credential, as ours fetches it.
			workflow: chain(title, [inputs, httpNode('Record', { method: 'GET', url: recordUrl }, kase === 'asana-download' ? cred.asana : cred.wix), httpNode('Get', { method: 'GET', url: fileUrl, options: fileResponse })]),
			measured: ['Record', 'Get'],
			output: 'Get',
			direction: 'download',
		};
	}

	const read = node('Read', 'n8n-nodes-base.readWriteFile', { operation: 'read', fileSelector: `${inputDir}/*.pdf`, options: {} }, { typeVersion: 1.1 });
	// 20 parents, as many files each (Xero takes 10 per document on its own host; the bench server does not count).
	const xeroParent = "'11111111-0000-4000-8000-' + String($itemIndex % 20).padStart(12, '0')";
	const wixContact = "'33333333-0000-4000-8000-' + String($itemIndex % 20).padStart(12, '0')";
	const asanaParent = "={{ '12' + String($itemIndex % 20).padStart(14, '0') }}";
	if (ourRunner) {
		const upload =
			kase === 'xero-upload'
				? node('Upload', NODE_TYPES.xero, { resource: 'invoice', tenantId: tenant, operation: 'upload', parentId: `={{ ${xeroParent} }}`, binaryPropertyName: 'data', fileName: '', options }, { credentials: { xeroAttachmentOAuth2Api: creds.xero } })
				: kase === 'asana-upload'
					? node('Upload', NODE_TYPES.asana, { authentication: 'accessToken', resource: 'attachment', operation: 'upload', parent: { __rl: true, mode: 'id', value: asanaParent }, source: 'binary', binaryPropertyName: 'data', options }, { credentials: { asanaAttachmentApi: creds.asana } })
					: kase === 'wix-upload'
						? node('Upload', NODE_TYPES.wix, { authentication: 'apiKey', resource: 'contactAttachment', contactId: `={{ ${wixContact} }}`, operation: 'upload', binaryPropertyName: 'data', options }, { credentials: { wixAttachmentApi: creds.wix } })
						: node('Upload', NODE_TYPES.sunshine, { authentication: 'apiKey', resource: 'attachment', appId: { __rl: true, mode: 'id', value: IDS.sunshineApp }, operation: 'upload', binaryPropertyName: 'data', options }, { credentials: { sunshineConversationsAttachmentApi: creds.sunshine } });
		return { workflow: chain(title, [read, upload]), measured: ['Upload'], output: 'Upload', direction: 'upload' };
	}
	if (kase === 'xero-upload') {
		const url = `=${base}/api.xro/2.0/Invoices/{{ ${xeroParent} }}/Attachments/{{ $binary.data.fileName }}`;
		return { workflow: chain(title, [read, httpNode('Upload', { method: 'PUT', url, sendBody: true, contentType: 'binaryData', inputDataFieldName: 'data', ...xeroHeaders }, cred.xero)]), measured: ['Upload'], output: 'Upload', direction: 'upload' };
	}
	if (kase === 'asana-upload') {
		return { workflow: chain(title, [read, httpNode('Upload', httpMultipartParameters(`${base}/api/1.0/attachments`, 'file', { parent: asanaParent }), cred.asana)]), measured: ['Upload'], output: 'Upload', direction: 'upload' };
	}
	if (kase === 'sunshine-upload') {
		return { workflow: chain(title, [read, httpNode('Upload', httpMultipartParameters(`${base}/v2/apps/${IDS.sunshineApp}/attachments?access=public`, 'source', {}), cred.sunshine)]), measured: ['Upload'], output: 'Upload', direction: 'upload' };
	}
	// Wix: ask for an upload URL, then PUT the file there; a Merge node puts the file back on the item.
	const uploadUrl = httpNode('Upload URL', {
		method: 'POST',
		url: `=${base}/contacts/v4/attachments/{{ ${wixContact} }}/upload-url`,
		sendBody: true,
		specifyBody: 'json',
		jsonBody: '={{ JSON.stringify({ fileName: $binary.data.fileName, mimeType: $binary.data.mimeType }) }}',
	}, cred.wix);
	const merge = node('File', 'n8n-nodes-base.merge', { mode: 'combine', combineBy: 'combineByPosition', options: {} }, { typeVersion: 3 });
	const put = httpNode('Upload', { method: 'PUT', url: '={{ $json.uploadUrl }}', sendBody: true, contentType: 'binaryData', inputDataFieldName: 'data' });
	return {
		workflow: graph(title, [read, uploadUrl, merge, put], [
			[TRIGGER_NAME, 'Read'],
			['Read', 'Upload URL'],
			['Upload URL', 'File', 0],
			['Read', 'File', 1],
			['File', 'Upload'],
		]),
		measured: ['Upload URL', 'File', 'Upload'],
		output: 'Upload',
		direction: 'upload',
	};
}

// ---------------------------------------------------------------------------------------------
// Runs

interface RunNode {
	startTime?: number;
	executionTime?: number;
	data?: { main?: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, BinaryMeta> }> | null> };
}
const nodeRuns = (run: ExecutionResult, name: string) => (run.json?.data?.resultData?.runData?.[name] ?? []) as RunNode[];

function failure(run: ExecutionResult): string | undefined {
	if (run.json?.status === 'success' && !executionError(run)) return undefined;
	const error = run.json?.data?.resultData?.error;
	return error ? [error.message, error.description].filter(Boolean).join(' | ').slice(0, 400) : `exit ${run.exitCode}: ${run.stderr.slice(-600)}`;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function runOne(
	server: BenchServer,
	userFolder: string,
	env: Record<string, string>,
	options: PerItemOptions,
	kase: PerItemCase,
	runner: PerItemRunner,
	round: number,
	flow: Flow,
	uploadHashes: Map<string, number>,
): Promise<PerItemSample> {
	server.resetSandbox();
	const nodeOptions = options.nodeOptions?.(`${kase}-${runner}-${round}`);
	const sampler = new CpuSampler();
	let run: ExecutionResult;
	try {
		run = await executeWorkflow(userFolder, flow.workflow.id!, {
			env: { ...env, ...storeEnv('filesystem'), ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) },
			timeoutMs: 30 * 60_000,
			measureRss: false,
			onSpawn: (pid) => sampler.start(pid),
		});
	} finally {
		sampler.stop();
	}
	const error = failure(run);
	const windows = flow.measured.flatMap((name) => nodeRuns(run, name)).filter((r) => r.startTime !== undefined && r.executionTime !== undefined);
	const from = Math.min(...windows.map((r) => r.startTime!));
	const to = Math.max(...windows.map((r) => r.startTime! + r.executionTime!));
	const ms = windows.length ? to - from : NaN;
	const cpuMs = windows.length ? sampler.between(from, to) : NaN;

	let verified = 0;
	if (flow.direction === 'download') {
		const outputs = nodeRuns(run, flow.output)[0]?.data?.main?.[0] ?? [];
		outputs.forEach((item, k) => {
			const file = filesystemPath(userFolder, item.binary?.data?.id);
			if (file && existsSync(file) && sha256(readFileSync(file)) === expectedDownload(k)) verified++;
		});
	} else {
		const left = new Map(uploadHashes);
		for (const upload of server.uploads) {
			if ((left.get(upload.sha256) ?? 0) > 0) {
				left.set(upload.sha256, left.get(upload.sha256)! - 1);
				verified++;
			}
		}
	}
	clearStore(userFolder, 'filesystem');
	return { case: kase, runner, round, items: options.items, ms, cpuMs, processCpuMs: sampler.last, verified, error, load1: os.loadavg()[0] };
}

/** Every case and runner asked for, `rounds` times (each round: every case, each runner in turn). */
export async function runPerItem(userFolder: string, env: Record<string, string>, options: PerItemOptions, log: (message: string) => void): Promise<PerItemSample[]> {
	useSmallSets(Math.max(SMALL.invoices, Math.ceil(options.items / SMALL.perInvoice)));
	const server = await startBenchServer({ sandbox: { latencyMs: 0, vendorLimits: false } });
	const samples: PerItemSample[] = [];
	try {
		await importCredentials(userFolder, credentialsFor(server.url));
		const uploadHashes = writeUploadFiles(options.inputDir, options.items);
		const flows = new Map<string, Flow>();
		for (const kase of options.cases) for (const runner of options.runners) flows.set(`${kase} ${runner}`, flowOf(kase, runner, server.url, options.items, options.inputDir));
		await importWorkflows(userFolder, [...flows.values()].map((flow) => flow.workflow));
		for (let round = 1; round <= options.rounds; round++) {
			for (const kase of options.cases) {
				for (const runner of options.runners) {
					const sample = await runOne(server, userFolder, env, options, kase, runner, round, flows.get(`${kase} ${runner}`)!, uploadHashes);
					samples.push(sample);
					log(
						`per-item round ${round} ${kase} ${runner}: ${(sample.ms / sample.items).toFixed(2)} ms/item, ${(sample.cpuMs / sample.items).toFixed(2)} CPU ms/item ` +
							`(${sample.items} items, ${sample.verified}/${sample.items} SHA-256 ok, load ${sample.load1.toFixed(2)})${sample.error ? `; ERROR ${sample.error}` : ''}`,
					);
				}
			}
		}
	} finally {
		await server.close();
		rmSync(options.inputDir, { recursive: true, force: true });
	}
	return samples;
}

// ---------------------------------------------------------------------------------------------
// Summary

const median = (values: number[]): number => {
	const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
	if (sorted.length === 0) return NaN;
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export interface PerItemRunnerSummary {
	msPerItem: number;
	cpuMsPerItem: number;
	rounds: number;
	verified: number;
	checked: number;
	errors: number;
}

export interface PerItemSummary {
	case: PerItemCase;
	label: string;
	items: number;
	requestsPerItem: number;
	defaultConcurrency: number;
	runners: Partial<Record<PerItemRunner, PerItemRunnerSummary>>;
	/** Our CPU ms per item over the HTTP Request node's (without a credential): at Concurrency 1, and at the default. */
	cpuRatioC1?: number;
	cpuRatioDefault?: number;
	/** Ours at Concurrency 1 over the HTTP Request node's with the same credential. */
	cpuRatioC1Cred?: number;
	/** Median 1-minute load average after this case's runs. */
	load1: number;
}

export function summarisePerItem(samples: PerItemSample[]): PerItemSummary[] {
	const cases = PER_ITEM_CASES.filter((kase) => samples.some((s) => s.case === kase));
	return cases.map((kase) => {
		const own = samples.filter((s) => s.case === kase);
		const runners: PerItemSummary['runners'] = {};
		for (const runner of PER_ITEM_RUNNERS) {
			const of = own.filter((s) => s.runner === runner);
			if (of.length === 0) continue;
			const ok = of.filter((s) => !s.error);
			runners[runner] = {
				msPerItem: median(ok.map((s) => s.ms / s.items)),
				cpuMsPerItem: median(ok.map((s) => s.cpuMs / s.items)),
				rounds: of.length,
				verified: of.reduce((sum, s) => sum + s.verified, 0),
				checked: of.reduce((sum, s) => sum + s.items, 0),
				errors: of.length - ok.length,
			};
		}
		const http = runners.http?.cpuMsPerItem;
		const httpCred = runners['http-cred']?.cpuMsPerItem;
		return {
			case: kase,
			label: CASE_LABEL[kase],
			items: own[0].items,
			requestsPerItem: REQUESTS_PER_ITEM[kase],
			defaultConcurrency: DEFAULT_CONCURRENCY[kase],
			runners,
			cpuRatioC1: http && runners['ours-c1'] ? runners['ours-c1'].cpuMsPerItem / http : undefined,
			cpuRatioDefault: http && runners.ours ? runners.ours.cpuMsPerItem / http : undefined,
			cpuRatioC1Cred: httpCred && runners['ours-c1'] ? runners['ours-c1'].cpuMsPerItem / httpCred : undefined,
			load1: median(own.map((s) => s.load1)),
		};
	});
}

/** The per-item table, as the bench prints it and bench/README.md shows it. */
export function perItemTable(summaries: PerItemSummary[]): string {
	const f = (value: number | undefined, digits = 2) => (value !== undefined && Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
	const header = [
		'operation',
		'items × requests',
		'ours C1 ms/item',
		'ours C1 CPU ms/item',
		'ours default ms/item',
		'ours default CPU ms/item',
		'HTTP node ms/item',
		'HTTP node CPU ms/item',
		'HTTP node + credential ms/item',
		'HTTP node + credential CPU ms/item',
		'CPU ours C1 / HTTP',
		'CPU ours default / HTTP',
		'CPU ours C1 / HTTP + credential',
		'bytes checked',
		'load',
	];
	const rows = summaries.map((s) => {
		const c1 = s.runners['ours-c1'];
		const ours = s.runners.ours;
		const http = s.runners.http;
		const httpCred = s.runners['http-cred'];
		const all = Object.values(s.runners);
		const failed = all.reduce((sum, r) => sum + r.errors, 0);
		return [
			s.label,
			`${s.items} × ${s.requestsPerItem}`,
			f(c1?.msPerItem),
			f(c1?.cpuMsPerItem),
			ours ? `${f(ours.msPerItem)} (C${s.defaultConcurrency})` : 'n/a',
			f(ours?.cpuMsPerItem),
			f(http?.msPerItem),
			f(http?.cpuMsPerItem),
			f(httpCred?.msPerItem),
			f(httpCred?.cpuMsPerItem),
			f(s.cpuRatioC1),
			f(s.cpuRatioDefault),
			f(s.cpuRatioC1Cred),
			`${all.reduce((sum, r) => sum + r.verified, 0)}/${all.reduce((sum, r) => sum + r.checked, 0)}${failed ? ` (${failed} runs failed)` : ''}`,
			f(s.load1, 1),
		];
	});
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
	const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
	return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export const perItemMethod = {
	server: 'bench/server.ts sandbox at 0 ms latency, no vendor limits, on 127.0.0.1; the small files (1–16 KiB) of the bulk part',
	runners:
		"ours-c1: our node at Options → Concurrency 1; ours: at its default concurrency; http: n8n's HTTP Request node 4.2 at its defaults (every item at once, no credential) making the same requests; " +
		'http-cred: the same with the API calls signed with our credential as a predefined credential type (storage calls stay unsigned, as ours are) ' +
		'(Asana and Wix downloads: a Record node, then a Get node; Wix upload: Upload URL, a Merge node putting the file back on the item, then the PUT)',
	time: "from the first measured node's start to the last one's end (n8n's run data), per item",
	cpu: 'utime + stime of the n8n process (/proc/<pid>/stat, all threads) sampled every 5 ms by the bench and interpolated at the ends of that window, per item',
	checked: 'every stored download SHA-256-checked against its item\'s file; every upload the server received against the files given',
	rounds: 'each round runs every case, each runner in turn (ours-c1, ours, http, http-cred); medians of the rounds',
};
