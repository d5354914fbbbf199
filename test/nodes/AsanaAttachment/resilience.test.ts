/**
 * What is Asana's own in retrying, attempt by attempt: its 429 message, its OAuth2 refresh (the
 * client's secret in the form, the refresh token kept), and its file host (pre-signed URLs that
 * expire, S3's errors). Retries, Retry-After, the 5-attempt limit and truncated downloads are
 * proven for every node in test/transport; Asana's retry policy per operation under faults in
 * test/faults/asana.
 */
import { NodeApiError } from 'n8n-workflow';

import { binaryStats, generatedStats } from '../../support/n8n-harness';
import { DEFAULT_OAUTH_ACCESS_TOKEN, DEFAULT_REFRESH_TOKEN, DEFAULT_TASK, RATE_LIMIT_MESSAGE } from '../../../sandbox/asana/server';
import { CLIENT_ID, CLIENT_SECRET, header, locator, runAsana, targets, useAsanaEmulator } from './context';

const server = useAsanaEmulator({ oauthClient: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });

const listTask = { operation: 'getAll', parent: locator(DEFAULT_TASK.gid), returnAll: true, options: {} };
const uploadTo = (parent = DEFAULT_TASK.gid) => ({ operation: 'upload', parent: locator(parent), source: 'binary', binaryPropertyName: 'data', options: {} });

describe('rate limits (429)', () => {
	it("gives up after 5 attempts with Asana's 429 message", async () => {
		server.rateLimitNext(5, 0);
		const result = await runAsana(server, listTask);
		const error = result.error as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('429');
		expect(error.message).toBe(`Asana: ${RATE_LIMIT_MESSAGE}`);
		expect(server.requests).toHaveLength(5);
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

});
