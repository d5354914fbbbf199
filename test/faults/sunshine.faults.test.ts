/**
 * Sunshine Conversations under faults, through the fault proxy in front of its emulator.
 *
 * Retry policy:
 * - Upload (multipart POST) is NOT safe to repeat: Sunshine has no idempotency key, so after a
 *   5xx, a dropped connection or a timeout it is not sent again (the error says to check); a 429
 *   is retried, Sunshine refused it before storing anything.
 * - Delete (POST .../attachments/remove), Generate Media Token and Set Cookie are safe to repeat:
 *   retried on 429, 5xx, drops and timeouts; a repeated delete that finds the file gone reports
 *   `{ deleted: true }`.
 * - The node has no download and no OAuth2 credential: the truncated-download and token-refresh
 *   faults are covered on the other three nodes; here a 401 is final and the file is sent once.
 */
import type { INodeParameters } from 'n8n-workflow';

import type { SunshineServer } from '../../sandbox/sunshine/server';
import { APP_ID, runSunshine, startServer, sunshineCredentials } from '../nodes/SunshineConversationsAttachment/context';
import type { RunSunshineOptions } from '../nodes/SunshineConversationsAttachment/context';
import { MiB, expectApiFailure, expected, fileItem, gapMs } from './support/cases';
import { useEmulatorBehindProxy } from './support/behind-proxy';
import type { RequestInfo } from './support/fault-proxy';
import { itCase } from './support/summary';

const { server, proxy } = useEmulatorBehindProxy<SunshineServer>(startServer, (emulator) => ({ api: emulator.url }));

const isUpload = (request: RequestInfo) => request.method === 'POST' && request.path.endsWith('/attachments');
const isRemove = (request: RequestInfo) => request.path.endsWith('/attachments/remove');
const isToken = (request: RequestInfo) => request.path.endsWith('/attachments/token');

async function run(parameters: INodeParameters, options: RunSunshineOptions = {}) {
	return await runSunshine(server, parameters, { ...options, credentials: sunshineCredentials(server, undefined, { baseUrl: proxy.urls.api }) });
}

const upload = (size: number, seed: number, options: INodeParameters = {}) =>
	run({ operation: 'upload', binaryPropertyName: 'data', options }, { input: fileItem(size, seed, 'scan.png', 'image/png') });
const mediaToken = (options: INodeParameters = {}) => run({ operation: 'generateMediaToken', paths: [`/apps/${APP_ID}`], options });

const node = 'Sunshine';

describe('rate limits', () => {
	itCase({ category: 'fault', node, operation: 'Upload', name: '429 with Retry-After: 1 (seconds)', expected: 'nothing stored yet: waits 1 s, sends the whole file again, stored once' }, async () => {
		const want = await expected(MiB, 1);
		proxy.inject({ kind: 'status', status: 429, headers: { 'Retry-After': '1', 'content-type': 'application/json' }, body: '{"errors":[{"code":"too_many_requests","title":"Too Many Requests"}]}' }, { match: isUpload });
		const result = await upload(MiB, 1);
		expect(result.error).toBeUndefined();
		const uploads = proxy.requests(isUpload);
		expect(uploads).toHaveLength(2);
		expect(gapMs(uploads[0], uploads[1])).toBeGreaterThanOrEqual(950);
		expect(uploads[1].requestComplete).toBe(true);
		expect(server.attachments(APP_ID)).toEqual([expect.objectContaining({ size: want.size, sha256: want.sha256 })]);
		return { attempts: 2 };
	});

	itCase({ category: 'fault', node, operation: 'Generate Media Token', name: '429 with Retry-After as an HTTP date', expected: 'waits until the date, 2 attempts, token returned' }, async () => {
		proxy.inject({ kind: 'status', status: 429, headers: { 'Retry-After': new Date(Date.now() + 2000).toUTCString() } }, { match: isToken });
		const result = await mediaToken();
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const log = proxy.requests(isToken);
		expect(log).toHaveLength(2);
		expect(gapMs(log[0], log[1])).toBeGreaterThanOrEqual(900);
		return { attempts: 2 };
	});
});

