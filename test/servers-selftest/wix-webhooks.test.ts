/**
 * The Wix emulator's webhooks, checked on their own (not through the trigger): an attachment made
 * through the API is sent to the subscribed URL as a JWT whose RS256 signature Node's own crypto
 * verifies with the published public key, its payload nested as Wix documents it; deletion sends
 * attachment_deleted; a non-2xx answer is retried with the same token.
 */
import { createPublicKey, verify } from 'node:crypto';

import { ATTACHMENT_CREATED, ATTACHMENT_DELETED, DEFAULT_API_KEY, DEFAULT_CONTACT, DEFAULT_INSTANCE_ID, DEFAULT_SITE_ID, startWixServer } from '../../sandbox/wix/server';
import type { WixServer } from '../../sandbox/wix/server';
import { useReceiver } from './client';

let server: WixServer;
const receiver = useReceiver();

beforeAll(async () => {
	server = await startWixServer({ webhookRetryDelayMs: 20 });
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());

const headers = { authorization: DEFAULT_API_KEY, 'wix-site-id': DEFAULT_SITE_ID, 'content-type': 'application/json' };

async function upload(fileName: string): Promise<string> {
	const answer = await fetch(`${server.url}/contacts/v4/attachments/${DEFAULT_CONTACT.id}/upload-url`, { method: 'POST', headers, body: JSON.stringify({ fileName, mimeType: 'application/pdf' }) });
	const url = new URL(((await answer.json()) as { uploadUrl: string }).uploadUrl);
	url.searchParams.set('filename', fileName);
	await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/pdf' }, body: new Uint8Array(Buffer.from('%PDF-1.7 x')) });
	return server.attachments(DEFAULT_CONTACT.id).find((r) => r.fileName === fileName)!.id;
}

function decode(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown>; verified: boolean } {
	const [h, p, s] = jwt.split('.');
	const verified = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), createPublicKey(server.webhooks.publicKeyPem), Buffer.from(s, 'base64url'));
	return { header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>, payload: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>, verified };
}

it('an upload sends attachment_created as an RS256 JWT (text/plain) the public key verifies, data nested twice as JSON strings', async () => {
	server.webhooks.subscribe(receiver.url);
	const id = await upload('a.pdf');
	await server.webhooks.settle();
	expect(receiver.received).toHaveLength(1);
	expect(receiver.received[0].headers['content-type']).toBe('text/plain; charset=utf-8');
	const { header, payload, verified } = decode(receiver.received[0].body.toString());
	expect(verified).toBe(true);
	expect(header.alg).toBe('RS256');
	expect(typeof payload.iat).toBe('number');
	expect(payload.exp).toBe((payload.iat as number) + 3600);
	expect(typeof payload.data).toBe('string');
	const outer = JSON.parse(payload.data as string) as { eventType: string; instanceId: string; data: string; identity: string };
	expect(outer).toMatchObject({ eventType: ATTACHMENT_CREATED, instanceId: DEFAULT_INSTANCE_ID });
	const event = JSON.parse(outer.data) as Record<string, unknown>;
	expect(event).toMatchObject({ entityFqdn: 'wix.contacts.v4.attachment', slug: 'created', entityId: id, createdEvent: { entity: { id, fileName: 'a.pdf', mimeType: 'application/pdf', attachmentType: 'OTHER' } } });
	expect(JSON.parse(outer.identity)).toMatchObject({ identityType: 'APP' });
});

it('a deletion sends attachment_deleted (event metadata only); subscriptions choose their event types; non-2xx is retried with the same token', async () => {
	server.webhooks.subscribe(receiver.url, [ATTACHMENT_DELETED]);
	const id = await upload('b.pdf');
	receiver.answerStatuses(500, 200);
	await fetch(`${server.url}/contacts/v4/attachments/${DEFAULT_CONTACT.id}/${id}`, { method: 'DELETE', headers });
	await server.webhooks.settle();
	expect(receiver.received).toHaveLength(2);
	expect(receiver.received[0].body.toString()).toBe(receiver.received[1].body.toString());
	const outer = JSON.parse(decode(receiver.received[0].body.toString()).payload.data as string) as { eventType: string; data: string };
	expect(outer.eventType).toBe(ATTACHMENT_DELETED);
	expect(JSON.parse(outer.data)).toMatchObject({ slug: 'deleted', entityId: id, deletedEvent: {} });
	expect(server.webhooks.deliveries.map((d) => [d.attempt, d.status])).toEqual([
		[1, 500],
		[2, 200],
	]);
});
