/**
 * The Sunshine Conversations Attachment Trigger through n8n-core's real webhook code (the webhook
 * harness) against the emulator: activation registers a custom integration whose webhook points
 * at the production URL, a message with a file posted through Sunshine's API is delivered there
 * with the webhook's secret, the execution's items carry the message and the file (SHA-256), and
 * deactivation removes the integration. Every API request is checked against the current spec.
 */
import { createHash } from 'crypto';

import { binaryStats } from '../../support/n8n-harness';
import type { TriggerHarness } from '../../support/n8n-webhooks';
import { DEFAULT_ACCOUNT_KEY } from '../../../sandbox/sunshine/server';
import { APP_ID, type Authentication, expectAuthorization } from './context';
import { CONVERSATION_ID, mediaOf, postMessage, useSunshineTrigger } from './trigger-context';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const { server, start } = useSunshineTrigger();
let harness: TriggerHarness;

const PDF = Buffer.from(`%PDF-1.7 ${'signed delivery note '.repeat(2000)}`);
const PHOTO = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(70_000, 7)]);

describe.each<Authentication>(['apiKey', 'jwt'])('with authentication %s', (authentication) => {
	it('activation registers one custom integration for conversation:message at the production URL; a file message starts one execution with the message and the file; deactivation removes it', async () => {
		harness = await start({}, { authentication });
		await harness.activate();

		const [integration] = server.integrations.list(APP_ID);
		expect(server.integrations.list()).toHaveLength(1);
		expect(integration).toMatchObject({
			type: 'custom',
			displayName: expect.stringMatching(/^n8n Attachment Trigger [0-9a-f]{16}$/),
			webhooks: [{ target: harness.productionUrl, triggers: ['conversation:message'], includeFullUser: false, includeFullSource: false }],
		});
		// The secret Sunshine gave is kept with the registration (static data), to check deliveries.
		expect(harness.staticData()).toMatchObject({
			appId: APP_ID,
			integrationId: integration.id,
			webhookId: integration.webhooks[0].id,
			target: harness.productionUrl,
			secret: integration.webhooks[0].secret,
		});
		const registrationCalls = server.requests.map((request) => `${request.method} ${request.path}`);
		expect(registrationCalls).toEqual([`GET /v2/apps/${APP_ID}/integrations`, `POST /v2/apps/${APP_ID}/integrations`]);
		for (const request of server.requests) expectAuthorization(request, authentication);

		const media = mediaOf(server, 'delivery note.pdf', PDF, 'application/pdf');
		const posted = await postMessage(server, { type: 'file', mediaUrl: media.mediaUrl, text: 'Here is the note' });
		expect(posted.status).toBe(201);
		const [execution] = await harness.waitForExecutions(1);
		await server.integrations.settle();

		const [delivery] = server.integrations.deliveries;
		expect(delivery).toMatchObject({ target: harness.productionUrl, status: 200, attempt: 1, headers: expect.objectContaining({ 'x-api-key': integration.webhooks[0].secret }) });
		expect(harness.deliveries.map((d) => ({ status: d.status, answer: d.answer, outcome: d.outcome }))).toEqual([{ status: 200, answer: { message: 'Workflow was started' }, outcome: 'started' }]);

		expect(execution.error).toBeUndefined();
		expect(execution.mode).toBe('production');
		const message = (posted.body.messages as Array<{ id: string; received: string }>)[0];
		const event = JSON.parse(delivery.body) as { events: Array<{ id: string; createdAt: string }> };
		expect(execution.items).toHaveLength(1);
		expect(execution.items[0].json).toEqual({
			appId: APP_ID,
			conversationId: CONVERSATION_ID,
			messageId: message.id,
			received: message.received,
			author: { type: 'user', userId: '26508c10541a4b0ff472e5e2', displayName: 'Steve Rogers' },
			type: 'file',
			mediaUrl: media.mediaUrl,
			mediaType: 'application/pdf',
			mediaSize: PDF.length,
			fileName: 'delivery note.pdf',
			altText: 'delivery note.pdf',
			text: 'Here is the note',
			eventId: event.events[0].id,
			eventCreatedAt: event.events[0].createdAt,
		});
		const file = execution.items[0].binary?.data;
		expect(file).toMatchObject({ fileName: 'delivery note.pdf', mimeType: 'application/pdf' });
		expect(await binaryStats(file!)).toEqual({ size: PDF.length, sha256: sha256(PDF) });
		// The emulator serves media on the API's own origin (as a Zendesk subdomain does): the
		// download is signed like an API call, as private attachments need.
		const download = server.requests.find((request) => request.path.startsWith('/media/'));
		expectAuthorization(download!, authentication);

		await harness.deactivate();
		expect(server.integrations.list()).toEqual([]);
		expect(server.requests.at(-1)).toMatchObject({ method: 'DELETE', path: `/v2/apps/${APP_ID}/integrations/${integration.id}` });
		expect(harness.staticData()).not.toHaveProperty('secret');
	});
});

