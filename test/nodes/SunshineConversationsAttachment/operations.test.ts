/**
 * Every operation with both credentials (API key as Basic auth, JWT), run through n8n's real
 * execution code against the local Sunshine emulator: what the emulator received (method, raw
 * URL, headers, exact body bytes, the JWT's header, claims and signature), what the node output,
 * what the emulator stored, and that the spec of each call accepts each request.
 */
import { createHash } from 'crypto';

import { generatedStats } from '../../support/n8n-harness';
import { DEFAULT_ACCOUNT_KEY, MEDIA_COOKIE } from '../../../sandbox/sunshine/server';
import { APP_ID, type Authentication, expectAuthorization, expectSunshineJwt, fetchLocal, header, runSunshine, useSunshineEmulator } from './context';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

const server = useSunshineEmulator();

/** The exact multipart body form-data writes for one file in `source`. */
function expectedMultipart(boundary: string, fileName: string, mimeType: string, content: Buffer): Buffer {
	return Buffer.concat([
		Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="source"; filename="${fileName}"\r\nContent-Type: ${mimeType}\r\n\r\n`),
		content,
		Buffer.from(`\r\n--${boundary}--\r\n`),
	]);
}

describe.each<Authentication>(['apiKey', 'jwt'])('with authentication %s', (authentication) => {
	it('Upload streams the file as multipart "source" with access=public, outputs mediaUrl and mediaType, and the media serves the same bytes', async () => {
		const content = Buffer.from(`%PDF-1.7 ${'quarterly figures '.repeat(400)}`);
		const result = await runSunshine(
			server,
			{ operation: 'upload', binaryPropertyName: 'data', options: {} },
			{ authentication, input: [{ binary: { data: { data: content, fileName: 'Q3 report.pdf', mimeType: 'application/pdf' } } }] },
		);
		expect(result.error).toBeUndefined();

		expect(server.requests).toHaveLength(1);
		const [request] = server.requests;
		expect(request.method).toBe('POST');
		expect(request.url).toBe(`/v2/apps/${APP_ID}/attachments?access=public`);
		expectAuthorization(request, authentication);
		const boundary = /^multipart\/form-data; boundary=(\S+)$/.exec(header(request, 'content-type') ?? '')?.[1];
		expect(boundary).toBeDefined();
		expect(request.body).toEqual(expectedMultipart(boundary!, 'Q3 report.pdf', 'application/pdf', content));
		expect(header(request, 'content-length')).toBe(String(request.bodySize));
		expect(header(request, 'transfer-encoding')).toBeUndefined();

		const stored = server.attachments(APP_ID);
		expect(stored).toHaveLength(1);
		expect(stored[0]).toMatchObject({ fileName: 'Q3 report.pdf', mediaType: 'application/pdf', size: content.length, sha256: sha256(content), access: 'public' });
		expect(stored[0].for).toBeUndefined();
		expect(result.items).toEqual([
			{ json: { mediaUrl: server.mediaUrl(stored[0]), mediaType: 'application/pdf' }, pairedItem: { item: 0 } },
		]);
		expect(result.items[0].json.mediaUrl).toMatch(new RegExp(`^${server.mediaBaseUrl}/apps/${APP_ID}/[0-9A-Z]{26}/Q3%20report\\.pdf$`));

		const media = await fetchLocal(result.items[0].json.mediaUrl as string);
		expect(media.status).toBe(200);
		expect(media.headers.get('content-type')).toBe('application/pdf');
		expect(media.body.equals(content)).toBe(true);
	});

	it('Upload for a message of a conversation sends for and conversationId, under the file name given', async () => {
		const size = 1_300_001;
		const expected = await generatedStats(size, 11);
		const result = await runSunshine(
			server,
			{
				operation: 'upload',
				binaryPropertyName: 'photo',
				options: { access: 'public', for: 'message', conversationId: 'c616a583e4c240a871818541', fileName: 'Schadensfoto März.jpg' },
			},
			{ authentication, input: [{ binary: { photo: { generate: { size, seed: 11 }, fileName: 'IMG_0001.JPG', mimeType: 'image/jpeg' } } }] },
		);
		expect(result.error).toBeUndefined();
		const [request] = server.requests;
		expect(request.url).toBe(`/v2/apps/${APP_ID}/attachments?access=public&for=message&conversationId=c616a583e4c240a871818541`);
		// Over 1 MiB, so not kept: the framing around the file makes up the rest of the exact length.
		expect(request.body).toBeUndefined();
		const boundary = /boundary=(\S+)$/.exec(header(request, 'content-type') ?? '')![1];
		const framing = expectedMultipart(boundary, 'Schadensfoto März.jpg', 'image/jpeg', Buffer.alloc(0)).length;
		expect(request.bodySize).toBe(framing + size);
		expect(header(request, 'content-length')).toBe(String(framing + size));
		const [stored] = server.attachments(APP_ID);
		expect(stored).toMatchObject({
			fileName: 'Schadensfoto März.jpg',
			mediaType: 'image/jpeg',
			size,
			sha256: expected.sha256,
			for: 'message',
			conversationId: 'c616a583e4c240a871818541',
		});
		expect(result.items[0].json).toEqual({
			mediaUrl: `${server.mediaBaseUrl}/apps/${APP_ID}/conversations/c616a583e4c240a871818541/${stored.id}/Schadensfoto%20M%C3%A4rz.jpg`,
			mediaType: 'image/jpeg',
		});
	});

	it('Delete posts the media URL as JSON, outputs { deleted: true }, and the file is gone', async () => {
		const record = server.seedAttachment(APP_ID, 'old.png', Buffer.from('PNG...'), 'image/png');
		const mediaUrl = server.mediaUrl(record);
		const result = await runSunshine(server, { operation: 'delete', mediaUrl }, { authentication });
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([{ json: { deleted: true }, pairedItem: { item: 0 } }]);

		const [request] = server.requests;
		expect(request.method).toBe('POST');
		expect(request.url).toBe(`/v2/apps/${APP_ID}/attachments/remove`);
		expectAuthorization(request, authentication);
		expect(header(request, 'content-type')).toBe('application/json');
		expect(request.body?.toString('utf8')).toBe(JSON.stringify({ mediaUrl }));
		expect(server.attachments(APP_ID)).toEqual([]);
		expect((await fetchLocal(mediaUrl)).status).toBe(404);
	});

	it('Generate Media Token posts the paths and outputs one token per path', async () => {
		const paths = [`/apps/${APP_ID}`, `/apps/${APP_ID}/conversations/c616a583e4c240a871818541`];
		const result = await runSunshine(server, { operation: 'generateMediaToken', paths }, { authentication });
		expect(result.error).toBeUndefined();

		const [request] = server.requests;
		expect(request.method).toBe('POST');
		expect(request.url).toBe(`/v2/apps/${APP_ID}/attachments/token`);
		expectAuthorization(request, authentication);
		expect(header(request, 'content-type')).toBe('application/json');
		expect(request.body?.toString('utf8')).toBe(JSON.stringify({ paths }));

		expect(result.items.map((item) => item.json.path)).toEqual(paths);
		expect(result.items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		for (const item of result.items) {
			const payload = JSON.parse(Buffer.from(String(item.json.token).split('.')[1], 'base64url').toString('utf8'));
			expect(payload).toMatchObject({ path: item.json.path, app: APP_ID });
		}
	});

	it('Set Cookie sends the media token instead of the API key and outputs the cookie, which opens private media', async () => {
		server.setAppSettings(APP_ID, { attachmentsAccess: 'private' });
		const record = server.seedAttachment(APP_ID, 'contract.pdf', Buffer.from('%PDF private'), 'application/pdf');
		expect((await fetchLocal(server.mediaUrl(record))).status).toBe(403);
		const token = server.issueMediaToken(APP_ID, `/apps/${APP_ID}`);
		server.requests.length = 0;

		const result = await runSunshine(server, { operation: 'setCookie', mediaToken: token }, { authentication });
		expect(result.error).toBeUndefined();
		const [request] = server.requests;
		expect(request.method).toBe('GET');
		expect(request.url).toBe(`/v2/apps/${APP_ID}/attachments/cookie`);
		expect(header(request, 'authorization')).toBe(`Bearer ${token}`);
		expect(request.bodySize).toBe(0);

		const [item] = result.items;
		expect(item.json.cookies).toEqual([expect.stringMatching(new RegExp(`^${MEDIA_COOKIE}=${token.replace(/\./g, '\\.')}; Path=/media/apps/${APP_ID}; Expires=[^;]+; HttpOnly; SameSite=Lax$`))]);
		expect(item.json.cookie).toBe(`${MEDIA_COOKIE}=${token}`);
		const media = await fetchLocal(server.mediaUrl(record), { Cookie: item.json.cookie as string });
		expect(media.status).toBe(200);
		expect(media.body.toString()).toBe('%PDF private');
	});

	it('upload, media token, cookie and delete work together: the upload appears, opens with the cookie, and is removed', async () => {
		server.setAppSettings(APP_ID, { attachmentsAccess: 'private' });
		const content = Buffer.from('name,amount\nÄrger,1\n');
		const up = await runSunshine(
			server,
			{ operation: 'upload', binaryPropertyName: 'data', options: { for: 'message', conversationId: 'c0ffee00c0ffee00c0ffee00' } },
			{ authentication, input: [{ binary: { data: { data: content, fileName: 'export.csv', mimeType: 'text/csv' } } }] },
		);
		expect(up.error).toBeUndefined();
		const mediaUrl = up.items[0].json.mediaUrl as string;
		expect(server.attachments(APP_ID).map((record) => server.mediaUrl(record))).toEqual([mediaUrl]);

		const tokens = await runSunshine(server, { operation: 'generateMediaToken', paths: [`/apps/${APP_ID}/conversations/c0ffee00c0ffee00c0ffee00`] }, { authentication });
		const cookie = await runSunshine(server, { operation: 'setCookie', mediaToken: tokens.items[0].json.token as string }, { authentication });
		const media = await fetchLocal(mediaUrl, { Cookie: cookie.items[0].json.cookie as string });
		expect(media.body.equals(content)).toBe(true);

		const removed = await runSunshine(server, { operation: 'delete', mediaUrl }, { authentication });
		expect(removed.items[0].json).toEqual({ deleted: true });
		expect(server.attachments(APP_ID)).toEqual([]);
	});
});

it('JWT of an account key carries the account scope and may act on any app', async () => {
	const result = await runSunshine(
		server,
		{ operation: 'generateMediaToken', paths: ['/apps/6620f0c1a6b4e2001d7c3f99'], appId: { __rl: true, mode: 'id', value: '6620f0c1a6b4e2001d7c3f99' } },
		{ authentication: 'jwt', key: DEFAULT_ACCOUNT_KEY },
	);
	expect(result.error).toBeUndefined();
	expectSunshineJwt(header(server.requests[0], 'authorization'), DEFAULT_ACCOUNT_KEY, 'account');
	expect(server.requests[0].url).toBe('/v2/apps/6620f0c1a6b4e2001d7c3f99/attachments/token');
});

it('a Zendesk-hosted account is reached under /sc', async () => {
	const content = Buffer.from('GIF89a');
	const result = await runSunshine(
		server,
		{ operation: 'upload', binaryPropertyName: 'data', options: {} },
		{
			input: [{ binary: { data: { data: content, fileName: 'smile.gif', mimeType: 'image/gif' } } }],
			credentials: { region: 'zendesk', subdomain: 'ignored', baseUrl: server.zendeskUrl, keyId: 'app_6620f0c9a6b4e2001d7c3f2a', secret: 'sentinel-app-secret-Xq7vT2pL9sK4wR8m' },
		},
	);
	expect(result.error).toBeUndefined();
	expect(server.requests[0].url).toBe(`/sc/v2/apps/${APP_ID}/attachments?access=public`);
	expect(server.attachments(APP_ID)[0].sha256).toBe(sha256(content));
});
