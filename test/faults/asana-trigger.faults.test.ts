/**
 * The Asana Attachment Trigger under faults: deliveries that are not signed, signed with another
 * secret or altered (refused with 401, nothing started); a handshake sent by someone else (its
 * secret never taken); deliveries Asana sends again and replays (one attachment, one execution);
 * and registration against an Asana that is down, refuses, fails half-way or answers oddly (a clear
 * error on activation, nothing left registered). The trigger runs in n8n-core's webhook contexts
 * (test/support/n8n-webhooks.ts); its API calls go through the fault proxy, the emulator's
 * deliveries straight to the trigger's URL.
 */
import { createHmac } from 'crypto';

import { NodeOperationError } from 'n8n-workflow';

import { DEFAULT_TASK, startAsanaServer, type AsanaServer } from '../../sandbox/asana/server';
import type { TriggerHarness } from '../support/n8n-webhooks';
import { TRIGGER_SERVER_OPTIONS, startTrigger, useAsanaTriggers } from '../nodes/AsanaAttachment/trigger-context';
import { useEmulatorBehindProxy } from './support/behind-proxy';
import type { RequestInfo } from './support/fault-proxy';
import { itCase } from './support/summary';
import type { CaseMeta } from './support/summary';

const { server, proxy } = useEmulatorBehindProxy<AsanaServer>(
	async () => await startAsanaServer(TRIGGER_SERVER_OPTIONS),
	(emulator) => ({ api: emulator.url }),
);
const start = useAsanaTriggers(() => server);

let trigger: TriggerHarness | undefined;

const node = 'Asana Trigger';
const task = DEFAULT_TASK.gid;
const isCreate = (request: RequestInfo) => request.method === 'POST' && request.path === '/api/1.0/webhooks';
const fault = (operation: string, name: string, expected: string): CaseMeta => ({ category: 'fault', node, operation, name, expected });

/** The trigger, its API calls through the proxy, activated on the demo task. */
async function activated(parameters = {}): Promise<TriggerHarness> {
	trigger = await start(task, parameters, { baseUrl: proxy.urls.api });
	await trigger.activate();
	return trigger;
}

/** A real event of an attachment added to the task, as Asana's body would carry it. */
function addedEvent(gid: string) {
	return { user: { gid: server.user.gid, resource_type: 'user' }, created_at: new Date().toISOString(), action: 'added', resource: { gid, resource_type: 'attachment', resource_subtype: 'asana' }, parent: { gid: task, resource_type: 'task' } };
}

/** An attachment that exists at the emulator (without a delivery: no webhook yet) and its event. */
function existingAttachment(name = 'forged.txt') {
	const record = server.seedAttachment(task, name, Buffer.from(name), 'text/plain');
	return { record, body: { events: [addedEvent(record.gid)] } };
}

/** The trigger, active, its webhook, and the event of an attachment that exists (not yet delivered) to send to it. */
async function activeWithEvent() {
	const { body } = existingAttachment();
	await activated();
	const [hook] = server.webhooks.all();
	return { hook, body };
}

/** Each delivery was answered 401, and nothing started. */
async function expectRefused(...deliveries: Array<{ status?: number }>): Promise<void> {
	await trigger!.settle();
	expect(deliveries.map((delivery) => delivery.status)).toEqual(deliveries.map(() => 401));
	expect(trigger!.executions).toEqual([]);
}

async function activationError(run: () => Promise<unknown>): Promise<NodeOperationError> {
	const error = await run().then(
		() => undefined,
		(thrown: unknown) => thrown,
	);
	expect(error).toBeInstanceOf(NodeOperationError);
	return error as NodeOperationError;
}

