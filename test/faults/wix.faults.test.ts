/**
 * Wix under faults, through the fault proxy in front of the Wix emulator (API host and media
 * host).
 *
 * Retry policy:
 * - Generate Upload URL, Get, Get Many and the media download are safe to repeat (asking again
 *   only makes another URL, or reads): retried on 429, 5xx, drops and timeouts.
 * - The PUT of the bytes to the upload URL is NOT repeated after a failure Wix may have acted on:
 *   the URL may serve only once, and a second PUT could attach the file twice. A 429 is retried.
 * - Delete is retried; a repeat that finds the attachment gone reports `{ deleted: true }`.
 */
import type { INodeParameters } from 'n8n-workflow';

import type { WixServer } from '../../sandbox/wix/server';
import { CONTACT_ID, apiKeyCredentials, appCredentials, runWix, startServer } from '../nodes/WixAttachment/context';
import type { RunWixOptions } from '../nodes/WixAttachment/context';
import { MiB, expectApiFailure, expectDownloaded, expected, fileItem, gapMs, generatedBytes } from './support/cases';
import { useEmulatorBehindProxy } from './support/behind-proxy';
import type { RequestInfo } from './support/fault-proxy';
import { itCase } from './support/summary';

const { server, proxy } = useEmulatorBehindProxy<WixServer>(startServer, (emulator) => ({ api: emulator.url, media: emulator.mediaUrl }));

const isAnnounce = (request: RequestInfo) => request.method === 'POST' && request.path.endsWith('/upload-url');
const isPut = (request: RequestInfo) => request.method === 'PUT';
const isMediaGet = (request: RequestInfo) => request.target === 'media' && request.method === 'GET';
const locator = (value: string) => ({ __rl: true, mode: 'id', value });

async function run(parameters: INodeParameters, options: RunWixOptions = {}) {
	const credentials =
		parameters.authentication === 'appOAuth'
			? { ...appCredentials(server), baseUrl: proxy.urls.api, ...(options.credentials ?? {}) }
			: { ...apiKeyCredentials(server), baseUrl: proxy.urls.api };
	return await runWix(server, parameters, { ...options, credentials });
}

