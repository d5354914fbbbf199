/**
 * The Sunshine Conversations Attachment Trigger under faults, through n8n-core's webhook path
 * (test/support/n8n-webhooks.ts) against the Sunshine emulator:
 * - deliveries that are not Sunshine's (no X-API-Key, a wrong one, another webhook's secret) are
 *   answered 401 and start nothing;
 * - a delivery seen before (a replay, Sunshine's retry, the same one twice at once) starts one
 *   execution;
 * - Sunshine down or failing at registration: a clear activation error and nothing left
 *   registered (also when Sunshine made the integration but its answer was lost); at
 *   deactivation: a clear error, the registration kept to try again;
 * - the file: a download cut short is retried; a media URL to an internal address is not fetched;
 * - the webhook's secret is in no output and no log line.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { NodeApiError } from 'n8n-workflow';

import { binaryStats, logsText } from '../../support/n8n-harness';
import type { TriggerHarness } from '../../support/n8n-webhooks';
import { APP_ID, sunshineCredentials } from '../../nodes/SunshineConversationsAttachment/context';
import { CONVERSATION_ID, mediaOf, postMessage, useSunshineTrigger } from '../../nodes/SunshineConversationsAttachment/trigger-context';
import { startRecorder } from '../support/recorder';
import { itCase } from '../support/summary';

const node = 'Sunshine Trigger';
const PDF = Buffer.from(`%PDF-1.7 ${'claim form '.repeat(30_000)}`);

const { server, start } = useSunshineTrigger({ webhookRetries: 0 }, false);
let harness: TriggerHarness;

/** A URL on 127.0.0.1 where nothing listens any more (Sunshine down). */
async function closedPort(): Promise<string> {
	const probe = createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
	const url = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
	await new Promise<void>((resolve) => probe.close(() => resolve()));
	return url;
}

async function activeTrigger(): Promise<{ harness: TriggerHarness; secret: string }> {
	harness = await start();
	await harness.activate();
	return { harness, secret: server.integrations.list()[0].webhooks[0].secret };
}

/** A delivery as Sunshine sends it, for the file message `messageId`. */
function deliveryBody(messageId: string, mediaUrl: string, eventId = `evt-${messageId}`): string {
	return JSON.stringify({
		app: { id: APP_ID },
		webhook: { id: 'hook', version: 'v2' },
		events: [
			{
				id: eventId,
				type: 'conversation:message',
				createdAt: new Date().toISOString(),
				payload: {
					conversation: { id: CONVERSATION_ID, type: 'personal' },
					message: { id: messageId, received: new Date().toISOString(), author: { type: 'user', userId: 'u1' }, content: { type: 'file', mediaUrl, mediaType: 'application/pdf', mediaSize: PDF.length } },
				},
			},
		],
	});
}

