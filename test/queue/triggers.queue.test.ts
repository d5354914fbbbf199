/**
 * The four attachment triggers in n8n's queue mode, on ONE topology (PostgreSQL + Redis + main +
 * 2 workers with --concurrency=5, the `database` binary store; support/harness.ts): the four
 * trigger workflows are published before main starts, and main activates them at start-up.
 *
 * - Xero (polling): main polls, never a worker (n8n's own debug log of each poll, in main's log and
 *   in no worker's); the first poll takes the inventory and starts nothing; a poll that finds new
 *   files hands n8n one execution (mode `trigger`) that a worker runs; no file starts two.
 * - Sunshine, Wix, Asana (webhooks): main registers what the provider needs at start-up (Sunshine:
 *   its integration, through the Prism gate; Asana: its webhook, the handshake reaching main's
 *   production URL); deliveries reach main's production URL, main checks them (X-API-Key, the JWT,
 *   X-Hook-Signature) and queues the executions; the workers run them, the file downloads
 *   included. 50 events at once each: 50 executions, `success`, mode `webhook`, on both workers,
 *   none lost, none twice. Asana's deliveries sent twice start one execution each.
 *
 * Who ran what comes from n8n's records: the executions (Postgres), the worker of each (its log,
 * "Worker started execution <id>"), each execution's output items and their files, whose size and
 * SHA-256 Postgres computes from the `database` store (binary_data). Figures go to the console and
 * to .queue-data/triggers-queue-results.json.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { RunningProvider } from '../../sandbox';
import { ASANA_DEMO } from '../../sandbox/asana/demo';
import type { AsanaServer } from '../../sandbox/asana/server';
import { SUNSHINE_DEMO } from '../../sandbox/sunshine/demo';
import type { SunshineServer } from '../../sandbox/sunshine/server';
import type { WixServer } from '../../sandbox/wix/server';
import { ATTACHMENT_CREATED } from '../../sandbox/wix/server';
import { XERO_DEMO } from '../../sandbox/xero/demo';
import type { XeroServer } from '../../sandbox/xero/server';
import { mediaOf, postMessage } from '../nodes/SunshineConversationsAttachment/trigger-context';
import { attachFile } from '../nodes/WixAttachment/trigger-context';
import { uploadAttachment } from '../nodes/XeroAttachment/trigger-context';
import { executionData, executionsOfWorkflow, node, sha256, startHarness, storedFile, type ExecutionRecord, type Harness, type WebhookWorkflow } from './support/harness';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const DELIVERIES = 50;
const KiB = 1024;
const TASK = ASANA_DEMO.task.gid;
const APP = SUNSHINE_DEMO.app.id;

/**
 * Xero's Poll Times in this suite only: a poll every 10 s, as six Custom items, each once a minute
 * at a fixed second (`0 * * * * *`, `10 * * * * *`, …), so that the case waits seconds for a poll,
 * not minutes. n8n 2.41.1 refuses one cron that fires more than once a minute: n8n-core's
 * ActiveWorkflowTriggers.activatePollTrigger (dist/execution-engine/active-workflow-triggers.js:
 * 166–171) maps each item with n8n-workflow's toCronExpression (dist/cjs/cron.js: a Custom item is
 * its cronExpression) and throws "The polling interval is too short. It has to be at least a
 * minute." when isSubMinuteCron holds for any (a six-field expression whose seconds field is not one
 * number: `*\/5 * * * * *` and `* * * * * *` are refused). Each item here is one number, so each passes,
 * and ScheduledTaskManager.register (dist/execution-engine/scheduled-task-manager.js:43–91) starts
 * one CronJob per distinct expression, on the leader (main) only. The trigger's code is the same
 * whatever the interval; a user gets this with Poll Times → Custom (users should keep a minute).
 * 10 s, not 5: a poll must end before the next begins (n8n does not serialise overlapping polls).
 */
const XERO_POLL_TIMES = { item: [0, 10, 20, 30, 40, 50].map((second) => ({ mode: 'custom', cronExpression: `${second} * * * * *` })) };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 120_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = probe();
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await sleep(100);
	}
}

