/**
 * Rate limits, retries, token refresh, expired download URLs and truncated downloads: what the
 * emulator saw attempt by attempt.
 */
import { NodeApiError } from 'n8n-workflow';

import { binaryStats, generatedStats } from '../../support/n8n-harness';
import { DEFAULT_OAUTH_ACCESS_TOKEN, DEFAULT_REFRESH_TOKEN, DEFAULT_TASK, RATE_LIMIT_MESSAGE } from '../../../sandbox/asana/server';
import { CLIENT_ID, CLIENT_SECRET, header, locator, runAsana, targets, useAsanaEmulator } from './context';

const server = useAsanaEmulator({ oauthClient: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });

const listTask = { operation: 'getAll', parent: locator(DEFAULT_TASK.gid), returnAll: true, options: {} };
const uploadTo = (parent = DEFAULT_TASK.gid) => ({ operation: 'upload', parent: locator(parent), source: 'binary', binaryPropertyName: 'data', options: {} });

describe('rate limits (429)', () => {
	it('honours Retry-After on a listing', async () => {
		server.seedAttachment(DEFAULT_TASK.gid, 'a.pdf', Buffer.from('A'), 'application/pdf');
		server.rateLimitNext(1, 1);
		const result = await runAsana(server, listTask);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(server.requests).toHaveLength(2);
		expect(server.requests[1].receivedAt.getTime() - server.requests[0].receivedAt.getTime()).toBeGreaterThanOrEqual(950);
	});

	it('resends a rate-limited upload in full, storing it once', async () => {
		server.rateLimitNext(1, 0, { method: 'POST' });
		const size = 2 * 1024 * 1024 + 3;
		const expected = await generatedStats(size, 21);
		const result = await runAsana(server, uploadTo(), {
			input: [{ binary: { data: { generate: { size, seed: 21 }, fileName: 'big.bin', mimeType: 'application/octet-stream' } } }],
		});
		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(2);
		const [first, second] = server.requests;
		// Each attempt is a new form (new boundary) around the same, re-read file.
		expect(first.bodySize).toBe(second.bodySize);
		expect(second.bodySha256).not.toBe(first.bodySha256);
		for (const attempt of [first, second]) expect(attempt.multipart!.parts[1]).toMatchObject({ name: 'file', size, sha256: expected.sha256 });
		expect(server.attachments(DEFAULT_TASK.gid)).toHaveLength(1);
	});

	it("gives up after 5 attempts with Asana's 429 message", async () => {
		server.rateLimitNext(5, 0);
		const result = await runAsana(server, listTask);
		const error = result.error as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('429');
		expect(error.message).toBe(`Asana: ${RATE_LIMIT_MESSAGE}`);
		expect(server.requests).toHaveLength(5);
	});

	it('does not wait out a Retry-After longer than two minutes', async () => {
		server.rateLimitNext(1, 3600);
		const result = await runAsana(server, listTask);
		expect((result.error as NodeApiError).description).toMatch(/asks to wait 3600 s/);
		expect(server.requests).toHaveLength(1);
	});
});

describe('server errors', () => {
	it('retries 502 and 503 on reads', async () => {
		server.failNext(1, { status: 502, headers: { 'Retry-After': '0' }, body: '<html>Bad Gateway</html>' });
		server.failNext(1, { status: 503, headers: { 'Retry-After': '0' }, body: JSON.stringify({ errors: [{ message: 'Service Unavailable' }] }) });
		const result = await runAsana(server, listTask);
		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(3);
	});

	it('does not retry an upload after a 503: Asana may have attached the file already', async () => {
		server.failNext(1, { status: 503, headers: { 'Retry-After': '0' }, body: JSON.stringify({ errors: [{ message: 'Service Unavailable' }] }) });
		const result = await runAsana(server, uploadTo(), { input: [{ binary: { data: { data: Buffer.from('x'), fileName: 'x.txt', mimeType: 'text/plain' } } }] });
		expect((result.error as NodeApiError).httpCode).toBe('503');
		expect(result.error!.message).toBe('Asana: Service Unavailable');
		expect(server.requests).toHaveLength(1);
	});

	it('retries a delete after a 504', async () => {
		const record = server.seedAttachment(DEFAULT_TASK.gid, 'a.txt', Buffer.from('A'), 'text/plain');
		server.failNext(1, { status: 504, headers: { 'Retry-After': '0' } }, { method: 'DELETE' });
		const result = await runAsana(server, { operation: 'delete', attachmentId: record.gid });
		expect(result.items[0].json).toEqual({ deleted: true });
		expect(targets(server.requests)).toEqual([`DELETE /api/1.0/attachments/${record.gid}`, `DELETE /api/1.0/attachments/${record.gid}`]);
	});
});