async function deliver(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
	const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
	const text = await response.text();
	return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

describe('deliveries that are not Sunshine\'s', () => {
	const refused = { message: 'The X-API-Key header is missing or is not the secret of this webhook' };

	itCase({ category: 'fault', node, operation: 'Delivery', name: 'no X-API-Key, a wrong one, one differing in case, another webhook\'s secret, the secret cut short', expected: '401 each, no execution, the static data unchanged' }, async () => {
		const { harness: trigger, secret } = await activeTrigger();
		const media = mediaOf(server, 'claim.pdf', PDF, 'application/pdf');
		const before = trigger.staticData();
		const body = deliveryBody('m1', media.mediaUrl);
		const attempts: Array<Record<string, string>> = [{}, { 'x-api-key': 'wrong' }, { 'x-api-key': secret.toUpperCase() }, { 'x-api-key': '8564b3e6a8b20a4bdb68b05ce9bc5936' }, { 'x-api-key': secret.slice(0, -1) }];
		for (const headers of attempts) expect(await deliver(trigger.productionUrl, body, headers)).toEqual({ status: 401, body: refused });
		expect(trigger.deliveries.map((d) => d.outcome)).toEqual(attempts.map(() => 'answered'));
		await trigger.settle();
		expect(trigger.executions).toEqual([]);
		expect(trigger.staticData()).toEqual(before);
		expect(server.requests.filter((r) => r.path.startsWith('/media/'))).toEqual([]);
		// The genuine one still starts, once.
		expect((await deliver(trigger.productionUrl, body, { 'x-api-key': secret })).status).toBe(200);
		expect(await trigger.waitForExecutions(1)).toHaveLength(1);
		return { attempts: attempts.length + 1 };
	});

	itCase({ category: 'fault', node, operation: 'Delivery', name: 'a delivery to a trigger that is not registered (deactivated)', expected: '404 from n8n, no execution' }, async () => {
		const { harness: trigger, secret } = await activeTrigger();
		await trigger.deactivate();
		expect((await deliver(trigger.productionUrl, deliveryBody('m1', 'https://example.com/a.pdf'), { 'x-api-key': secret })).status).toBe(404);
		expect(trigger.executions).toEqual([]);
	});
});

describe('the same event more than once', () => {
	itCase({ category: 'fault', node, operation: 'Delivery', name: 'Sunshine retries a delivery (the same payload again, 3 times)', expected: 'one execution; the repeats answered 200 "received before"' }, async () => {
		const { harness: trigger } = await activeTrigger();
		const media = mediaOf(server, 'claim.pdf', PDF, 'application/pdf');
		await postMessage(server, { type: 'file', mediaUrl: media.mediaUrl });
		await server.integrations.settle();
		const [first] = server.integrations.deliveries;
		for (let i = 0; i < 3; i++) await server.integrations.redeliver(first.seq);
		await trigger.settle();
		expect(server.integrations.deliveries.map((d) => [d.attempt, d.status])).toEqual([
			[1, 200],
			[2, 200],
			[3, 200],
			[4, 200],
		]);
		expect(trigger.deliveries.slice(1).map((d) => d.answer)).toEqual([1, 2, 3].map(() => ({ message: 'Every file of this delivery was received before', files: 0 })));
		expect(trigger.executions).toHaveLength(1);
		return { attempts: 4 };
	});

	itCase({ category: 'fault', node, operation: 'Delivery', name: 'the same delivery 5 times at once', expected: 'one execution (the process\'s own memory sees the repeats before any static data is saved)' }, async () => {
		const { harness: trigger, secret } = await activeTrigger();
		const media = mediaOf(server, 'claim.pdf', PDF, 'application/pdf');
		const body = deliveryBody('m-dup', media.mediaUrl);
		const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(trigger.productionUrl, body, { 'x-api-key': secret })));
		expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
		await trigger.settle();
		expect(trigger.executions).toHaveLength(1);
		expect(trigger.deliveries.filter((d) => d.outcome === 'started')).toHaveLength(1);
		return { attempts: 5 };
	});

	itCase({ category: 'fault', node, operation: 'Delivery', name: 'the same message in a new event (another event ID)', expected: 'one execution: the message ID is remembered too' }, async () => {
		const { harness: trigger, secret } = await activeTrigger();
		const media = mediaOf(server, 'claim.pdf', PDF, 'application/pdf');
		await deliver(trigger.productionUrl, deliveryBody('m-same', media.mediaUrl, 'e1'), { 'x-api-key': secret });
		await deliver(trigger.productionUrl, deliveryBody('m-same', media.mediaUrl, 'e2'), { 'x-api-key': secret });
		await trigger.settle();
		expect(trigger.executions).toHaveLength(1);
	});

	itCase({ category: 'fault', node, operation: 'Delivery', name: '520 distinct file messages, one after another', expected: 'every one an execution; the memory of seen events keeps the last 1,000 keys (bounded), oldest forgotten first' }, async () => {
		harness = await start({ download: false });
		await harness.activate();
		const secret = server.integrations.list()[0].webhooks[0].secret;
		for (let i = 0; i < 520; i++) await deliver(harness.productionUrl, deliveryBody(`f${i}`, 'https://example.com/claim.pdf'), { 'x-api-key': secret });
		const kept = (harness.staticData() as { recentDeliveries: string[] }).recentDeliveries;
		// Two keys an event (its ID and its message's): 1,040 seen, the first 40 forgotten.
		expect(kept).toHaveLength(1000);
		expect(kept[0]).toBe('event:evt-f20');
		expect(kept.at(-1)).toBe('message:f519');
		await harness.settle();
		expect(harness.executions).toHaveLength(520);
		return { attempts: 520 };
	}, 300_000);
});