/** A published workflow whose only node is the trigger. */
function triggerWorkflow(name: string, type: string, parameters: Record<string, unknown>, credentials: Record<string, { id: string; name: string }>): WebhookWorkflow {
	const trigger = node(name, type, parameters, { credentials, webhookId: randomUUID() });
	const id = `t${randomBytes(8).toString('hex')}`.slice(0, 16);
	return { id, name, active: true, nodes: [trigger], connections: {}, settings: { executionOrder: 'v1' }, meta: { path: `${trigger.webhookId}/webhook`, method: 'POST' } };
}

/** A file attached to a task through Asana's API (multipart POST /attachments through the Prism gate); resolves with its gid. */
async function asanaUpload(baseUrl: string, fileName: string, content: Buffer, mimeType: string): Promise<string> {
	const form = new FormData();
	form.set('parent', TASK);
	form.set('file', new Blob([new Uint8Array(content)], { type: mimeType }), fileName);
	const answer = await fetch(`${baseUrl}/api/1.0/attachments`, { method: 'POST', headers: { authorization: `Bearer ${ASANA_DEMO.token}`, accept: 'application/json' }, body: form });
	if (answer.status !== 200) throw new Error(`upload: ${answer.status} ${await answer.text()}`);
	return ((await answer.json()) as { data: { gid: string } }).data.gid;
}

interface Item {
	json: Record<string, unknown>;
	/** The item's binary `data`, read from the database store. */
	file?: { size: number; sha256: string };
}

interface Figures {
	executions: number;
	statuses: Record<string, number>;
	modes: Record<string, number>;
	byWorker: Record<string, number>;
	/** Distinct events (message, attachment) among the executions' items. */
	distinct: number;
	filesVerified: number;
	/** From the events (or their release) to the last execution's end, by n8n's record (stoppedAt). */
	lastEndedAfterS: number;
	/** From the events to the end of the checks (the 5 s wait for late or duplicate executions included). */
	seconds: number;
	[more: string]: unknown;
}

const count = (values: string[]) => values.reduce<Record<string, number>>((acc, value) => ({ ...acc, [value]: (acc[value] ?? 0) + 1 }), {});
const results: Record<string, unknown> = {};