describe('server errors', () => {
	for (const status of [500, 502, 503, 504]) {
		itCase({ category: 'fault', node, operation: 'Generate Media Token', name: `${status} once`, expected: 'retried, succeeds in 2 attempts' }, async () => {
			proxy.inject({ kind: 'status', status }, { match: isToken });
			const result = await mediaToken();
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(1);
			expect(proxy.requests(isToken)).toHaveLength(2);
			return { attempts: 2 };
		});
	}

	itCase({ category: 'fault', node, operation: 'Upload', name: '503 after Sunshine stored the file (answer lost)', expected: 'not repeated: stored once, never twice; the error says to check' }, async () => {
		proxy.inject({ kind: 'status', status: 503, afterUpstream: true }, { match: isUpload });
		const result = await upload(200_000, 2);
		const error = expectApiFailure(result, /503|Service Unavailable/);
		expect(error.description).toMatch(/The request was not repeated: Sunshine Conversations may have carried it out already/);
		expect(proxy.requests(isUpload)).toHaveLength(1);
		expect(server.attachments(APP_ID)).toHaveLength(1);
		return { attempts: 1 };
	});

	itCase({ category: 'fault', node, operation: 'Delete', name: '502 after Sunshine removed the file (answer lost)', expected: 'repeated; reports { deleted: true }; the file is gone' }, async () => {
		const mediaUrl = server.mediaUrl(server.seedAttachment(APP_ID, 'a.png', Buffer.from('png'), 'image/png'));
		proxy.inject({ kind: 'status', status: 502, afterUpstream: true }, { match: isRemove });
		const result = await run({ operation: 'delete', mediaUrl });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json)).toEqual([{ deleted: true }]);
		expect(proxy.requests(isRemove)).toHaveLength(2);
		expect(server.attachments(APP_ID)).toHaveLength(0);
		return { attempts: 2 };
	});
});

describe('dropped connections', () => {
	itCase({ category: 'fault', node, operation: 'Upload', name: 'connection reset after 64 KiB of a 1 MiB upload', expected: 'not repeated; fails saying the connection closed; nothing stored' }, async () => {
		proxy.inject({ kind: 'resetUpload', afterBytes: 64 * 1024 }, { match: isUpload });
		const result = await upload(MiB, 3);
		const error = expectApiFailure(result, /^Sunshine Conversations closed the connection before answering$/);
		expect(error.description).toMatch(/not repeated/);
		expect(proxy.requests(isUpload)).toHaveLength(1);
		expect(server.attachments(APP_ID)).toHaveLength(0);
		return { attempts: 1 };
	});

	itCase({ category: 'fault', node, operation: 'Set Cookie', name: 'connection reset before the answer', expected: 'retried, cookie returned' }, async () => {
		const token = server.issueMediaToken(APP_ID, `/apps/${APP_ID}`);
		proxy.inject({ kind: 'resetDownload', afterBytes: 0 }, { match: (request) => request.path.includes('/cookie') });
		const result = await run({ operation: 'setCookie', mediaToken: token });
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		return { attempts: 2 };
	});
});

describe('stalls', () => {
	itCase({ category: 'fault', node, operation: 'Upload', name: 'server never answers the upload (Timeout 800 ms)', expected: 'not repeated; fails with a timeout error naming the Timeout option' }, async () => {
		proxy.inject({ kind: 'stall' }, { match: isUpload });
		const result = await upload(100_000, 4, { timeout: 800 });
		const error = expectApiFailure(result, /^Sunshine Conversations did not respond in 800 ms \(timeout\)$/);
		expect(error.description).toMatch(/Options > Timeout/);
		expect(proxy.requests(isUpload)).toHaveLength(1);
		return { attempts: 1 };
	});

	itCase({ category: 'fault', node, operation: 'Generate Media Token', name: 'server never answers, once (Timeout 800 ms)', expected: 'times out, retried, succeeds in 2 attempts' }, async () => {
		proxy.inject({ kind: 'stall' }, { match: isToken });
		const result = await mediaToken({ timeout: 800 });
		expect(result.error).toBeUndefined();
		expect(proxy.requests(isToken)).toHaveLength(2);
		return { attempts: 2 };
	});
});

describe('malformed answers and refused credentials', () => {
	itCase({ category: 'fault', node, operation: 'Upload', name: '201 with malformed JSON after the file was stored', expected: 'fails clearly, says the upload may have been carried out; not repeated' }, async () => {
		proxy.inject({ kind: 'malformedJson' }, { match: isUpload });
		const result = await upload(10_000, 5);
		const error = expectApiFailure(result, /^Sunshine Conversations sent a response that is not valid JSON/);
		expect(error.description).toMatch(/may have been carried out/);
		expect(server.attachments(APP_ID)).toHaveLength(1);
		return { attempts: 1 };
	});

	itCase({ category: 'fault', node, operation: 'Upload', name: '401 (key revoked; basic and JWT keys cannot be refreshed)', expected: 'fails at once saying to check the credential; the file is sent once' }, async () => {
		proxy.inject({ kind: 'unauthorized', body: '{"errors":[{"code":"unauthorized","title":"Authorization required"}]}' }, { match: isUpload });
		const result = await upload(100_000, 6);
		const error = expectApiFailure(result, /Authorization required/);
		expect(error.httpCode).toBe('401');
		expect(error.description).toMatch(/Check the credential/);
		expect(proxy.requests(isUpload)).toHaveLength(1);
		return { attempts: 1 };
	});
});
