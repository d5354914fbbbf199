/**
 * Self-test of the Xero emulator (sandbox/xero/server.ts), driven with Node's http client.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import {
	DEFAULT_ACCESS_TOKEN,
	DEFAULT_TENANT,
	PARENT_TYPES,
	startXeroServer,
	type XeroServer,
} from '../../sandbox/xero/server';
import { MiB, collectGarbage, json, request, sha } from './client';

/** Per-segment encoding as the node does it (encodeURIComponent plus `!'()*`). */
const seg = (value: string) =>
	encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const INVOICE = '4074292c-09b3-456d-84e7-add864c6c39b';
const CONTACT = '8138a266-fb42-49b2-a104-014b7045753d';

describe('Xero emulator', () => {
	let xero: XeroServer;
	const auth = () => ({
		Authorization: `Bearer ${DEFAULT_ACCESS_TOKEN}`,
		'xero-tenant-id': DEFAULT_TENANT.tenantId,
		Accept: 'application/json',
	});
	const fileUrl = (type: string, id: string, name: string) => `${xero.accountingBaseUrl}/${type}/${id}/Attachments/${seg(name)}`;
	const upload = (method: 'PUT' | 'POST', type: string, id: string, name: string, content: Buffer, extra: Record<string, string> = {}, query = '') =>
		request(method, fileUrl(type, id, name) + query, { ...auth(), 'Content-Type': 'text/plain', ...extra }, content);

	beforeAll(async () => {
		xero = await startXeroServer();
	});
	afterAll(() => xero.close());
	beforeEach(() => {
		xero.reset();
		// The documents the cases use; Xero answers 404 for the attachments of any other.
		for (const type of PARENT_TYPES) for (const id of [INVOICE, CONTACT]) xero.addDocument(type, id);
	});

	it('listens on 127.0.0.1 only', () => {
		expect(xero.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(xero.accountingBaseUrl).toBe(`${xero.url}/api.xro/2.0`);
	});

	it('uploads, lists and downloads by AttachmentID and by file name', async () => {
		const content = Buffer.from('hello, xero');
		const put = await upload('PUT', 'Invoices', INVOICE, 'hello.txt', content);
		expect(put.status).toBe(200);
		const created = json(put);
		expect(created).toMatchObject({ Status: 'OK', Attachments: [{ FileName: 'hello.txt', MimeType: 'text/plain', ContentLength: content.length, IncludeOnline: false }] });
		const att = created.Attachments[0];
		expect(att.AttachmentID).toMatch(/^[0-9a-f-]{36}$/);
		expect(att.Url).toBe(`${xero.accountingBaseUrl}/Invoices/${INVOICE}/Attachments/hello.txt`);

		const list = await request('GET', `${xero.accountingBaseUrl}/Invoices/${INVOICE}/Attachments`, auth());
		expect(list.status).toBe(200);
		expect(json(list).Attachments).toEqual([att]);

		for (const ref of [att.AttachmentID, 'hello.txt']) {
			const got = await request('GET', `${xero.accountingBaseUrl}/Invoices/${INVOICE}/Attachments/${ref}`, { ...auth(), contentType: 'text/plain' });
			expect(got.status).toBe(200);
			expect(got.body.equals(content)).toBe(true);
			expect(got.headers['content-type']).toBe('text/plain');
			expect(got.headers['content-length']).toBe(String(content.length));
			expect(got.headers['content-disposition']).toBe(`attachment; filename="hello.txt"; filename*=UTF-8''hello.txt`);
		}
		const [record] = xero.attachments('invoices', INVOICE);
		expect(record).toMatchObject({ fileName: 'hello.txt', size: content.length, sha256: sha(content), parentType: 'Invoices' });
		expect(xero.requests.map((r) => r.method)).toEqual(['PUT', 'GET', 'GET', 'GET']);
		expect(xero.requests[0]).toMatchObject({ bodySize: content.length, bodySha256: sha(content) });
		expect(xero.requests[0].body?.equals(content)).toBe(true);
	});

	it('round-trips file names with spaces, unicode, /, ?, #, % and quotes', async () => {
		const names = ['my report 2024.pdf', 'Grüße – 日本 😀.txt', 'a/b/../c.txt', 'what?.txt', 'no#1.txt', '100%.txt', `it's "quoted" (1)*!.txt`, 'plus+sign.txt'];
		for (const [i, name] of names.entries()) {
			const content = Buffer.from(`file ${i}: ${name}`);
			const put = await upload('PUT', 'Contacts', CONTACT, name, content);
			expect(put.status).toBe(200);
			const att = json(put).Attachments[0];
			expect(att.FileName).toBe(name);
			const raw = xero.requests[xero.requests.length - 1];
			expect(raw.url).toBe(`/api.xro/2.0/Contacts/${CONTACT}/Attachments/${seg(name)}`);

			for (const url of [fileUrl('Contacts', CONTACT, name), att.Url]) {
				const got = await request('GET', url, auth());
				expect(got.status).toBe(200);
				expect(got.body.equals(content)).toBe(true);
				const cd = String(got.headers['content-disposition']);
				expect(decodeURIComponent(/filename\*=UTF-8''(.*)$/.exec(cd)![1])).toBe(name);
				expect(/filename="([^"]*)"/.exec(cd)![1]).toMatch(/^[\x20-\x7e]+$/);
			}
		}
		expect(xero.attachments('Contacts', CONTACT).map((r) => r.fileName)).toEqual(names);
		// An unencoded `/` is a path separator, so that is not the file "a/b/../c.txt".
		const unencoded = await request('GET', `${xero.accountingBaseUrl}/Contacts/${CONTACT}/Attachments/a/b.txt`, auth());
		expect(unencoded.status).toBe(404);
	});

	it('PUT adds another record of the same name; POST replaces it, keeping the AttachmentID', async () => {
		const first = json(await upload('PUT', 'Receipts', INVOICE, 'r.txt', Buffer.from('v1'))).Attachments[0];
		const second = json(await upload('PUT', 'Receipts', INVOICE, 'r.txt', Buffer.from('v2'))).Attachments[0];
		expect(second.AttachmentID).not.toBe(first.AttachmentID);
		expect(xero.attachments('Receipts', INVOICE)).toHaveLength(2);

		const posted = await upload('POST', 'Receipts', INVOICE, 'r.txt', Buffer.from('version three'), { 'Content-Type': 'application/x-test' });
		expect(posted.status).toBe(200);
		const replaced = json(posted).Attachments[0];
		expect(replaced).toMatchObject({ AttachmentID: second.AttachmentID, ContentLength: 13, MimeType: 'application/x-test' });
		expect(replaced.IncludeOnline).toBeUndefined();
		expect(xero.attachments('Receipts', INVOICE)).toHaveLength(2);
		const byName = await request('GET', fileUrl('Receipts', INVOICE, 'r.txt'), auth());
		expect(byName.body.toString()).toBe('version three');
		const old = await request('GET', fileUrl('Receipts', INVOICE, first.AttachmentID), auth());
		expect(old.body.toString()).toBe('v1');

		const created = await upload('POST', 'Receipts', INVOICE, 'new.txt', Buffer.from('n'));
		expect(created.status).toBe(200);
		expect(xero.attachments('Receipts', INVOICE)).toHaveLength(3);
	});

	it('honours Idempotency-Key for the same method and path', async () => {
		const a = await upload('PUT', 'Quotes', INVOICE, 'q.txt', Buffer.from('quote'), { 'Idempotency-Key': 'k-1' });
		const b = await upload('PUT', 'Quotes', INVOICE, 'q.txt', Buffer.from('quote'), { 'Idempotency-Key': 'k-1' });
		expect(b.status).toBe(200);
		expect(b.body.equals(a.body)).toBe(true);
		expect(xero.attachments('Quotes', INVOICE)).toHaveLength(1);
		expect(xero.requests).toHaveLength(2);
		expect(xero.requests[1].bodySize).toBe(5);

		await upload('PUT', 'Quotes', INVOICE, 'q.txt', Buffer.from('quote'), { 'Idempotency-Key': 'k-2' });
		await upload('POST', 'Quotes', INVOICE, 'q.txt', Buffer.from('quote'), { 'Idempotency-Key': 'k-1' });
		expect(xero.attachments('Quotes', INVOICE)).toHaveLength(2);
		// A failed attempt is not remembered: the retry with the same key is processed.
		xero.failNext(1, { status: 503 });
		const failed = await upload('PUT', 'Quotes', INVOICE, 'z.txt', Buffer.from('z'), { 'Idempotency-Key': 'k-3' });
		expect(failed.status).toBe(503);
		const retried = await upload('PUT', 'Quotes', INVOICE, 'z.txt', Buffer.from('z'), { 'Idempotency-Key': 'k-3' });
		expect(retried.status).toBe(200);
	});

	it('answers 401 and 403 in Xero shapes, and lists connections', async () => {
		const url = `${xero.accountingBaseUrl}/Invoices/${INVOICE}/Attachments`;
		for (const headers of [{}, { Authorization: 'Bearer nope' }] as Array<Record<string, string>>) {
			const r = await request('GET', url, { ...headers, 'xero-tenant-id': DEFAULT_TENANT.tenantId });
			expect(r.status).toBe(401);
			expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
			expect(json(r)).toEqual({ Type: null, Title: 'Unauthorized', Status: 401, Detail: 'AuthenticationUnsuccessful', Instance: expect.stringMatching(/^[0-9a-f-]{36}$/), Extensions: {} });
		}
		for (const tenant of [undefined, '00000000-0000-0000-0000-000000000000']) {
			const headers: Record<string, string> = { Authorization: `Bearer ${DEFAULT_ACCESS_TOKEN}` };
			if (tenant) headers['xero-tenant-id'] = tenant;
			const r = await request('GET', url, headers);
			expect(r.status).toBe(403);
			expect(json(r)).toMatchObject({ Type: null, Title: 'Forbidden', Status: 403, Detail: 'AuthenticationUnsuccessful', Extensions: {} });
		}
		const unauth = await request('GET', `${xero.url}/connections`);
		expect(unauth.status).toBe(401);
		const conns = await request('GET', `${xero.url}/Connections`, { Authorization: `Bearer ${DEFAULT_ACCESS_TOKEN}` });
		expect(conns.status).toBe(200);
		expect(json(conns)).toEqual([
			{
				id: expect.any(String),
				authEventId: expect.any(String),
				tenantId: DEFAULT_TENANT.tenantId,
				tenantType: 'ORGANISATION',
				tenantName: DEFAULT_TENANT.tenantName,
				createdDateUtc: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$/),
				updatedDateUtc: expect.any(String),
			},
		]);
	});

	it('refreshes tokens at the token endpoint and expires access tokens', async () => {
		const form = (body: string) => request('POST', xero.tokenUrl, { 'Content-Type': 'application/x-www-form-urlencoded' }, Buffer.from(body));
		expect((await form('grant_type=refresh_token&refresh_token=bad')).status).toBe(400);
		const r = await form('grant_type=refresh_token&refresh_token=test-refresh-token');
		expect(r.status).toBe(200);
		const token = json(r);
		expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 1800, access_token: expect.any(String), refresh_token: expect.any(String) });
		const url = `${xero.accountingBaseUrl}/Invoices/${INVOICE}/Attachments`;
		const headers = { Authorization: `Bearer ${token.access_token}`, 'xero-tenant-id': DEFAULT_TENANT.tenantId, Accept: 'application/json' };
		expect((await request('GET', url, headers)).status).toBe(200);
		xero.expireToken(token.access_token);
		const expired = await request('GET', url, headers);
		expect(expired.status).toBe(401);
		expect(json(expired).Detail).toMatch(/^TokenExpired/);
		const again = await form(`grant_type=refresh_token&refresh_token=${token.refresh_token}`);
		expect(again.status).toBe(200);
	});

	it('answers validation errors, 404s and XML like Xero', async () => {
		const empty = await upload('PUT', 'Invoices', INVOICE, 'empty.txt', Buffer.alloc(0));
		expect(empty.status).toBe(400);
		expect(json(empty)).toEqual({ ErrorNumber: 10, Type: 'ValidationException', Message: 'A validation exception occurred', Elements: [{ ValidationErrors: [{ Message: 'The file is empty' }] }] });
		const online = await upload('PUT', 'Contacts', CONTACT, 'x.txt', Buffer.from('x'), {}, '?IncludeOnline=true');
		expect(online.status).toBe(400);
		expect(json(online).Elements[0].ValidationErrors[0].Message).toMatch(/IncludeOnline/);
		const ok = await upload('PUT', 'CreditNotes', CONTACT, 'x.txt', Buffer.from('x'), {}, '?IncludeOnline=true');
		expect(json(ok).Attachments[0].IncludeOnline).toBe(true);
		expect(xero.attachments('Contacts', CONTACT)).toHaveLength(0);

		for (const url of [
			`${xero.accountingBaseUrl}/Invoices/not-a-guid/Attachments`,
			`${xero.accountingBaseUrl}/Items/${INVOICE}/Attachments`,
			fileUrl('Invoices', INVOICE, 'missing.txt'),
			fileUrl('Invoices', INVOICE, '11111111-2222-3333-4444-555555555555'),
		]) {
			const r = await request('GET', url, auth());
			expect(r.status).toBe(404);
			expect(r.body.toString()).toBe("The resource you're looking for cannot be found");
		}
		const del = await request('DELETE', fileUrl('CreditNotes', CONTACT, 'x.txt'), auth());
		expect(del.status).toBe(405);

		xero.seedAttachment('Accounts', INVOICE, 'a&b.txt', Buffer.from('seeded'), 'text/plain');
		const noAccept: Record<string, string> = { ...auth() };
		delete noAccept.Accept;
		const xml = await request('GET', `${xero.accountingBaseUrl}/accounts/${INVOICE}/attachments`, noAccept);
		expect(xml.status).toBe(200);
		expect(xml.headers['content-type']).toMatch(/^text\/xml/);
		expect(xml.body.toString()).toMatch(/<Attachments><Attachment><AttachmentID>[^<]+<\/AttachmentID><FileName>a&#38;b.txt<\/FileName>/);
	});

	it('answers 404 for a document it does not have (listing, download, upload), and an empty list for one without attachments', async () => {
		const unknown = '0b6f2c1e-9d7a-4e3b-8c5f-2a1d0e9f8b7c';
		for (const [method, url, body] of [
			['GET', `${xero.accountingBaseUrl}/Invoices/${unknown}/Attachments`, undefined],
			['GET', fileUrl('Invoices', unknown, 'receipt.pdf'), undefined],
			['PUT', fileUrl('Invoices', unknown, 'receipt.pdf'), Buffer.from('%PDF')],
			['POST', fileUrl('Invoices', unknown, 'receipt.pdf'), Buffer.from('%PDF')],
		] as const) {
			const r = await request(method, url, { ...auth(), 'Content-Type': 'application/pdf' }, body);
			expect({ method, status: r.status, body: r.body.toString() }).toEqual({ method, status: 404, body: "The resource you're looking for cannot be found" });
		}
		expect(xero.attachments('Invoices', unknown)).toEqual([]);
		// Known documents are per type: an invoice's ID is no contact's.
		expect((await request('GET', `${xero.accountingBaseUrl}/Contacts/${unknown}/Attachments`, auth())).status).toBe(404);
		xero.addDocument('Invoices', unknown.toUpperCase());
		const empty = await request('GET', `${xero.accountingBaseUrl}/invoices/${unknown}/Attachments`, auth());
		expect({ status: empty.status, attachments: json(empty).Attachments }).toEqual({ status: 200, attachments: [] });
		xero.reset();
		expect((await request('GET', `${xero.accountingBaseUrl}/Invoices/${unknown}/Attachments`, auth())).status).toBe(404);
	});

	it('serves all 11 parent types, case-insensitively, and seeds from buffers and files', async () => {
		const tmp = path.join(os.tmpdir(), `xero-seed-${process.pid}.bin`);
		fs.writeFileSync(tmp, Buffer.from('from a file'));
		try {
			for (const type of PARENT_TYPES) {
				xero.seedAttachment(type, INVOICE, 'buf.txt', Buffer.from(type), 'text/plain');
				xero.seedAttachment(type.toLowerCase(), INVOICE, 'file.bin', { filePath: tmp }, 'application/octet-stream');
				const list = await request('GET', `${xero.accountingBaseUrl}/${type.toUpperCase()}/${INVOICE}/Attachments`, auth());
				expect(list.status).toBe(200);
				expect(json(list).Attachments.map((a: { FileName: string }) => a.FileName)).toEqual(['buf.txt', 'file.bin']);
				const got = await request('GET', fileUrl(type, INVOICE, 'file.bin'), auth());
				expect(got.body.toString()).toBe('from a file');
			}
		} finally {
			fs.rmSync(tmp, { force: true });
		}
		expect(() => xero.seedAttachment('Items', INVOICE, 'x', Buffer.from('x'), 'text/plain')).toThrow(RangeError);
		xero.reset();
		expect(xero.attachments('Invoices', INVOICE)).toEqual([]);
		expect(xero.requests).toEqual([]);
	});

	it('injects faults with failNext, after draining and recording the body', async () => {
		xero.failNext(2, { status: 429, headers: { 'Retry-After': '1' }, body: '{"Title":"Too Many Requests"}' });
		const body = Buffer.alloc(200_000, 7);
		const r1 = await upload('PUT', 'ManualJournals', INVOICE, 'm.bin', body);
		const r2 = await upload('PUT', 'ManualJournals', INVOICE, 'm.bin', body);
		const r3 = await upload('PUT', 'ManualJournals', INVOICE, 'm.bin', body);
		expect([r1.status, r2.status, r3.status]).toEqual([429, 429, 200]);
		expect(r1.headers['retry-after']).toBe('1');
		expect(r1.headers['content-type']).toMatch(/^application\/json/);
		expect(json(r1)).toEqual({ Title: 'Too Many Requests' });
		expect(xero.requests.map((r) => r.bodySize)).toEqual([200_000, 200_000, 200_000]);
		expect(xero.requests.map((r) => r.seq)).toEqual([1, 2, 3]);
		expect(xero.attachments('ManualJournals', INVOICE)).toHaveLength(1);
	});

	it('truncates the next download after the headers', async () => {
		const content = Buffer.alloc(300_000, 1);
		const att = xero.seedAttachment('BankTransactions', INVOICE, 'big.bin', content, 'application/octet-stream');
		xero.truncateNextDownload(1000);
		const cut = await request('GET', fileUrl('BankTransactions', INVOICE, att.attachmentId), auth());
		expect(cut.status).toBe(200);
		expect(cut.headers['content-length']).toBe(String(content.length));
		expect(cut.incomplete).toBe(true);
		expect(cut.body.length).toBe(1000);
		const full = await request('GET', fileUrl('BankTransactions', INVOICE, 'big.bin'), auth());
		expect(full.incomplete).toBe(false);
		expect(full.body.equals(content)).toBe(true);
		xero.truncateNextDownload(0);
		const none = await request('GET', fileUrl('BankTransactions', INVOICE, 'big.bin'), auth());
		expect(none).toMatchObject({ status: 200, incomplete: true });
		expect(none.body.length).toBe(0);
	});

	it('discards an upload the client aborts, and records it as aborted', async () => {
		const req = http.request(fileUrl('Invoices', INVOICE, 'partial.bin'), {
			method: 'PUT',
			agent: false,
			headers: { ...auth(), 'Content-Type': 'application/octet-stream', 'Content-Length': '1000000' },
		});
		req.on('error', () => undefined);
		req.write(Buffer.alloc(100_000, 3));
		await new Promise((resolve) => setTimeout(resolve, 50));
		req.destroy();
		for (let i = 0; i < 100 && xero.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
		expect(xero.requests).toHaveLength(1);
		expect(xero.requests[0].aborted).toBe(true);
		expect(xero.requests[0].bodySize).toBeLessThan(1_000_000);
		expect(xero.attachments('Invoices', INVOICE)).toEqual([]);
		expect(fs.readdirSync(xero.storageDir)).toEqual([]);
	});

	it('handles concurrent uploads, keeps requests in arrival order, and answers Expect: 100-continue', async () => {
		const slow = request('PUT', fileUrl('Invoices', INVOICE, 'slow.bin'), { ...auth(), 'Content-Type': 'application/octet-stream' }, async function* () {
			yield Buffer.alloc(10, 1);
			await new Promise((resolve) => setTimeout(resolve, 100));
			yield Buffer.alloc(10, 2);
		});
		await new Promise((resolve) => setTimeout(resolve, 20));
		const fast = await Promise.all(
			Array.from({ length: 5 }, (_, i) => upload('PUT', 'Invoices', INVOICE, `f${i}.txt`, Buffer.from(`f${i}`), { Expect: '100-continue' })),
		);
		expect(fast.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
		expect((await slow).status).toBe(200);
		expect(xero.requests.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
		expect(xero.requests[0].bodySize).toBe(20);
		expect(xero.attachments('Invoices', INVOICE)).toHaveLength(6);
		// Xero's limit of 10 attachments per record.
		for (let i = 0; i < 4; i++) await upload('PUT', 'Invoices', INVOICE, `g${i}.txt`, Buffer.from('g'));
		const eleventh = await upload('PUT', 'Invoices', INVOICE, 'one-too-many.txt', Buffer.from('x'));
		expect(eleventh.status).toBe(400);
		expect(json(eleventh).Type).toBe('ValidationException');
	});

	it('streams a 64 MiB upload to disk without holding it in memory', async () => {
		const chunk = Buffer.alloc(MiB);
		for (let i = 0; i < MiB; i += 4) chunk.writeUInt32LE(i * 2654435761 >>> 0, i);
		const expected = createHash('sha256');
		for (let i = 0; i < 64; i++) expected.update(chunk);

		await collectGarbage();
		const before = process.memoryUsage().arrayBuffers;
		const res = await request(
			'PUT',
			fileUrl('PurchaseOrders', INVOICE, 'big.bin'),
			{ ...auth(), 'Content-Type': 'application/octet-stream', 'Content-Length': String(64 * MiB) },
			async function* () {
				for (let i = 0; i < 64; i++) yield chunk;
			},
		);
		await collectGarbage();
		const after = process.memoryUsage().arrayBuffers;
		expect(res.status).toBe(200);
		const [record] = xero.attachments('PurchaseOrders', INVOICE);
		expect(record).toMatchObject({ size: 64 * MiB, sha256: expected.digest('hex') });
		expect(fs.statSync(record.filePath).size).toBe(64 * MiB);
		const recorded = xero.requests[xero.requests.length - 1];
		expect(recorded).toMatchObject({ bodySize: 64 * MiB });
		expect(recorded.body).toBeUndefined();
		if (process.env.XERO_SELFTEST_VERBOSE) console.log({ before, after });
		expect(after - before).toBeLessThan(16 * MiB);
	});

	it('honours its options', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xero-opts-'));
		const tenant = { tenantId: '11111111-1111-1111-1111-111111111111', tenantName: 'Other Org' };
		const other = await startXeroServer({
			accessTokens: ['tok'],
			tenants: [tenant],
			storageDir: dir,
			sendContentDisposition: false,
			defaultFormat: 'json',
			maxAttachmentBytes: 10,
			oauthClient: { clientId: 'id', clientSecret: 'secret' },
		});
		try {
			const headers = { Authorization: 'Bearer tok', 'xero-tenant-id': tenant.tenantId };
			other.addDocument('Invoices', INVOICE);
			const url = `${other.accountingBaseUrl}/Invoices/${INVOICE}/Attachments/a.txt`;
			expect((await request('PUT', url, headers, Buffer.alloc(11))).status).toBe(413);
			const ok = await request('PUT', url, headers, Buffer.from('small'));
			expect(ok.status).toBe(200);
			expect(ok.headers['content-type']).toMatch(/^application\/json/);
			const got = await request('GET', url, headers);
			expect(got.headers['content-disposition']).toBeUndefined();
			expect(got.headers['content-type']).toBe('application/octet-stream');
			expect(fs.readdirSync(dir)).toHaveLength(1);
			const token = (auth?: string, body = 'grant_type=client_credentials') =>
				request('POST', other.tokenUrl, { 'Content-Type': 'application/x-www-form-urlencoded', ...(auth ? { Authorization: auth } : {}) }, Buffer.from(body));
			expect((await token()).status).toBe(400);
			const issued = await token(`Basic ${Buffer.from('id:secret').toString('base64')}`);
			expect(issued.status).toBe(200);
			expect(other.acceptedTokens()).toContain(json(issued).access_token);
		} finally {
			await other.close();
		}
		expect(fs.existsSync(dir)).toBe(true);
		fs.rmSync(dir, { recursive: true, force: true });
	});
});
