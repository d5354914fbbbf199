/**
 * Self-test of the Asana emulator's webhooks (sandbox/asana/webhooks.ts), driven with Node's
 * http client and a plain receiving server, independently of the trigger node: the handshake,
 * signed deliveries of attachment events (filters, bubbling from a task to its project), retries,
 * 410, heartbeats, duplicates, and the API's answers.
 */
import { createHmac } from 'crypto';
import * as http from 'http';

import { DEFAULT_PERSONAL_ACCESS_TOKEN, DEFAULT_PROJECT, DEFAULT_TASK, DEFAULT_WORKSPACE, startAsanaServer, type AsanaServer } from '../../sandbox/asana/server';
import { HANDSHAKE_FAILED } from '../../sandbox/asana/webhooks';
import { useReceiver } from './client';

async function api(server: AsanaServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
	const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
	return await new Promise((resolve, reject) => {
		const req = http.request(
			`${server.apiBaseUrl}${path}`,
			{
				method,
				agent: false,
				headers: {
					Authorization: `Bearer ${DEFAULT_PERSONAL_ACCESS_TOKEN}`,
					...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}),
				},
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') }));
			},
		);
		req.on('error', reject);
		req.end(payload);
	});
}

/** Loosely typed JSON of an answer or a delivery, for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const sign = (secret: string, body: Buffer) => createHmac('sha256', secret).update(body).digest('hex');

let server: AsanaServer;
const receiver = useReceiver();

beforeAll(async () => {
	server = await startAsanaServer({ webhooks: { retryDelaysMs: [50, 50] } });
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());

async function establish(resource: string, filters?: unknown[]) {
	const created = await api(server, 'POST', '/webhooks', { data: { resource, target: receiver.url, ...(filters ? { filters } : {}) } });
	expect(created.status).toBe(201);
	return created.json as { data: { gid: string }; 'X-Hook-Secret': string };
}

it('POST /webhooks shakes hands with the target before its 201, which carries the same secret', async () => {
	const created = await establish(DEFAULT_TASK.gid, [{ resource_type: 'attachment', action: 'added' }]);
	expect(receiver.received).toHaveLength(1);
	const secret = String(receiver.received[0].headers['x-hook-secret']);
	expect(secret).toMatch(/^[0-9a-f]{64}$/);
	expect(receiver.received[0].body.length).toBe(0);
	expect(created['X-Hook-Secret']).toBe(secret);
	expect(created.data).toMatchObject({
		resource_type: 'webhook',
		active: true,
		resource: { gid: DEFAULT_TASK.gid, resource_type: 'task', name: DEFAULT_TASK.name },
		target: receiver.url,
		filters: [{ resource_type: 'attachment', action: 'added' }],
	});
	expect(created.data).not.toHaveProperty('last_failure_at');
});

it('a handshake answered without the secret (or not at all) fails the creation: 400, no webhook', async () => {
	receiver.answerWith(() => ({ status: 200 }));
	const refused = await api(server, 'POST', '/webhooks', { data: { resource: DEFAULT_TASK.gid, target: receiver.url } });
	expect(refused).toEqual({ status: 400, json: { errors: [expect.objectContaining({ message: HANDSHAKE_FAILED })] } });
	const down = await api(server, 'POST', '/webhooks', { data: { resource: DEFAULT_TASK.gid, target: 'http://127.0.0.1:9/nothing' } });
	expect(down.status).toBe(400);
	expect(server.webhooks.all()).toEqual([]);
});

it('refuses what Asana refuses: missing or unknown resource, a brief, a bad target, bad filters', async () => {
	expect((await api(server, 'POST', '/webhooks', { data: { target: receiver.url } })).json.errors[0].message).toBe('resource: Missing input');
	expect((await api(server, 'POST', '/webhooks', { data: { resource: '999', target: receiver.url } })).status).toBe(404);
	expect((await api(server, 'POST', '/webhooks', { data: { resource: DEFAULT_PROJECT.briefGid, target: receiver.url } })).status).toBe(400);
	expect((await api(server, 'POST', '/webhooks', { data: { resource: DEFAULT_TASK.gid, target: 'ftp://x' } })).status).toBe(400);
	expect((await api(server, 'POST', '/webhooks', { data: { resource: DEFAULT_TASK.gid, target: receiver.url, filters: [{ action: 'moved' }] } })).status).toBe(400);
	expect(receiver.received).toEqual([]);
});

it('signs a delivery of the attachment added (and its story) with the secret; filters let through what matches', async () => {
	const all = await establish(DEFAULT_TASK.gid);
	const filtered = await establish(DEFAULT_TASK.gid, [{ resource_type: 'attachment', action: 'added' }]);
	receiver.received.length = 0;
	const record = server.seedAttachment(DEFAULT_TASK.gid, 'a.txt', Buffer.from('hello'), 'text/plain');
	await server.webhooks.idle();
	expect(receiver.received).toHaveLength(2);
	const bySecret = (secret: string) => receiver.received.find((r) => r.headers['x-hook-signature'] === sign(secret, r.body));
	const unfiltered = JSON.parse(bySecret(all['X-Hook-Secret'])!.body.toString()) as { events: Json[] };
	expect(unfiltered.events.map((e) => [e.action, e.resource.resource_type, e.resource.resource_subtype, e.parent.gid])).toEqual([
		['added', 'attachment', 'asana', DEFAULT_TASK.gid],
		['added', 'story', 'attachment_added', DEFAULT_TASK.gid],
	]);
	const only = JSON.parse(bySecret(filtered['X-Hook-Secret'])!.body.toString()) as { events: Json[] };
	expect(only.events).toEqual([
		{ user: { gid: server.user.gid, resource_type: 'user' }, created_at: expect.any(String), action: 'added', resource: { gid: record.gid, resource_type: 'attachment', resource_subtype: 'asana' }, parent: { gid: DEFAULT_TASK.gid, resource_type: 'task', resource_subtype: 'default_task' } },
	]);
	expect(receiver.received.every((r) => r.headers['content-type'] === 'application/json; charset=utf-8')).toBe(true);
});

it('a webhook on a project hears of its tasks; a removal is an attachment "removed" from its parent', async () => {
	const hook = await establish(DEFAULT_PROJECT.gid, [{ resource_type: 'attachment' }]);
	receiver.received.length = 0;
	const record = server.seedAttachment(DEFAULT_TASK.gid, 'b.txt', Buffer.from('b'), 'text/plain');
	expect((await api(server, 'DELETE', `/attachments/${record.gid}`)).status).toBe(200);
	await server.webhooks.idle();
	const events = receiver.received.map((r) => {
		expect(r.headers['x-hook-signature']).toBe(sign(hook['X-Hook-Secret'], r.body));
		return (JSON.parse(r.body.toString()) as { events: Json[] }).events.map((e) => `${e.action} ${e.resource.gid} from ${e.parent.gid}`);
	});
	expect(events).toEqual([[`added ${record.gid} from ${DEFAULT_TASK.gid}`], [`removed ${record.gid} from ${DEFAULT_TASK.gid}`]]);
});

it('retries a failed delivery with the same body and signature; a 410 deletes the webhook', async () => {
	const hook = await establish(DEFAULT_TASK.gid, [{ resource_type: 'attachment' }]);
	let failures = 1;
	receiver.answerWith(() => ({ status: failures-- > 0 ? 500 : 204 }));
	receiver.received.length = 0;
	server.seedAttachment(DEFAULT_TASK.gid, 'c.txt', Buffer.from('c'), 'text/plain');
	await server.webhooks.idle();
	expect(receiver.received).toHaveLength(2);
	expect(receiver.received[1].body).toEqual(receiver.received[0].body);
	expect(receiver.received[1].headers['x-hook-signature']).toBe(receiver.received[0].headers['x-hook-signature']);
	const got = await api(server, 'GET', `/webhooks/${hook.data.gid}`);
	expect(got.json.data).toMatchObject({ last_failure_content: expect.stringContaining('500'), last_success_at: expect.any(String), delivery_retry_count: 0 });

	receiver.answerWith(() => ({ status: 410 }));
	server.seedAttachment(DEFAULT_TASK.gid, 'd.txt', Buffer.from('d'), 'text/plain');
	await server.webhooks.idle();
	expect(server.webhooks.all()).toEqual([]);
});

it('heartbeats are signed deliveries of no events; duplicates repeat a delivery byte for byte', async () => {
	const hook = await establish(DEFAULT_TASK.gid, [{ resource_type: 'attachment' }]);
	receiver.received.length = 0;
	await server.webhooks.sendHeartbeat();
	expect(receiver.received.map((r) => r.body.toString())).toEqual(['{"events":[]}']);
	expect(receiver.received[0].headers['x-hook-signature']).toBe(sign(hook['X-Hook-Secret'], receiver.received[0].body));
	server.webhooks.duplicateNextDeliveries(1);
	server.seedAttachment(DEFAULT_TASK.gid, 'e.txt', Buffer.from('e'), 'text/plain');
	await server.webhooks.idle();
	expect(receiver.received).toHaveLength(3);
	expect(receiver.received[2].body).toEqual(receiver.received[1].body);
	expect(server.webhooks.deliveries.filter((d) => d.duplicate)).toHaveLength(1);
});

it('held deliveries wait until released, then go together', async () => {
	await establish(DEFAULT_TASK.gid, [{ resource_type: 'attachment' }]);
	receiver.received.length = 0;
	const release = server.webhooks.holdDeliveries();
	for (let i = 0; i < 3; i++) server.seedAttachment(DEFAULT_TASK.gid, `held-${i}.txt`, Buffer.from(`held ${i}`), 'text/plain');
	await new Promise((resolve) => setTimeout(resolve, 100));
	expect({ waiting: server.webhooks.waiting, received: receiver.received.length }).toEqual({ waiting: 3, received: 0 });
	release();
	await server.webhooks.idle();
	expect({ waiting: server.webhooks.waiting, received: receiver.received.length }).toEqual({ waiting: 0, received: 3 });
});

it('GET /webhooks lists a workspace\'s webhooks (by resource too); GET and DELETE one; unknown ones are 404', async () => {
	const onTask = await establish(DEFAULT_TASK.gid);
	const onProject = await establish(DEFAULT_PROJECT.gid);
	const all = await api(server, 'GET', `/webhooks?workspace=${DEFAULT_WORKSPACE.gid}&limit=100`);
	expect(all.json.data.map((w: { gid: string }) => w.gid)).toEqual([onTask.data.gid, onProject.data.gid]);
	expect(all.json.data[0]).toEqual({ gid: onTask.data.gid, resource_type: 'webhook', active: true, resource: expect.objectContaining({ gid: DEFAULT_TASK.gid }), target: receiver.url });
	const one = await api(server, 'GET', `/webhooks?workspace=${DEFAULT_WORKSPACE.gid}&resource=${DEFAULT_PROJECT.gid}`);
	expect(one.json.data.map((w: { gid: string }) => w.gid)).toEqual([onProject.data.gid]);
	expect((await api(server, 'GET', '/webhooks')).status).toBe(400);
	expect((await api(server, 'DELETE', `/webhooks/${onTask.data.gid}`)).json).toEqual({ data: {} });
	expect((await api(server, 'GET', `/webhooks/${onTask.data.gid}`)).status).toBe(404);
	expect((await api(server, 'DELETE', `/webhooks/${onTask.data.gid}`)).status).toBe(404);
});