describe('the four triggers in queue mode, one topology: polls and deliveries at main, executions on the workers', () => {
	let h: Harness;
	let xero: RunningProvider<XeroServer>;
	let sunshine: RunningProvider<SunshineServer>;
	let wix: RunningProvider<WixServer>;
	let asana: RunningProvider<AsanaServer>;
	let xeroFlow: WebhookWorkflow;
	let sunshineFlow: WebhookWorkflow;
	let wixFlow: WebhookWorkflow;
	let asanaFlow: WebhookWorkflow;

	/** The workflow's executions once `count` have ended and, `settleMs` later, no more came: a late or duplicate one fails the case. */
	async function executionsEnded(workflow: WebhookWorkflow, expected: number, settleMs = 5000, timeoutMs = 300_000): Promise<ExecutionRecord[]> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const all = await executionsOfWorkflow(h.topology, workflow.id);
			if (all.length > expected) throw new Error(`${all.length} executions of ${workflow.name}, ${expected} expected`);
			if (all.length === expected && all.every((e) => !['new', 'running', 'waiting'].includes(e.status))) break;
			if (Date.now() > deadline) throw new Error(`${all.length} of ${expected} executions of ${workflow.name} within ${timeoutMs / 1000} s: ${JSON.stringify(all.map((e) => e.status))}`);
			await sleep(500);
		}
		await sleep(settleMs);
		const after = await executionsOfWorkflow(h.topology, workflow.id);
		if (after.length !== expected) throw new Error(`${after.length} executions of ${workflow.name} ${settleMs} ms after ${expected} had ended`);
		return after;
	}

	/** The trigger's output items of an execution (n8n's saved run data), each with its file from the database store. */
	async function itemsOf(execution: ExecutionRecord, workflow: WebhookWorkflow): Promise<Item[]> {
		const data = await executionData(h.topology, execution.id);
		if (data.resultData?.error) throw new Error(`execution ${execution.id} failed: ${data.resultData.error.message}`);
		const run = data.resultData?.runData?.[workflow.nodes[0].name]?.[0]?.data as { main?: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, { id?: string }> }>> } | undefined;
		return await Promise.all((run?.main?.[0] ?? []).map(async (item) => ({ json: item.json, file: item.binary?.data ? await storedFile(h.topology, item.binary.data.id) : undefined })));
	}

	/**
	 * One execution per event sent, each `success` and mode `webhook`, run by a worker, both workers
	 * used; the events among the items are exactly those sent (none lost, none twice), each file's
	 * SHA-256 the one sent. `sent` maps each event's key (the item's `keyField`) to its file's SHA-256.
	 */
	async function expectOneExecutionEach(workflow: WebhookWorkflow, sent: Map<string, string>, keyField: string, started: number, before = 0): Promise<Figures> {
		const executions = (await executionsEnded(workflow, before + sent.size)).slice(before);
		const items = (await Promise.all(executions.map((execution) => itemsOf(execution, workflow)))).flat();
		const keys = items.map((item) => String(item.json[keyField]));
		const figures: Figures = {
			executions: executions.length,
			statuses: count(executions.map((e) => e.status)),
			modes: count(executions.map((e) => e.mode)),
			byWorker: count(executions.map((e) => h.topology.workerOf(e.id) ?? 'none (main?)')),
			distinct: new Set(keys).size,
			filesVerified: items.filter((item) => item.file !== undefined && item.file.sha256 === sent.get(String(item.json[keyField]))).length,
			lastEndedAfterS: Math.round((Math.max(...executions.map((e) => new Date(e.stoppedAt!).getTime())) - started) / 100) / 10,
			seconds: Math.round((Date.now() - started) / 100) / 10,
		};
		expect(figures).toMatchObject({ executions: sent.size, statuses: { success: sent.size }, modes: { webhook: sent.size }, distinct: sent.size, filesVerified: sent.size });
		expect(keys.sort()).toEqual([...sent.keys()].sort());
		if (sent.size > 1) expect(Object.keys(figures.byWorker).sort()).toEqual(['worker-1', 'worker-2']);
		else expect(Object.keys(figures.byWorker)).toEqual([expect.stringMatching(/^worker-\d$/)]);
		return figures;
	}

	/**
	 * Each event sent once (first attempts), and each answered 200 by main: at the first attempt or,
	 * when main (on a loaded machine) had not answered within the emulator's 10 s, at a retry of the
	 * same event, as Sunshine and Wix retry; main answered no delivery with an error. (The executions
	 * show that a retried event still started one execution.)
	 */
	function expectDelivered<D extends { attempt: number; status?: number; error?: string }>(deliveries: D[], eventOf: (delivery: D) => string): Record<string, unknown> {
		const answered = new Set(deliveries.filter((d) => d.status === 200).map(eventOf));
		const figures = {
			firstAttempts: deliveries.filter((d) => d.attempt === 1).length,
			eventsAnswered200: answered.size,
			errorAnswers: deliveries.filter((d) => d.status !== undefined && d.status !== 200).map((d) => d.status),
		};
		expect(figures).toEqual({ firstAttempts: DELIVERIES, eventsAnswered200: DELIVERIES, errorAnswers: [] });
		return {
			attempts: deliveries.length,
			firstAttemptsAnswered200: deliveries.filter((d) => d.attempt === 1 && d.status === 200).length,
			unansweredAttempts: count(deliveries.filter((d) => d.status === undefined).map((d) => d.error ?? 'no answer')),
		};
	}

	beforeAll(async () => {
		const setUpStarted = Date.now();
		h = await startHarness({
			extraCredentials(sandbox) {
				const gate = sandbox.get<WixServer>('wix');
				return {
					wixWebhook: { id: 'wixQueueWebhook01', name: 'Wix webhooks (local sandbox)', type: 'wixAttachmentWebhookApi', data: { publicKey: gate.emulator.webhooks.publicKeyPem, baseUrl: gate.baseUrl } },
				};
			},
			// n8n's debug log says where each poll runs ("Poll trigger initiated for workflow …").
			env: { N8N_LOG_LEVEL: 'debug' },
		});
		xero = h.sandbox.get<XeroServer>('xero');
		sunshine = h.sandbox.get<SunshineServer>('sunshine');
		wix = h.sandbox.get<WixServer>('wix');
		asana = h.sandbox.get<AsanaServer>('asana');
		// An invoice that has a file already: Xero's first poll takes it into the inventory and starts nothing.
		const old = xero.emulator.seedDocument('Invoices');
		xero.emulator.seedAttachment('Invoices', old.id, 'old.pdf', randomBytes(1000), 'application/pdf');

		xeroFlow = triggerWorkflow(
			'Xero Attachment Trigger',
			'n8n-nodes-attachments.xeroAttachmentTrigger',
			{ pollTimes: XERO_POLL_TIMES, tenantId: { __rl: true, mode: 'id', value: XERO_DEMO.tenant.tenantId }, documentType: 'invoice', downloadFile: true, binaryPropertyName: 'data', options: {} },
			{ xeroAttachmentOAuth2Api: h.credentials.xero },
		);
		sunshineFlow = triggerWorkflow(
			'Sunshine Trigger',
			'n8n-nodes-attachments.sunshineConversationsAttachmentTrigger',
			{ authentication: 'apiKey', appId: { __rl: true, mode: 'id', value: APP } },
			{ sunshineConversationsAttachmentApi: h.credentials.sunshine },
		);
		wixFlow = triggerWorkflow('Wix Trigger', 'n8n-nodes-attachments.wixAttachmentTrigger', {}, { wixAttachmentWebhookApi: h.credentials.wixWebhook });
		asanaFlow = triggerWorkflow(
			'Asana Attachment Trigger',
			'n8n-nodes-attachments.asanaAttachmentTrigger',
			{ authentication: 'accessToken', parent: { __rl: true, mode: 'id', value: TASK }, events: ['added'], download: true, binaryPropertyName: 'data', options: {} },
			{ asanaAttachmentApi: h.credentials.asana },
		);
		await h.publish([xeroFlow, sunshineFlow, wixFlow, asanaFlow]);
		const started = Date.now();
		await h.topology.startN8n();
		const startN8nMs = Date.now() - started;
		// Main registers Asana's webhook while it activates the published workflow at start-up.
		await until('the Asana webhook, registered by main', () => asana.emulator.webhooks.all().length > 0);
		results.asanaRegisteredAfterStartMs = Date.now() - started;
		results.setUp = { ...h.timings, startN8nMs, totalMs: Date.now() - setUpStarted };
	}, 20 * 60_000);

	afterAll(async () => {
		const closing = Date.now();
		await h?.close();
		results.closeMs = Date.now() - closing;
		const out = path.join(REPO_ROOT, '.queue-data', 'triggers-queue-results.json');
		mkdirSync(path.dirname(out), { recursive: true });
		writeFileSync(out, JSON.stringify({ ...results, at: new Date().toISOString() }, null, 2));
		console.log(`trigger queue-mode figures (${path.relative(REPO_ROOT, out)}):\n${JSON.stringify(results, null, 2)}`);
	}, 5 * 60_000);

	afterEach(() => h.checkGates());

	describe('Xero (polling, every 10 s in this suite): main polls, the workers run the executions', () => {
		const listCalls = () => xero.emulator.requests.filter((request) => request.path === '/api.xro/2.0/Invoices');
		/** Returns 1 s after the next poll's list call, so that uploads made then fall between two polls. */
		async function afterNextPoll(): Promise<void> {
			const polls = listCalls().length;
			await until('a Xero poll', () => listCalls().length > polls, 60_000);
			await sleep(1000);
		}
		const pollsLogged = (log: string) => log.split('\n').filter((line) => line.includes(`Poll trigger initiated for workflow "${xeroFlow.name}"`)).length;
		const xeroFigures: Record<string, unknown> = {};
		results.xero = xeroFigures;

		it('activation polls once on main (the inventory, the file there before) and starts no execution', async () => {
			await until('the first poll', () => listCalls().length > 0, 60_000);
			expect(listCalls()[0].query.get('pageSize')).toBe('500');
			expect(await executionsOfWorkflow(h.topology, xeroFlow.id)).toEqual([]);
		});

		it('three files on two invoices: the next poll, one execution on a worker with three items and their files; a later file, a second execution', async () => {
			const a = xero.emulator.seedDocument('Invoices');
			const b = xero.emulator.seedDocument('Invoices');
			const files = [
				{ invoice: a.id, fileName: 'a-1.pdf', content: randomBytes(200_000) },
				{ invoice: b.id, fileName: 'b-1.pdf', content: randomBytes(1_500_000) },
				{ invoice: a.id, fileName: 'a-2.pdf', content: randomBytes(30_000) },
			];
			await afterNextPoll();
			const started = Date.now();
			for (const file of files) await uploadAttachment(xero.emulator, 'Invoices', file.invoice, file.fileName, file.content);
			const [first] = await executionsEnded(xeroFlow, 1, 3000, 60_000);
			const items = await itemsOf(first, xeroFlow);
			// Oldest change first: b (b-1), then a (a-1, a-2).
			expect(items.map((item) => item.json.FileName)).toEqual(['b-1.pdf', 'a-1.pdf', 'a-2.pdf']);
			for (const item of items) {
				const sent = files.find((file) => file.fileName === item.json.FileName)!;
				expect(item.json).toMatchObject({ InvoiceID: sent.invoice, documentType: 'invoice', ContentLength: sent.content.length });
				expect(item.file).toEqual({ size: sent.content.length, sha256: sha256(sent.content) });
			}
			const firstSeconds = (Date.now() - started) / 1000;

			// One file: whichever poll sees it, it is one execution.
			const later = { invoice: b.id, fileName: `b-2 ${randomUUID().slice(0, 8)}.pdf`, content: randomBytes(50_000) };
			await uploadAttachment(xero.emulator, 'Invoices', later.invoice, later.fileName, later.content);
			const all = await executionsEnded(xeroFlow, 2, 3000, 60_000);
			const [second, ...more] = await itemsOf(all[1], xeroFlow);
			expect(more).toEqual([]);
			expect(second.json).toMatchObject({ FileName: later.fileName, InvoiceID: b.id });
			expect(second.file).toEqual({ size: later.content.length, sha256: sha256(later.content) });

			const workers = all.map((execution) => h.topology.workerOf(execution.id));
			expect(all.map((execution, i) => ({ mode: execution.mode, status: execution.status, worker: workers[i] }))).toEqual(
				all.map(() => ({ mode: 'trigger', status: 'success', worker: expect.stringMatching(/^worker-\d$/) })),
			);
			Object.assign(xeroFigures, {
				executions: all.map((execution, i) => ({ id: execution.id, worker: workers[i], items: i === 0 ? items.length : 1 })),
				filesVerified: `${items.length + 1} / ${files.length + 1}`,
				uploadToFirstExecutionEndedS: Math.round(firstSeconds * 10) / 10,
				seconds: Math.round((Date.now() - started) / 100) / 10,
			});
		});

		it('the next poll starts nothing (each file started one execution); every poll ran on main, none on a worker', async () => {
			const polls = listCalls().length;
			await until('the next Xero poll', () => listCalls().length > polls, 60_000);
			await sleep(3000);
			expect(await executionsOfWorkflow(h.topology, xeroFlow.id)).toHaveLength(2);
			const onMain = pollsLogged(h.topology.main!.output());
			const onWorkers = h.topology.workers.map((worker) => pollsLogged(worker.output()));
			const lists = listCalls().length;
			// One list call a poll; the last poll may be logged and not yet have called Xero.
			expect({ onWorkers, onMainMatchesCalls: onMain >= lists && onMain <= lists + 1 }).toEqual({ onWorkers: [0, 0], onMainMatchesCalls: true });
			// What the polls asked Xero (the uploads left out): a list a poll, attachment lists and downloads for the polls that found files.
			const asked = xero.emulator.requests.filter((request) => request.method === 'GET').map((request) => (request.path === '/api.xro/2.0/Invoices' ? 'list' : /\/Attachments$/.test(request.path) ? 'attachments' : 'download'));
			Object.assign(xeroFigures, { pollsOnMain: onMain, pollsOnWorkers: onWorkers, callsToXero: count(asked) });
		});
	});

	it(`Sunshine: main registered the integration when it activated the workflow; ${DELIVERIES} messages with files at once → ${DELIVERIES} executions on the workers, none lost, none twice, every file intact`, async () => {
		const [integration] = sunshine.emulator.integrations.list(APP);
		// n8n registers its own production URL (N8N_WEBHOOK_URL names main as localhost).
		const registered = new URL(integration.webhooks[0].target);
		const main = new URL(h.topology.webhookUrl(sunshineFlow.meta.path));
		expect({ port: registered.port, path: registered.pathname }).toEqual({ port: main.port, path: main.pathname });

		const files = Array.from({ length: DELIVERIES }, (_, i) => {
			const content = randomBytes(64 * KiB + i * 997);
			return { content, ...mediaOf(sunshine.emulator, `photo-${i}.jpg`, content, 'image/jpeg') };
		});
		const started = Date.now();
		const posted = await Promise.all(files.map((file) => postMessage(sunshine.emulator, { type: 'image', mediaUrl: file.mediaUrl })));
		expect(posted.map((p) => p.status)).toEqual(files.map(() => 201));
		const sent = new Map(posted.map((p, i) => [(p.body.messages as Array<{ id: string }>)[0].id, sha256(files[i].content)]));
		const figures = await expectOneExecutionEach(sunshineFlow, sent, 'messageId', started);
		await sunshine.emulator.integrations.settle();
		const delivered = expectDelivered(sunshine.emulator.integrations.deliveries, (d) => d.eventIds.join());
		results.sunshine = { deliveries: delivered, ...figures };
	});

	it(`Wix: ${DELIVERIES} attachments made at once → ${DELIVERIES} signed deliveries to main → ${DELIVERIES} executions on the workers, none lost, none twice, every file intact`, async () => {
		wix.emulator.webhooks.subscribe(h.topology.webhookUrl(wixFlow.meta.path), [ATTACHMENT_CREATED]);
		const files = Array.from({ length: DELIVERIES }, (_, i) => ({ name: `form-${i}.pdf`, content: Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(64 * KiB + i * 991)]) }));
		const started = Date.now();
		const ids = await Promise.all(files.map((file) => attachFile(wix.emulator, file.name, 'application/pdf', file.content)));
		const figures = await expectOneExecutionEach(wixFlow, new Map(ids.map((id, i) => [id, sha256(files[i].content)])), 'attachmentId', started);
		await wix.emulator.webhooks.settle();
		const delivered = expectDelivered(wix.emulator.webhooks.deliveries, (d) => d.eventId);
		results.wix = { deliveries: delivered, ...figures };
	});

	describe('Asana: registration by main at start-up, deliveries to main, executions on the workers', () => {
		const events = () => asana.emulator.webhooks.deliveries.filter((d) => d.kind === 'events');

		it('main registered the webhook at start-up (handshake on its production URL); one upload: a delivery to main, an execution on a worker, the file in the database store', async () => {
			const [hook] = asana.emulator.webhooks.all();
			expect(hook.target).toBe(`http://localhost:${h.topology.mainPort}/webhook/${asanaFlow.meta.path}`);
			expect(asana.emulator.webhooks.deliveries.filter((d) => d.kind === 'handshake').map((d) => d.status)).toContain(200);

			const content = randomBytes(3 * 1024 * 1024);
			const started = Date.now();
			const gid = await asanaUpload(asana.baseUrl, 'site-photos.zip', content, 'application/zip');
			await asana.emulator.webhooks.idle();
			const [delivery] = events();
			expect({ target: delivery.target, status: delivery.status }).toEqual({ target: hook.target, status: 200 });
			await expectOneExecutionEach(asanaFlow, new Map([[gid, sha256(content)]]), 'gid', started);
			const [item] = await itemsOf((await executionsOfWorkflow(h.topology, asanaFlow.id))[0], asanaFlow);
			expect(item.json).toMatchObject({ gid, name: 'site-photos.zip', parentId: TASK, event: { type: 'added' } });
			results.asanaSingle = { deliveryAnsweredMs: delivery.durationMs };
		});

		it(`${DELIVERIES} uploads at once: ${DELIVERIES} deliveries to main at once, ${DELIVERIES} executions on the workers, none lost, none twice, every file intact`, async () => {
			asana.emulator.webhooks.deliveries.length = 0;
			const files = Array.from({ length: DELIVERIES }, (_, i) => ({ name: `scan-${String(i).padStart(2, '0')}.pdf`, content: randomBytes(64 * KiB + i * 16 * KiB) }));
			// The deliveries are held until all are due, then sent together (Asana would send them as the uploads end).
			const release = asana.emulator.webhooks.holdDeliveries();
			const gids = await Promise.all(files.map((file) => asanaUpload(asana.baseUrl, file.name, file.content, 'application/pdf')));
			await until(`${DELIVERIES} deliveries due`, () => asana.emulator.webhooks.waiting >= DELIVERIES, 60_000);
			const started = Date.now();
			release();
			await asana.emulator.webhooks.idle();
			const deliveries = events();
			expect(deliveries.map((d) => `${d.status} ${d.attempt}`)).toEqual(files.map(() => '200 1'));
			// At once: every delivery was sent before the first one was answered.
			const firstAnswered = Math.min(...deliveries.map((d) => d.startedAt.getTime() + (d.durationMs ?? 0)));
			const sentBeforeFirstAnswer = deliveries.filter((d) => d.startedAt.getTime() <= firstAnswered).length;
			expect(sentBeforeFirstAnswer).toBe(DELIVERIES);
			const figures = await expectOneExecutionEach(asanaFlow, new Map(gids.map((gid, i) => [gid, sha256(files[i].content)])), 'gid', started, 1);
			const answered = deliveries.map((d) => d.durationMs ?? 0).sort((x, y) => x - y);
			results.asana = {
				deliveries: deliveries.length,
				sentBeforeFirstAnswer,
				deliveryAnsweredMs: { median: answered[DELIVERIES / 2], max: answered[DELIVERIES - 1] },
				bytes: files.reduce((total, file) => total + file.content.length, 0),
				...figures,
			};
		});

		it('deliveries Asana sends twice (answers it did not get): each attachment starts one execution', async () => {
			asana.emulator.webhooks.duplicateNextDeliveries(3);
			const contents = [0, 1, 2].map((i) => Buffer.from(`twice ${i}`));
			const started = Date.now();
			const gids: string[] = [];
			for (const [i, content] of contents.entries()) gids.push(await asanaUpload(asana.baseUrl, `twice-${i}.txt`, content, 'text/plain'));
			await asana.emulator.webhooks.idle();
			expect(asana.emulator.webhooks.deliveries.filter((d) => d.duplicate).map((d) => d.status)).toEqual([200, 200, 200]);
			const figures = await expectOneExecutionEach(asanaFlow, new Map(gids.map((gid, i) => [gid, sha256(contents[i])])), 'gid', started, 1 + DELIVERIES);
			results.asanaTwice = { deliveries: 6, executions: figures.executions, distinct: figures.distinct };
		});
	});
});