describe('signatures', () => {
	itCase(fault('delivery', 'no X-Hook-Signature', 'refused with 401, nothing started'), async () => {
		const { hook, body } = await activeWithEvent();
		await expectRefused(await server.webhooks.sendRaw(hook.gid, body, { sign: 'none' }));
		expect(proxy.requests((r) => r.path.startsWith('/api/1.0/attachments'))).toEqual([]);
		return { attempts: 1 };
	});

	itCase(fault('delivery', 'signed with another secret (forged)', 'refused with 401, nothing started'), async () => {
		const { hook, body } = await activeWithEvent();
		await expectRefused(await server.webhooks.sendRaw(hook.gid, body, { sign: { secret: 'f'.repeat(64) } }));
	});

	itCase(fault('delivery', 'body altered after it was signed', 'refused with 401, nothing started'), async () => {
		const { hook, body } = await activeWithEvent();
		const signed = await server.webhooks.sendRaw(hook.gid, { events: [] });
		expect(signed.status).toBe(200);
		await expectRefused(await server.webhooks.sendRaw(hook.gid, body, { sign: { signature: String(signed.headers['X-Hook-Signature']) } }));
	});

	itCase(fault('delivery', 'signature of the wrong shape (truncated, not hex, empty)', 'each refused with 401, nothing started'), async () => {
		const { hook, body } = await activeWithEvent();
		const bytes = Buffer.from(JSON.stringify(body));
		const valid = createHmac('sha256', hook.secret).update(bytes).digest('hex');
		const deliveries = [];
		for (const signature of [valid.slice(0, 63), valid.slice(0, 62) + 'zz', '', `sha256=${valid}`]) {
			deliveries.push(await server.webhooks.sendRaw(hook.gid, bytes, { sign: { signature } }));
		}
		await expectRefused(...deliveries);
		return { attempts: deliveries.length };
	});

	itCase(fault('delivery', 'a delivery while the node holds no secret (its static data lost)', 'refused with 401 and a warning to activate again, nothing started'), async () => {
		const { hook, body } = await activeWithEvent();
		trigger!.setStaticData({});
		await expectRefused(await server.webhooks.sendRaw(hook.gid, body));
		expect(trigger!.logs.some((entry) => entry.level === 'warn' && /holds no webhook secret/.test(entry.message))).toBe(true);
	});

	itCase(fault('handshake', 'someone else sends a handshake (X-Hook-Secret) to the active URL', 'echoed but its secret never taken: deliveries signed with it are refused, Asana\'s still start the workflow'), async () => {
		await activated();
		const [hook] = server.webhooks.all();
		const before = trigger!.staticData();
		const intruder = 'a'.repeat(64);
		const handshake = await server.webhooks.sendRaw(hook.gid, Buffer.alloc(0), { sign: 'none', headers: { 'X-Hook-Secret': intruder } });
		expect(handshake.status).toBe(200);
		expect(trigger!.staticData()).toEqual(before);
		expect((await server.webhooks.sendRaw(hook.gid, { events: [addedEvent('1209000000777001')] }, { sign: { secret: intruder } })).status).toBe(401);
		const real = server.seedAttachment(task, 'real.txt', Buffer.from('real'), 'text/plain');
		await server.webhooks.idle();
		await trigger!.settle();
		expect(trigger!.executions.map((execution) => execution.items.map((item) => item.json.gid))).toEqual([[real.gid]]);
	});
});

