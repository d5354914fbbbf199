/**
 * Every operation, with both credentials, run through n8n's real execution code against the local
 * Asana emulator: what the emulator received (method, raw target, headers, the multipart body byte
 * for byte), what it stored, what the node output, and that Asana's spec accepts each request.
 */
import { createHash } from 'crypto';

import { binaryStats, generatedStats, readBinary } from '../../support/n8n-harness';
import {
	DEFAULT_OAUTH_ACCESS_TOKEN,
	DEFAULT_PERSONAL_ACCESS_TOKEN,
	DEFAULT_PROJECT,
	DEFAULT_TASK,
	SECOND_TASK,
} from '../../../sandbox/asana/server';
import { type Auth, header, locator, runAsana, targets, useAsanaEmulator } from './context';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

const server = useAsanaEmulator();

const TOKENS: Record<Auth, string> = { accessToken: DEFAULT_PERSONAL_ACCESS_TOKEN, oAuth2: DEFAULT_OAUTH_ACCESS_TOKEN };

/** The multipart body the node must send: text fields, then the file part, byte for byte. */
function expectedMultipart(boundary: string, fields: Array<[string, string]>, file?: { header: string; content: Buffer }): Buffer {
	const chunks: Buffer[] = [];
	for (const [name, value] of fields) {
		chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`, 'utf8'));
	}
	if (file) chunks.push(Buffer.from(`--${boundary}\r\n${file.header}\r\n\r\n`, 'latin1'), file.content, Buffer.from('\r\n'));
	chunks.push(Buffer.from(`--${boundary}--\r\n`));
	return Buffer.concat(chunks);
}

/** The download_url the node output with its record. */
const item0Url = (result: { items: Array<{ json: Record<string, unknown> }> }) => String(result.items[0].json.download_url);

function boundaryOf(contentType: string | undefined): string {
	const match = /^multipart\/form-data; boundary=(\S+)$/.exec(contentType ?? '');
	if (!match) throw new Error(`not a multipart Content-Type: ${contentType}`);
	return match[1];
}

describe.each<Auth>(['accessToken', 'oAuth2'])('with Authentication %s', (auth) => {
	const token = TOKENS[auth];

	it('Upload (file) streams a multipart body with parent and file, the name percent-encoded', async () => {
		const size = 300_001;
		const expected = await generatedStats(size, 11);
		const result = await runAsana(
			server,
			{ operation: 'upload', parent: locator(DEFAULT_TASK.gid), source: 'binary', binaryPropertyName: 'data', options: {} },
			{ auth, input: [{ binary: { data: { generate: { size, seed: 11 }, fileName: 'Q3 report – März.pdf', mimeType: 'application/pdf' } } }] },
		);
		expect(result.error).toBeUndefined();

		expect(targets(server.requests)).toEqual(['POST /api/1.0/attachments']);
		const [request] = server.requests;
		expect(header(request, 'authorization')).toBe(`Bearer ${token}`);
		const boundary = boundaryOf(header(request, 'content-type'));
		expect(header(request, 'content-length')).toBe(String(request.bodySize));
		expect(header(request, 'transfer-encoding')).toBeUndefined();
		expect(header(request, 'accept')).toContain('application/json');

		const encoded = 'Q3%20report%20%E2%80%93%20M%C3%A4rz.pdf';
		expect(request.multipart).toEqual({
			errors: [],
			parts: [
				{ name: 'parent', value: DEFAULT_TASK.gid, size: DEFAULT_TASK.gid.length, sha256: sha256(DEFAULT_TASK.gid) },
				{
					name: 'file',
					fileName: 'Q3 report – März.pdf',
					rawFileName: encoded,
					rawFileNameStar: `UTF-8''${encoded}`,
					contentType: 'application/pdf',
					size,
					sha256: expected.sha256,
				},
			],
		});
		// The whole body, byte for byte (it is under 1 MiB, so the emulator kept it).
		const content = request.body!.subarray(request.body!.length - size - `\r\n--${boundary}--\r\n`.length, request.body!.length - `\r\n--${boundary}--\r\n`.length);
		expect(sha256(content)).toBe(expected.sha256);
		const body = expectedMultipart(boundary, [['parent', DEFAULT_TASK.gid]], {
			header: `Content-Disposition: form-data; name="file"; filename="${encoded}"; filename*=UTF-8''${encoded}\r\nContent-Type: application/pdf`,
			content,
		});
		expect(request.body!.equals(body)).toBe(true);

		const stored = server.attachments(DEFAULT_TASK.gid);
		expect(stored).toHaveLength(1);
		expect(stored[0]).toMatchObject({ name: 'Q3 report – März.pdf', mimeType: 'application/pdf', size, sha256: expected.sha256, resourceSubtype: 'asana' });
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toEqual({ gid: stored[0].gid, resource_type: 'attachment', name: 'Q3 report – März.pdf', resource_subtype: 'asana' });
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
	});

	it('Upload (external link) sends resource_subtype, url and name as form fields', async () => {
		const result = await runAsana(
			server,
			{
				operation: 'upload',
				parent: locator(DEFAULT_PROJECT.gid),
				source: 'link',
				url: 'https://example.com/contracts/2026%20Q3.pdf?version=2&lang=de',
				name: 'Signed contract (v2) – final',
				options: { fields: ['name', 'view_url', 'host'] },
			},
			{ auth },
		);
		expect(result.error).toBeUndefined();
		const [request] = server.requests;
		expect(request.url).toBe('/api/1.0/attachments?opt_fields=name%2Cview_url%2Chost');
		expect(header(request, 'authorization')).toBe(`Bearer ${token}`);
		const fields: Array<[string, string]> = [
			['parent', DEFAULT_PROJECT.gid],
			['resource_subtype', 'external'],
			['url', 'https://example.com/contracts/2026%20Q3.pdf?version=2&lang=de'],
			['name', 'Signed contract (v2) – final'],
		];
		expect(request.body!.equals(expectedMultipart(boundaryOf(header(request, 'content-type')), fields))).toBe(true);
		expect(header(request, 'content-length')).toBe(String(request.bodySize));

		const [stored] = server.attachments(DEFAULT_PROJECT.gid);
		expect(stored).toMatchObject({ resourceSubtype: 'external', name: 'Signed contract (v2) – final', url: 'https://example.com/contracts/2026%20Q3.pdf?version=2&lang=de' });
		expect(result.items[0].json).toEqual({
			gid: stored.gid,
			name: 'Signed contract (v2) – final',
			host: 'external',
			view_url: 'https://example.com/contracts/2026%20Q3.pdf?version=2&lang=de',
		});
	});

	it('Get returns the full record, and only the chosen fields with opt_fields', async () => {
		const record = server.seedAttachment(DEFAULT_TASK.gid, 'scan.png', Buffer.from('PNG…'), 'image/png');
		const full = await runAsana(server, { operation: 'get', attachmentId: record.gid, download: false, options: {} }, { auth });
		expect(full.error).toBeUndefined();
		expect(full.items[0].json).toMatchObject({
			gid: record.gid,
			resource_type: 'attachment',
			name: 'scan.png',
			resource_subtype: 'asana',
			host: 'asana',
			size: record.size,
			parent: { gid: DEFAULT_TASK.gid, resource_type: 'task', name: DEFAULT_TASK.name },
		});
		expect(full.items[0].json.download_url).toMatch(new RegExp(`^${server.filesUrl}/`));
		expect(full.items[0].binary).toBeUndefined();

		const some = await runAsana(server, { operation: 'get', attachmentId: record.gid, options: { fields: ['name', 'parent.name', 'size'] } }, { auth });
		expect(some.items[0].json).toEqual({ gid: record.gid, name: 'scan.png', parent: { gid: DEFAULT_TASK.gid, resource_type: 'task', name: DEFAULT_TASK.name }, size: 6 });
		expect(targets(server.requests)).toEqual([
			`GET /api/1.0/attachments/${record.gid}`,
			`GET /api/1.0/attachments/${record.gid}?opt_fields=name%2Cparent.name%2Csize`,
		]);
		for (const request of server.requests) expect(header(request, 'authorization')).toBe(`Bearer ${token}`);
		expect(server.fileRequests).toHaveLength(0);
	});

	it('Get with Download File fetches the pre-signed URL without the Authorization header', async () => {
		const content = Buffer.from(`%PDF-1.7 ${'contract '.repeat(3000)}`);
		const record = server.seedAttachment(DEFAULT_TASK.gid, 'Vertrag – Entwurf.pdf', content, 'application/pdf');
		const result = await runAsana(
			server,
			{ operation: 'get', attachmentId: record.gid, download: true, binaryPropertyName: 'contract', options: {} },
			{ auth },
		);
		expect(result.error).toBeUndefined();
		expect(targets(server.requests)).toEqual([`GET /api/1.0/attachments/${record.gid}`]);
		expect(server.fileRequests).toHaveLength(1);
		const [download] = server.fileRequests;
		expect(download.method).toBe('GET');
		expect(download.path).toMatch(new RegExp(`^/asana-emulator-files/assets/${record.gid}/[0-9a-f]{32}$`));
		expect(`${server.filesUrl}${download.url}`).toBe(item0Url(result));
		expect(download.query.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
		expect(header(download, 'authorization')).toBeUndefined();
		expect(JSON.stringify(download.headers)).not.toContain(token);

		const [item] = result.items;
		expect(item.json).toMatchObject({ gid: record.gid, name: 'Vertrag – Entwurf.pdf', size: content.length });
		const binary = item.binary!.contract;
		expect(binary).toMatchObject({ fileName: 'Vertrag – Entwurf.pdf', mimeType: 'application/pdf' });
		expect(binary.id).toMatch(/^filesystem/);
		expect(await binaryStats(binary)).toEqual({ size: content.length, sha256: sha256(content) });
	});

	it('Get Many follows next_page.offset, 100 per page, and honours Limit', async () => {
		const extra = server.addTask('Task with many files', { projectGid: DEFAULT_PROJECT.gid });
		const seeded = Array.from({ length: 230 }, (_, i) =>
			server.seedAttachment(extra.gid, `file-${String(i).padStart(3, '0')}.txt`, Buffer.from(`#${i}`), 'text/plain'),
		);
		server.seedAttachment(SECOND_TASK.gid, 'elsewhere.txt', Buffer.from('x'), 'text/plain');

		const all = await runAsana(server, { operation: 'getAll', parent: locator(extra.gid), returnAll: true, options: {} }, { auth });
		expect(all.error).toBeUndefined();
		expect(all.items.map((item) => item.json.gid)).toEqual(seeded.map((record) => record.gid));
		expect(all.items[229].json).toEqual({ gid: seeded[229].gid, resource_type: 'attachment', name: 'file-229.txt', resource_subtype: 'asana' });
		expect(all.items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		const pages = server.requests.map((request) => request.query);
		expect(pages.map((query) => [query.get('parent'), query.get('limit'), query.has('offset')])).toEqual([
			[extra.gid, '100', false],
			[extra.gid, '100', true],
			[extra.gid, '100', true],
		]);
		expect(pages[1].get('offset')).not.toBe(pages[2].get('offset'));

		server.reset();
		const again = server.addTask('Task with many files', { projectGid: DEFAULT_PROJECT.gid });
		for (let i = 0; i < 230; i++) server.seedAttachment(again.gid, `f${i}.txt`, Buffer.from('y'), 'text/plain');
		const limited = await runAsana(
			server,
			{ operation: 'getAll', parent: locator(again.gid), returnAll: false, limit: 150, options: { fields: ['name', 'size'] } },
			{ auth },
		);
		expect(limited.items).toHaveLength(150);
		expect(limited.items[149].json).toEqual({ gid: expect.any(String), name: 'f149.txt', size: 1 });
		expect(server.requests.map((request) => [request.query.get('limit'), request.query.get('opt_fields')])).toEqual([
			['100', 'name,size'],
			['50', 'name,size'],
		]);

		const defaultLimit = await runAsana(server, { operation: 'getAll', parent: locator(again.gid), options: {} }, { auth });
		expect(defaultLimit.items).toHaveLength(50);
		expect(server.requests[2].query.get('limit')).toBe('50');
		for (const request of server.requests) expect(header(request, 'authorization')).toBe(`Bearer ${token}`);
	});

	it('Delete removes the attachment and outputs { deleted: true }', async () => {
		const keep = server.seedAttachment(DEFAULT_TASK.gid, 'keep.txt', Buffer.from('keep'), 'text/plain');
		const drop = server.seedAttachment(DEFAULT_TASK.gid, 'drop.txt', Buffer.from('drop'), 'text/plain');
		const result = await runAsana(server, { operation: 'delete', attachmentId: drop.gid }, { auth });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json)).toEqual([{ deleted: true }]);
		expect(targets(server.requests)).toEqual([`DELETE /api/1.0/attachments/${drop.gid}`]);
		expect(header(server.requests[0], 'authorization')).toBe(`Bearer ${token}`);
		expect(server.attachments(DEFAULT_TASK.gid).map((record) => record.gid)).toEqual([keep.gid]);

		const listed = await runAsana(server, { operation: 'getAll', parent: locator(DEFAULT_TASK.gid), returnAll: true, options: {} }, { auth });
		expect(listed.items.map((item) => item.json.name)).toEqual(['keep.txt']);
	});
});

