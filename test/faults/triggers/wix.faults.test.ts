/**
 * The Wix Attachment Trigger under faults, through n8n-core's webhook path
 * (test/support/n8n-webhooks.ts) against the Wix emulator:
 * - bodies that are not Wix's webhooks (signed with another key, altered after signing, `alg`
 *   none or HS256 keyed with the public key, expired, issued in the future, not a JWT, empty) are
 *   answered 401 and start nothing;
 * - the same event more than once (Wix's retry, a replay, 5 at once) starts one execution;
 * - a credential whose public key is none: activation fails, and a delivery fails visibly;
 * - the file: a link cut short is retried; an expired link fails the execution clearly; a signed
 *   event whose link is an internal address is not fetched.
 */
import { createHmac } from 'node:crypto';

import { binaryStats } from '../../support/n8n-harness';
import type { TriggerHarness } from '../../support/n8n-webhooks';
import { ATTACHMENT_CREATED, DEFAULT_INSTANCE_ID } from '../../../sandbox/wix/server';
import { newKeyPair } from '../../../sandbox/wix/webhooks';
import { attachFile, useWixTrigger, webhookCredentials } from '../../nodes/WixAttachment/trigger-context';
import { startRecorder } from '../support/recorder';
import { itCase } from '../support/summary';

const node = 'Wix Trigger';
const PDF = Buffer.from(`%PDF-1.7 ${'membership form '.repeat(20_000)}`);

const { server, start, startSubscribed } = useWixTrigger({ webhookRetries: 0 });

async function activeTrigger(parameters = {}): Promise<TriggerHarness> {
	const harness = await start(parameters);
	await harness.activate();
	return harness;
}

/** The JWT payload of a created event for an attachment record. */
function createdPayload(attachment: Record<string, unknown>, eventId = `evt-${String(attachment.id)}`): Record<string, unknown> {
	return server.webhooks.envelope(ATTACHMENT_CREATED, DEFAULT_INSTANCE_ID, {
		id: eventId,
		entityFqdn: 'wix.contacts.v4.attachment',
		slug: 'created',
		entityId: attachment.id,
		eventTime: new Date().toISOString(),
		createdEvent: { entity: attachment },
	});
}

