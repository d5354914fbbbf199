/**
 * Xero under faults, through the fault proxy in front of the Xero emulator.
 *
 * Retry policy: every Xero attachment call is safe to repeat. Listing and downloading only read;
 * an upload carries an Idempotency-Key (the user's, or one made per item), so Xero stores a
 * repeated upload once. Hence 429, 5xx, dropped connections and timeouts are all retried (5
 * attempts in all), each attempt reopening the file from n8n's binary store.
 */
import { randomUUID } from 'node:crypto';

import type { INodeParameters } from 'n8n-workflow';

import { DEFAULT_ACCESS_TOKEN } from '../../sandbox/xero/server';
import type { XeroServer } from '../../sandbox/xero/server';
import { runXero, startServer, xeroCredentials } from '../nodes/XeroAttachment/context';
import type { RunXeroOptions } from '../nodes/XeroAttachment/context';
import { MiB, expectApiFailure, expectDownloaded, expected, fileItem, gapMs, generatedBytes } from './support/cases';
import { useEmulatorBehindProxy } from './support/behind-proxy';
import type { RequestInfo } from './support/fault-proxy';
import { itCase } from './support/summary';

const { server, proxy } = useEmulatorBehindProxy<XeroServer>(startServer, (emulator) => ({ api: emulator.url }));

const parentId = randomUUID();
// Xero answers 404 for a document it does not have: the invoice the cases use exists.
beforeEach(() => server.addDocument('Invoices', parentId));
const isUpload = (request: RequestInfo) => request.method === 'PUT' || request.method === 'POST';
const isDownload = (request: RequestInfo) => request.method === 'GET' && request.path.split('/').length > 6;

async function run(parameters: INodeParameters, options: RunXeroOptions = {}) {
	const credentials = { ...xeroCredentials(server), baseUrl: proxy.urls.api };
	return await runXero(server, { resource: 'invoice', parentId, ...parameters }, { credentials, ...options });
}

const list = (timeout?: number) => run({ operation: 'getAll', returnAll: true, options: timeout ? { timeout } : {} });
const upload = (size: number, seed: number, options: INodeParameters = {}) =>
	run({ operation: 'upload', binaryPropertyName: 'data', options }, { input: fileItem(size, seed) });

async function seedFile(size: number, seed: number, fileName = 'statement.pdf') {
	const record = server.seedAttachment('Invoices', parentId, fileName, await generatedBytes(size, seed), 'application/pdf');
	return { record, want: await expected(size, seed) };
}

const download = (attachmentId: string, timeout?: number) =>
	run({
		operation: 'get',
		getBy: 'attachmentId',
		attachmentId,
		binaryPropertyName: 'data',
		options: { mimeType: 'application/pdf', ...(timeout ? { timeout } : {}) },
	});

const node = 'Xero';

describe('rate limits', () => {
	itCase({ category: 'fault', node, operation: 'Get Many', name: '429 with Retry-After: 1 (seconds)', expected: 'waits 1 s, retried, succeeds in 2 attempts' }, async () => {
		await seedFile(10, 1);
		proxy.inject({ kind: 'status', status: 429, headers: { 'Retry-After': '1', 'X-Rate-Limit-Problem': 'minute' } });
		const result = await list();
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const log = proxy.requests();
		expect(log).toHaveLength(2);
		expect(gapMs(log[0], log[1])).toBeGreaterThanOrEqual(950);
		return { attempts: log.length };
	});

	itCase({ category: 'fault', node, operation: 'Upload', name: '429 with Retry-After as an HTTP date', expected: 'waits until the date, resends the whole file, 2 attempts, stored once' }, async () => {
		const want = await expected(200_000, 2);
		proxy.inject({ kind: 'status', status: 429, headers: { 'Retry-After': new Date(Date.now() + 2000).toUTCString() } });
		const result = await upload(200_000, 2);
		expect(result.error).toBeUndefined();
		const log = proxy.requests();
		expect(log).toHaveLength(2);
		expect(gapMs(log[0], log[1])).toBeGreaterThanOrEqual(900); // the date has one-second resolution
		expect(log[1]).toMatchObject({ requestComplete: true, requestBytes: want.size, requestSha256: want.sha256 });
		expect(server.attachments('Invoices', parentId)).toHaveLength(1);
		return { attempts: log.length };
	});
});

