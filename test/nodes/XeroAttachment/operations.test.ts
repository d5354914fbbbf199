/**
 * Every operation on every one of the 11 parent types, run through n8n's real execution code
 * against the local Xero emulator: what the emulator received (method, raw path, headers, body
 * bytes), what the node output (JSON, binary bytes), and that Xero's spec accepts each request.
 */
import { createHash, randomUUID } from 'crypto';

import { XERO_PARENT_TYPES } from '../../../nodes/XeroAttachment/parentTypes';
import { binaryStats, generatedStats } from '../../support/n8n-harness';
import { DEFAULT_ACCESS_TOKEN } from '../../../sandbox/xero/server';
import { TENANT_ID, header, runXero, useXeroEmulator } from './context';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

const server = useXeroEmulator();

describe.each(XERO_PARENT_TYPES)('Xero Attachment on $name', (type) => {
	const parentId = randomUUID();
	const base = `/api.xro/2.0/${type.path}/${parentId}/Attachments`;
	// Xero answers 404 for a document it does not have: this one it has.
	beforeEach(() => server.addDocument(type.path, parentId));

	it('Upload (PUT) streams the file with its type and length, and outputs the new attachment', async () => {
		const size = 300_001;
		const expected = await generatedStats(size, 7);
		const result = await runXero(
			server,
			{ resource: type.value, operation: 'upload', parentId, binaryPropertyName: 'data', options: {} },
			{ input: [{ binary: { data: { generate: { size, seed: 7 }, fileName: 'Q3 report – März.pdf', mimeType: 'application/pdf' } } }] },
		);
		expect(result.error).toBeUndefined();

		expect(server.requests).toHaveLength(1);
		const [request] = server.requests;
		expect(request.method).toBe('PUT');
		expect(request.url).toBe(`${base}/Q3%20report%20%E2%80%93%20M%C3%A4rz.pdf`);
		expect(header(request, 'authorization')).toBe(`Bearer ${DEFAULT_ACCESS_TOKEN}`);
		expect(header(request, 'xero-tenant-id')).toBe(TENANT_ID);
		expect(header(request, 'content-type')).toBe('application/pdf');
		expect(header(request, 'content-length')).toBe(String(size));
		expect(header(request, 'transfer-encoding')).toBeUndefined();
		expect(header(request, 'idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
		expect(header(request, 'accept')).toContain('application/json');
		expect(request.bodySize).toBe(size);
		expect(request.bodySha256).toBe(expected.sha256);

		const stored = server.attachments(type.path, parentId);
		expect(stored).toHaveLength(1);
		expect(stored[0]).toMatchObject({ fileName: 'Q3 report – März.pdf', mimeType: 'application/pdf', size, sha256: expected.sha256 });
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toMatchObject({
			AttachmentID: stored[0].attachmentId,
			FileName: 'Q3 report – März.pdf',
			MimeType: 'application/pdf',
			ContentLength: size,
		});
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
	});

	it('Upload with Replace Existing POSTs, keeping one attachment of that name, without IncludeOnline', async () => {
		server.seedAttachment(type.path, parentId, 'statement.csv', Buffer.from('old,1\n'), 'text/csv');
		const result = await runXero(
			server,
			{
				resource: type.value,
				operation: 'upload',
				parentId,
				binaryPropertyName: 'upload',
				fileName: 'statement.csv',
				options: { replace: true, idempotencyKey: 'replace-key-1', ...(type.includeOnline ? { includeOnline: true } : {}) },
			},
			{ input: [{ binary: { upload: { data: Buffer.from('new,2\nnewer,3\n'), fileName: 'export.csv', mimeType: 'text/csv' } } }] },
		);
		expect(result.error).toBeUndefined();
		const [request] = server.requests;
		expect(request.method).toBe('POST');
		// Xero's spec declares IncludeOnline on the PUT only: the replacing POST never sends it.
		expect(request.url).toBe(`${base}/statement.csv`);
		expect(header(request, 'idempotency-key')).toBe('replace-key-1');
		expect(request.body?.toString()).toBe('new,2\nnewer,3\n');
		const stored = server.attachments(type.path, parentId);
		expect(stored).toHaveLength(1);
		expect(stored[0].sha256).toBe(sha256('new,2\nnewer,3\n'));
		expect(result.items[0].json.FileName).toBe('statement.csv');
	});

	it('Get Many lists the attachments, honouring Limit', async () => {
		const first = server.seedAttachment(type.path, parentId, 'a.pdf', Buffer.from('A'), 'application/pdf');
		const second = server.seedAttachment(type.path, parentId, 'b c.png', Buffer.from('BB'), 'image/png');
		const all = await runXero(server, { resource: type.value, operation: 'getAll', parentId, returnAll: true });
		expect(all.error).toBeUndefined();
		expect(all.items.map((item) => item.json.AttachmentID)).toEqual([first.attachmentId, second.attachmentId]);
		expect(all.items[1].json).toMatchObject({ FileName: 'b c.png', MimeType: 'image/png', ContentLength: 2 });
		expect(all.items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);

		const limited = await runXero(server, { resource: type.value, operation: 'getAll', parentId, returnAll: false, limit: 1 });
		expect(limited.items).toHaveLength(1);

		for (const request of server.requests) {
			expect(request.method).toBe('GET');
			expect(request.url).toBe(base);
			expect(header(request, 'xero-tenant-id')).toBe(TENANT_ID);
			expect(header(request, 'accept')).toContain('application/json');
		}
	});

	it('Get by ID looks the MIME type up in the listing and streams the file into the binary field', async () => {
		const content = Buffer.from(`%PDF-1.7 ${type.name} ${'x'.repeat(5000)}`);
		const record = server.seedAttachment(type.path, parentId, 'invoice scan.pdf', content, 'application/pdf');
		const result = await runXero(server, {
			resource: type.value,
			operation: 'get',
			parentId,
			getBy: 'attachmentId',
			attachmentId: record.attachmentId,
			binaryPropertyName: 'document',
			options: {},
		});
		expect(result.error).toBeUndefined();
		expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
			`GET ${base}`,
			`GET ${base}/${record.attachmentId}`,
		]);
		expect(header(server.requests[1], 'contenttype')).toBe('application/pdf');
		const [item] = result.items;
		expect(item.json).toMatchObject({ AttachmentID: record.attachmentId, FileName: 'invoice scan.pdf' });
		const binary = item.binary!.document;
		expect(binary).toMatchObject({ fileName: 'invoice scan.pdf', mimeType: 'application/pdf' });
		expect(binary.id).toMatch(/^filesystem/);
		expect(await binaryStats(binary)).toEqual({ size: content.length, sha256: sha256(content) });
	});

	it('Get by file name with a given MIME type downloads in one request', async () => {
		const content = Buffer.from('name;amount\nÄrger;1\n');
		server.seedAttachment(type.path, parentId, 'Ärger & Co #2.csv', content, 'text/csv');
		const result = await runXero(server, {
			resource: type.value,
			operation: 'get',
			parentId,
			getBy: 'fileName',
			fileName: 'Ärger & Co #2.csv',
			binaryPropertyName: 'data',
			options: { mimeType: 'text/csv' },
		});
		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(1);
		expect(server.requests[0].url).toBe(`${base}/%C3%84rger%20%26%20Co%20%232.csv`);
		expect(header(server.requests[0], 'contenttype')).toBe('text/csv');
		const binary = result.items[0].binary!.data;
		expect(binary.fileName).toBe('Ärger & Co #2.csv');
		expect(binary.mimeType).toBe('text/csv');
		expect(await binaryStats(binary)).toEqual({ size: content.length, sha256: sha256(content) });
	});
});