const upload = (size: number, seed: number, options: INodeParameters = {}) =>
	run({ operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data', options }, { input: fileItem(size, seed) });

async function seedFile(size: number, seed: number, name = 'contract.pdf') {
	const record = server.seedAttachment(CONTACT_ID, name, await generatedBytes(size, seed), 'application/pdf');
	return { record, want: await expected(size, seed) };
}

const getWithDownload = (id: string, timeout?: number) =>
	run({ operation: 'get', contactId: CONTACT_ID, attachmentId: locator(id), download: true, binaryPropertyName: 'data', options: timeout ? { timeout } : {} });

const node = 'Wix';

describe('rate limits', () => {
	itCase({ category: 'fault', node, operation: 'Upload', name: '429 with Retry-After: 1 on Generate Upload URL', expected: 'waits 1 s, asks again, then the file goes once' }, async () => {
		const want = await expected(300_000, 1);
		proxy.inject({ kind: 'status', status: 429, headers: { 'Retry-After': '1' } }, { match: isAnnounce });
		const result = await upload(300_000, 1);
		expect(result.error).toBeUndefined();
		const announces = proxy.requests((entry) => entry.method === 'POST');
		expect(announces).toHaveLength(2);
		expect(gapMs(announces[0], announces[1])).toBeGreaterThanOrEqual(950);
		expect(proxy.requests((entry) => entry.method === 'PUT')).toEqual([expect.objectContaining({ requestSha256: want.sha256 })]);
		expect(server.attachments(CONTACT_ID)).toEqual([expect.objectContaining({ sha256: want.sha256 })]);
		return { attempts: 3 };
	});

	itCase({ category: 'fault', node, operation: 'Upload', name: '429 with Retry-After as an HTTP date on the PUT of the bytes', expected: 'Wix took nothing: waits, PUTs the whole file again, attached once' }, async () => {
		const want = await expected(300_000, 2);
		proxy.inject({ kind: 'status', status: 429, headers: { 'Retry-After': new Date(Date.now() + 4000).toUTCString() } }, { match: isPut });
		const result = await upload(300_000, 2);
		expect(result.error).toBeUndefined();
		const puts = proxy.requests((entry) => entry.method === 'PUT');
		expect(puts).toHaveLength(2);
		expect(gapMs(puts[0], puts[1])).toBeGreaterThanOrEqual(900);
		expect(puts[1]).toMatchObject({ requestComplete: true, requestSha256: want.sha256, url: puts[0].url });
		expect(puts[1].headers['content-length']).toBe(String(want.size));
		// The upload URL is asked for once: the same one takes the second PUT.
		expect(proxy.requests(isAnnounce)).toHaveLength(1);
		expect(server.attachments(CONTACT_ID)).toEqual([expect.objectContaining({ sha256: want.sha256 })]);
		return { attempts: 3 };
	});
});

describe('server errors', () => {
	for (const status of [500, 502, 503, 504]) {
		itCase({ category: 'fault', node, operation: 'Get Many', name: `${status} once`, expected: 'retried, succeeds in 2 attempts' }, async () => {
			await seedFile(10, 3);
			proxy.inject({ kind: 'status', status });
			const result = await run({ operation: 'getAll', contactId: CONTACT_ID, returnAll: true });
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(1);
			expect(proxy.requests()).toHaveLength(2);
			return { attempts: 2 };
		});
	}

	itCase({ category: 'fault', node, operation: 'Upload', name: '503 on the PUT after Wix stored the bytes (answer lost)', expected: 'not repeated: attached once; the error says to check Wix' }, async () => {
		proxy.inject({ kind: 'status', status: 503, afterUpstream: true }, { match: isPut });
		const result = await upload(200_000, 4);
		const error = expectApiFailure(result, /503|Service Unavailable/);
		expect(error.description).toMatch(/The request was not repeated: Wix may have carried it out already/);
		expect(proxy.requests(isPut)).toHaveLength(1);
		expect(server.attachments(CONTACT_ID)).toHaveLength(1);
		return { attempts: 1 };
	});

	itCase({ category: 'fault', node, operation: 'Delete', name: '502 after Wix deleted (answer lost)', expected: 'repeated; finds it gone (404); reports { deleted: true }' }, async () => {
		const { record } = await seedFile(10, 5);
		proxy.inject({ kind: 'status', status: 502, afterUpstream: true }, { match: (request) => request.method === 'DELETE' });
		const result = await run({ operation: 'delete', contactId: CONTACT_ID, attachmentId: locator(record.id) });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json)).toEqual([{ deleted: true }]);
		expect(proxy.requests((entry) => entry.method === 'DELETE').map((entry) => entry.upstreamStatus)).toEqual([200, 404]);
		expect(server.attachments(CONTACT_ID)).toHaveLength(0);
		return { attempts: 2 };
	});
});

describe('dropped connections', () => {
	itCase({ category: 'fault', node, operation: 'Upload', name: 'connection reset after 128 KiB of the PUT of 1 MiB', expected: 'not repeated; fails saying the connection closed; nothing attached' }, async () => {
		proxy.inject({ kind: 'resetUpload', afterBytes: 128 * 1024 }, { match: isPut });
		const result = await upload(MiB, 6);
		const error = expectApiFailure(result, /^The upload URL Wix returned closed the connection before answering$/);
		expect(error.description).toMatch(/not repeated/);
		expect(proxy.requests(isPut)).toHaveLength(1);
		expect(server.attachments(CONTACT_ID)).toHaveLength(0);
		return { attempts: 1 };
	});

	itCase({ category: 'fault', node, operation: 'Get (download)', name: 'connection reset after 256 KiB of a 2 MiB media download', expected: 'retried, whole file stored' }, async () => {
		const { record, want } = await seedFile(2 * MiB, 7);
		proxy.inject({ kind: 'resetDownload', afterBytes: 256 * 1024 }, { match: isMediaGet });
		const result = await getWithDownload(record.id);
		await expectDownloaded(result, want);
		expect(proxy.requests(isMediaGet)).toHaveLength(2);
		return { attempts: 2 };
	});
});