describe('registration', () => {
	itCase({ category: 'fault', node, operation: 'Activate', name: 'Sunshine down (connection refused)', expected: 'activation fails naming Sunshine and the refused connection, nothing registered, no registration kept' }, async () => {
		const down = await closedPort();
		harness = await start({}, { credentials: sunshineCredentials(server, undefined, { baseUrl: down }) });
		const error = await harness.activate().then(() => undefined, (e: unknown) => e as NodeApiError);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error!.message).toBe('Sunshine Conversations did not register the webhook: Could not connect to Sunshine Conversations (connection refused)');
		expect(error!.description).toMatch(/Nothing was registered\./);
		expect(harness.active).toBe(false);
		expect(harness.staticData()).toEqual({});
		expect(server.integrations.list()).toEqual([]);
	}, 120_000);

	itCase({ category: 'fault', node, operation: 'Activate', name: 'Create Integration answered 500 after Sunshine made the integration (answer lost)', expected: 'activation fails, the integration Sunshine made is found by its name and deleted: nothing left registered' }, async () => {
		harness = await start();
		server.integrations.loseNextCreateAnswers(1);
		const error = await harness.activate().then(() => undefined, (e: unknown) => e as NodeApiError);
		expect(error?.message).toBe('Sunshine Conversations did not register the webhook: Sunshine Conversations: Internal server error (internal_error)');
		expect(error?.description).toMatch(/The integration Sunshine made anyway \(1\) was deleted again: nothing is left registered\./);
		expect(server.integrations.list()).toEqual([]);
		const calls = server.requests.map((r) => `${r.method} ${r.path.replace(/integrations\/\w+/, 'integrations/{id}')}`);
		expect(calls).toEqual([
			`GET /v2/apps/${APP_ID}/integrations`,
			`POST /v2/apps/${APP_ID}/integrations`, // not repeated: a POST that may have acted is sent once
			`GET /v2/apps/${APP_ID}/integrations`,
			`DELETE /v2/apps/${APP_ID}/integrations/{id}`,
		]);
		// Activating again works and leaves one registration.
		await harness.activate();
		expect(server.integrations.list()).toHaveLength(1);
		return { attempts: 1 };
	});

	itCase({ category: 'fault', node, operation: 'Activate', name: 'Create Integration answered 503 without making it', expected: 'activation fails, Sunshine has none: nothing left registered' }, async () => {
		harness = await start();
		const fail = { status: 503, headers: { 'content-type': 'application/json' }, body: '{"errors":[{"code":"service_unavailable","title":"Service Unavailable"}]}' };
		server.failNext(1, { status: 200, body: '{"integrations":[],"meta":{"hasMore":false}}' });
		server.failNext(1, fail);
		const error = await harness.activate().then(() => undefined, (e: unknown) => e as NodeApiError);
		expect(error?.message).toBe('Sunshine Conversations did not register the webhook: Sunshine Conversations: Service Unavailable (service_unavailable)');
		expect(error?.description).toMatch(/Sunshine has no integration of it: nothing is left registered\./);
		expect(server.integrations.list()).toEqual([]);
	});

	itCase({ category: 'fault', node, operation: 'Activate', name: 'a wrong key secret (401)', expected: 'activation fails with Sunshine\'s message, nothing registered, no clean-up call after the refusal' }, async () => {
		harness = await start({}, { credentials: sunshineCredentials(server, undefined, { secret: 'not-the-secret' }) });
		const error = await harness.activate().then(() => undefined, (e: unknown) => e as NodeApiError);
		expect(error?.message).toMatch(/^Sunshine Conversations did not register the webhook: Sunshine Conversations: /);
		expect(error?.httpCode).toBe('401');
		expect(server.requests).toHaveLength(1);
		expect(server.integrations.list()).toEqual([]);
	});

	itCase({ category: 'fault', node, operation: 'Deactivate', name: 'Sunshine down at deactivation, then back', expected: 'a clear error naming the integration, the registration kept; the next deactivation removes it' }, async () => {
		const { harness: trigger } = await activeTrigger();
		const [integration] = server.integrations.list();
		server.failNext(5, { status: 503, body: '{"errors":[{"code":"service_unavailable","title":"Service Unavailable"}]}' });
		const error = await trigger.deactivate().then(() => undefined, (e: unknown) => e as NodeApiError);
		expect(error?.message).toBe(`Sunshine Conversations did not delete the webhook's integration ${integration.id}: Sunshine Conversations: Service Unavailable (service_unavailable)`);
		expect(trigger.staticData()).toMatchObject({ integrationId: integration.id });
		await trigger.deactivate();
		expect(server.integrations.list()).toEqual([]);
		return { attempts: 6 };
	}, 120_000);
});

