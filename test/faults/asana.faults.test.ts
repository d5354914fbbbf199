/**
 * Asana under faults, through the fault proxy in front of the Asana emulator (its API host and
 * its file host both).
 *
 * Retry policy:
 * - Upload (POST /attachments) is NOT safe to repeat: Asana has no idempotency key, so a request
 *   it may have acted on (5xx, a dropped connection) is not sent again; the error says to check
 *   the task. A 429 is retried: Asana refused it before doing anything.
 * - Get, Get Many and the file download only read: retried on 429, 5xx, drops and timeouts.
 * - Delete is retried too: deleting twice changes nothing, and a repeated delete that finds the
 *   attachment gone (its first answer was lost) reports `{ deleted: true }`.
 */
import type { INodeParameters } from 'n8n-workflow';

import { DEFAULT_OAUTH_ACCESS_TOKEN, DEFAULT_TASK } from '../../sandbox/asana/server';
import type { AsanaServer } from '../../sandbox/asana/server';
import { credentialsFor, locator, runAsana, startServer } from '../nodes/AsanaAttachment/context';
import type { Auth, RunAsanaOptions } from '../nodes/AsanaAttachment/context';
import { MiB, expectApiFailure, expectDownloaded, expected, fileItem, gapMs, generatedBytes } from './support/cases';
import { useEmulatorBehindProxy } from './support/behind-proxy';
import type { RequestInfo } from './support/fault-proxy';
import { itCase } from './support/summary';

const { server, proxy } = useEmulatorBehindProxy<AsanaServer>(startServer, (emulator) => ({ api: emulator.url, files: emulator.filesUrl }));

const task = DEFAULT_TASK.gid;
const isUpload = (request: RequestInfo) => request.method === 'POST' && request.path.endsWith('/attachments');
const isFile = (request: RequestInfo) => request.target === 'files';
const isApi = (request: RequestInfo) => request.target === 'api';

async function run(parameters: INodeParameters, options: RunAsanaOptions & { auth?: Auth } = {}) {
	const auth = options.auth ?? 'accessToken';
	const credentials = Object.fromEntries(
		Object.entries(credentialsFor(server, auth)).map(([type, data]) => [type, { ...data, baseUrl: proxy.urls.api }]),
	);
	return await runAsana(server, parameters, { credentials, ...options, auth });
}

const upload = (size: number, seed: number, auth: Auth = 'accessToken') =>
	run({ operation: 'upload', parent: locator(task), source: 'binary', binaryPropertyName: 'data', options: {} }, { input: fileItem(size, seed), auth });

async function seedFile(size: number, seed: number, name = 'contract.pdf') {
	const record = server.seedAttachment(task, name, await generatedBytes(size, seed), 'application/pdf');
	return { record, want: await expected(size, seed) };
}

const getWithDownload = (gid: string, timeout?: number) =>
	run({ operation: 'get', attachmentId: gid, download: true, binaryPropertyName: 'data', options: timeout ? { timeout } : {} });

const node = 'Asana';

describe('rate limits', () => {
	itCase({ category: 'fault', node, operation: 'Upload', name: '429 with Retry-After: 1 (seconds)', expected: 'Asana did nothing yet: waits 1 s, resends the whole file, 2 attempts, attached once' }, async () => {
		const want = await expected(500_000, 1);
		proxy.inject({ kind: 'status', status: 429, headers: { 'Retry-After': '1', 'content-type': 'application/json' }, body: '{"errors":[{"message":"You have made too many requests recently."}]}' }, { match: isUpload });
		const result = await upload(500_000, 1);
		expect(result.error).toBeUndefined();
		const uploads = proxy.requests((entry) => entry.method === 'POST');
		expect(uploads).toHaveLength(2);
		expect(gapMs(uploads[0], uploads[1])).toBeGreaterThanOrEqual(950);
		// Each attempt is a new form (a new boundary) around the same file, read again from the store.
		expect(uploads.map((entry) => entry.requestComplete)).toEqual([true, true]);
		expect(uploads[1].requestBytes).toBe(uploads[0].requestBytes);
		expect(uploads[1].requestSha256).not.toBe(uploads[0].requestSha256);
		expect(server.attachments(task)).toEqual([expect.objectContaining({ sha256: want.sha256 })]);
		return { attempts: 2 };
	});

	itCase({ category: 'fault', node, operation: 'Get Many', name: '429 with Retry-After as an HTTP date', expected: 'waits until the date, 2 attempts, every attachment listed' }, async () => {
		await seedFile(10, 2);
		proxy.inject({ kind: 'status', status: 429, headers: { 'Retry-After': new Date(Date.now() + 2000).toUTCString() } });
		const result = await run({ operation: 'getAll', parent: locator(task), returnAll: true, options: {} });
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const log = proxy.requests();
		expect(log).toHaveLength(2);
		expect(gapMs(log[0], log[1])).toBeGreaterThanOrEqual(900);
		return { attempts: 2 };
	});
});

