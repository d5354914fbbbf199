/**
 * The Sunshine emulator's integrations and message deliveries, checked on their own (not through
 * the trigger): Create Integration's answer carries the webhook and its secret, a file message is
 * delivered to the webhook with the secret in X-API-Key as the spec's "Webhook Event", a 5xx or no
 * answer is retried with the same event, a 4xx is not, and other apps' messages go elsewhere.
 */

import { DEFAULT_APP, DEFAULT_APP_KEY, SECOND_APP, startSunshineServer } from '../../sandbox/sunshine/server';
import type { SunshineServer } from '../../sandbox/sunshine/server';
import { useReceiver } from './client';

let server: SunshineServer;
const receiver = useReceiver();

const auth = `Basic ${Buffer.from(`${DEFAULT_APP_KEY.id}:${DEFAULT_APP_KEY.secret}`).toString('base64')}`;

beforeAll(async () => {
	server = await startSunshineServer({ webhookRetryDelayMs: 20 });
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
	const response = await fetch(`${server.url}${path}`, { method, headers: { authorization: auth, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
	return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const createHook = async () =>
	await api('POST', `/v2/apps/${DEFAULT_APP.id}/integrations`, { type: 'custom', displayName: 'hook', webhooks: [{ target: receiver.url, triggers: ['conversation:message'] }] });

it('Create Integration answers the custom integration with its webhook and secret; Get, List and Delete', async () => {
	const created = await createHook();
	expect(created.status).toBe(201);
	const integration = created.json.integration as { id: string; webhooks: Array<{ id: string; secret: string; target: string; version: string }> };
	expect(integration).toMatchObject({ type: 'custom', status: 'active', displayName: 'hook', webhooks: [{ target: receiver.url, version: 'v2', triggers: ['conversation:message'] }] });
	expect(integration.webhooks[0].secret).toMatch(/^[0-9a-f]{32}$/);
	expect((await api('GET', `/v2/apps/${DEFAULT_APP.id}/integrations/${integration.id}`)).json.integration).toEqual(integration);
	expect(((await api('GET', `/v2/apps/${DEFAULT_APP.id}/integrations`)).json.integrations as unknown[]).length).toBe(1);
	expect((await api('DELETE', `/v2/apps/${DEFAULT_APP.id}/integrations/${integration.id}`)).status).toBe(200);
	expect((await api('GET', `/v2/apps/${DEFAULT_APP.id}/integrations/${integration.id}`)).status).toBe(404);
	expect((await api('POST', `/v2/apps/${DEFAULT_APP.id}/integrations`, { type: 'web' })).status).toBe(400);
	expect((await api('POST', `/v2/apps/${DEFAULT_APP.id}/integrations`, { type: 'custom', webhooks: [] })).status).toBe(400);
});

it('a file message is delivered with X-API-Key as { app, webhook, events: [conversation:message] }, filled with the upload\'s type and size', async () => {
	const secret = ((await createHook()).json.integration as { webhooks: Array<{ secret: string }> }).webhooks[0].secret;
	const record = server.seedAttachment(DEFAULT_APP.id, 'a.pdf', Buffer.from('%PDF-1.7 hello'), 'application/pdf');
	const posted = await api('POST', `/v2/apps/${DEFAULT_APP.id}/conversations/c1/messages`, { author: { type: 'user' }, content: { type: 'file', mediaUrl: server.mediaUrl(record) } });
	expect(posted.status).toBe(201);
	await server.integrations.settle();
	expect(receiver.received).toHaveLength(1);
	expect(receiver.received[0].headers['x-api-key']).toBe(secret);
	expect(receiver.received[0].headers['content-type']).toBe('application/json');
	const payload = JSON.parse(receiver.received[0].body.toString()) as { app: { id: string }; webhook: { version: string }; events: Array<{ type: string; payload: { conversation: { id: string }; message: { content: Record<string, unknown> } } }> };
	expect(payload.app.id).toBe(DEFAULT_APP.id);
	expect(payload.webhook.version).toBe('v2');
	expect(payload.events).toHaveLength(1);
	expect(payload.events[0]).toMatchObject({ type: 'conversation:message', payload: { conversation: { id: 'c1' }, message: { content: { type: 'file', mediaType: 'application/pdf', mediaSize: 14, altText: 'a.pdf' } } } });
	// Another app's message does not reach this app's webhook.
	await api('POST', `/v2/apps/${SECOND_APP.id}/conversations/c2/messages`, { author: { type: 'user' }, content: { type: 'text', text: 'hi' } });
	await server.integrations.settle();
	expect(receiver.received).toHaveLength(1);
});

it('a 5xx answer is retried with the same event (2 retries by default); a 4xx answer is not', async () => {
	await createHook();
	receiver.answerStatuses(503, 502, 200);
	await api('POST', `/v2/apps/${DEFAULT_APP.id}/conversations/c1/messages`, { author: { type: 'user' }, content: { type: 'text', text: 'hi' } });
	await server.integrations.settle();
	expect(server.integrations.deliveries.map((d) => [d.attempt, d.status])).toEqual([
		[1, 503],
		[2, 502],
		[3, 200],
	]);
	expect(new Set(receiver.received.map((r) => r.body.toString())).size).toBe(1);
	receiver.answerStatuses(401);
	await api('POST', `/v2/apps/${DEFAULT_APP.id}/conversations/c1/messages`, { author: { type: 'user' }, content: { type: 'text', text: 'again' } });
	await server.integrations.settle();
	expect(server.integrations.deliveries.slice(3).map((d) => d.status)).toEqual([401]);
});