it('an image message is one item with its file; Download File off gives the media URL without a file', async () => {
	harness = await start({ download: false });
	await harness.activate();
	const media = mediaOf(server, 'scratch.jpg', PHOTO, 'image/jpeg');
	await postMessage(server, { type: 'image', mediaUrl: media.mediaUrl });
	const [execution] = await harness.waitForExecutions(1);
	expect(execution.items[0].json).toMatchObject({ type: 'image', mediaType: 'image/jpeg', mediaSize: PHOTO.length, fileName: 'scratch.jpg', mediaUrl: media.mediaUrl });
	expect(execution.items[0].binary).toBeUndefined();
	expect(server.requests.some((request) => request.path.startsWith('/media/'))).toBe(false);
});

it('Put Output File in Field names the binary field; an account key registers too', async () => {
	harness = await start({ binaryPropertyName: 'attachment' }, { key: DEFAULT_ACCOUNT_KEY });
	await harness.activate();
	const media = mediaOf(server, 'scratch.jpg', PHOTO, 'image/jpeg');
	await postMessage(server, { type: 'image', mediaUrl: media.mediaUrl });
	const [execution] = await harness.waitForExecutions(1);
	expect(Object.keys(execution.items[0].binary ?? {})).toEqual(['attachment']);
	expect(await binaryStats(execution.items[0].binary!.attachment)).toEqual({ size: PHOTO.length, sha256: sha256(PHOTO) });
});

it('a text message, or a message of a type not chosen, starts nothing and is answered 200', async () => {
	harness = await start({ contentTypes: ['file'], authorTypes: ['user'] });
	await harness.activate();
	const media = mediaOf(server, 'scratch.jpg', PHOTO, 'image/jpeg');
	await postMessage(server, { type: 'text', text: 'hello' });
	await postMessage(server, { type: 'image', mediaUrl: media.mediaUrl });
	await postMessage(server, { type: 'file', mediaUrl: media.mediaUrl }, { author: { type: 'business' } });
	await server.integrations.settle();
	expect(server.integrations.deliveries.map((delivery) => delivery.status)).toEqual([200, 200, 200]);
	expect(harness.deliveries.map((delivery) => delivery.answer)).toEqual([
		{ message: 'No file or image in this delivery', files: 0 },
		{ message: 'No file or image in this delivery', files: 0 },
		{ message: 'No file or image in this delivery', files: 0 },
	]);
	expect(harness.executions).toEqual([]);
});