describe('server errors', () => {
	for (const status of [500, 502, 503, 504]) {
		itCase({ category: 'fault', node, operation: 'Get Many (page 2 of 3)', name: `${status} on the second page`, expected: 'that page retried; all 230 attachments listed once' }, async () => {
			for (let i = 0; i < 230; i++) server.seedAttachment(task, `f${i}.txt`, Buffer.from(String(i)), 'text/plain');
			proxy.inject({ kind: 'status', status }, { match: (request) => request.url.includes('offset=') });
			const result = await run({ operation: 'getAll', parent: locator(task), returnAll: true, options: {} });
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(230);
			expect(new Set(result.items.map((item) => item.json.gid)).size).toBe(230);
			expect(proxy.requests()).toHaveLength(4);
			return { attempts: 4 };
		});
	}

	itCase({ category: 'fault', node, operation: 'Upload', name: '503 before Asana acted', expected: 'not repeated (Asana might have acted); fails saying so; nothing attached' }, async () => {
		proxy.inject({ kind: 'status', status: 503 }, { match: isUpload });
		const result = await upload(100_000, 3);
		const error = expectApiFailure(result, /^Asana: Service Unavailable$/);
		expect(error.httpCode).toBe('503');
		expect(error.description).toMatch(/The request was not repeated: Asana may have carried it out already/);
		expect(proxy.requests(isUpload)).toHaveLength(1);
		expect(server.attachments(task)).toHaveLength(0);
		return { attempts: 1 };
	});

	itCase({ category: 'fault', node, operation: 'Upload', name: '502 after Asana attached the file (answer lost)', expected: 'not repeated: attached exactly once, never twice; the error says to check the task' }, async () => {
		const want = await expected(100_000, 4);
		// The proxy passes this one on and loses Asana's answer.
		proxy.inject({ kind: 'status', status: 502, afterUpstream: true }, { match: isUpload });
		const result = await upload(100_000, 4);
		const error = expectApiFailure(result, /^Asana: Bad Gateway$/);
		expect(error.httpCode).toBe('502');
		expect(error.description).toMatch(/not repeated/);
		expect(proxy.requests(isUpload)).toHaveLength(1);
		expect(server.attachments(task)).toEqual([expect.objectContaining({ sha256: want.sha256 })]);
		return { attempts: 1 };
	});

	itCase({ category: 'fault', node, operation: 'Delete', name: '503 after Asana deleted (answer lost)', expected: 'repeated; the repeat finds it gone (404) and reports { deleted: true }' }, async () => {
		const { record } = await seedFile(10, 5);
		proxy.inject({ kind: 'status', status: 503, afterUpstream: true }, { match: (request) => request.method === 'DELETE' });
		const result = await run({ operation: 'delete', attachmentId: record.gid });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json)).toEqual([{ deleted: true }]);
		const deletes = proxy.requests((entry) => entry.method === 'DELETE');
		expect(deletes.map((entry) => entry.upstreamStatus)).toEqual([200, 404]);
		expect(server.attachment(record.gid)).toBeUndefined();
		return { attempts: 2 };
	});

	itCase({ category: 'fault', node, operation: 'Delete', name: 'attachment that never existed', expected: 'fails saying no attachment has that ID, with Asana\'s 404 message (the 404 rule applies only after a lost answer)' }, async () => {
		const result = await run({ operation: 'delete', attachmentId: '1209999999999999' });
		const error = expectApiFailure(result, /^Asana has no attachment with ID "1209999999999999"$/);
		expect(error.httpCode).toBe('404');
		// Asana's own words stay, in the description after what to check.
		expect(error.description).toMatch(/Check the Attachment.*Asana: /s);
		return { attempts: 1 };
	});
});

describe('dropped connections', () => {
	itCase({ category: 'fault', node, operation: 'Upload', name: 'connection reset after 128 KiB of a 1 MiB upload', expected: 'not repeated; fails saying the connection closed; nothing attached' }, async () => {
		proxy.inject({ kind: 'resetUpload', afterBytes: 128 * 1024 }, { match: isUpload });
		const result = await upload(MiB, 6);
		const error = expectApiFailure(result, /^Asana closed the connection before answering$/);
		expect(error.description).toMatch(/not repeated/);
		expect(proxy.requests(isUpload)).toHaveLength(1);
		expect(server.attachments(task)).toHaveLength(0);
		return { attempts: 1 };
	});

	itCase({ category: 'fault', node, operation: 'Get (download)', name: 'connection reset after 256 KiB of a 2 MiB download', expected: 'download retried, whole file stored' }, async () => {
		const { record, want } = await seedFile(2 * MiB, 7);
		proxy.inject({ kind: 'resetDownload', afterBytes: 256 * 1024 }, { match: isFile });
		const result = await getWithDownload(record.gid);
		await expectDownloaded(result, want);
		expect(proxy.requests(isFile)).toHaveLength(2);
		return { attempts: 2 };
	});
});

