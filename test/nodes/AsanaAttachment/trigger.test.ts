/**
 * The Asana Attachment Trigger through n8n-core's real webhook lifecycle and execution
 * (test/support/n8n-webhooks.ts), against the Asana emulator's webhooks: registration (the
 * handshake, its secret kept), deliveries of attachments added and removed (one execution per
 * delivery, one item per attachment, with its record, its parent's ID and its file), what starts
 * nothing, re-activation, leftovers, deactivation and the test URL, with both credentials; every
 * API request checked against Asana's spec. Signatures, duplicates and a provider that is down:
 * test/faults/asana-trigger.faults.test.ts.
 */
import { createHash, randomBytes } from 'crypto';
import * as http from 'http';

import {
	DEFAULT_OAUTH_ACCESS_TOKEN,
	DEFAULT_PERSONAL_ACCESS_TOKEN,
	DEFAULT_PROJECT,
	DEFAULT_TASK,
	DEFAULT_WORKSPACE,
	SECOND_TASK,
	startAsanaServer,
} from '../../../sandbox/asana/server';
import { binaryStats } from '../../support/n8n-harness';
import type { TriggerHarness } from '../../support/n8n-webhooks';
import { type Auth, expectConformingRequests, header, targets } from './context';
import { loadTriggerValidator, startTrigger, useAsanaTrigger } from './trigger-context';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const TOKENS: Record<Auth, string> = { accessToken: DEFAULT_PERSONAL_ACCESS_TOKEN, oAuth2: DEFAULT_OAUTH_ACCESS_TOKEN };

const { server, start } = useAsanaTrigger();
let trigger: TriggerHarness;

