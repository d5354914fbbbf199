/**
 * The webhook triggers in n8n's queue mode (PostgreSQL + Redis + main + 2 workers, --concurrency=5,
 * the `database` binary store; support/harness.ts): the trigger workflows are published before
 * main starts, main activates them (the Sunshine trigger registers its integration at the
 * emulator, through the Prism gate), deliveries reach main's production URL, main checks them and
 * queues the executions, and the workers run them (the file downloads happen there). From n8n's
 * own records: 50 deliveries at once give 50 executions, each `success`, mode `webhook`, run by a
 * worker (its log), none lost, none twice, every file's SHA-256 the one sent.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import type { RunningProvider } from '../../sandbox';
import { SUNSHINE_DEMO } from '../../sandbox/sunshine/demo';
import type { SunshineServer } from '../../sandbox/sunshine/server';
import type { WixServer } from '../../sandbox/wix/server';
import { ATTACHMENT_CREATED } from '../../sandbox/wix/server';
import { attachFile } from '../nodes/WixAttachment/trigger-context';
import { mediaOf, postMessage } from '../nodes/SunshineConversationsAttachment/trigger-context';
import { executionData, node, sha256, startHarness, type ExecutionRecord, type Harness, type WebhookWorkflow } from './support/harness';

const APP = SUNSHINE_DEMO.app.id;
const DELIVERIES = 50;
const KiB = 1024;

/** A published workflow whose only node is the trigger (what the harness publishes). */
function triggerWorkflow(name: string, type: string, parameters: Record<string, unknown>, credentials: Record<string, { id: string; name: string }>): WebhookWorkflow {
	const trigger = node(name, type, parameters, { credentials, webhookId: randomUUID() });
	const id = `t${randomBytes(8).toString('hex')}`.slice(0, 16);
	return { id, name, active: true, nodes: [trigger], connections: {}, settings: { executionOrder: 'v1' }, meta: { path: `${trigger.webhookId}/webhook`, method: 'POST' } };
}

interface Summary {
	executions: number;
	statuses: Record<string, number>;
	modes: Record<string, number>;
	byWorker: Record<string, number>;
	distinctKeys: number;
	filesVerified: number;
	seconds: number;
}

