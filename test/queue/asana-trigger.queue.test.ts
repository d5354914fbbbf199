/**
 * The Asana Attachment Trigger in n8n's queue mode (PostgreSQL, Redis, main + 2 workers with
 * --concurrency=5, `database` binary store; support/harness.ts): the workflow is published before
 * main starts, so main registers the webhook at the Asana emulator as it activates it at start-up
 * (the handshake reaching main's production URL). Files uploaded to the task through Asana's API
 * are delivered, signed, to main, which answers and enqueues; the workers run the executions (n8n's
 * execution records and the workers' logs say which), fetching each record and file into the
 * database store (SHA-256 read back from Postgres). 50 uploads at once are 50 deliveries at once:
 * 50 executions, none lost, none twice. Deliveries Asana sends twice start one execution.
 * Figures go to the console and to .queue-data/asana-trigger-queue-results.json.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import type { RunningProvider } from '../../sandbox';
import { ASANA_DEMO } from '../../sandbox/asana/demo';
import type { AsanaServer } from '../../sandbox/asana/server';
import { executionData, sha256, startHarness, type Harness, type WebhookWorkflow, type WorkflowNode } from './support/harness';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const TASK = ASANA_DEMO.task.gid;
const TRIGGER = 'Asana Attachment Trigger';

interface Row {
	id: string;
	mode: string;
	status: string;
	startedAt: string | null;
	stoppedAt: string | null;
}

/** A file attached to a task through Asana's API (multipart POST /attachments through the gate). */
async function upload(baseUrl: string, parent: string, fileName: string, content: Buffer, mimeType: string): Promise<string> {
	const boundary = `----queue${randomBytes(8).toString('hex')}`;
	const body = Buffer.concat([
		Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="parent"\r\n\r\n${parent}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${mimeType}\r\n\r\n`),
		content,
		Buffer.from(`\r\n--${boundary}--\r\n`),
	]);
	const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
		const req = http.request(
			`${baseUrl}/api/1.0/attachments`,
			{ method: 'POST', agent: false, headers: { Authorization: `Bearer ${ASANA_DEMO.token}`, Accept: 'application/json', 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(body.length) } },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
			},
		);
		req.on('error', reject);
		req.end(body);
	});
	if (answer.status !== 200) throw new Error(`upload: ${answer.status} ${answer.text}`);
	return (JSON.parse(answer.text) as { data: { gid: string } }).data.gid;
}

const results: Record<string, unknown> = {};

describe('Asana Attachment Trigger in queue mode: main + 2 workers, PostgreSQL, Redis, database binary store', () => {
	let h: Harness;
	let asana: RunningProvider<AsanaServer>;
	let workflow: WebhookWorkflow;

	/** The workflow's executions once `count` of them have ended (rejects on more, or on a timeout). */
	async function executionsEnded(count: number, timeoutMs = 300_000): Promise<Row[]> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const rows = await h.topology.postgres.query<Row>(
				`SELECT id::text AS id, mode, status, "startedAt", "stoppedAt" FROM execution_entity WHERE "workflowId" = '${workflow.id}' ORDER BY execution_entity.id`,
			);
			if (rows.length > count) throw new Error(`${rows.length} executions, ${count} expected`);
			if (rows.length === count && rows.every((row) => !['new', 'running', 'waiting'].includes(row.status))) return rows;
			if (Date.now() > deadline) throw new Error(`${rows.length} of ${count} executions ended within ${timeoutMs / 1000} s: ${JSON.stringify(rows.map((r) => r.status))}`);
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	}

	/** The trigger's output items of an execution, with each file's bytes read from the database store. */
	async function outputOf(executionId: string): Promise<Array<{ json: Record<string, unknown>; sha256?: string; size?: number }>> {
		const data = await executionData(h.topology, executionId);
		if (data.resultData?.error) throw new Error(`execution ${executionId} failed: ${data.resultData.error.message}`);
		const runs = data.resultData?.runData?.[TRIGGER] as Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, { id?: string }> }>> } }> | undefined;
		const items = runs?.[0]?.data?.main?.[0] ?? [];
		return await Promise.all(
			items.map(async (item) => {
				const id = item.binary?.data?.id;
				if (!id) return { json: item.json };
				const fileId = /^database:(.+)$/.exec(id)?.[1];
				if (!fileId || !/^[0-9a-f-]{36}$/.test(fileId)) throw new Error(`binary "${id}" is not in the database store`);
				const [row] = await h.topology.postgres.query<{ hex: string }>(`SELECT encode(data, 'hex') AS hex FROM binary_data WHERE "fileId" = '${fileId}'`);
				const bytes = Buffer.from(row.hex, 'hex');
				return { json: item.json, sha256: sha256(bytes), size: bytes.length };
			}),
		);
	}

	beforeAll(async () => {
		h = await startHarness();
		asana = h.sandbox.get<AsanaServer>('asana');
		const trigger: WorkflowNode = {
			id: randomUUID(),
			name: TRIGGER,
			type: 'n8n-nodes-attachments.asanaAttachmentTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId: randomUUID(),
			parameters: { authentication: 'accessToken', parent: { __rl: true, mode: 'id', value: TASK }, events: ['added'], download: true, binaryPropertyName: 'data', options: {} },
			credentials: { asanaAttachmentApi: h.credentials.asana },
		};
		workflow = {
			id: `q${randomBytes(8).toString('hex')}`.slice(0, 16),
			name: 'queue: Asana Attachment Trigger',
			active: true,
			nodes: [trigger],
			connections: {},
			settings: { executionOrder: 'v1' },
			meta: { path: '', method: 'POST' },
		};
		await h.publish([workflow]);
		const started = Date.now();
		await h.topology.startN8n();
		// Main registers the webhook while it activates the published workflow at start-up.
		const deadline = Date.now() + 120_000;
		while (asana.emulator.webhooks.all().length === 0) {
			if (Date.now() > deadline) throw new Error(`no webhook registered 120 s after main started; deliveries: ${JSON.stringify(asana.emulator.webhooks.deliveries.map((d) => [d.kind, d.status, d.error]))}`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		results.registeredAfterStartMs = Date.now() - started;
	}, 20 * 60_000);

	afterAll(async () => {
		await h?.close();
		const out = path.join(REPO_ROOT, '.queue-data', 'asana-trigger-queue-results.json');
		mkdirSync(path.dirname(out), { recursive: true });
		writeFileSync(out, JSON.stringify({ ...results, at: new Date().toISOString() }, null, 2));
		console.log(`Asana trigger queue-mode figures (${path.relative(REPO_ROOT, out)}):\n${JSON.stringify(results, null, 2)}`);
	}, 5 * 60_000);

	afterEach(() => {
		const problems = h.sandbox.problems();
		for (const provider of h.sandbox.providers) provider.gate.reset();
		if (problems.length > 0) throw new Error(`Prism refused ${problems.length} exchange(s):\n${problems.join('\n')}`);
	});

	it('main registered the webhook at start-up (handshake on its production URL); one upload: a delivery to main, an execution on a worker, the file in the database store', async () => {
		const [hook] = asana.emulator.webhooks.all();
		const webhookId = workflow.nodes[0].webhookId;
		expect(hook.target).toBe(`http://localhost:${h.topology.mainPort}/webhook/${webhookId}/webhook`);
		expect(asana.emulator.webhooks.deliveries.filter((d) => d.kind === 'handshake').map((d) => d.status)).toContain(200);

		const content = randomBytes(3 * 1024 * 1024);
		const gid = await upload(asana.baseUrl, TASK, 'site-photos.zip', content, 'application/zip');
		await asana.emulator.webhooks.idle();
		const [delivery] = asana.emulator.webhooks.deliveries.filter((d) => d.kind === 'events');
		expect({ target: delivery.target, status: delivery.status }).toEqual({ target: hook.target, status: 200 });
		const [row] = await executionsEnded(1);
		const worker = h.topology.workerOf(row.id);
		expect({ mode: row.mode, status: row.status, worker }).toEqual({ mode: 'webhook', status: 'success', worker: expect.stringMatching(/^worker-\d$/) });
		const [item] = await outputOf(row.id);
		expect(item.json).toMatchObject({ gid, name: 'site-photos.zip', parentId: TASK, event: { type: 'added' } });
		expect({ size: item.size, sha256: item.sha256 }).toEqual({ size: content.length, sha256: sha256(content) });
		results.single = { deliveryAnsweredMs: delivery.durationMs, worker };
	});

	it('50 uploads at once: 50 deliveries to main at once, 50 executions on the workers, none lost, none twice, every file intact', async () => {
		asana.emulator.webhooks.deliveries.length = 0;
		const files = Array.from({ length: 50 }, (_, i) => ({ name: `scan-${String(i).padStart(2, '0')}.pdf`, content: randomBytes(64 * 1024 + i * 16 * 1024) }));
		// The 50 deliveries are held until all are due, then sent together (Asana would send them as the uploads end).
		const release = asana.emulator.webhooks.holdDeliveries();
		const gids = await Promise.all(files.map((file) => upload(asana.baseUrl, TASK, file.name, file.content, 'application/pdf')));
		const deadline = Date.now() + 60_000;
		while (asana.emulator.webhooks.waiting < 50) {
			if (Date.now() > deadline) throw new Error(`${asana.emulator.webhooks.waiting} deliveries due, 50 expected`);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		const started = Date.now();
		release();
		await asana.emulator.webhooks.idle();
		const deliveries = asana.emulator.webhooks.deliveries.filter((d) => d.kind === 'events');
		expect(deliveries).toHaveLength(50);
		expect(deliveries.every((d) => d.status === 200 && d.attempt === 1)).toBe(true);
		// At once: every delivery was sent before the first one was answered.
		const firstAnswered = Math.min(...deliveries.map((d) => d.startedAt.getTime() + (d.durationMs ?? 0)));
		const sentBeforeFirstAnswer = deliveries.filter((d) => d.startedAt.getTime() <= firstAnswered).length;
		expect(sentBeforeFirstAnswer).toBe(50);

		const rows = (await executionsEnded(51)).slice(1);
		const allDone = Date.now() - started;
		expect(rows.map((row) => `${row.mode} ${row.status}`)).toEqual(Array(50).fill('webhook success'));
		const workers = rows.map((row) => h.topology.workerOf(row.id));
		expect(workers.every((worker) => worker && /^worker-\d$/.test(worker))).toBe(true);
		const outputs = await Promise.all(rows.map(async (row) => await outputOf(row.id)));
		const seen = outputs.flatMap((items) => items.map((item) => ({ gid: String(item.json.gid), sha256: item.sha256 })));
		const expected = gids.map((gid, i) => ({ gid, sha256: sha256(files[i].content) }));
		expect(seen.sort((a, b) => a.gid.localeCompare(b.gid))).toEqual(expected.sort((a, b) => a.gid.localeCompare(b.gid)));
		const perWorker: Record<string, number> = {};
		for (const worker of workers) perWorker[worker!] = (perWorker[worker!] ?? 0) + 1;
		const answered = deliveries.map((d) => d.durationMs ?? 0).sort((a, b) => a - b);
		results.fifty = {
			deliveries: deliveries.length,
			sentBeforeFirstAnswer,
			deliveryAnsweredMs: { median: answered[25], max: answered[49] },
			executions: rows.length,
			perWorker,
			releaseToAllExecutionsEndedMs: allDone,
			bytes: files.reduce((total, file) => total + file.content.length, 0),
		};
		expect(Object.keys(perWorker).sort()).toEqual(['worker-1', 'worker-2']);
	});

	it('deliveries Asana sends twice (answers it did not get): each attachment starts one execution', async () => {
		const before = (await executionsEnded(51)).length;
		asana.emulator.webhooks.duplicateNextDeliveries(3);
		const gids = [];
		for (let i = 0; i < 3; i++) gids.push(await upload(asana.baseUrl, TASK, `twice-${i}.txt`, Buffer.from(`twice ${i}`), 'text/plain'));
		await asana.emulator.webhooks.idle();
		const duplicates = asana.emulator.webhooks.deliveries.filter((d) => d.duplicate);
		expect(duplicates.map((d) => d.status)).toEqual([200, 200, 200]);
		const rows = (await executionsEnded(before + 3)).slice(before);
		const outputs = await Promise.all(rows.map(async (row) => await outputOf(row.id)));
		expect(outputs.map((items) => String(items[0].json.gid)).sort()).toEqual([...gids].sort());
		// Nothing more arrives later.
		await new Promise((resolve) => setTimeout(resolve, 3000));
		expect((await executionsEnded(before + 3)).length).toBe(before + 3);
		results.duplicates = { deliveries: 6, executions: rows.length };
	});
});
