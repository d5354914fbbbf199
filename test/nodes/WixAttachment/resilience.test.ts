/**
 * Retries and cut-off transfers, attempt by attempt: what each host saw, and what was stored.
 */
import { createHash } from 'crypto';
import { NodeApiError } from 'n8n-workflow';

import { binaryStats } from '../../support/n8n-harness';
import { CONTACT_ID, header, runWix, useWixEmulator } from './context';

const server = useWixEmulator();

const listAll = { operation: 'getAll', contactId: CONTACT_ID, returnAll: true };
const uploadParameters = { operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data', options: {} };
const bigFile = (size: number, seed: number) => [{ binary: { data: { generate: { size, seed }, fileName: 'scan.pdf', mimeType: 'application/pdf' } } }];

it('retries 503 and 504 on a listing, then succeeds', async () => {
	server.seedAttachment(CONTACT_ID, 'a.pdf', Buffer.from('A'), 'application/pdf');
	server.failNext(1, { status: 503, headers: { 'Retry-After': '0' }, body: '' });
	server.failNext(1, { status: 504, headers: { 'Retry-After': '0' }, body: '' });
	const result = await runWix(server, listAll);
	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(1);
	expect(server.requests).toHaveLength(3);
});

it('honours Retry-After on a 429 (RESOURCE_EXHAUSTED) when asking for the upload URL', async () => {
	server.failNext(1, {
		status: 429,
		headers: { 'Retry-After': '1' },
		body: JSON.stringify({ message: 'RESOURCE_EXHAUSTED', details: { applicationError: { code: 'RESOURCE_EXHAUSTED', description: 'Too many requests' } } }),
	});
	const result = await runWix(server, uploadParameters, { input: [{ binary: { data: { data: '%PDF x', fileName: 'x.pdf', mimeType: 'application/pdf' } } }] });
	expect(result.error).toBeUndefined();
	const announces = server.requestsTo('api');
	expect(announces).toHaveLength(2);
	expect(announces[1].receivedAt.getTime() - announces[0].receivedAt.getTime()).toBeGreaterThanOrEqual(950);
	expect(server.attachments(CONTACT_ID)).toHaveLength(1);
});

it('gives up after 5 attempts with the last error', async () => {
	server.failNext(5, { status: 503, headers: { 'Retry-After': '0' }, body: '' });
	const result = await runWix(server, listAll);
	expect(result.error).toBeInstanceOf(NodeApiError);
	expect((result.error as NodeApiError).httpCode).toBe('503');
	expect(server.requests).toHaveLength(5);
});

it('does not wait out a Retry-After longer than two minutes', async () => {
	server.failNext(1, { status: 429, headers: { 'Retry-After': '3600' }, body: JSON.stringify({ message: 'RESOURCE_EXHAUSTED' }) });
	const result = await runWix(server, listAll);
	expect(result.error!.message).toBe('Wix: RESOURCE_EXHAUSTED');
	expect((result.error as NodeApiError).description).toMatch(/asks to wait 3600 s/);
	expect(server.requests).toHaveLength(1);
});

it('resends the file in full after a 429 from the upload URL, storing it once', async () => {
	server.failNext(1, { status: 429, headers: { 'Retry-After': '0' }, body: '' }, 'upload');
	const size = 2 * 1024 * 1024 + 5;
	const result = await runWix(server, uploadParameters, { input: bigFile(size, 5) });
	expect(result.error).toBeUndefined();
	const puts = server.requestsTo('media');
	expect(puts).toHaveLength(2);
	expect(puts.map((put) => put.bodySize)).toEqual([size, size]);
	expect(puts[1].bodySha256).toBe(puts[0].bodySha256);
	expect(puts[1].url).toBe(puts[0].url);
	expect(header(puts[1], 'content-length')).toBe(String(size));
	expect(server.requestsTo('api')).toHaveLength(1);
	expect(server.attachments(CONTACT_ID)).toHaveLength(1);
	expect(server.attachments(CONTACT_ID)[0].sha256).toBe(puts[0].bodySha256);
});

it('does not send the file twice after a 5xx from the upload URL (it may have been stored)', async () => {
	server.failNext(1, { status: 503, headers: { 'Retry-After': '0' }, body: JSON.stringify({ message: 'Upload service unavailable' }) }, 'upload');
	const result = await runWix(server, uploadParameters, { input: bigFile(1000, 6) });
	expect(result.error).toBeInstanceOf(NodeApiError);
	expect(result.error!.message).toBe('Wix: Upload service unavailable');
	expect(server.requestsTo('media')).toHaveLength(1);
	expect(server.attachments(CONTACT_ID)).toEqual([]);
});

it('retries a download the media host answers with 503', async () => {
	const record = server.seedAttachment(CONTACT_ID, 'x.pdf', Buffer.from('%PDF xyz'), 'application/pdf');
	server.failNext(1, { status: 503, headers: { 'Retry-After': '0' }, body: 'Service Unavailable' }, 'download');
	const result = await runWix(server, { operation: 'get', contactId: CONTACT_ID, attachmentId: { __rl: true, mode: 'id', value: record.id }, download: true });
	expect(result.error).toBeUndefined();
	expect(server.requests.map((r) => `${r.host} ${r.method}`)).toEqual(['api GET', 'media GET', 'media GET']);
	expect((await binaryStats(result.items[0].binary!.data)).size).toBe(8);
});

describe('truncated downloads', () => {
	const content = Buffer.alloc(200_000, 7);
	const get = (attachmentId: string) => ({
		operation: 'get',
		contactId: CONTACT_ID,
		attachmentId: { __rl: true, mode: 'id', value: attachmentId },
		download: true,
	});

	it('are retried, and the whole file is stored', async () => {
		const record = server.seedAttachment(CONTACT_ID, 'long.pdf', content, 'application/pdf');
		server.truncateNextDownload(1000);
		const result = await runWix(server, get(record.id));
		expect(result.error).toBeUndefined();
		expect(server.requestsTo('media')).toHaveLength(2);
		expect(await binaryStats(result.items[0].binary!.data)).toEqual({
			size: content.length,
			sha256: createHash('sha256').update(content).digest('hex'),
		});
	});

	it('fail loudly when every attempt is cut off, storing nothing as complete', async () => {
		const record = server.seedAttachment(CONTACT_ID, 'long.pdf', content, 'application/pdf');
		for (let i = 0; i < 5; i++) server.truncateNextDownload(1000);
		const result = await runWix(server, get(record.id));
		expect(result.error).toBeInstanceOf(NodeApiError);
		expect(result.error!.message).toMatch(/^Wix: the file download was cut off/);
		expect(result.items).toHaveLength(0);
		expect(server.requestsTo('media')).toHaveLength(5);
		expect(server.requestsTo('api')).toHaveLength(1);
	});
});