describe('duplicates and replays', () => {
	itCase(fault('delivery', 'Asana sends a delivery again (its answer lost), byte for byte', 'both answered 200, one execution'), async () => {
		await activated();
		server.webhooks.duplicateNextDeliveries(1);
		const record = server.seedAttachment(task, 'twice.txt', Buffer.from('twice'), 'text/plain');
		await server.webhooks.idle();
		await trigger!.settle();
		const deliveries = server.webhooks.deliveries.filter((d) => d.kind === 'events');
		expect(deliveries.map((d) => [d.status, d.duplicate ?? false])).toEqual([
			[200, false],
			[200, true],
		]);
		expect(trigger!.executions.map((execution) => execution.items.map((item) => item.json.gid))).toEqual([[record.gid]]);
		return { attempts: 2 };
	});

	itCase(fault('delivery', 'a captured delivery replayed later (valid signature)', 'answered 200, nothing started'), async () => {
		await activated();
		server.seedAttachment(task, 'once.txt', Buffer.from('once'), 'text/plain');
		await server.webhooks.idle();
		await trigger!.settle();
		const [first] = server.webhooks.deliveries.filter((d) => d.kind === 'events');
		const [hook] = server.webhooks.all();
		const replay = await server.webhooks.sendRaw(hook.gid, first.body, { sign: { signature: first.headers['X-Hook-Signature'] } });
		await trigger!.settle();
		expect(replay.status).toBe(200);
		expect(trigger!.executions).toHaveLength(1);
	});

	itCase(fault('delivery', 'the same delivery twice at the same moment', 'one execution'), async () => {
		const { record, body } = existingAttachment('concurrent.txt');
		await activated();
		const [hook] = server.webhooks.all();
		const answers = await Promise.all([server.webhooks.sendRaw(hook.gid, body), server.webhooks.sendRaw(hook.gid, body)]);
		await trigger!.settle();
		expect(answers.map((a) => a.status)).toEqual([200, 200]);
		expect(trigger!.executions.map((execution) => execution.items.map((item) => item.json.gid))).toEqual([[record.gid]]);
	});

	itCase(fault('delivery', 'a batch with one new and one already seen attachment', 'one execution with the new one only'), async () => {
		await activated();
		const seen = server.seedAttachment(task, 'seen.txt', Buffer.from('seen'), 'text/plain');
		await server.webhooks.idle();
		await trigger!.settle();
		const { record, body } = existingAttachment('new.txt');
		await server.webhooks.idle();
		const [hook] = server.webhooks.all();
		await server.webhooks.sendRaw(hook.gid, { events: [addedEvent(seen.gid), ...body.events] });
		await trigger!.settle();
		expect(trigger!.executions.map((execution) => execution.items.map((item) => item.json.gid))).toEqual([[seen.gid], [record.gid]]);
	});

	itCase(fault('delivery', '600 events in one delivery', 'the node remembers the last 500 event keys in its static data, no more'), async () => {
		await activated({ download: false });
		const [hook] = server.webhooks.all();
		const events = Array.from({ length: 600 }, (_, i) => ({ ...addedEvent(String(1209000000500000 + i)), action: 'removed' }));
		trigger!.node.parameters.events = ['added', 'removed'];
		const delivery = await server.webhooks.sendRaw(hook.gid, { events });
		await trigger!.settle();
		expect(delivery.status).toBe(200);
		const seen = trigger!.staticData().seen as string[];
		expect(seen).toHaveLength(500);
		expect(seen[499]).toBe(`removed:${1209000000500000 + 599}`);
		expect(trigger!.executions[0].items).toHaveLength(600);
	});
});