describe('webhook triggers in queue mode: deliveries at main, executions on the workers', () => {
	let h: Harness;
	let sunshine: RunningProvider<SunshineServer>;
	let wix: RunningProvider<WixServer>;
	let sunshineFlow: WebhookWorkflow;
	let wixFlow: WebhookWorkflow;
	const figures: Record<string, Summary> = {};

	beforeAll(async () => {
		h = await startHarness({
			extraCredentials(sandbox) {
				const gate = sandbox.get<WixServer>('wix');
				return {
					wixWebhook: { id: 'wixQueueWebhook01', name: 'Wix webhooks (local sandbox)', type: 'wixAttachmentWebhookApi', data: { publicKey: gate.emulator.webhooks.publicKeyPem, baseUrl: gate.baseUrl } },
				};
			},
		});
		sunshine = h.sandbox.get<SunshineServer>('sunshine');
		wix = h.sandbox.get<WixServer>('wix');
		sunshineFlow = triggerWorkflow(
			'Sunshine Trigger',
			'n8n-nodes-attachments.sunshineConversationsAttachmentTrigger',
			{ authentication: 'apiKey', appId: { __rl: true, mode: 'id', value: APP } },
			{ sunshineConversationsAttachmentApi: h.credentials.sunshine },
		);
		wixFlow = triggerWorkflow('Wix Trigger', 'n8n-nodes-attachments.wixAttachmentTrigger', {}, { wixAttachmentWebhookApi: h.credentials.wixWebhook });
		await h.publish([sunshineFlow, wixFlow]);
		await h.topology.startN8n();
	}, 20 * 60_000);

	afterAll(async () => {
		console.log(`trigger queue-mode figures:\n${JSON.stringify(figures, null, 2)}`);
		await h?.close();
	}, 5 * 60_000);

	afterEach(() => {
		const problems = h.sandbox.problems();
		for (const provider of h.sandbox.providers) provider.gate.reset();
		if (problems.length > 0) throw new Error(`Prism refused ${problems.length} exchange(s):\n${problems.join('\n')}`);
	});

	async function executionsOf(workflow: WebhookWorkflow): Promise<ExecutionRecord[]> {
		return await h.topology.postgres.query<ExecutionRecord>(
			`SELECT id::text AS id, "workflowId", mode, status, finished, "startedAt", "stoppedAt" FROM execution_entity WHERE "workflowId" = '${workflow.id}' ORDER BY id`,
		);
	}

	/** Waits for `count` ended executions of the workflow, then a while longer to see that no more come. */
	async function ended(workflow: WebhookWorkflow, count: number, timeoutMs = 600_000): Promise<ExecutionRecord[]> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const all = await executionsOf(workflow);
			const done = all.filter((e) => !['new', 'running', 'waiting'].includes(e.status));
			if (done.length >= count && done.length === all.length) {
				await new Promise((resolve) => setTimeout(resolve, 5000));
				return await executionsOf(workflow);
			}
			if (Date.now() > deadline) throw new Error(`${done.length} of ${count} executions of ${workflow.name} ended (${all.length} in all) within ${timeoutMs / 1000} s`);
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
	}

	/** The trigger's output item of an execution (n8n's saved run data), and its file's SHA-256 from the database store. */
	async function outputOf(execution: ExecutionRecord, triggerName: string): Promise<{ json: Record<string, unknown>; fileSha256?: string }> {
		const data = await executionData(h.topology, execution.id);
		const run = data.resultData?.runData?.[triggerName]?.[0]?.data as { main?: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, { id?: string }> }>> } | undefined;
		const [item] = run?.main?.[0] ?? [];
		const fileId = /^database:(.+)$/.exec(item?.binary?.data?.id ?? '')?.[1];
		if (!fileId) return { json: item?.json ?? {} };
		const [row] = await h.topology.postgres.query<{ sha256: string }>(`SELECT encode(sha256(data), 'hex') AS sha256 FROM binary_data WHERE "fileId" = '${fileId.replace(/[^0-9a-f-]/gi, '')}'`);
		return { json: item.json, fileSha256: row?.sha256 };
	}

	function summarise(executions: ExecutionRecord[], keys: string[], verified: number, started: number): Summary {
		const count = (values: string[]) => values.reduce<Record<string, number>>((acc, value) => ({ ...acc, [value]: (acc[value] ?? 0) + 1 }), {});
		return {
			executions: executions.length,
			statuses: count(executions.map((e) => e.status)),
			modes: count(executions.map((e) => e.mode)),
			byWorker: count(executions.map((e) => h.topology.workerOf(e.id) ?? 'none (main?)')),
			distinctKeys: new Set(keys).size,
			filesVerified: verified,
			seconds: Math.round((Date.now() - started) / 100) / 10,
		};
	}

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
		const messageIds = posted.map((p) => (p.body.messages as Array<{ id: string }>)[0].id);
		const executions = await ended(sunshineFlow, DELIVERIES);
		await sunshine.emulator.integrations.settle();

		const outputs = await Promise.all(executions.map((execution) => outputOf(execution, 'Sunshine Trigger')));
		const byUrl = new Map(files.map((file) => [file.mediaUrl, sha256(file.content)]));
		const verified = outputs.filter((output) => output.fileSha256 !== undefined && output.fileSha256 === byUrl.get(String(output.json.mediaUrl))).length;
		figures.sunshine = summarise(executions, outputs.map((o) => String(o.json.messageId)), verified, started);

		expect(sunshine.emulator.integrations.deliveries.map((d) => d.status)).toEqual(files.map(() => 200));
		expect(figures.sunshine).toMatchObject({ executions: DELIVERIES, statuses: { success: DELIVERIES }, modes: { webhook: DELIVERIES }, distinctKeys: DELIVERIES, filesVerified: DELIVERIES });
		expect(outputs.map((o) => o.json.messageId).sort()).toEqual([...messageIds].sort());
		expect(Object.keys(figures.sunshine.byWorker).sort()).toEqual(['worker-1', 'worker-2']);
	});

	it(`Wix: ${DELIVERIES} attachments made at once → ${DELIVERIES} signed deliveries to main → ${DELIVERIES} executions on the workers, none lost, none twice, every file intact`, async () => {
		wix.emulator.webhooks.subscribe(h.topology.webhookUrl(wixFlow.meta.path), [ATTACHMENT_CREATED]);
		const files = Array.from({ length: DELIVERIES }, (_, i) => ({ name: `form-${i}.pdf`, content: Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(64 * KiB + i * 991)]) }));
		const started = Date.now();
		const ids = await Promise.all(files.map((file) => attachFile(wix.emulator, file.name, 'application/pdf', file.content)));
		const executions = await ended(wixFlow, DELIVERIES);
		await wix.emulator.webhooks.settle();

		const outputs = await Promise.all(executions.map((execution) => outputOf(execution, 'Wix Trigger')));
		const byName = new Map(files.map((file) => [file.name, sha256(file.content)]));
		const verified = outputs.filter((output) => output.fileSha256 !== undefined && output.fileSha256 === byName.get(String(output.json.fileName))).length;
		figures.wix = summarise(executions, outputs.map((o) => String(o.json.attachmentId)), verified, started);

		expect(wix.emulator.webhooks.deliveries.map((d) => d.status)).toEqual(files.map(() => 200));
		expect(figures.wix).toMatchObject({ executions: DELIVERIES, statuses: { success: DELIVERIES }, modes: { webhook: DELIVERIES }, distinctKeys: DELIVERIES, filesVerified: DELIVERIES });
		expect(outputs.map((o) => o.json.attachmentId).sort()).toEqual([...ids].sort());
		expect(Object.keys(figures.wix.byWorker).sort()).toEqual(['worker-1', 'worker-2']);
	});
});