describe('server errors', () => {
	for (const status of [500, 502, 503, 504]) {
		itCase({ category: 'fault', node, operation: 'Get Many', name: `${status} once`, expected: 'retried with backoff, succeeds in 2 attempts' }, async () => {
			await seedFile(10, 1);
			proxy.inject({ kind: 'status', status });
			const result = await list();
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(1);
			expect(proxy.requests()).toHaveLength(2);
			return { attempts: 2 };
		});
	}

	itCase({ category: 'fault', node, operation: 'Upload', name: '503 after Xero stored the file (answer lost)', expected: 'retried with the same Idempotency-Key, stored once' }, async () => {
		const want = await expected(MiB, 3);
		proxy.inject({ kind: 'status', status: 503, afterUpstream: true }, { match: isUpload });
		const result = await upload(MiB, 3);
		expect(result.error).toBeUndefined();
		// The whole file both times, with the same key.
		expect(server.requests.filter((request) => request.method === 'PUT').map((request) => [request.bodySize, request.bodySha256])).toEqual([
			[want.size, want.sha256],
			[want.size, want.sha256],
		]);
		const keys = server.requests.map((request) => request.headers['idempotency-key']);
		expect(keys[0]).toBeDefined();
		expect(keys[1]).toBe(keys[0]);
		const stored = server.attachments('Invoices', parentId);
		expect(stored).toHaveLength(1);
		expect(stored[0]).toMatchObject({ size: want.size, sha256: want.sha256 });
		return { attempts: 2 };
	});

	itCase({ category: 'fault', node, operation: 'Upload', name: '503 on every attempt', expected: 'fails after 5 attempts with Xero\'s status, nothing stored' }, async () => {
		proxy.inject({ kind: 'status', status: 503, body: 'Service Unavailable' }, { times: 5 });
		const result = await upload(50_000, 4);
		const error = expectApiFailure(result, /^Xero: Service Unavailable$/);
		expect(error.httpCode).toBe('503');
		expect(error.description).toMatch(/Gave up after 5 attempts/);
		expect(proxy.requests()).toHaveLength(5);
		expect(server.attachments('Invoices', parentId)).toHaveLength(0);
		return { attempts: 5 };
	}, 60_000);
});

describe('dropped connections', () => {
	itCase({ category: 'fault', node, operation: 'Upload', name: 'connection reset after 256 KiB of a 2 MiB upload', expected: 'retried, the whole file resent, stored once' }, async () => {
		const want = await expected(2 * MiB, 5);
		proxy.inject({ kind: 'resetUpload', afterBytes: 256 * 1024 }, { match: isUpload });
		const result = await upload(2 * MiB, 5);
		expect(result.error).toBeUndefined();
		const log = proxy.requests();
		expect(log).toHaveLength(2);
		expect(log[0].requestComplete).toBe(false);
		expect(log[1]).toMatchObject({ requestComplete: true, requestBytes: want.size, requestSha256: want.sha256 });
		const stored = server.attachments('Invoices', parentId);
		expect(stored).toHaveLength(1);
		expect(stored[0].sha256).toBe(want.sha256);
		return { attempts: 2 };
	});

	itCase({ category: 'fault', node, operation: 'Get (download)', name: 'connection reset after 300 KiB of a 2 MiB download', expected: 'retried, the whole file stored, 2 attempts' }, async () => {
		const { record, want } = await seedFile(2 * MiB, 6);
		proxy.inject({ kind: 'resetDownload', afterBytes: 300 * 1024 }, { match: isDownload });
		const result = await download(record.attachmentId);
		await expectDownloaded(result, want);
		expect(proxy.requests(isDownload)).toHaveLength(2);
		return { attempts: 2 };
	});
});

describe('truncated downloads', () => {
	itCase({ category: 'fault', node, operation: 'Get (download)', name: 'body shorter than Content-Length once', expected: 'retried, the whole file stored' }, async () => {
		const { record, want } = await seedFile(MiB, 7);
		proxy.inject({ kind: 'short', bytes: 100_000 }, { match: isDownload });
		const result = await download(record.attachmentId);
		await expectDownloaded(result, want);
		expect(proxy.requests(isDownload)).toHaveLength(2);
		return { attempts: 2 };
	});

	itCase({ category: 'fault', node, operation: 'Get (download)', name: 'body shorter than Content-Length on every attempt', expected: 'fails saying the download was cut off; no file output' }, async () => {
		const { record } = await seedFile(MiB, 8);
		proxy.inject({ kind: 'short', bytes: 100_000 }, { match: isDownload, times: 5 });
		const result = await download(record.attachmentId);
		const error = expectApiFailure(result, /Xero: the file download was cut off/);
		expect(error.description).toMatch(/nothing was stored/);
		expect(proxy.requests(isDownload)).toHaveLength(5);
		return { attempts: 5 };
	}, 60_000);
});

