/**
 * Retries, token refresh and truncated downloads: what the emulator saw attempt by attempt.
 */
import { NodeApiError } from 'n8n-workflow';

import { binaryStats } from '../../support/n8n-harness';
import { DEFAULT_ACCESS_TOKEN } from '../../servers/xero-server';
import type { XeroServer } from '../../servers/xero-server';
import { header, runXero, startServer } from './context';

let server: XeroServer;
beforeAll(async () => (server = await startServer()));
afterAll(async () => await server.close());
beforeEach(() => {
	server.reset();
	server.addDocument('Invoices', parentId);
});

const parentId = '4074292c-09b3-456d-84e7-add864c6c39b';
const listInvoice = { resource: 'invoice', operation: 'getAll', parentId, returnAll: true };

it('retries 503 and 504 on a listing, then succeeds', async () => {
	server.seedAttachment('Invoices', parentId, 'a.pdf', Buffer.from('A'), 'application/pdf');
	server.failNext(1, { status: 503, headers: { 'Retry-After': '0' }, body: 'Service Unavailable' });
	server.failNext(1, { status: 504, headers: { 'Retry-After': '0' }, body: 'Gateway Timeout' });
	const result = await runXero(server, listInvoice);
	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(1);
	expect(server.requests).toHaveLength(3);
});

it('honours Retry-After (seconds) on 429', async () => {
	server.failNext(1, { status: 429, headers: { 'Retry-After': '1', 'X-Rate-Limit-Problem': 'minute' } });
	const started = Date.now();
	const result = await runXero(server, listInvoice);
	expect(result.error).toBeUndefined();
	expect(server.requests).toHaveLength(2);
	expect(server.requests[1].receivedAt.getTime() - server.requests[0].receivedAt.getTime()).toBeGreaterThanOrEqual(950);
	expect(Date.now() - started).toBeGreaterThanOrEqual(950);
});

it('honours Retry-After as an HTTP date on 429', async () => {
	const at = new Date(Date.now() + 2000).toUTCString();
	server.failNext(1, { status: 429, headers: { 'Retry-After': at } });
	const result = await runXero(server, listInvoice);
	expect(result.error).toBeUndefined();
	const waited = server.requests[1].receivedAt.getTime() - server.requests[0].receivedAt.getTime();
	expect(waited).toBeGreaterThanOrEqual(900); // the date has one-second resolution
});

it('gives up after 5 attempts with the last error', async () => {
	server.failNext(5, { status: 503, headers: { 'Retry-After': '0' }, body: 'Service Unavailable' });
	const result = await runXero(server, listInvoice);
	expect(result.error).toBeInstanceOf(NodeApiError);
	expect((result.error as NodeApiError).httpCode).toBe('503');
	expect(server.requests).toHaveLength(5);
});

it('does not wait out a Retry-After longer than two minutes (daily limit)', async () => {
	server.failNext(1, { status: 429, headers: { 'Retry-After': '43200', 'X-Rate-Limit-Problem': 'day' } });
	const result = await runXero(server, listInvoice);
	expect(result.error).toBeInstanceOf(NodeApiError);
	expect((result.error as NodeApiError).description).toMatch(/asks to wait 43200 s/);
	expect(server.requests).toHaveLength(1);
});

it('resends an upload in full after a 502, with the same Idempotency-Key, storing it once', async () => {
	server.failNext(1, { status: 502, headers: { 'Retry-After': '0' }, body: 'Bad Gateway' });
	const size = 2 * 1024 * 1024 + 17;
	const result = await runXero(
		server,
		{ resource: 'invoice', operation: 'upload', parentId, binaryPropertyName: 'data', options: {} },
		{ input: [{ binary: { data: { generate: { size, seed: 3 }, fileName: 'big.bin', mimeType: 'application/octet-stream' } } }] },
	);
	expect(result.error).toBeUndefined();
	expect(server.requests).toHaveLength(2);
	const [first, second] = server.requests;
	expect(first.bodySize).toBe(size);
	expect(second.bodySize).toBe(size);
	expect(second.bodySha256).toBe(first.bodySha256);
	expect(header(second, 'idempotency-key')).toBe(header(first, 'idempotency-key'));
	expect(server.attachments('Invoices', parentId)).toHaveLength(1);
});

it('resends a streamed upload after n8n refreshed an expired OAuth2 token', async () => {
	server.expireToken(DEFAULT_ACCESS_TOKEN);
	const size = 1024 * 1024;
	const result = await runXero(
		server,
		{ resource: 'invoice', operation: 'upload', parentId, binaryPropertyName: 'data', options: {} },
		{ input: [{ binary: { data: { generate: { size, seed: 4 }, fileName: 'after-refresh.bin', mimeType: 'application/octet-stream' } } }] },
	);
	expect(result.error).toBeUndefined();
	const uploads = server.requests.filter((request) => request.method === 'PUT');
	expect(uploads).toHaveLength(2);
	expect(header(uploads[0], 'authorization')).toBe(`Bearer ${DEFAULT_ACCESS_TOKEN}`);
	const newToken = (result.credentialsStore.xeroAttachmentOAuth2Api.oauthTokenData as { access_token: string }).access_token;
	expect(newToken).not.toBe(DEFAULT_ACCESS_TOKEN);
	expect(header(uploads[1], 'authorization')).toBe(`Bearer ${newToken}`);
	expect(uploads[1].bodySize).toBe(size);
	expect(server.attachments('Invoices', parentId)).toHaveLength(1);
	expect(server.attachments('Invoices', parentId)[0].size).toBe(size);
});

describe('truncated downloads', () => {
	const getFile = {
		resource: 'invoice',
		operation: 'get',
		parentId,
		getBy: 'fileName',
		fileName: 'long.bin',
		binaryPropertyName: 'data',
		options: { mimeType: 'application/octet-stream' },
	};

	it('are retried, and the whole file is stored', async () => {
		const content = Buffer.alloc(200_000, 7);
		server.seedAttachment('Invoices', parentId, 'long.bin', content, 'application/octet-stream');
		server.truncateNextDownload(1000);
		const result = await runXero(server, getFile);
		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(2);
		expect((await binaryStats(result.items[0].binary!.data)).size).toBe(content.length);
	});

	it('fail loudly when every attempt is cut off, storing nothing as complete', async () => {
		server.seedAttachment('Invoices', parentId, 'long.bin', Buffer.alloc(200_000, 7), 'application/octet-stream');
		for (let i = 0; i < 5; i++) server.truncateNextDownload(1000);
		const result = await runXero(server, getFile);
		expect(result.error).toBeInstanceOf(NodeApiError);
		expect(result.error!.message).toMatch(/^Xero: the file download was cut off/);
		expect(result.items).toHaveLength(0);
		expect(server.requests).toHaveLength(5);
	});
});