describe('the file', () => {
	itCase({ category: 'fault', node, operation: 'Execution', name: 'media download cut off after 1 KiB', expected: 'retried, the whole file stored (SHA-256)' }, async () => {
		const { harness: trigger } = await activeTrigger();
		const media = mediaOf(server, 'claim.pdf', PDF, 'application/pdf');
		server.truncateNextMedia(1024);
		await postMessage(server, { type: 'file', mediaUrl: media.mediaUrl });
		const [execution] = await trigger.waitForExecutions(1);
		expect(execution.error).toBeUndefined();
		expect((await binaryStats(execution.items[0].binary!.data)).size).toBe(PDF.length);
		expect(server.requests.filter((r) => r.path.startsWith('/media/'))).toHaveLength(2);
		return { attempts: 2 };
	});

	itCase({ category: 'hostile', node, operation: 'Execution', name: 'a signed delivery whose media URL is an internal address (127.0.0.2)', expected: 'not fetched: the execution fails naming the host, nothing stored, nothing reached' }, async () => {
		const internal = await startRecorder('127.0.0.2');
		try {
			const { harness: trigger, secret } = await activeTrigger();
			await deliver(trigger.productionUrl, deliveryBody('m-int', `${internal.url}/latest/meta-data/credentials`), { 'x-api-key': secret });
			const [execution] = await trigger.waitForExecutions(1);
			expect(execution.error?.message).toMatch(/the media URL of the message leads to 127\.0\.0\.2:\d+, .*so it was not fetched/);
			expect(execution.items).toEqual([]);
			expect(internal.calls).toEqual([]);
		} finally {
			await internal.close();
		}
	});
});

describe('secrets', () => {
	itCase({ category: 'secret', node, operation: 'Activate, deliveries, execution', name: 'the webhook secret and the key secret', expected: 'in no item, no error, no log line of activation, delivery or execution' }, async () => {
		const { harness: trigger, secret } = await activeTrigger();
		const media = mediaOf(server, 'claim.pdf', PDF, 'application/pdf');
		await deliver(trigger.productionUrl, deliveryBody('m1', media.mediaUrl), { 'x-api-key': 'wrong' });
		await postMessage(server, { type: 'file', mediaUrl: media.mediaUrl });
		const [execution] = await trigger.waitForExecutions(1);
		const seen = JSON.stringify(execution.items.map((item) => item.json)) + JSON.stringify(trigger.deliveries.map((d) => d.answer)) + logsText(execution.logs) + trigger.deliveries.map((d) => logsText(d.logs)).join('');
		const sentinels = [secret, 'sentinel-app-secret-Xq7vT2pL9sK4wR8m'];
		const leaks = sentinels.filter((sentinel) => seen.includes(sentinel)).length;
		expect(leaks).toBe(0);
		return { sentinelChecks: sentinels.length, leaks };
	});
});