describe('OAuth2 token refresh', () => {
	it('resends a streamed upload after n8n refreshed the expired token', async () => {
		server.expireToken(DEFAULT_OAUTH_ACCESS_TOKEN);
		const size = 1024 * 1024;
		const expected = await generatedStats(size, 22);
		const result = await runAsana(server, uploadTo(), {
			auth: 'oAuth2',
			input: [{ binary: { data: { generate: { size, seed: 22 }, fileName: 'after-refresh.bin', mimeType: 'application/octet-stream' } } }],
		});
		expect(result.error).toBeUndefined();
		expect(targets(server.requests)).toEqual(['POST /api/1.0/attachments', 'POST /-/oauth_token', 'POST /api/1.0/attachments']);
		const [first, refresh, second] = server.requests;
		expect(header(first, 'authorization')).toBe(`Bearer ${DEFAULT_OAUTH_ACCESS_TOKEN}`);
		const form = new URLSearchParams(refresh.body!.toString('utf8'));
		expect(form.get('grant_type')).toBe('refresh_token');
		expect(form.get('refresh_token')).toBe(DEFAULT_REFRESH_TOKEN);
		expect(form.get('client_id')).toBe(CLIENT_ID);
		expect(form.get('client_secret')).toBe(CLIENT_SECRET);

		const stored = result.credentialsStore.asanaAttachmentOAuth2Api.oauthTokenData as { access_token: string; refresh_token?: string };
		expect(stored.access_token).not.toBe(DEFAULT_OAUTH_ACCESS_TOKEN);
		// Asana answers a refresh without a new refresh token: the old one must be kept.
		expect(stored.refresh_token).toBe(DEFAULT_REFRESH_TOKEN);
		expect(header(second, 'authorization')).toBe(`Bearer ${stored.access_token}`);
		expect(second.multipart!.parts[1]).toMatchObject({ name: 'file', size, sha256: expected.sha256 });
		expect(server.attachments(DEFAULT_TASK.gid)).toHaveLength(1);
	});

	it('refreshes on a listing too', async () => {
		server.expireToken(DEFAULT_OAUTH_ACCESS_TOKEN);
		server.seedAttachment(DEFAULT_TASK.gid, 'a.txt', Buffer.from('A'), 'text/plain');
		const result = await runAsana(server, listTask, { auth: 'oAuth2' });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.name)).toEqual(['a.txt']);
		expect(server.requests.map((request) => request.path)).toEqual(['/api/1.0/attachments', '/-/oauth_token', '/api/1.0/attachments']);
	});
});

describe('downloads', () => {
	const getFile = (gid: string) => ({ operation: 'get', attachmentId: gid, download: true, binaryPropertyName: 'data', options: {} });

	it('reads the record again when the download URL has expired, and downloads with the fresh one', async () => {
		const content = Buffer.alloc(50_000, 9);
		const record = server.seedAttachment(DEFAULT_TASK.gid, 'late.bin', content, 'application/octet-stream');
		server.expireNextDownloadUrls(1);
		const result = await runAsana(server, getFile(record.gid));
		expect(result.error).toBeUndefined();
		expect(targets(server.requests)).toEqual([`GET /api/1.0/attachments/${record.gid}`, `GET /api/1.0/attachments/${record.gid}`]);
		expect(server.fileRequests).toHaveLength(2);
		expect(server.fileRequests[0].query.get('X-Amz-Date')).not.toBe(server.fileRequests[1].query.get('X-Amz-Date'));
		expect(await binaryStats(result.items[0].binary!.data)).toEqual({ size: content.length, sha256: record.sha256 });
		expect(result.items[0].json.download_url).toBe(`${server.filesUrl}${server.fileRequests[1].url}`);
	});

	it("fails with S3's message when the fresh URL is refused too", async () => {
		const record = server.seedAttachment(DEFAULT_TASK.gid, 'late.bin', Buffer.from('x'), 'application/octet-stream');
		server.expireNextDownloadUrls(2);
		const result = await runAsana(server, getFile(record.gid));
		const error = result.error as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Asana: AccessDenied: Request has expired');
		expect(error.httpCode).toBe('403');
		expect(server.fileRequests).toHaveLength(2);
		expect(server.requests).toHaveLength(2);
	});

	it('retries a 503 of the file host', async () => {
		const record = server.seedAttachment(DEFAULT_TASK.gid, 'a.bin', Buffer.from('abc'), 'application/octet-stream');
		server.failNextDownload(1, { status: 503, headers: { 'Retry-After': '0' }, body: '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>' });
		const result = await runAsana(server, getFile(record.gid));
		expect(result.error).toBeUndefined();
		expect(server.fileRequests).toHaveLength(2);
		expect(server.requests).toHaveLength(1);
	});

	it('retries a truncated download and stores the whole file', async () => {
		const content = Buffer.alloc(200_000, 7);
		const record = server.seedAttachment(DEFAULT_TASK.gid, 'long.bin', content, 'application/octet-stream');
		server.truncateNextDownload(1000);
		const result = await runAsana(server, getFile(record.gid));
		expect(result.error).toBeUndefined();
		expect(server.fileRequests).toHaveLength(2);
		expect((await binaryStats(result.items[0].binary!.data)).size).toBe(content.length);
	});

	it('fails loudly when every attempt is cut off, storing nothing', async () => {
		const record = server.seedAttachment(DEFAULT_TASK.gid, 'long.bin', Buffer.alloc(200_000, 7), 'application/octet-stream');
		for (let i = 0; i < 5; i++) server.truncateNextDownload(1000);
		const result = await runAsana(server, getFile(record.gid));
		expect(result.error).toBeInstanceOf(NodeApiError);
		expect(result.error!.message).toMatch(/^Asana: the file download was cut off/);
		expect(result.items).toHaveLength(0);
		expect(server.fileRequests).toHaveLength(5);
	});
});