describe('truncated downloads', () => {
	itCase({ category: 'fault', node, operation: 'Get (download)', name: 'media shorter than its Content-Length, once', expected: 'retried, whole file stored' }, async () => {
		const { record, want } = await seedFile(MiB, 8);
		proxy.inject({ kind: 'short', bytes: 10_000 }, { match: isMediaGet });
		const result = await getWithDownload(record.id);
		await expectDownloaded(result, want);
		return { attempts: 2 };
	});

	itCase({ category: 'fault', node, operation: 'Get (download)', name: 'media shorter than its Content-Length on every attempt', expected: 'fails saying the download was cut off; no file output' }, async () => {
		const { record } = await seedFile(MiB, 9);
		proxy.inject({ kind: 'short', bytes: 10_000 }, { match: isMediaGet, times: 5 });
		const result = await getWithDownload(record.id);
		expectApiFailure(result, /^Wix: the file download was cut off/);
		return { attempts: 5 };
	}, 60_000);
});

describe('stalls', () => {
	itCase({ category: 'fault', node, operation: 'Upload', name: 'upload host never answers the PUT (Timeout 800 ms)', expected: 'not repeated; fails with a timeout error naming the Timeout option' }, async () => {
		proxy.inject({ kind: 'stall' }, { match: isPut });
		const result = await upload(100_000, 10, { timeout: 800 });
		const error = expectApiFailure(result, /^The upload URL Wix returned did not respond in 800 ms \(timeout\)$/);
		expect(error.description).toMatch(/Options > Timeout/);
		expect(proxy.requests(isPut)).toHaveLength(1);
		return { attempts: 1 };
	});

	itCase({ category: 'fault', node, operation: 'Get (download)', name: 'media host goes silent mid-body, once (Timeout 800 ms)', expected: 'idle timeout, retried, whole file stored' }, async () => {
		const { record, want } = await seedFile(MiB, 11);
		proxy.inject({ kind: 'stallBody', afterBytes: 64 * 1024 }, { match: isMediaGet });
		const result = await getWithDownload(record.id, 800);
		await expectDownloaded(result, want);
		expect(proxy.requests(isMediaGet)).toHaveLength(2);
		return { attempts: 2 };
	});
});

describe('malformed answers', () => {
	itCase({ category: 'fault', node, operation: 'Upload', name: 'Generate Upload URL answers malformed JSON', expected: 'fails saying so; no bytes sent anywhere' }, async () => {
		proxy.inject({ kind: 'malformedJson' }, { match: isAnnounce });
		const result = await upload(10_000, 12);
		expectApiFailure(result, /^Wix sent a response that is not valid JSON/);
		expect(proxy.requests(isPut)).toHaveLength(0);
		return { attempts: 1 };
	});
});

describe('expired token', () => {
	itCase({ category: 'fault', node, operation: 'Upload (Wix app OAuth)', name: 'app token expired before a 2 MiB upload', expected: 'the token is renewed on the 401, then the whole file goes once' }, async () => {
		const want = await expected(2 * MiB, 13);
		const { access_token: old } = server.issueToken();
		server.expireToken(old);
		const result = await run(
			{ authentication: 'appOAuth', operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data', options: {} },
			{ input: fileItem(2 * MiB, 13), credentials: { accessToken: old } },
		);
		expect(result.error).toBeUndefined();
		expect(proxy.requests(isAnnounce).map((entry) => entry.upstreamStatus)).toEqual([401, 200]);
		expect(proxy.requests(isPut)).toEqual([expect.objectContaining({ requestComplete: true, requestSha256: want.sha256 })]);
		expect(server.attachments(CONTACT_ID)).toEqual([expect.objectContaining({ sha256: want.sha256 })]);
		return { attempts: 2 };
	});
});