describe('truncated downloads', () => {
	itCase({ category: 'fault', node, operation: 'Get (download)', name: 'file shorter than its Content-Length on every attempt', expected: 'fails saying the download was cut off; no file output' }, async () => {
		const { record } = await seedFile(MiB, 8);
		proxy.inject({ kind: 'short', bytes: 4096 }, { match: isFile, times: 5 });
		const result = await getWithDownload(record.gid);
		expectApiFailure(result, /^Asana: the file download was cut off \(\d+ of 1048576 bytes\)$/);
		expect(proxy.requests(isFile)).toHaveLength(5);
		return { attempts: 5 };
	}, 60_000);
});

describe('stalls', () => {
	itCase({ category: 'fault', node, operation: 'Get', name: 'API never answers, once (Timeout 800 ms)', expected: 'times out, retried, succeeds in 2 attempts' }, async () => {
		const { record } = await seedFile(10, 9);
		proxy.inject({ kind: 'stall' }, { match: isApi });
		const result = await run({ operation: 'get', attachmentId: record.gid, options: { timeout: 800 } });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.gid).toBe(record.gid);
		expect(proxy.requests(isApi)).toHaveLength(2);
		return { attempts: 2 };
	});

	itCase({ category: 'fault', node, operation: 'Upload', name: 'API never answers an upload (Timeout 800 ms)', expected: 'not repeated; fails with a timeout error that names the Timeout option' }, async () => {
		proxy.inject({ kind: 'stall' }, { match: isUpload });
		const result = await run(
			{ operation: 'upload', parent: locator(task), source: 'binary', binaryPropertyName: 'data', options: { timeout: 800 } },
			{ input: fileItem(50_000, 10) },
		);
		const error = expectApiFailure(result, /^Asana did not respond in 800 ms \(timeout\)$/);
		expect(error.description).toMatch(/Options > Timeout/);
		expect(error.description).toMatch(/not repeated/);
		expect(proxy.requests(isUpload)).toHaveLength(1);
		return { attempts: 1 };
	});

	itCase({ category: 'fault', node, operation: 'Get (download)', name: 'file host goes silent mid-body, once (Timeout 800 ms)', expected: 'idle timeout, download retried, whole file stored' }, async () => {
		const { record, want } = await seedFile(MiB, 11);
		proxy.inject({ kind: 'stallBody', afterBytes: 64 * 1024 }, { match: isFile });
		const result = await getWithDownload(record.gid, 800);
		await expectDownloaded(result, want);
		expect(proxy.requests(isFile)).toHaveLength(2);
		return { attempts: 2 };
	});
});

describe('malformed answers', () => {
	itCase({ category: 'fault', node, operation: 'Get', name: '200 with malformed JSON', expected: 'fails saying the answer is not valid JSON' }, async () => {
		const { record } = await seedFile(10, 12);
		proxy.inject({ kind: 'malformedJson' });
		const result = await run({ operation: 'get', attachmentId: record.gid, options: {} });
		expectApiFailure(result, /^Asana sent a response that is not valid JSON \(HTTP 200, application\/json/);
		return { attempts: 1 };
	});
});

describe('expired token', () => {
	itCase({ category: 'fault', node, operation: 'Upload (OAuth2)', name: 'access token expired before a 2 MiB upload', expected: 'n8n refreshes; the whole multipart body is sent again; attached once' }, async () => {
		const want = await expected(2 * MiB, 13);
		server.expireToken(DEFAULT_OAUTH_ACCESS_TOKEN);
		const result = await upload(2 * MiB, 13, 'oAuth2');
		expect(result.error).toBeUndefined();
		const uploads = proxy.requests((entry) => entry.method === 'POST' && entry.path.endsWith('/attachments'));
		expect(uploads).toHaveLength(2);
		expect(uploads[0].upstreamStatus).toBe(401);
		expect(uploads[1].requestComplete).toBe(true);
		expect(uploads[1].requestBytes).toBeGreaterThan(want.size);
		expect(uploads[1].authorization).not.toBe(`Bearer ${DEFAULT_OAUTH_ACCESS_TOKEN}`);
		expect(server.attachments(task)).toEqual([expect.objectContaining({ sha256: want.sha256 })]);
		return { attempts: 2 };
	});
});