it('one delivery with several file events (Sunshine batches events) is one execution with one item per file, in order', async () => {
	harness = await start();
	await harness.activate();
	const secret = server.integrations.list()[0].webhooks[0].secret;
	const a = mediaOf(server, 'a.pdf', PDF, 'application/pdf');
	const b = mediaOf(server, 'b.jpg', PHOTO, 'image/jpeg');
	const event = (id: string, messageId: string, content: object) => ({
		id,
		type: 'conversation:message',
		createdAt: '2026-12-06T10:00:00.000Z',
		payload: { conversation: { id: CONVERSATION_ID, type: 'personal' }, message: { id: messageId, received: '2026-12-06T10:00:00.000Z', author: { type: 'user', userId: 'u1' }, content } },
	});
	const body = {
		app: { id: APP_ID },
		webhook: { id: 'w', version: 'v2' },
		events: [
			event('e1', 'm1', { type: 'file', mediaUrl: a.mediaUrl, mediaType: 'application/pdf', mediaSize: a.size, altText: 'a.pdf' }),
			event('e2', 'm2', { type: 'text', text: 'and a photo:' }),
			{ id: 'e3', type: 'conversation:read', createdAt: '2026-12-06T10:00:00.000Z', payload: {} },
			event('e4', 'm3', { type: 'image', mediaUrl: b.mediaUrl, mediaType: 'image/jpeg', mediaSize: b.size, altText: 'b.jpg' }),
		],
	};
	const answer = await fetch(harness.productionUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': secret }, body: JSON.stringify(body) });
	expect(answer.status).toBe(200);
	const [execution] = await harness.waitForExecutions(1);
	expect(execution.items.map((item) => [item.json.messageId, item.json.fileName, item.binary?.data?.fileName])).toEqual([
		['m1', 'a.pdf', 'a.pdf'],
		['m3', 'b.jpg', 'b.jpg'],
	]);
	expect(await binaryStats(execution.items[0].binary!.data)).toEqual({ size: PDF.length, sha256: sha256(PDF) });
	expect(await binaryStats(execution.items[1].binary!.data)).toEqual({ size: PHOTO.length, sha256: sha256(PHOTO) });
});

it('"Listen for test event": registers the test URL, the delivery runs in manual mode, then the test registration is removed', async () => {
	harness = await start();
	await harness.listen();
	expect(server.integrations.list().map((integration) => integration.webhooks[0].target)).toEqual([harness.testUrl]);
	const media = mediaOf(server, 'delivery note.pdf', PDF, 'application/pdf');
	await postMessage(server, { type: 'file', mediaUrl: media.mediaUrl });
	const [execution] = await harness.waitForExecutions(1);
	expect(execution.mode).toBe('test');
	expect(await binaryStats(execution.items[0].binary!.data)).toEqual({ size: PDF.length, sha256: sha256(PDF) });
	await harness.settle();
	expect(harness.listening).toBe(false);
	expect(server.integrations.list()).toEqual([]);
});

it('activating again with the registration in place (n8n restarting) keeps it: one integration, no new secret', async () => {
	harness = await start();
	await harness.activate();
	const first = server.integrations.list()[0];
	server.requests.length = 0;
	await harness.activate();
	expect(server.integrations.list()).toEqual([first]);
	expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([`GET /v2/apps/${APP_ID}/integrations/${first.id}`]);
});

it('a registration deleted at Sunshine (or pointing elsewhere) is made anew on activation', async () => {
	harness = await start();
	await harness.activate();
	const first = server.integrations.list()[0];
	await fetch(`${server.url}/v2/apps/${APP_ID}/integrations/${first.id}`, { method: 'DELETE', headers: { authorization: `Basic ${Buffer.from(`${'app_6620f0c9a6b4e2001d7c3f2a'}:${'sentinel-app-secret-Xq7vT2pL9sK4wR8m'}`).toString('base64')}` } });
	await harness.activate();
	const [second] = server.integrations.list();
	expect(second.id).not.toBe(first.id);
	expect(harness.staticData()).toMatchObject({ integrationId: second.id, secret: second.webhooks[0].secret });
});

it('an integration of this URL left behind (a crash before its answer was kept) is deleted before the new one is made: one registration, one delivery per message', async () => {
	harness = await start();
	await harness.activate();
	const orphan = server.integrations.list()[0];
	// The static data is lost (as after a crash before n8n saved it): the orphan still points here.
	await harness.close();
	harness = await start();
	// Another harness has another URL: make the orphan one of this URL.
	orphan.webhooks[0].target = harness.productionUrl;
	orphan.displayName = (await import('../../../nodes/SunshineConversationsAttachment/trigger/integration')).integrationDisplayName(harness.productionUrl);
	await harness.activate();
	expect(server.integrations.list()).toHaveLength(1);
	expect(server.integrations.list()[0].id).not.toBe(orphan.id);
});