describe('registration', () => {
	itCase(fault('activation', 'Asana down (connection refused)', 'a clear error naming the refused connection, nothing registered'), async () => {
		trigger = await start(task, {}, { baseUrl: 'http://127.0.0.1:9' });
		const error = await activationError(async () => await trigger!.activate());
		expect(error.message).toBe('Could not check for the webhook at Asana: Could not connect to Asana (connection refused)');
		expect(error.description).toContain('Nothing was left registered');
		expect(server.webhooks.all()).toEqual([]);
		expect(trigger.staticData()).toEqual({});
	}, 60_000);

	itCase(fault('activation', 'POST /webhooks answered 503 (Asana did nothing)', 'not repeated, a clear error with Asana\'s message, looked for leftovers, nothing registered'), async () => {
		proxy.inject({ kind: 'status', status: 503, headers: { 'content-type': 'application/json' }, body: '{"errors":[{"message":"Service Unavailable"}]}' }, { match: isCreate });
		trigger = await start(task, {}, { baseUrl: proxy.urls.api });
		const error = await activationError(async () => await trigger!.activate());
		expect(error.message).toBe('Could not register the webhook at Asana: Asana: Service Unavailable');
		expect(proxy.requests(isCreate)).toHaveLength(1);
		expect(server.webhooks.all()).toEqual([]);
		expect(trigger.staticData()).toEqual({});
		return { attempts: 1 };
	});

	itCase(fault('activation', 'POST /webhooks carried out, its answer lost (502 after Asana acted)', 'the webhook Asana made is found and deleted: nothing left registered, a clear error'), async () => {
		proxy.inject({ kind: 'status', status: 502, afterUpstream: true }, { match: isCreate });
		trigger = await start(task, {}, { baseUrl: proxy.urls.api });
		await activationError(async () => await trigger!.activate());
		expect(server.webhooks.deliveries.map((d) => d.kind)).toEqual(['handshake']);
		expect(server.webhooks.all()).toEqual([]);
		expect(proxy.requests((r) => r.method === 'DELETE')).toHaveLength(1);
		expect(trigger.staticData()).toEqual({});
	});

	itCase(fault('activation', 'POST /webhooks rate-limited (429, Retry-After: 1)', 'waits, sends it again, one webhook registered'), async () => {
		proxy.inject({ kind: 'status', status: 429, headers: { 'Retry-After': '1', 'content-type': 'application/json' }, body: '{"errors":[{"message":"You have made too many requests recently."}]}' }, { match: isCreate });
		await activated();
		expect(proxy.requests(isCreate)).toHaveLength(2);
		expect(server.webhooks.all()).toHaveLength(1);
		expect(trigger!.staticData().webhookId).toBe(server.webhooks.all()[0].gid);
		return { attempts: 2 };
	});

	itCase(fault('activation', 'Asana refuses the target (403, as for localhost)', 'a clear error with Asana\'s message, nothing registered'), async () => {
		const strict = await startAsanaServer({ webhooks: { allowLocalTargets: false } });
		try {
			trigger = await startTrigger(strict, task);
			const error = await activationError(async () => await trigger!.activate());
			expect(error.message).toBe('Could not register the webhook at Asana: Asana: target: Invalid hostname: 127.0.0.1');
			expect(error.description).toContain(trigger.productionUrl);
			expect(strict.webhooks.all()).toEqual([]);
			expect(strict.webhooks.deliveries).toEqual([]);
		} finally {
			await trigger?.close();
			await strict.close();
		}
	});

	itCase(fault('activation', 'the 201 carries no X-Hook-Secret in its body', 'the handshake\'s secret is used: registered, deliveries verified'), async () => {
		proxy.inject({ kind: 'editJson', edit: (body: { 'X-Hook-Secret'?: string }) => ({ ...body, 'X-Hook-Secret': undefined }) }, { match: isCreate });
		await activated();
		expect(trigger!.staticData().hookSecret).toBe(server.webhooks.all()[0].secret);
		const record = server.seedAttachment(task, 'verified.txt', Buffer.from('verified'), 'text/plain');
		await server.webhooks.idle();
		await trigger!.settle();
		expect(trigger!.executions.map((execution) => execution.items[0].json.gid)).toEqual([record.gid]);
	});

	itCase(fault('activation', 'the 201\'s X-Hook-Secret differs from the handshake\'s', 'the webhook is deleted again, a clear error, nothing registered'), async () => {
		proxy.inject({ kind: 'editJson', edit: (body: object) => ({ ...body, 'X-Hook-Secret': 'b'.repeat(64) }) }, { match: isCreate });
		trigger = await start(task, {}, { baseUrl: proxy.urls.api });
		const error = await activationError(async () => await trigger!.activate());
		expect(error.message).toMatch(/its secret did not reach this n8n process/);
		expect(server.webhooks.all()).toEqual([]);
		expect(trigger.staticData()).toEqual({});
	});

	itCase(fault('deactivation', 'the webhook is gone at Asana already (deleted after failed deliveries)', 'deactivation succeeds (404 counts as deleted), the node\'s data cleared'), async () => {
		await activated();
		const [hook] = server.webhooks.all();
		expect(server.webhooks.delete(hook.gid).status).toBe(200);
		await trigger!.deactivate();
		expect(trigger!.staticData()).toEqual({});
		expect(proxy.requests((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`/api/1.0/webhooks/${hook.gid}`]);
	});

	itCase(fault('activation', 'n8n restarts and the webhook is gone at Asana', 'checkExists says no, a new webhook is registered, deliveries verified'), async () => {
		await activated();
		const [hook] = server.webhooks.all();
		server.webhooks.delete(hook.gid);
		expect(await trigger!.activate('init')).toEqual({ created: true });
		const [again] = server.webhooks.all();
		expect(again.gid).not.toBe(hook.gid);
		const record = server.seedAttachment(task, 'after-restart.txt', Buffer.from('again'), 'text/plain');
		await server.webhooks.idle();
		await trigger!.settle();
		expect(trigger!.executions.map((execution) => execution.items[0].json.gid)).toEqual([record.gid]);
	});
});