const record = (id: string, url: string) => ({ id, fileName: 'form.pdf', mimeType: 'application/pdf', attachmentType: 'OTHER', document: { url } });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function post(url: string, body: string, contentType = 'text/plain'): Promise<{ status: number; body: unknown }> {
	const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
	const text = await response.text();
	return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

describe('bodies that are not webhooks from Wix', () => {
	itCase({ category: 'fault', node, operation: 'Delivery', name: 'signed with another key, altered after signing, alg none, HS256 keyed with the public key, not a JWT, empty', expected: '401 each naming why, no execution' }, async () => {
		const trigger = await activeTrigger({ download: false });
		const payload = createdPayload(record('a1', 'https://static.wixstatic.com/a.pdf'));
		const genuine = server.webhooks.sign(payload);
		const [header, claims, signature] = genuine.split('.');
		const altered = `${header}.${b64({ ...JSON.parse(Buffer.from(claims, 'base64url').toString()), data: JSON.stringify({ eventType: ATTACHMENT_CREATED, instanceId: 'x', data: '{}' }) })}.${signature}`;
		const none = `${b64({ alg: 'none', typ: 'JWT' })}.${claims}.`;
		const hsInput = `${b64({ alg: 'HS256', typ: 'JWT' })}.${claims}`;
		const hs256 = `${hsInput}.${createHmac('sha256', server.webhooks.publicKeyPem).update(hsInput).digest('base64url')}`;
		const cases: Array<[string, string, RegExp]> = [
			['another key', server.webhooks.sign(payload, { privateKey: newKeyPair().privateKey }), /signature does not verify/],
			['altered', altered, /signature does not verify/],
			['alg none', none, /not a JWT|not signed with RS256/],
			['HS256 with the public key', hs256, /not signed with RS256 \(its header says "HS256"\)/],
			['JSON', JSON.stringify({ data: payload.data }), /not a JWT/],
			['empty', '', /body is empty|not a JWT/],
		];
		for (const [, body, reason] of cases) {
			const answer = await post(trigger.productionUrl, body);
			expect(answer.status).toBe(401);
			expect((answer.body as { message: string }).message).toMatch(/^Not a webhook from Wix: /);
			expect((answer.body as { message: string }).message).toMatch(reason);
		}
		await trigger.settle();
		expect(trigger.executions).toEqual([]);
		expect(trigger.deliveries.every((d) => d.outcome !== 'started')).toBe(true);
		expect((await post(trigger.productionUrl, genuine)).status).toBe(200);
		expect(await trigger.waitForExecutions(1)).toHaveLength(1);
		return { attempts: cases.length + 1 };
	});

	itCase({ category: 'fault', node, operation: 'Delivery', name: 'expired 2 minutes ago; issued 5 minutes in the future', expected: '401 naming the date, no execution (a minute of clock leeway each way)' }, async () => {
		const trigger = await activeTrigger({ download: false });
		const payload = createdPayload(record('a2', 'https://static.wixstatic.com/a.pdf'));
		const expired = await post(trigger.productionUrl, server.webhooks.sign(payload, { expiresIn: -120 }));
		expect(expired).toEqual({ status: 401, body: { message: expect.stringMatching(/^Not a webhook from Wix: the JWT expired at \d{4}-/) } });
		// Just expired, within the leeway: accepted.
		expect((await post(trigger.productionUrl, server.webhooks.sign(createdPayload(record('a3', 'https://static.wixstatic.com/a.pdf')), { expiresIn: -30 }))).status).toBe(200);
		const future = await post(trigger.productionUrl, server.webhooks.sign(payload, { issuedIn: 300 }));
		expect(future).toEqual({ status: 401, body: { message: expect.stringMatching(/^Not a webhook from Wix: the JWT was issued in the future/) } });
		await trigger.settle();
		expect(trigger.executions).toHaveLength(1);
		return { attempts: 3 };
	});
});

describe('the same event more than once', () => {
	itCase({ category: 'fault', node, operation: 'Delivery', name: 'Wix retries a delivery (the same JWT 3 more times); the same JWT 5 times at once', expected: 'one execution each; repeats answered 200 "received before"' }, async () => {
		const trigger = await startSubscribed();
		await attachFile(server, 'form.pdf', 'application/pdf', PDF);
		await server.webhooks.settle();
		const [first] = server.webhooks.deliveries;
		for (let i = 0; i < 3; i++) await server.webhooks.redeliver(first.seq);
		expect(server.webhooks.deliveries.map((d) => [d.attempt, d.status])).toEqual([
			[1, 200],
			[2, 200],
			[3, 200],
			[4, 200],
		]);
		expect(trigger.deliveries.slice(1).map((d) => d.answer)).toEqual([1, 2, 3].map(() => ({ message: 'This event was received before', attachments: 0 })));
		const jwt = server.webhooks.sign(createdPayload(record('b1', 'https://static.wixstatic.com/b.pdf')));
		const answers = await Promise.all(Array.from({ length: 5 }, () => post(trigger.productionUrl, jwt)));
		expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
		await trigger.settle();
		expect(trigger.executions).toHaveLength(2);
		return { attempts: 9 };
	});
});

describe('the credential', () => {
	itCase({ category: 'fault', node, operation: 'Activate, Delivery', name: 'a Public Key that is none (the app secret pasted instead)', expected: 'activation fails naming the field; a delivery fails the workflow visibly (500, an error execution in n8n)' }, async () => {
		const refused = await start({}, webhookCredentials(server, { publicKey: 'test-app-secret-7c1e9a' }));
		await expect(refused.activate()).rejects.toThrow('The credential\'s "Public Key" is not a public key (expected the PEM Wix shows: -----BEGIN PUBLIC KEY----- …)');
		// The credential edited after activation: each delivery fails where the user sees it.
		const trigger = await activeTrigger();
		trigger.credentialsStore.wixAttachmentWebhookApi.publicKey = 'test-app-secret-7c1e9a';
		const answer = await post(trigger.productionUrl, server.webhooks.sign(createdPayload(record('d1', 'https://static.wixstatic.com/d.pdf'))));
		expect(answer.status).toBe(500);
		expect(trigger.deliveries[0].error?.message).toMatch(/The credential's "Public Key" is not a public key/);
	});
});

describe('the file', () => {
	itCase({ category: 'fault', node, operation: 'Execution', name: 'file link cut off after 4 KiB', expected: 'retried, the whole file stored (SHA-256)' }, async () => {
		const trigger = await startSubscribed();
		server.truncateNextDownload(4096);
		await attachFile(server, 'form.pdf', 'application/pdf', PDF);
		const [execution] = await trigger.waitForExecutions(1);
		expect(execution.error).toBeUndefined();
		expect((await binaryStats(execution.items[0].binary!.data)).size).toBe(PDF.length);
		expect(server.requestsTo('media').filter((r) => r.method === 'GET')).toHaveLength(2);
		return { attempts: 2 };
	});

	itCase({ category: 'fault', node, operation: 'Execution', name: 'the event\'s file link expired before the download (Wix answers 403)', expected: 'the execution fails naming the file URL of the event, nothing stored' }, async () => {
		const trigger = await activeTrigger();
		const id = await attachFile(server, 'form.pdf', 'application/pdf', PDF);
		const json = server.attachmentJson(server.attachments('513c1bfc-61b6-427d-a7f8-ceeedb1eb763').find((r) => r.id === id)!) as { document: { url: string } };
		const stale = new URL(json.document.url);
		stale.searchParams.set('expires', String(Math.floor(Date.now() / 1000) - 10));
		await post(trigger.productionUrl, server.webhooks.sign(createdPayload({ ...json, document: { url: stale.href } })));
		const [execution] = await trigger.waitForExecutions(1);
		expect(execution.error?.message).toMatch(/^Wix/);
		expect(execution.items).toEqual([]);
	});

	itCase({ category: 'hostile', node, operation: 'Execution', name: 'a genuinely signed event whose file link is an internal address (127.0.0.2)', expected: 'not fetched: the execution fails naming the host, nothing reached' }, async () => {
		const internal = await startRecorder('127.0.0.2');
		try {
			const trigger = await activeTrigger();
			await post(trigger.productionUrl, server.webhooks.sign(createdPayload(record('c1', `${internal.url}/computeMetadata/v1/`))));
			const [execution] = await trigger.waitForExecutions(1);
			expect(execution.error?.message).toMatch(/the file URL of the attachment event leads to 127\.0\.0\.2:\d+, .*so it was not fetched/);
			expect(internal.calls).toEqual([]);
		} finally {
			await internal.close();
		}
	});
});
