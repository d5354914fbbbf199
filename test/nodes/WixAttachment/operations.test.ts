/**
 * Every operation, run through n8n's real execution code against the local Wix emulator with
 * the API key credential: what each host received (method, raw URL, headers, body bytes), what
 * the node output (JSON, binary bytes), the emulator's state after, and that Wix's spec accepts
 * every API request.
 */
import { createHash } from 'crypto';

import { binaryStats, generatedStats } from '../../support/n8n-harness';
import { DEFAULT_API_KEY, DEFAULT_SITE_ID } from '../../../sandbox/wix/server';
import { CONTACT_ID, apiCalls, header, runWix, useWixEmulator } from './context';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const base = `/contacts/v4/attachments/${CONTACT_ID}`;
/** A 2×3 PNG (IHDR only): enough for Wix to read the dimensions. */
const PNG = Buffer.concat([
	Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
	Buffer.from([0, 0, 0, 2, 0, 0, 0, 3, 8, 6, 0, 0, 0]),
	Buffer.from('deadbeef', 'hex'),
]);

const server = useWixEmulator();

describe('Upload', () => {
	it('announces the file, then streams it to the upload URL without the Wix credential', async () => {
		const size = 300_001;
		const expected = await generatedStats(size, 11);
		const result = await runWix(
			server,
			{ operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data', options: {} },
			{ input: [{ binary: { data: { generate: { size, seed: 11 }, fileName: 'Signed contract – März.pdf', mimeType: 'application/pdf' } } }] },
		);
		expect(result.error).toBeUndefined();

		expect(server.requests).toHaveLength(2);
		const [announce, put] = server.requests;
		expect(announce).toMatchObject({ host: 'api', method: 'POST', url: `${base}/upload-url` });
		expect(header(announce, 'authorization')).toBe(DEFAULT_API_KEY);
		expect(header(announce, 'wix-site-id')).toBe(DEFAULT_SITE_ID);
		expect(header(announce, 'content-type')).toBe('application/json');
		expect(JSON.parse(announce.body!.toString('utf8'))).toEqual({
			contactId: CONTACT_ID,
			fileName: 'Signed contract – März.pdf',
			mimeType: 'application/pdf',
		});

		const [pending] = server.pendingUploads();
		expect(put.host).toBe('media');
		expect(put.method).toBe('PUT');
		expect(put.url).toBe(`/_ah/upload/${pending.token}/?filename=Signed%20contract%20%E2%80%93%20M%C3%A4rz.pdf`);
		expect(put.query.get('filename')).toBe('Signed contract – März.pdf');
		expect(header(put, 'authorization')).toBeUndefined();
		expect(header(put, 'wix-site-id')).toBeUndefined();
		expect(header(put, 'content-type')).toBe('application/pdf');
		expect(header(put, 'content-length')).toBe(String(size));
		expect(header(put, 'transfer-encoding')).toBeUndefined();
		expect(put.bodySize).toBe(size);
		expect(put.bodySha256).toBe(expected.sha256);

		const stored = server.attachments(CONTACT_ID);
		expect(stored).toHaveLength(1);
		expect(stored[0]).toMatchObject({ fileName: 'Signed contract – März.pdf', mimeType: 'application/pdf', attachmentType: 'OTHER', size, sha256: expected.sha256 });
		expect(pending.used).toBe(true);

		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toEqual({
			file: expect.objectContaining({
				id: stored[0].mediaId,
				displayName: 'Signed contract – März.pdf',
				sizeInBytes: String(size),
				mediaType: 'DOCUMENT',
				operationStatus: 'READY',
				hash: stored[0].md5,
			}),
		});
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
	});

	it('takes the file name and MIME type from Options over the binary’s own', async () => {
		const content = Buffer.from('name,amount\nAda,1\n');
		const result = await runWix(
			server,
			{
				operation: 'upload',
				contactId: CONTACT_ID,
				binaryPropertyName: 'sheet',
				options: { fileName: 'amounts.csv', mimeType: 'Text/CSV; charset=utf-8' },
			},
			{ input: [{ binary: { sheet: { data: content, fileName: 'export.bin', mimeType: 'application/octet-stream' } } }] },
		);
		expect(result.error).toBeUndefined();
		const [announce, put] = server.requests;
		expect(JSON.parse(announce.body!.toString())).toEqual({ contactId: CONTACT_ID, fileName: 'amounts.csv', mimeType: 'text/csv' });
		expect(header(put, 'content-type')).toBe('text/csv');
		expect(put.query.get('filename')).toBe('amounts.csv');
		expect(put.body!.equals(content)).toBe(true);
		expect(server.attachments(CONTACT_ID)[0]).toMatchObject({ fileName: 'amounts.csv', mimeType: 'text/csv', sha256: sha256(content) });
	});

	it('uploads an image, which Wix lists as an IMAGE with its size', async () => {
		const result = await runWix(
			server,
			{ operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data', options: {} },
			{ input: [{ binary: { data: { data: PNG, fileName: 'id-card.png', mimeType: 'image/png' } } }] },
		);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.file).toMatchObject({ mediaType: 'IMAGE', displayName: 'id-card.png' });
		const [stored] = server.attachments(CONTACT_ID);
		expect(stored).toMatchObject({ attachmentType: 'IMAGE', width: 2, height: 3, mimeType: 'image/png' });
	});

	it('sends each of several items to its own upload URL', async () => {
		const result = await runWix(
			server,
			{ operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data', options: {} },
			{
				input: [
					{ binary: { data: { data: 'first', fileName: 'one.csv', mimeType: 'text/csv' } } },
					{ binary: { data: { data: 'second', fileName: 'two.csv', mimeType: 'text/csv' } } },
				],
			},
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		const puts = server.requestsTo('media');
		expect(puts).toHaveLength(2);
		expect(new Set(puts.map((put) => put.path)).size).toBe(2);
		// The items run at once: the emulator stores them in the order they arrive.
		expect(server.attachments(CONTACT_ID).map((r) => [r.fileName, r.sha256]).sort()).toEqual([
			['one.csv', sha256('first')],
			['two.csv', sha256('second')],
		]);
	});

	describe('with an emulator started with { uploadTokenInQuery: true }', () => {
		const other = useWixEmulator({ uploadTokenInQuery: true });

		it('works with upload URLs that already carry a query', async () => {
			const result = await runWix(
				other,
				{ operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data', options: {} },
				{ input: [{ binary: { data: { data: '%PDF-1.4 q', fileName: 'a&b=c.pdf', mimeType: 'application/pdf' } } }] },
			);
			expect(result.error).toBeUndefined();
			const [put] = other.requestsTo('media');
			const [pending] = other.pendingUploads();
			expect(put.url).toBe(`/upload?upload_token=${pending.token}&filename=a%26b%3Dc.pdf`);
			expect(other.attachments(CONTACT_ID)[0].fileName).toBe('a&b=c.pdf');
		});
	});
});

describe('Get Many', () => {
	const seed = (count: number) =>
		Array.from({ length: count }, (_, i) => server.seedAttachment(CONTACT_ID, `file-${String(i).padStart(3, '0')}.csv`, Buffer.from(`row ${i}\n`), 'text/csv'));

	it('with Return All, reads pages of 100 until the metadata says the end', async () => {
		const records = seed(230);
		const result = await runWix(server, { operation: 'getAll', contactId: CONTACT_ID, returnAll: true });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.id)).toEqual(records.map((r) => r.id));
		expect(apiCalls(server)).toEqual([
			`api GET ${base}?paging.limit=100`,
			`api GET ${base}?paging.limit=100&paging.offset=100`,
			`api GET ${base}?paging.limit=100&paging.offset=200`,
		]);
		expect(result.items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		for (const request of server.requests) {
			expect(header(request, 'authorization')).toBe(DEFAULT_API_KEY);
			expect(header(request, 'wix-site-id')).toBe(DEFAULT_SITE_ID);
		}
	});

	it('with the default Limit of 50, asks for 50 in one request', async () => {
		seed(120);
		const result = await runWix(server, { operation: 'getAll', contactId: CONTACT_ID });
		expect(result.items).toHaveLength(50);
		expect(apiCalls(server)).toEqual([`api GET ${base}?paging.limit=50`]);
	});

	it('with a Limit over a page, reads the rest from the next page', async () => {
		const records = seed(180);
		const result = await runWix(server, { operation: 'getAll', contactId: CONTACT_ID, returnAll: false, limit: 150 });
		expect(result.items.map((item) => item.json.id)).toEqual(records.slice(0, 150).map((r) => r.id));
		expect(apiCalls(server)).toEqual([`api GET ${base}?paging.limit=100`, `api GET ${base}?paging.limit=50&paging.offset=100`]);
	});

	it('outputs each attachment as Wix gives it', async () => {
		const pdf = server.seedAttachment(CONTACT_ID, 'cv.pdf', Buffer.from('%PDF-1.7'), 'application/pdf');
		const png = server.seedAttachment(CONTACT_ID, 'photo.png', PNG, 'image/png');
		const result = await runWix(server, { operation: 'getAll', contactId: CONTACT_ID, returnAll: true });
		expect(result.items.map((item) => item.json)).toEqual([
			{
				id: pdf.id,
				document: { id: pdf.mediaId, url: expect.stringMatching(new RegExp(`^${server.mediaUrl}/media/`)), urlExpirationDate: expect.any(String) },
				fileName: 'cv.pdf',
				mimeType: 'application/pdf',
				attachmentType: 'OTHER',
			},
			{
				id: png.id,
				image: { id: png.mediaId, url: expect.any(String), height: 3, width: 2, urlExpirationDate: expect.any(String) },
				previewImage: { id: png.mediaId, url: expect.any(String), urlExpirationDate: expect.any(String) },
				fileName: 'photo.png',
				mimeType: 'image/png',
				attachmentType: 'IMAGE',
			},
		]);
	});

	it('returns nothing for a contact without attachments', async () => {
		const result = await runWix(server, { operation: 'getAll', contactId: CONTACT_ID, returnAll: true });
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([]);
		expect(server.requests).toHaveLength(1);
	});
});

describe('Get Many when Wix cannot count', () => {
	const uncounted = useWixEmulator({ countTotals: false });

	it.each([
		[150, ['', '&paging.offset=100']],
		[200, ['', '&paging.offset=100', '&paging.offset=200']],
	])('stops at the first short page (%i attachments)', async (count, queries) => {
		uncounted.reset();
		for (let i = 0; i < count; i++) uncounted.seedAttachment(CONTACT_ID, `f${i}.csv`, Buffer.from('x'), 'text/csv');
		const result = await runWix(uncounted, { operation: 'getAll', contactId: CONTACT_ID, returnAll: true });
		expect(result.items).toHaveLength(count);
		expect(uncounted.requests.map((r) => r.url)).toEqual(queries.map((q) => `${base}?paging.limit=100${q}`));
	});
});

describe('Get', () => {
	it('outputs the attachment record', async () => {
		const record = server.seedAttachment(CONTACT_ID, 'cv.pdf', Buffer.from('%PDF-1.7 cv'), 'application/pdf');
		const result = await runWix(server, {
			operation: 'get',
			contactId: CONTACT_ID,
			attachmentId: { __rl: true, mode: 'id', value: record.id },
		});
		expect(result.error).toBeUndefined();
		expect(apiCalls(server)).toEqual([`api GET ${base}/${record.id}`]);
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toMatchObject({ id: record.id, fileName: 'cv.pdf', mimeType: 'application/pdf', attachmentType: 'OTHER' });
		expect(result.items[0].binary).toBeUndefined();
	});

	it('with Download File, fetches the document from its media URL without the Wix credential', async () => {
		const content = Buffer.from(`%PDF-1.7 ${'x'.repeat(70_000)}`);
		const record = server.seedAttachment(CONTACT_ID, 'Signed form (2).pdf', content, 'application/pdf');
		const result = await runWix(server, {
			operation: 'get',
			contactId: CONTACT_ID,
			attachmentId: { __rl: true, mode: 'list', value: record.id },
			download: true,
			binaryPropertyName: 'form',
		});
		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(2);
		const [get, fetch] = server.requests;
		expect(get.url).toBe(`${base}/${record.id}`);
		expect(fetch).toMatchObject({ host: 'media', method: 'GET', path: `/media/${encodeURIComponent(record.mediaId)}` });
		expect(fetch.query.get('token')).toMatch(/^[0-9a-f]{32}$/);
		expect(header(fetch, 'authorization')).toBeUndefined();
		expect(header(fetch, 'wix-site-id')).toBeUndefined();

		const [item] = result.items;
		expect(item.json).toMatchObject({ id: record.id, fileName: 'Signed form (2).pdf' });
		const binary = item.binary!.form;
		// Named and typed by the record, not by the storage host's Content-Disposition (the media ID).
		expect(binary).toMatchObject({ fileName: 'Signed form (2).pdf', mimeType: 'application/pdf', fileExtension: 'pdf' });
		expect(binary.id).toMatch(/^filesystem/);
		expect(await binaryStats(binary)).toEqual({ size: content.length, sha256: sha256(content) });
	});

	it('with Download File, fetches an image (not its preview) into the default field', async () => {
		const record = server.seedAttachment(CONTACT_ID, 'passport.png', PNG, 'image/png');
		const result = await runWix(server, {
			operation: 'get',
			contactId: CONTACT_ID,
			attachmentId: { __rl: true, mode: 'id', value: record.id },
			download: true,
		});
		expect(result.error).toBeUndefined();
		expect(server.requests[1].path).toBe(`/media/${encodeURIComponent(record.mediaId)}`);
		const binary = result.items[0].binary!.data;
		expect(binary).toMatchObject({ fileName: 'passport.png', mimeType: 'image/png' });
		expect(await binaryStats(binary)).toEqual({ size: PNG.length, sha256: sha256(PNG) });
	});

	describe("with an emulator started with { mediaContentType: 'binary/octet-stream' }", () => {
		const other = useWixEmulator({ mediaContentType: 'binary/octet-stream' });

		it('types the file from the record even when the storage host says octet-stream', async () => {
			const record = other.seedAttachment(CONTACT_ID, 'budget.xlsx', Buffer.from('PK\u0003\u0004 sheet'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
			const result = await runWix(other, {
				operation: 'get',
				contactId: CONTACT_ID,
				attachmentId: { __rl: true, mode: 'id', value: record.id },
				download: true,
			});
			expect(result.error).toBeUndefined();
			expect(result.items[0].binary!.data).toMatchObject({
				fileName: 'budget.xlsx',
				mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
			});
		});
	});
});

describe('Delete', () => {
	it('removes the attachment and outputs { deleted: true }', async () => {
		const keep = server.seedAttachment(CONTACT_ID, 'keep.pdf', Buffer.from('%PDF keep'), 'application/pdf');
		const gone = server.seedAttachment(CONTACT_ID, 'gone.pdf', Buffer.from('%PDF gone'), 'application/pdf');
		const result = await runWix(server, {
			operation: 'delete',
			contactId: CONTACT_ID,
			attachmentId: { __rl: true, mode: 'id', value: gone.id },
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json)).toEqual([{ deleted: true }]);
		expect(apiCalls(server)).toEqual([`api DELETE ${base}/${gone.id}`]);
		expect(header(server.requests[0], 'authorization')).toBe(DEFAULT_API_KEY);
		expect(server.attachments(CONTACT_ID).map((r) => r.id)).toEqual([keep.id]);

		const listed = await runWix(server, { operation: 'getAll', contactId: CONTACT_ID, returnAll: true });
		expect(listed.items.map((item) => item.json.id)).toEqual([keep.id]);
	});
});

describe('round trip', () => {
	it('an uploaded file is listed, downloads with the same bytes, and is gone after Delete', async () => {
		const content = Buffer.from('%PDF-1.4 round trip\n');
		const up = await runWix(
			server,
			{ operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data', options: {} },
			{ input: [{ binary: { data: { data: content, fileName: 'trip.pdf', mimeType: 'application/pdf' } } }] },
		);
		expect(up.error).toBeUndefined();

		const listed = await runWix(server, { operation: 'getAll', contactId: CONTACT_ID, returnAll: true });
		expect(listed.items.map((item) => item.json.fileName)).toEqual(['trip.pdf']);
		const attachmentId = listed.items[0].json.id as string;
		expect((listed.items[0].json.document as { id: string }).id).toBe((up.items[0].json.file as { id: string }).id);

		const down = await runWix(server, {
			operation: 'get',
			contactId: CONTACT_ID,
			attachmentId: { __rl: true, mode: 'id', value: attachmentId },
			download: true,
		});
		expect(await binaryStats(down.items[0].binary!.data)).toEqual({ size: content.length, sha256: sha256(content) });

		const deleted = await runWix(server, { operation: 'delete', contactId: CONTACT_ID, attachmentId: { __rl: true, mode: 'id', value: attachmentId } });
		expect(deleted.items[0].json).toEqual({ deleted: true });
		const after = await runWix(server, { operation: 'getAll', contactId: CONTACT_ID, returnAll: true });
		expect(after.items).toEqual([]);
	});
});
