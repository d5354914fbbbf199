/**
 * The Xero Attachment Trigger in n8n's queue mode (npm run test:queue): PostgreSQL + Redis + n8n
 * main + 2 workers, binary data in n8n's `database` store (queue mode's default), the workflow
 * published before main starts. Main polls (Poll Times: every minute; the first poll, at
 * activation, takes the inventory); each poll that finds new attachments hands n8n one execution,
 * which main enqueues and a worker runs: n8n's execution record (Postgres) and the workers' logs
 * say which worker. The files are read back from the database store (Postgres) by SHA-256.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import type { RunningProvider } from '../../sandbox';
import { XERO_DEMO } from '../../sandbox/xero/demo';
import type { XeroServer } from '../../sandbox/xero/server';
import { executionData, node, sha256, startHarness, type ExecutionRecord, type Harness, type WebhookWorkflow } from './support/harness';

const TRIGGER = 'Xero Attachment Trigger';
const TENANT_ID = XERO_DEMO.tenant.tenantId;
const POLL_MS = 60_000;

interface TriggerItem {
	json: Record<string, unknown>;
	binary?: Record<string, { id?: string; fileName?: string; mimeType?: string }>;
}

describe('Xero Attachment Trigger in queue mode: polls on main, executions on the workers', () => {
	let h: Harness;
	let xero: RunningProvider<XeroServer>;
	let workflow: WebhookWorkflow;
	const figures: Record<string, unknown> = {};

	async function upload(invoiceId: string, fileName: string, content: Buffer): Promise<void> {
		const response = await fetch(`${xero.baseUrl}/api.xro/2.0/Invoices/${invoiceId}/Attachments/${encodeURIComponent(fileName)}`, {
			method: 'PUT',
			headers: { authorization: `Bearer ${XERO_DEMO.accessToken}`, 'xero-tenant-id': TENANT_ID, 'content-type': 'application/pdf', accept: 'application/json' },
			body: new Uint8Array(content),
		});
		if (response.status !== 200) throw new Error(`upload through the gate: ${response.status} ${await response.text()}`);
	}

	async function executions(): Promise<ExecutionRecord[]> {
		return await h.topology.postgres.query<ExecutionRecord>(
			`SELECT id::text AS id, "workflowId", mode, status, finished, "startedAt", "stoppedAt" FROM execution_entity WHERE "workflowId" = '${workflow.id}' ORDER BY id`,
		);
	}

	async function finishedExecutions(count: number, timeoutMs: number): Promise<ExecutionRecord[]> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const found = await executions();
			if (found.length >= count && found.every((execution) => !['new', 'running'].includes(execution.status))) return found;
			if (Date.now() > deadline) throw new Error(`${found.length} execution(s) after ${timeoutMs / 1000} s, ${count} expected: ${JSON.stringify(found)}`);
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
	}

	async function itemsOf(execution: ExecutionRecord): Promise<TriggerItem[]> {
		const data = await executionData(h.topology, execution.id);
		const runs = data.resultData?.runData?.[TRIGGER];
		return ((runs?.[0]?.data as { main?: TriggerItem[][] } | undefined)?.main?.[0] ?? []) as TriggerItem[];
	}

	/** The bytes of a binary of the `database` store, from Postgres (binary_data). */
	async function storedBytes(id: string | undefined): Promise<Buffer> {
		const fileId = /^database:(.+)$/.exec(id ?? '')?.[1];
		if (!fileId || !/^[0-9a-f-]{36}$/.test(fileId)) throw new Error(`not a database store binary: ${id}`);
		const [row] = await h.topology.postgres.query<{ data: string }>(`SELECT encode(data, 'base64') AS data FROM binary_data WHERE "fileId" = '${fileId}'`);
		if (!row) throw new Error(`no binary_data row ${fileId}`);
		return Buffer.from(row.data.replace(/\s+/g, ''), 'base64');
	}

	/** Each execution: started by a worker, mode trigger, success. */
	function expectOnWorker(execution: ExecutionRecord): string {
		const worker = h.topology.workerOf(execution.id);
		expect({ mode: execution.mode, status: execution.status, worker }).toEqual({ mode: 'trigger', status: 'success', worker: expect.stringMatching(/^worker-\d$/) });
		return worker!;
	}

	const listCalls = () => xero.emulator.requests.filter((request) => request.path === '/api.xro/2.0/Invoices');

	beforeAll(async () => {
		h = await startHarness();
		xero = h.sandbox.get<XeroServer>('xero');
		// An invoice that has a file already: the first poll's inventory; it starts nothing.
		const old = xero.emulator.seedDocument('Invoices');
		xero.emulator.seedAttachment('Invoices', old.id, 'old.pdf', randomBytes(1000), 'application/pdf');
		workflow = {
			id: `q${randomBytes(8).toString('hex')}`.slice(0, 16),
			name: 'queue: Xero Attachment Trigger every minute',
			active: true,
			nodes: [
				node(
					TRIGGER,
					'n8n-nodes-attachments.xeroAttachmentTrigger',
					{
						pollTimes: { item: [{ mode: 'everyMinute' }] },
						tenantId: { __rl: true, mode: 'id', value: TENANT_ID },
						documentType: 'invoice',
						downloadFile: true,
						binaryPropertyName: 'data',
						options: {},
					},
					{ credentials: { xeroAttachmentOAuth2Api: h.credentials.xero } },
				),
			],
			connections: {},
			settings: { executionOrder: 'v1' },
			meta: { path: '-', method: 'GET' },
		};
		await h.publish([workflow]);
		await h.topology.startN8n();
	}, 20 * 60_000);

	afterAll(async () => {
		console.log(`queue-mode figures of the Xero trigger:\n${JSON.stringify(figures, null, 2)}`);
		await h?.close();
	}, 5 * 60_000);

	afterEach(() => {
		const problems = h.sandbox.problems();
		for (const provider of h.sandbox.providers) provider.gate.reset();
		if (problems.length > 0) throw new Error(`Prism refused ${problems.length} exchange(s):\n${problems.join('\n')}`);
	});

	it('activation polls once on main (the inventory) and starts no execution', async () => {
		const deadline = Date.now() + 60_000;
		while (listCalls().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
		expect(listCalls()[0]?.query.get('pageSize')).toBe('500');
		expect(await executions()).toEqual([]);
	});

	it('three files on two invoices: one poll, one execution on a worker with three items and their files; a later file, a second execution', async () => {
		const a = xero.emulator.seedDocument('Invoices');
		const b = xero.emulator.seedDocument('Invoices');
		const files = [
			{ invoice: a.id, fileName: 'a-1.pdf', content: randomBytes(200_000) },
			{ invoice: b.id, fileName: 'b-1.pdf', content: randomBytes(1_500_000) },
			{ invoice: a.id, fileName: 'a-2.pdf', content: randomBytes(30_000) },
		];
		for (const file of files) await upload(file.invoice, file.fileName, file.content);

		const [first, ...others] = await finishedExecutions(1, POLL_MS + 60_000);
		expect(others).toEqual([]);
		const workers = [expectOnWorker(first)];
		const items = await itemsOf(first);
		// Oldest change first: b (b-1), then a (a-1, a-2).
		expect(items.map((item) => item.json.FileName)).toEqual(['b-1.pdf', 'a-1.pdf', 'a-2.pdf']);
		for (const item of items) {
			const sent = files.find((file) => file.fileName === item.json.FileName)!;
			expect(item.json).toMatchObject({ InvoiceID: sent.invoice, documentType: 'invoice', ContentLength: sent.content.length });
			expect(item.binary?.data?.id).toMatch(/^database:/);
			expect(sha256(await storedBytes(item.binary?.data?.id))).toBe(sha256(sent.content));
		}

		const later = { invoice: b.id, fileName: `b-2 ${randomUUID().slice(0, 8)}.pdf`, content: randomBytes(50_000) };
		await upload(later.invoice, later.fileName, later.content);
		const all = await finishedExecutions(2, POLL_MS + 60_000);
		expect(all).toHaveLength(2);
		workers.push(expectOnWorker(all[1]));
		const [second, ...more] = await itemsOf(all[1]);
		expect(more).toEqual([]);
		expect(second.json).toMatchObject({ FileName: later.fileName, InvoiceID: b.id });
		expect(sha256(await storedBytes(second.binary?.data?.id))).toBe(sha256(later.content));

		// Every poll asked Xero once for the changes; the polls that found files asked for their attachments and files.
		const calls = xero.emulator.requests.map((request) => (request.path === '/api.xro/2.0/Invoices' ? 'list' : /\/Attachments$/.test(request.path) ? 'attachments' : request.method === 'GET' ? 'download' : 'upload'));
		figures.executions = all.map((execution, index) => ({ id: execution.id, worker: workers[index], items: index === 0 ? items.length : 1 }));
		figures.callsToXero = calls.filter((call) => call !== 'upload').reduce<Record<string, number>>((counts, call) => ({ ...counts, [call]: (counts[call] ?? 0) + 1 }), {});
		figures.polls = listCalls().length;
	}, 6 * 60_000);

	it('the next poll starts nothing: each file started one execution', async () => {
		const polls = listCalls().length;
		const deadline = Date.now() + POLL_MS + 30_000;
		while (listCalls().length === polls && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(listCalls().length).toBeGreaterThan(polls);
		await new Promise((resolve) => setTimeout(resolve, 5_000));
		expect(await executions()).toHaveLength(2);
	}, 3 * 60_000);
});
