/**
 * Self-test of the Wix emulator (sandbox/wix/server.ts), driven with Node's http client.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import route from '@stoplight/prism-http/dist/router';
import { getHttpOperationsFromSpec } from '@stoplight/prism-http/dist/utils/operations';
import { validateOutput } from '@stoplight/prism-http/dist/validator';

import { SPEC_FILES, describeWithSpecs, specPath } from '../support/spec';
import {
	DEFAULT_API_KEY,
	DEFAULT_APP,
	DEFAULT_CONTACT,
	DEFAULT_INSTANCE_ID,
	DEFAULT_SITE_ID,
	startWixServer,
	type WixServer,
} from '../../sandbox/wix/server';
import { json, request, sha } from './client';

const CONTACT = DEFAULT_CONTACT.id;
const apiKey = { Authorization: DEFAULT_API_KEY, 'wix-site-id': DEFAULT_SITE_ID };
const jsonType = { 'Content-Type': 'application/json' };

describe('Wix emulator', () => {
	let wix: WixServer;
	const api = (p: string) => `${wix.url}/contacts/v4/attachments/${p}`;
	const announce = (fileName: string, mimeType: string, headers: Record<string, string> = apiKey, contact = CONTACT) =>
		request('POST', api(`${contact}/upload-url`), { ...headers, ...jsonType }, JSON.stringify({ contactId: contact, fileName, mimeType }));
	const put = (uploadUrl: string, content: Buffer | string, headers: Record<string, string>, filename?: string) =>
		request('PUT', filename === undefined ? uploadUrl : `${uploadUrl}${uploadUrl.includes('?') ? '&' : '?'}filename=${encodeURIComponent(filename)}`, headers, content);
	const uploadFile = async (fileName: string, mimeType: string, content: Buffer | string) => {
		const { uploadUrl } = json(await announce(fileName, mimeType));
		const r = await put(uploadUrl, content, { 'Content-Type': mimeType }, fileName);
		expect(r.status).toBe(200);
		return json(r).file;
	};

	beforeAll(async () => {
		wix = await startWixServer();
	});
	afterAll(() => wix.close());
	beforeEach(() => wix.reset());

	it('listens on 127.0.0.1 only, the media host on a port of its own', () => {
		expect(wix.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(wix.mediaUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(wix.mediaUrl).not.toBe(wix.url);
		expect(wix.tokenUrl).toBe(`${wix.url}/oauth2/token`);
	});

	it('uploads in two steps, then lists, gets, downloads and deletes', async () => {
		const content = Buffer.from('%PDF-1.7 hello wix');
		const announced = await announce('hello.pdf', 'application/pdf');
		expect(announced.status).toBe(200);
		const { uploadUrl } = json(announced);
		expect(uploadUrl).toMatch(new RegExp(`^${wix.mediaUrl}/_ah/upload/[\\w-]{43}/$`));
		const uploaded = await put(uploadUrl, content, { 'Content-Type': 'application/pdf' }, 'hello.pdf');
		expect(uploaded.status).toBe(200);
		const [record] = wix.attachments(CONTACT);
		expect(record).toMatchObject({ fileName: 'hello.pdf', mimeType: 'application/pdf', attachmentType: 'OTHER', size: content.length, sha256: sha(content) });
		expect(json(uploaded)).toEqual({
			file: {
				id: record.mediaId,
				displayName: 'hello.pdf',
				url: expect.stringMatching(new RegExp(`^${wix.mediaUrl}/media/`)),
				hash: createHash('md5').update(content).digest('hex'),
				sizeInBytes: String(content.length),
				private: true,
				mediaType: 'DOCUMENT',
				media: { document: { id: record.mediaId, url: expect.any(String), filename: 'hello.pdf', sizeInBytes: String(content.length) } },
				operationStatus: 'READY',
				labels: [],
				createdDate: expect.any(String),
				updatedDate: expect.any(String),
				state: 'OK',
			},
		});
		expect(record.mediaId).toMatch(/^[0-9a-f]{6}_[0-9a-f]{32}\.pdf$/);

		const list = await request('GET', api(CONTACT), apiKey);
		expect(list.status).toBe(200);
		const listed = json(list);
		expect(listed).toEqual({
			attachments: [
				{
					id: record.id,
					document: { id: record.mediaId, url: expect.any(String), urlExpirationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
					fileName: 'hello.pdf',
					mimeType: 'application/pdf',
					attachmentType: 'OTHER',
				},
			],
			metadata: { count: 1, offset: 0, total: 1, tooManyToCount: false },
		});

		const got = await request('GET', api(`${CONTACT}/${record.id.toUpperCase()}`), apiKey);
		expect(json(got).attachment.id).toBe(record.id);

		const file = await request('GET', listed.attachments[0].document.url);
		expect(file.status).toBe(200);
		expect(file.body.equals(content)).toBe(true);
		expect(file.headers['content-type']).toBe('application/pdf');
		expect(file.headers['content-length']).toBe(String(content.length));
		expect(file.headers['content-disposition']).toBe(`inline; filename="${record.mediaId}"`);

		const deleted = await request('DELETE', api(`${CONTACT}/${record.id}`), apiKey);
		expect(deleted.status).toBe(200);
		expect(json(deleted)).toEqual({});
		expect(wix.attachments(CONTACT)).toEqual([]);
		expect((await request('GET', api(`${CONTACT}/${record.id}`), apiKey)).status).toBe(404);
		expect((await request('GET', listed.attachments[0].document.url)).status).toBe(404);
		expect(fs.readdirSync(wix.storageDir)).toEqual([]);

		expect(wix.requests.map((r) => `${r.host} ${r.method}`)).toEqual([
			'api POST',
			'media PUT',
			'api GET',
			'api GET',
			'media GET',
			'api DELETE',
			'api GET',
			'media GET',
		]);
		expect(wix.requests[1]).toMatchObject({ bodySize: content.length, bodySha256: sha(content) });
		expect(wix.requests[1].body!.equals(content)).toBe(true);
	});

	it('lists images with their size and a preview, and serves both', async () => {
		const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.from([0, 0, 1, 0, 0, 0, 0, 200, 8, 6, 0, 0, 0])]);
		const file = await uploadFile('pic.png', 'image/png', png);
		expect(file).toMatchObject({ mediaType: 'IMAGE', media: { image: { image: { width: 256, height: 200 } } } });
		expect(file.id).toMatch(/~mv2\.png$/);
		const [attachment] = json(await request('GET', api(CONTACT), apiKey)).attachments;
		expect(attachment).toMatchObject({ attachmentType: 'IMAGE', image: { id: file.id, width: 256, height: 200 }, previewImage: { id: file.id } });
		for (const url of [attachment.image.url, attachment.previewImage.url]) {
			const got = await request('GET', url);
			expect(got.status).toBe(200);
			expect(got.body.equals(png)).toBe(true);
		}
	});

	it('pages with paging.limit / paging.offset, at most 100', async () => {
		for (let i = 0; i < 130; i++) wix.seedAttachment(CONTACT, `f${i}.csv`, Buffer.from(String(i)), 'text/csv');
		const page = async (query: string) => json(await request('GET', `${api(CONTACT)}${query}`, apiKey));
		const first = await page('');
		expect(first.attachments).toHaveLength(100);
		expect(first.metadata).toEqual({ count: 100, offset: 0, total: 130, tooManyToCount: false });
		const second = await page('?paging.limit=100&paging.offset=100');
		expect(second.attachments.map((a: { fileName: string }) => a.fileName)).toEqual(Array.from({ length: 30 }, (_, i) => `f${100 + i}.csv`));
		expect(second.metadata).toEqual({ count: 30, offset: 100, total: 130, tooManyToCount: false });
		expect((await page('?paging.limit=0')).attachments).toHaveLength(100);
		expect((await page('?paging.limit=7&paging.offset=125')).metadata).toEqual({ count: 5, offset: 125, total: 130, tooManyToCount: false });

		const tooMany = await request('GET', `${api(CONTACT)}?paging.limit=101`, apiKey);
		expect(tooMany.status).toBe(400);
		expect(json(tooMany)).toEqual({
			message: 'INVALID_ARGUMENT: "paging.limit" must be at most 100',
			details: { validationError: { fieldViolations: [{ field: 'paging.limit', description: 'must be at most 100', violatedRule: 'MAX', data: { threshold: 100 } }] } },
		});
		expect((await request('GET', `${api(CONTACT)}?paging.offset=-1`, apiKey)).status).toBe(400);
	});

	it('checks the upload announcement like Wix: name length, supported types, contact', async () => {
		const violation = async (fileName: string, mimeType: string) => json(await announce(fileName, mimeType)).details.validationError.fieldViolations;
		expect(await violation('', 'application/pdf')).toEqual([{ field: 'fileName', description: 'must not be empty', violatedRule: 'REQUIRED_FIELD' }]);
		expect((await violation(`${'a'.repeat(257)}.pdf`, 'application/pdf'))[0]).toMatchObject({ field: 'fileName', violatedRule: 'MAX_LENGTH' });
		expect((await announce(`${'a'.repeat(256)}.pdf`, 'application/pdf')).status).toBe(200);
		for (const type of ['image/webp', 'image/svg+xml', 'text/plain', 'application/zip', 'application/octet-stream', 'Application/PDF']) {
			expect((await violation('x', type))[0]).toMatchObject({ field: 'mimeType', description: `"${type}" is not a supported mime type` });
		}
		for (const type of ['image/heic', 'image/png', 'application/vnd.ms-powerpoint', 'text/csv']) {
			expect((await announce('x', type)).status).toBe(200);
		}
		const mismatch = await request('POST', api(`${CONTACT}/upload-url`), { ...apiKey, ...jsonType }, JSON.stringify({ contactId: '00000000-0000-4000-8000-000000000000', fileName: 'a.pdf', mimeType: 'application/pdf' }));
		expect(json(mismatch).details.validationError.fieldViolations[0].field).toBe('contactId');
		const notJson = await request('POST', api(`${CONTACT}/upload-url`), { ...apiKey, 'Content-Type': 'text/plain' }, 'fileName=a.pdf');
		expect(notJson.status).toBe(400);
		const unknown = await announce('a.pdf', 'application/pdf', apiKey, '00000000-0000-4000-8000-000000000000');
		expect(unknown.status).toBe(404);
		expect(json(unknown)).toEqual({ message: 'Contact not found', details: { applicationError: { code: 'NOT_FOUND', description: 'Contact 00000000-0000-4000-8000-000000000000 not found', data: {} } } });
		const notGuid = await request('GET', api('ada'), apiKey);
		expect(notGuid.status).toBe(400);
		expect(json(notGuid).details.validationError.fieldViolations[0]).toMatchObject({ field: 'contactId', ruleName: 'INVALID_GUID' });
	});

	it('takes each upload URL once, with the announced type and name and no Authorization', async () => {
		const { uploadUrl } = json(await announce('a.csv', 'text/csv'));
		const refused = async (headers: Record<string, string>, filename?: string) => {
			const r = await put(uploadUrl, 'x,y', headers, filename);
			return [r.status, json(r).message];
		};
		expect(await refused({})).toEqual([400, 'The Content-Type header is missing']);
		expect(await refused({ 'Content-Type': 'application/pdf' })).toEqual([400, 'Content-Type "application/pdf" does not match the announced mime type "text/csv"']);
		expect(await refused({ 'Content-Type': 'text/csv' }, 'b.csv')).toEqual([400, 'filename "b.csv" does not match the announced file name "a.csv"']);
		expect(await refused({ 'Content-Type': 'text/csv', Authorization: DEFAULT_API_KEY }, 'a.csv')).toEqual([
			400,
			'The upload URL carries its own authorization: send no Authorization header',
		]);
		expect(await refused({ 'Content-Type': 'text/csv' }, undefined).then(() => 'sent')).toBe('sent');
		expect(wix.attachments(CONTACT)).toHaveLength(1);
		expect(await refused({ 'Content-Type': 'text/csv; charset=utf-8' }, 'a.csv')).toEqual([403, 'The upload URL was used already']);
		expect(await request('PUT', `${wix.mediaUrl}/_ah/upload/unknown-token/`, { 'Content-Type': 'text/csv' }, 'x').then((r) => r.status)).toBe(404);
		const empty = json(await announce('e.csv', 'text/csv'));
		expect((await put(empty.uploadUrl, '', { 'Content-Type': 'text/csv' }, 'e.csv')).status).toBe(400);
		expect(wix.pendingUploads().map((u) => [u.fileName, u.used])).toEqual([
			['a.csv', true],
			['e.csv', false],
		]);
		expect((await request('GET', uploadUrl)).status).toBe(405);
	});

	it('serves files only through valid, unexpired signed links without Authorization', async () => {
		const record = wix.seedAttachment(CONTACT, 'a.pdf', Buffer.from('%PDF'), 'application/pdf');
		const url: string = (wix.attachmentJson(record).document as { url: string }).url;
		expect((await request('GET', url)).status).toBe(200);
		expect((await request('HEAD', url)).headers['content-length']).toBe('4');
		const tampered = url.replace(/token=([0-9a-f])/, (_m, c: string) => `token=${c === '0' ? '1' : '0'}`);
		expect(await request('GET', tampered).then((r) => [r.status, r.body.toString()])).toEqual([403, 'Forbidden: the link is not valid']);
		expect(await request('GET', url.replace(/\?.*$/, '')).then((r) => r.status)).toBe(403);
		expect(await request('GET', url, { Authorization: DEFAULT_API_KEY }).then((r) => [r.status, r.body.toString()])).toEqual([
			400,
			'Bad Request: signed links take no Authorization header',
		]);
		expect((await request('DELETE', url)).status).toBe(405);
	});

	it('authenticates API keys (raw, with wix-site-id) and answers in Wix’s error shape', async () => {
		const url = api(CONTACT);
		const failure = async (headers: Record<string, string>) => {
			const r = await request('GET', url, headers);
			return [r.status, json(r)];
		};
		const unauthenticated = (description: string) => [401, { message: 'UNAUTHENTICATED', details: { applicationError: { code: 'UNAUTHENTICATED', description, data: {} } } }];
		expect(await failure({})).toEqual(unauthenticated('The Authorization header is missing'));
		expect(await failure({ Authorization: `Bearer ${DEFAULT_API_KEY}`, 'wix-site-id': DEFAULT_SITE_ID })).toEqual(
			unauthenticated('Send the token or API key as it is, without "Bearer"'),
		);
		expect(await failure({ Authorization: DEFAULT_API_KEY })).toEqual(unauthenticated('Calls to site-level APIs with an API key need the wix-site-id header'));
		expect(await failure({ Authorization: 'IST.other', 'wix-site-id': DEFAULT_SITE_ID })).toEqual(unauthenticated('Invalid API key or access token'));
		const [status, body] = await failure({ Authorization: DEFAULT_API_KEY, 'wix-site-id': '11111111-1111-4111-8111-111111111111' });
		expect(status).toBe(403);
		expect(body.details.applicationError.code).toBe('PERMISSION_DENIED');
		expect((await request('GET', url, apiKey)).status).toBe(200);
		const contacts = await request('GET', `${wix.url}/contacts/v4/contacts?paging.limit=1`, apiKey);
		expect(json(contacts)).toEqual({
			contacts: [expect.objectContaining({ id: CONTACT, info: expect.objectContaining({ name: { first: 'Ada', last: 'Lovelace' } }) })],
			pagingMetadata: { count: 1, offset: 0, total: 1, tooManyToCount: false },
		});
		expect((await request('GET', `${wix.url}/contacts/v4/nothing-here`, apiKey)).status).toBe(404);
	});

	it('exchanges app credentials for tokens that work raw and expire', async () => {
		const token = (body: Record<string, unknown> | string, headers: Record<string, string> = jsonType) =>
			request('POST', wix.tokenUrl, headers, typeof body === 'string' ? body : JSON.stringify(body));
		const good = { grant_type: 'client_credentials', client_id: DEFAULT_APP.appId, client_secret: DEFAULT_APP.appSecret, instance_id: DEFAULT_INSTANCE_ID };
		const issued = await token(good);
		expect(issued.status).toBe(200);
		expect(issued.headers['cache-control']).toBe('no-store');
		const { access_token: accessToken, ...rest } = json(issued);
		expect(rest).toEqual({ token_type: 'Bearer', expires_in: 14400 });
		expect(accessToken).toMatch(/^OauthNG\.JWS\./);
		expect(wix.tokenRequests).toEqual([good]);

		const url = api(CONTACT);
		expect((await request('GET', url, { Authorization: accessToken })).status).toBe(200);
		expect((await request('GET', url, { Authorization: `Bearer ${accessToken}` })).status).toBe(401);
		wix.expireToken(accessToken);
		const expired = await request('GET', url, { Authorization: accessToken });
		expect(expired.status).toBe(401);
		expect(json(expired).details.applicationError.description).toBe('The access token has expired');
		expect(wix.acceptedTokens()).toEqual([]);

		const error = async (body: Record<string, unknown> | string, headers?: Record<string, string>) => {
			const r = await token(body, headers);
			return [r.status, json(r).error];
		};
		expect(await error({ ...good, client_secret: 'nope' })).toEqual([401, 'invalid_client']);
		expect(await error({ ...good, client_id: 'nope' })).toEqual([401, 'invalid_client']);
		expect(await error({ ...good, grant_type: 'authorization_code' })).toEqual([400, 'unsupported_grant_type']);
		expect(await error({ ...good, instance_id: 'elsewhere' })).toEqual([400, 'invalid_grant']);
		expect(await error(new URLSearchParams(good).toString(), { 'Content-Type': 'application/x-www-form-urlencoded' })).toEqual([400, 'invalid_request']);
		expect(wix.issueToken().access_token).toMatch(/^OauthNG\.JWS\./);
	});

	it('lets tokens run out after their lifetime', async () => {
		const short = await startWixServer({ tokenTtlSeconds: 1 });
		try {
			const { access_token: accessToken } = short.issueToken();
			const url = `${short.url}/contacts/v4/attachments/${CONTACT}`;
			expect((await request('GET', url, { Authorization: accessToken })).status).toBe(200);
			await new Promise((resolve) => setTimeout(resolve, 1100));
			expect((await request('GET', url, { Authorization: accessToken })).status).toBe(401);
		} finally {
			await short.close();
		}
	});

	it('keeps sites apart: a contact of another site is not found', async () => {
		const otherSite = '22222222-2222-4222-8222-222222222222';
		const multi = await startWixServer({
			apiKeys: [
				{ key: 'key-a', siteId: DEFAULT_SITE_ID },
				{ key: 'key-b', siteId: otherSite },
			],
		});
		try {
			const theirs = multi.addContact({ siteId: otherSite, firstName: 'Other' });
			const url = `${multi.url}/contacts/v4/attachments/${theirs.id}`;
			expect((await request('GET', url, { Authorization: 'key-a', 'wix-site-id': DEFAULT_SITE_ID })).status).toBe(404);
			expect((await request('GET', url, { Authorization: 'key-b', 'wix-site-id': otherSite })).status).toBe(200);
			expect(multi.contacts().map((c) => c.siteId).sort()).toEqual([DEFAULT_SITE_ID, otherSite].sort());
		} finally {
			await multi.close();
		}
	});

	it('injects faults per target, after draining and recording the body', async () => {
		wix.failNext(1, { status: 429, headers: { 'Retry-After': '1' }, body: '{"message":"RESOURCE_EXHAUSTED"}' });
		wix.failNext(1, { status: 503, body: 'down' }, 'upload');
		wix.failNext(1, { status: 500 }, 'download');
		wix.failNext(1, { status: 502 }, 'token');
		const limited = await announce('a.csv', 'text/csv');
		expect([limited.status, limited.headers['retry-after'], json(limited)]).toEqual([429, '1', { message: 'RESOURCE_EXHAUSTED' }]);
		const { uploadUrl } = json(await announce('a.csv', 'text/csv'));
		const body = Buffer.alloc(200_000, 7);
		const down = await put(uploadUrl, body, { 'Content-Type': 'text/csv' }, 'a.csv');
		expect([down.status, down.headers['content-type'], down.body.toString()]).toEqual([503, 'text/plain; charset=utf-8', 'down']);
		expect(wix.pendingUploads()[0].used).toBe(false);
		expect((await put(uploadUrl, body, { 'Content-Type': 'text/csv' }, 'a.csv')).status).toBe(200);
		const [record] = wix.attachments(CONTACT);
		const link = (wix.attachmentJson(record).document as { url: string }).url;
		expect((await request('GET', link)).status).toBe(500);
		expect((await request('GET', link)).status).toBe(200);
		expect((await request('POST', wix.tokenUrl, jsonType, '{}')).status).toBe(502);
		const announcement = Buffer.byteLength(JSON.stringify({ contactId: CONTACT, fileName: 'a.csv', mimeType: 'text/csv' }));
		expect(wix.requests.map((r) => r.bodySize)).toEqual([announcement, announcement, 200_000, 200_000, 0, 0, 2]);
		expect(wix.requests.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
	});

	it('truncates the next download after the headers', async () => {
		const content = Buffer.alloc(300_000, 1);
		const record = wix.seedAttachment(CONTACT, 'big.pdf', content, 'application/pdf');
		const link = () => (wix.attachmentJson(record).document as { url: string }).url;
		wix.truncateNextDownload(1000);
		const cut = await request('GET', link());
		expect(cut).toMatchObject({ status: 200, incomplete: true });
		expect(cut.headers['content-length']).toBe(String(content.length));
		expect(cut.body.length).toBe(1000);
		const full = await request('GET', link());
		expect(full.incomplete).toBe(false);
		expect(full.body.equals(content)).toBe(true);
	});

	it('discards an upload the client aborts, and records it as aborted', async () => {
		const { uploadUrl } = json(await announce('partial.pdf', 'application/pdf'));
		const req = http.request(`${uploadUrl}?filename=partial.pdf`, {
			method: 'PUT',
			agent: false,
			headers: { 'Content-Type': 'application/pdf', 'Content-Length': '1000000' },
		});
		req.on('error', () => undefined);
		req.write(Buffer.alloc(100_000, 3));
		await new Promise((resolve) => setTimeout(resolve, 50));
		req.destroy();
		for (let i = 0; i < 100 && wix.requestsTo('media').length === 0; i++) await new Promise((r) => setTimeout(r, 10));
		const [recorded] = wix.requestsTo('media');
		expect(recorded.aborted).toBe(true);
		expect(recorded.bodySize).toBeLessThan(1_000_000);
		expect(wix.attachments(CONTACT)).toEqual([]);
		expect(wix.pendingUploads()[0].used).toBe(false);
		expect(fs.readdirSync(wix.storageDir)).toEqual([]);
	});

	it('keeps bodies up to 1 MiB, and only counts and hashes bigger ones', async () => {
		const { uploadUrl } = json(await announce('big.pdf', 'application/pdf'));
		const big = Buffer.alloc(1024 * 1024 + 1, 9);
		expect((await put(uploadUrl, big, { 'Content-Type': 'application/pdf' }, 'big.pdf')).status).toBe(200);
		const recorded = wix.requestsTo('media')[0];
		expect(recorded).toMatchObject({ bodySize: big.length, bodySha256: sha(big) });
		expect(recorded.body).toBeUndefined();
		expect(wix.requestsTo('api')[0].body!.toString()).toContain('big.pdf');
	});

	it('reset() restores the initial state', async () => {
		wix.addContact({ firstName: 'Extra' });
		wix.seedAttachment(CONTACT, 'a.pdf', Buffer.from('a'), 'application/pdf');
		await announce('b.pdf', 'application/pdf');
		wix.issueToken();
		wix.failNext(3, { status: 500 });
		wix.reset();
		expect(wix.contacts().map((c) => c.id)).toEqual([CONTACT]);
		expect(wix.attachments(CONTACT)).toEqual([]);
		expect(wix.pendingUploads()).toEqual([]);
		expect(wix.acceptedTokens()).toEqual([]);
		expect(wix.requests).toEqual([]);
		expect(wix.tokenRequests).toEqual([]);
		expect((await request('GET', api(CONTACT), apiKey)).status).toBe(200);
		expect(() => wix.seedAttachment('33333333-3333-4333-8333-333333333333', 'x', Buffer.from('x'), 'text/csv')).toThrow(RangeError);
	});

	it('honours its options', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wix-opts-'));
		const other = await startWixServer({
			storageDir: dir,
			mediaOnApiPort: true,
			uploadTokenInQuery: true,
			autoCreateContacts: true,
			countTotals: false,
			maxAttachmentBytes: 10,
			mediaContentType: 'binary/octet-stream',
			mediaContentDisposition: false,
			uploadUrlTtlSeconds: 0,
			contacts: [],
		});
		try {
			expect(other.mediaUrl).toBe(other.url);
			const someone = '44444444-4444-4444-8444-444444444444';
			const announced = await request(
				'POST',
				`${other.url}/contacts/v4/attachments/${someone}/upload-url`,
				{ ...apiKey, ...jsonType },
				JSON.stringify({ fileName: 'a.pdf', mimeType: 'application/pdf' }),
			);
			expect(announced.status).toBe(200);
			const { uploadUrl } = json(announced);
			expect(uploadUrl).toMatch(new RegExp(`^${other.url}/upload\\?upload_token=[\\w-]+$`));
			const expired = await put(uploadUrl, 'x', { 'Content-Type': 'application/pdf' }, 'a.pdf');
			expect([expired.status, json(expired).message]).toEqual([403, 'The upload URL has expired']);
			expect(other.contacts().map((c) => c.id)).toEqual([someone]);

			const list = json(await request('GET', `${other.url}/contacts/v4/attachments/${someone}`, apiKey));
			expect(list.metadata).toEqual({ count: 0, offset: 0, tooManyToCount: true });

			const record = other.seedAttachment(someone, 's.pdf', Buffer.from('%PDF'), 'application/pdf');
			const got = await request('GET', (other.attachmentJson(record).document as { url: string }).url);
			expect(got.headers['content-type']).toBe('binary/octet-stream');
			expect(got.headers['content-disposition']).toBeUndefined();
			expect(other.requests.every((r) => r.host === 'api')).toBe(true);
			expect(fs.readdirSync(dir)).toHaveLength(1);
		} finally {
			await other.close();
		}
		expect(fs.existsSync(dir)).toBe(true);
		fs.rmSync(dir, { recursive: true, force: true });

		const small = await startWixServer({ maxAttachmentBytes: 10 });
		try {
			const announced = json(
				await request('POST', `${small.url}/contacts/v4/attachments/${CONTACT}/upload-url`, { ...apiKey, ...jsonType }, JSON.stringify({ fileName: 'a.pdf', mimeType: 'application/pdf' })),
			);
			expect((await put(announced.uploadUrl, Buffer.alloc(11), { 'Content-Type': 'application/pdf' }, 'a.pdf')).status).toBe(413);
			expect((await put(announced.uploadUrl, Buffer.alloc(10), { 'Content-Type': 'application/pdf' }, 'a.pdf')).status).toBe(200);
		} finally {
			await small.close();
		}
	});
});

/**
 * The emulator's answers are ones the spec allows (Prism's own response validation, as a Prism
 * proxy in front of the emulator would run it).
 */