/** A file attached through Asana's API (multipart POST /attachments), as a user's upload would be. */
async function uploadThroughApi(parent: string, name: string, content: Buffer, mimeType: string): Promise<string> {
	const boundary = `----trigger${randomBytes(8).toString('hex')}`;
	const body = Buffer.concat([
		Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="parent"\r\n\r\n${parent}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${encodeURIComponent(name)}"\r\nContent-Type: ${mimeType}\r\n\r\n`),
		content,
		Buffer.from(`\r\n--${boundary}--\r\n`),
	]);
	const answer = await new Promise<string>((resolve, reject) => {
		const req = http.request(
			`${server.apiBaseUrl}/attachments`,
			{ method: 'POST', agent: false, headers: { Authorization: `Bearer ${DEFAULT_PERSONAL_ACCESS_TOKEN}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(body.length) } },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
			},
		);
		req.on('error', reject);
		req.end(body);
	});
	return (JSON.parse(answer) as { data: { gid: string } }).data.gid;
}

/** The API requests the trigger made (the test's own uploads left out). */
const triggerRequests = () => server.requests.filter((request) => !(request.method === 'POST' && request.path === '/api/1.0/attachments'));

describe.each<Auth>(['accessToken', 'oAuth2'])('with Authentication %s', (auth) => {
	it('activation registers a webhook on the task (handshake answered, its secret kept); an upload starts one execution with the record, the parent ID and the file', async () => {
		trigger = await start(DEFAULT_TASK.gid, {}, { auth });
		expect(await trigger.activate()).toEqual({ created: true });

		expect(targets(triggerRequests())).toEqual([
			'GET /api/1.0/workspaces?limit=100',
			`GET /api/1.0/webhooks?workspace=${DEFAULT_WORKSPACE.gid}&resource=${DEFAULT_TASK.gid}&limit=100`,
			'POST /api/1.0/webhooks',
		]);
		for (const request of triggerRequests()) expect(header(request, 'authorization')).toBe(`Bearer ${TOKENS[auth]}`);
		const post = triggerRequests()[2];
		expect(JSON.parse(post.body!.toString('utf8'))).toEqual({
			data: { resource: DEFAULT_TASK.gid, target: trigger.productionUrl, filters: [{ resource_type: 'attachment', action: 'added' }] },
		});
		const [hook] = server.webhooks.all();
		expect(server.webhooks.all()).toHaveLength(1);
		expect(server.webhooks.deliveries.map((d) => ({ kind: d.kind, target: d.target, status: d.status }))).toEqual([
			{ kind: 'handshake', target: trigger.productionUrl, status: 200 },
		]);
		expect(trigger.staticData()).toEqual({
			webhookId: hook.gid,
			hookSecret: hook.secret,
			resource: DEFAULT_TASK.gid,
			target: trigger.productionUrl,
			events: ['added'],
		});

		const content = randomBytes(300_000);
		const gid = await uploadThroughApi(DEFAULT_TASK.gid, 'Lieferschein – März.pdf', content, 'application/pdf');
		await server.webhooks.idle();
		const [execution] = await trigger.waitForExecutions(1);
		await trigger.settle();
		expect(trigger.executions).toHaveLength(1);
		expect(execution.error).toBeUndefined();
		expect(execution.mode).toBe('production');
		expect(execution.items).toHaveLength(1);
		const [item] = execution.items;
		expect(item.json).toMatchObject({
			gid,
			resource_type: 'attachment',
			name: 'Lieferschein – März.pdf',
			resource_subtype: 'asana',
			size: content.length,
			parent: { gid: DEFAULT_TASK.gid, resource_type: 'task', name: DEFAULT_TASK.name },
			parentId: DEFAULT_TASK.gid,
			event: { type: 'added', action: 'added', user: { gid: server.user.gid, resource_type: 'user' }, parent: { gid: DEFAULT_TASK.gid, resource_type: 'task' } },
		});
		expect(item.binary?.data).toMatchObject({ fileName: 'Lieferschein – März.pdf', mimeType: 'application/pdf' });
		expect(await binaryStats(item.binary!.data)).toEqual({ size: content.length, sha256: sha256(content) });

		const events = server.webhooks.deliveries.filter((d) => d.kind === 'events');
		expect(events.map((d) => d.status)).toEqual([200]);
		expect(targets(triggerRequests()).slice(3)).toEqual([`GET /api/1.0/attachments/${gid}`]);
		expect(header(triggerRequests()[3], 'authorization')).toBe(`Bearer ${TOKENS[auth]}`);
		// The pre-signed download went to the file host without the credential.
		expect(server.fileRequests.map((r) => ({ method: r.method, authorization: r.headers.authorization }))).toEqual([{ method: 'GET', authorization: undefined }]);
	});

	it('re-activation (n8n restarting) keeps the webhook: GET /webhooks/{gid}, no new registration; deactivation deletes it and clears the node\'s data', async () => {
		trigger = await start(DEFAULT_TASK.gid, {}, { auth });
		await trigger.activate();
		const [hook] = server.webhooks.all();
		server.requests.length = 0;

		expect(await trigger.activate('init')).toEqual({ created: false });
		expect(targets(server.requests)).toEqual([`GET /api/1.0/webhooks/${hook.gid}`]);
		expect(server.webhooks.all().map((w) => w.gid)).toEqual([hook.gid]);

		server.requests.length = 0;
		await trigger.deactivate();
		expect(targets(server.requests)).toEqual([`DELETE /api/1.0/webhooks/${hook.gid}`]);
		expect(server.webhooks.all()).toEqual([]);
		expect(trigger.staticData()).toEqual({});
		server.seedAttachment(DEFAULT_TASK.gid, 'after.txt', Buffer.from('after'), 'text/plain');
		await server.webhooks.idle();
		expect(trigger.executions).toEqual([]);
	});
});

it('on a project: an attachment of one of its tasks starts it (parentId: the task); a task outside the project does not', async () => {
	const outside = server.addTask('Outside the project');
	trigger = await start(DEFAULT_PROJECT.gid);
	await trigger.activate();
	const inside = server.seedAttachment(SECOND_TASK.gid, 'inside.txt', Buffer.from('inside'), 'text/plain');
	server.seedAttachment(outside.gid, 'outside.txt', Buffer.from('outside'), 'text/plain');
	await server.webhooks.idle();
	await trigger.settle();
	expect(trigger.executions).toHaveLength(1);
	expect(trigger.executions[0].items.map((item) => [item.json.gid, item.json.parentId])).toEqual([[inside.gid, SECOND_TASK.gid]]);
	expect(server.webhooks.all()[0]).toMatchObject({ resourceGid: DEFAULT_PROJECT.gid });
});

it('Download File off: the record only, no request to the file host; on, into the field "Put Output File in Field" names', async () => {
	trigger = await start(DEFAULT_TASK.gid, { download: false });
	await trigger.activate();
	server.seedAttachment(DEFAULT_TASK.gid, 'record-only.txt', Buffer.from('record only'), 'text/plain');
	await server.webhooks.idle();
	await trigger.settle();
	expect(trigger.executions[0].items[0].binary).toBeUndefined();
	expect(trigger.executions[0].items[0].json).toMatchObject({ name: 'record-only.txt', parentId: DEFAULT_TASK.gid });
	expect(server.fileRequests).toEqual([]);
	await trigger.deactivate();
	await trigger.close();

	trigger = await start(DEFAULT_TASK.gid, { binaryPropertyName: 'invoice' });
	await trigger.activate();
	const content = Buffer.from('%PDF-1.4 invoice');
	server.seedAttachment(DEFAULT_TASK.gid, 'invoice.pdf', content, 'application/pdf');
	await server.webhooks.idle();
	await trigger.settle();
	const [item] = trigger.executions[0].items;
	expect(Object.keys(item.binary ?? {})).toEqual(['invoice']);
	expect(await binaryStats(item.binary!.invoice)).toEqual({ size: content.length, sha256: sha256(content) });
});

it('an external link attached: its record, no file (it has none)', async () => {
	trigger = await start(DEFAULT_TASK.gid);
	await trigger.activate();
	const link = server.seedLink(DEFAULT_TASK.gid, 'Specification v2', 'https://docs.example.com/specs/v2');
	await server.webhooks.idle();
	await trigger.settle();
	expect(trigger.executions[0].error).toBeUndefined();
	expect(trigger.executions[0].items).toEqual([
		{ json: expect.objectContaining({ gid: link.gid, resource_subtype: 'external', view_url: 'https://docs.example.com/specs/v2', parentId: DEFAULT_TASK.gid }), pairedItem: { item: 0 } },
	]);
	expect(server.fileRequests).toEqual([]);
});

it('Attachment Removed: filters for removed (and deleted), an item with the attachment\'s ID and its parent\'s; with only Removed, an upload starts nothing', async () => {
	trigger = await start(DEFAULT_TASK.gid, { events: ['removed'] });
	await trigger.activate();
	expect(server.webhooks.all()[0].filters).toEqual([
		{ resource_type: 'attachment', action: 'removed' },
		{ resource_type: 'attachment', action: 'deleted' },
	]);
	const record = server.seedAttachment(DEFAULT_TASK.gid, 'soon-gone.txt', Buffer.from('bye'), 'text/plain');
	await server.webhooks.idle();
	expect(trigger.executions).toEqual([]);
	const removed = await new Promise<number>((resolve, reject) => {
		const req = http.request(`${server.apiBaseUrl}/attachments/${record.gid}`, { method: 'DELETE', agent: false, headers: { Authorization: `Bearer ${DEFAULT_PERSONAL_ACCESS_TOKEN}` } }, (res) => {
			res.resume();
			res.on('end', () => resolve(res.statusCode ?? 0));
		});
		req.on('error', reject);
		req.end();
	});
	expect(removed).toBe(200);
	await server.webhooks.idle();
	await trigger.settle();
	expect(trigger.executions).toHaveLength(1);
	const [item] = trigger.executions[0].items;
	expect(item.binary).toBeUndefined();
	expect(item.json).toMatchObject({ gid: record.gid, resource_type: 'attachment', parentId: DEFAULT_TASK.gid, event: { type: 'removed', action: 'removed' } });
	expect(server.requests.some((request) => request.method === 'GET' && request.path.startsWith('/api/1.0/attachments/'))).toBe(false);
});

it('Asana batches events: one delivery of three uploads is one execution with three items, in order, each with its file', async () => {
	const batching = await startAsanaServer({ webhooks: { batchWindowMs: 300, retryDelaysMs: [100] } });
	try {
		const trigger = await startTrigger(batching, DEFAULT_TASK.gid, { events: ['added', 'removed'] });
		await trigger.activate();
		const files = [randomBytes(1000), randomBytes(2000), randomBytes(3000)];
		const records = files.map((content, i) => batching.seedAttachment(DEFAULT_TASK.gid, `page-${i + 1}.bin`, content, 'application/octet-stream'));
		await batching.webhooks.idle();
		await trigger.settle();
		const deliveries = batching.webhooks.deliveries.filter((d) => d.kind === 'events');
		expect(deliveries).toHaveLength(1);
		// Three attachments and three stories in the batch; the stories start nothing.
		expect((JSON.parse(deliveries[0].body.toString()) as { events: unknown[] }).events).toHaveLength(3);
		expect(trigger.executions).toHaveLength(1);
		const items = trigger.executions[0].items;
		expect(items.map((item) => item.json.gid)).toEqual(records.map((record) => record.gid));
		for (const [i, item] of items.entries()) expect(await binaryStats(item.binary!.data)).toEqual({ size: files[i].length, sha256: sha256(files[i]) });
		await trigger.close();
		expectConformingRequests(await loadTriggerValidator(), batching.requests);
	} finally {
		await batching.close();
	}
});

it('a heartbeat and events that are not attachments are answered 200 and start nothing', async () => {
	trigger = await start(DEFAULT_TASK.gid);
	await trigger.activate();
	const [hook] = server.webhooks.all();
	const [beat] = await server.webhooks.sendHeartbeat();
	expect(beat.status).toBe(200);
	const story = { user: null, created_at: new Date().toISOString(), action: 'added', resource: { gid: '1209000000999001', resource_type: 'story', resource_subtype: 'attachment_added' }, parent: { gid: DEFAULT_TASK.gid, resource_type: 'task' } };
	const changed = { ...story, action: 'changed', resource: { gid: DEFAULT_TASK.gid, resource_type: 'task' }, parent: null, change: { field: 'name', action: 'changed' } };
	expect((await server.webhooks.sendRaw(hook.gid, { events: [story, changed] })).status).toBe(200);
	await trigger.settle();
	expect(trigger.executions).toEqual([]);
	expect(trigger.deliveries.map((request) => request.outcome)).toEqual(['answered', 'nothing', 'nothing']);
});

it('a webhook of the node that n8n lost track of (static data lost) is removed before a new one is registered: one webhook, one execution', async () => {
	trigger = await start(DEFAULT_TASK.gid);
	await trigger.activate();
	const [old] = server.webhooks.all();
	trigger.setStaticData({});
	expect(await trigger.activate()).toEqual({ created: true });
	const hooks = server.webhooks.all();
	expect(hooks).toHaveLength(1);
	expect(hooks[0].gid).not.toBe(old.gid);
	expect(server.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`/api/1.0/webhooks/${old.gid}`]);
	server.seedAttachment(DEFAULT_TASK.gid, 'once.txt', Buffer.from('once'), 'text/plain');
	await server.webhooks.idle();
	await trigger.settle();
	expect(trigger.executions).toHaveLength(1);
});

it('changed Events: the webhook with the old filters goes, one with the new ones is registered', async () => {
	trigger = await start(DEFAULT_TASK.gid);
	await trigger.activate();
	const [old] = server.webhooks.all();
	trigger.node.parameters.events = ['added', 'removed'];
	expect(await trigger.activate('update')).toEqual({ created: true });
	expect(server.webhooks.all().map((hook) => ({ gone: hook.gid === old.gid, actions: hook.filters.map((filter) => filter.action) }))).toEqual([
		{ gone: false, actions: ['added', 'removed', 'deleted'] },
	]);
});

it('the test URL ("Listen for test event"): registered on the webhook-test URL, one run in manual mode, then removed at Asana', async () => {
	trigger = await start(SECOND_TASK.gid);
	await trigger.listen();
	const [hook] = server.webhooks.all();
	expect(hook.target).toBe(trigger.testUrl);
	const content = randomBytes(50_000);
	server.seedAttachment(SECOND_TASK.gid, 'listen.bin', content, 'application/octet-stream');
	await server.webhooks.idle();
	await trigger.settle();
	expect(trigger.executions.map((execution) => execution.mode)).toEqual(['test']);
	expect(await binaryStats(trigger.executions[0].items[0].binary!.data)).toEqual({ size: content.length, sha256: sha256(content) });
	expect(trigger.listening).toBe(false);
	expect(server.webhooks.all()).toEqual([]);
	expect(server.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`/api/1.0/webhooks/${hook.gid}`]);
});