describe('round trip', () => {
	it('an uploaded file is listed, downloads with the same bytes, and is gone once deleted', async () => {
		const content = Buffer.from('name;amount\nÄrger & Co;1\n');
		const up = await runAsana(
			server,
			{ operation: 'upload', parent: locator(SECOND_TASK.gid), source: 'binary', binaryPropertyName: 'sheet', options: { fileName: 'Ärger & Co #2.csv' } },
			{ input: [{ binary: { sheet: { data: content, fileName: 'export.csv', mimeType: 'text/csv' } } }] },
		);
		expect(up.error).toBeUndefined();
		const gid = up.items[0].json.gid as string;

		const listed = await runAsana(server, { operation: 'getAll', parent: locator(SECOND_TASK.gid), returnAll: true, options: {} });
		expect(listed.items.map((item) => item.json)).toEqual([{ gid, resource_type: 'attachment', name: 'Ärger & Co #2.csv', resource_subtype: 'asana' }]);

		const down = await runAsana(server, { operation: 'get', attachmentId: gid, download: true, binaryPropertyName: 'data', options: {} });
		expect(down.error).toBeUndefined();
		const binary = down.items[0].binary!.data;
		expect(binary.fileName).toBe('Ärger & Co #2.csv');
		expect(binary.mimeType).toBe('text/csv');
		expect((await readBinary(binary)).equals(content)).toBe(true);

		const deleted = await runAsana(server, { operation: 'delete', attachmentId: gid });
		expect(deleted.items[0].json).toEqual({ deleted: true });
		const after = await runAsana(server, { operation: 'getAll', parent: locator(SECOND_TASK.gid), returnAll: true, options: {} });
		expect(after.items).toHaveLength(0);
	});
});