describe('stalls', () => {
	itCase({ category: 'fault', node, operation: 'Get Many', name: 'server accepts and never answers, once (Timeout 1000 ms)', expected: 'times out after 1 s, retried, succeeds in 2 attempts' }, async () => {
		await seedFile(10, 1);
		proxy.inject({ kind: 'stall' });
		const started = Date.now();
		const result = await list(1000);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(proxy.requests()).toHaveLength(2);
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
		return { attempts: 2 };
	});

	itCase({ category: 'fault', node, operation: 'Get (download)', name: 'download goes silent after 200 KiB, once (Timeout 1000 ms)', expected: 'idle timeout mid-body, retried, whole file stored' }, async () => {
		const { record, want } = await seedFile(MiB, 9);
		proxy.inject({ kind: 'stallBody', afterBytes: 200 * 1024 }, { match: isDownload });
		const result = await download(record.attachmentId, 1000);
		await expectDownloaded(result, want);
		expect(proxy.requests(isDownload)).toHaveLength(2);
		return { attempts: 2 };
	});

	itCase({ category: 'fault', node, operation: 'Get Many', name: 'server never answers (Timeout 500 ms)', expected: 'fails after 5 attempts: "Xero did not respond in 500 ms (timeout)"' }, async () => {
		proxy.inject({ kind: 'stall' }, { times: 5 });
		const result = await list(500);
		const error = expectApiFailure(result, /^Xero did not respond in 500 ms \(timeout\)$/);
		expect(error.description).toMatch(/Timeout/);
		expect(proxy.requests()).toHaveLength(5);
		return { attempts: 5 };
	}, 60_000);
});

describe('malformed answers', () => {
	itCase({ category: 'fault', node, operation: 'Get Many', name: '200 with malformed JSON', expected: 'fails saying the answer is not valid JSON; not taken for an empty list' }, async () => {
		await seedFile(10, 1);
		proxy.inject({ kind: 'malformedJson' });
		const result = await list();
		const error = expectApiFailure(result, /Xero sent a response that is not valid JSON \(HTTP 200/);
		expect(error.httpCode).toBe('200');
		expect(proxy.requests()).toHaveLength(1);
		return { attempts: 1 };
	});

	itCase({ category: 'fault', node, operation: 'Upload', name: '200 with malformed JSON after Xero stored the file', expected: 'fails clearly, says the upload may have been carried out' }, async () => {
		proxy.inject({ kind: 'malformedJson' }, { match: isUpload });
		const result = await upload(10_000, 10);
		const error = expectApiFailure(result, /not valid JSON/);
		expect(error.description).toMatch(/may have been carried out/);
		expect(server.attachments('Invoices', parentId)).toHaveLength(1);
		return { attempts: 1 };
	});
});

describe('expired token', () => {
	itCase({ category: 'fault', node, operation: 'Upload', name: 'access token expired before a 3 MiB upload', expected: 'n8n refreshes the token; the whole file is sent again; stored once' }, async () => {
		const want = await expected(3 * MiB, 11);
		server.expireToken(DEFAULT_ACCESS_TOKEN);
		const result = await upload(3 * MiB, 11);
		expect(result.error).toBeUndefined();
		const uploads = proxy.requests((entry) => entry.method === 'PUT');
		expect(uploads).toHaveLength(2);
		expect(uploads[0].upstreamStatus).toBe(401);
		const renewed = (result.credentialsStore.xeroAttachmentOAuth2Api.oauthTokenData as { access_token: string }).access_token;
		expect(renewed).not.toBe(DEFAULT_ACCESS_TOKEN);
		expect(uploads[1].authorization).toBe(`Bearer ${renewed}`);
		expect(uploads[1]).toMatchObject({ requestComplete: true, requestBytes: want.size, requestSha256: want.sha256 });
		expect(server.attachments('Invoices', parentId)).toEqual([expect.objectContaining({ sha256: want.sha256 })]);
		return { attempts: uploads.length };
	});
});