describeWithSpecs('Wix emulator answers as the spec says', [SPEC_FILES.wix], () => {
	let wix: WixServer;
	let operations: Awaited<ReturnType<typeof getHttpOperationsFromSpec>>;
	beforeAll(async () => {
		wix = await startWixServer();
		operations = await getHttpOperationsFromSpec(specPath(SPEC_FILES.wix));
	});
	afterAll(() => wix.close());

	async function violations(method: string, pathAndQuery: string, headers: Record<string, string>, body?: string): Promise<{ status: number; violations: string[] }> {
		const url = new URL(pathAndQuery, wix.url);
		const res = await request(method, url.toString(), headers, body);
		const input = { method: method.toLowerCase() as 'get', url: { path: url.pathname }, headers: {} };
		const routed = route({ resources: operations, input });
		if (routed._tag === 'Left') return { status: res.status, violations: [`not routed: ${routed.left.message}`] };
		const flat: Record<string, string> = {};
		for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
		const parsed = res.body.length ? JSON.parse(res.body.toString('utf8')) : undefined;
		const result = validateOutput({ resource: routed.right, element: { statusCode: res.status, headers: flat, body: parsed } });
		const found = result._tag === 'Left' ? result.left.filter((d) => d.severity === 0).map((d) => `${d.path?.join('.') ?? ''}: ${d.message}`) : [];
		return { status: res.status, violations: found };
	}

	it('would notice an answer the spec does not allow', () => {
		const input = { method: 'get' as const, url: { path: `/contacts/v4/attachments/${CONTACT}` }, headers: {} };
		const routed = route({ resources: operations, input });
		if (routed._tag === 'Left') throw routed.left;
		const bad = validateOutput({
			resource: routed.right,
			element: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: { attachments: [{ id: 'not-a-guid', attachmentType: 'PDF' }] } },
		});
		expect(bad._tag).toBe('Left');
	});

	it.each([
		['a listing with a document and an image', 'GET', `/contacts/v4/attachments/${CONTACT}?paging.limit=10`, 200],
		['a get', 'GET', `/contacts/v4/attachments/${CONTACT}/{id}`, 200],
		['an upload URL', 'POST', `/contacts/v4/attachments/${CONTACT}/upload-url`, 200],
		['a validation error', 'GET', `/contacts/v4/attachments/${CONTACT}?paging.limit=500`, 400],
		['an unknown attachment', 'GET', `/contacts/v4/attachments/${CONTACT}/00000000-0000-4000-8000-000000000000`, 404],
		['an unknown contact', 'GET', '/contacts/v4/attachments/00000000-0000-4000-8000-000000000000', 404],
		['a missing credential', 'GET', `/contacts/v4/attachments/${CONTACT}`, 401],
		['a delete', 'DELETE', `/contacts/v4/attachments/${CONTACT}/{id}`, 200],
	])('%s', async (name, method, target, status) => {
		wix.reset();
		wix.seedAttachment(CONTACT, 'a.pdf', Buffer.from('%PDF'), 'application/pdf');
		const png = wix.seedAttachment(CONTACT, 'b.png', Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(13, 1)]), 'image/png');
		const headers: Record<string, string> = name === 'a missing credential' ? {} : { ...apiKey };
		const body = method === 'POST' ? JSON.stringify({ contactId: CONTACT, fileName: 'c.pdf', mimeType: 'application/pdf' }) : undefined;
		if (body) headers['Content-Type'] = 'application/json';
		const result = await violations(method, target.replace('{id}', png.id), headers, body);
		expect(result).toEqual({ status, violations: [] });
	});
});
