/**
 * Self-test of the Sunshine Conversations emulator (sandbox/sunshine/server.ts), driven with
 * Node's own http client: auth (Basic, JWT), every route, its errors in Sunshine's shape, the
 * streaming multipart parser, media access, faults, recording and reset.
 */
import { createHmac } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as v8 from 'v8';
import * as vm from 'vm';

import {
	DEFAULT_ACCOUNT_KEY,
	DEFAULT_APP,
	DEFAULT_APP_KEY,
	MEDIA_COOKIE,
	SECOND_APP,
	type SunshineKey,
	type SunshineServer,
	startSunshineServer,
} from '../../sandbox/sunshine/server';
import { type Body, type Res, json, request as send, sha } from './client';

/** A connection error resolves as status 0 with its code (the reset cases provoke one). */
const request = (method: string, url: string, headers: Record<string, string> = {}, body?: Body) => send(method, url, headers, body, { resolveOnError: true });

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const basic = (key: SunshineKey, secret = key.secret) => ({ Authorization: `Basic ${Buffer.from(`${key.id}:${secret}`).toString('base64')}` });
/** A JWT made here, independently of the node: any header and payload, signed with `secret`. */
function jwt(header: object, payload: object, secret: string): string {
	const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
	return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const appJwt = (key: SunshineKey = DEFAULT_APP_KEY) => bearer(jwt({ alg: 'HS256', typ: 'JWT', kid: key.id }, { scope: key.scope }, key.secret));

const BOUNDARY = 'SelfTestBoundary7MA4YWxkTrZu0gW';
function multipart(parts: Array<{ name: string; filename?: string; type?: string; data: Buffer | string; disposition?: string }>, boundary = BOUNDARY): Buffer {
	const chunks: Buffer[] = [];
	for (const part of parts) {
		let head = `--${boundary}\r\nContent-Disposition: ${part.disposition ?? `form-data; name="${part.name}"${part.filename !== undefined ? `; filename="${part.filename}"` : ''}`}`;
		if (part.type) head += `\r\nContent-Type: ${part.type}`;
		chunks.push(Buffer.from(`${head}\r\n\r\n`), Buffer.from(part.data), Buffer.from('\r\n'));
	}
	chunks.push(Buffer.from(`--${boundary}--\r\n`));
	return Buffer.concat(chunks);
}
const formType = { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` };

describe('Sunshine Conversations emulator', () => {
	let sunshine: SunshineServer;
	const api = (path: string) => `${sunshine.url}${path}`;
	const attachments = (appId = DEFAULT_APP.id) => api(`/v2/apps/${appId}/attachments`);
	const uploadFile = (data: Buffer | string, filename = 'note.txt', type = 'text/plain', query = '?access=public', headers: Record<string, string> = basic(DEFAULT_APP_KEY)) =>
		request('POST', attachments() + query, { ...headers, ...formType }, multipart([{ name: 'source', filename, type, data }]));
	const postJson = (path: string, value: unknown, headers: Record<string, string> = basic(DEFAULT_APP_KEY)) =>
		request('POST', api(path), { ...headers, 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify(value)));
	const errorOf = (r: Res) => json(r).errors[0] as { code: string; title: string };

	beforeAll(async () => {
		sunshine = await startSunshineServer({ maxAttachmentBytes: 200 * 1024 * 1024 });
	});
	afterAll(async () => await sunshine.close());
	beforeEach(() => sunshine.reset());

	it('listens on 127.0.0.1 only, with the Zendesk-style API under /sc and the media under /media', () => {
		expect(sunshine.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(sunshine.zendeskUrl).toBe(`${sunshine.url}/sc`);
		expect(sunshine.mediaBaseUrl).toBe(`${sunshine.url}/media`);
	});

	it('uploads a file, serves it at its media URL, and removes it', async () => {
		const content = Buffer.from('hello, sunshine');
		const up = await uploadFile(content, 'hello.txt', 'text/plain; charset=utf-8');
		expect(up.status).toBe(201);
		expect(up.headers['content-type']).toBe('application/json; charset=utf-8');
		const { attachment } = json(up);
		expect(attachment.mediaType).toBe('text/plain');
		expect(attachment.mediaUrl).toMatch(new RegExp(`^${sunshine.mediaBaseUrl}/apps/${DEFAULT_APP.id}/[0-9A-Z]{26}/hello\\.txt$`));
		const [record] = sunshine.attachments(DEFAULT_APP.id);
		expect(record).toMatchObject({ fileName: 'hello.txt', mediaType: 'text/plain', size: content.length, sha256: sha(content), access: 'public' });
		expect(sunshine.mediaUrl(record)).toBe(attachment.mediaUrl);

		const got = await request('GET', attachment.mediaUrl);
		expect(got.status).toBe(200);
		expect(got.body.equals(content)).toBe(true);
		expect(got.headers['content-type']).toBe('text/plain');
		expect(got.headers['content-length']).toBe(String(content.length));
		const head = await request('HEAD', attachment.mediaUrl);
		expect(head.status).toBe(200);
		expect(head.body.length).toBe(0);

		const removed = await postJson(`/v2/apps/${DEFAULT_APP.id}/attachments/remove`, { mediaUrl: attachment.mediaUrl });
		expect(removed.status).toBe(200);
		expect(json(removed)).toEqual({});
		expect(sunshine.attachments()).toEqual([]);
		expect((await request('GET', attachment.mediaUrl)).status).toBe(404);
		expect(fs.readdirSync(sunshine.storageDir)).toEqual([]);
	});

	it('records for, conversationId and the file name, and nests the media under the conversation', async () => {
		const up = await uploadFile('x', 'Grüße – 日本 😀 (1).txt', 'text/plain', '?access=public&for=message&conversationId=c616a583e4c240a871818541');
		expect(up.status).toBe(201);
		const [record] = sunshine.attachments();
		expect(record).toMatchObject({ for: 'message', conversationId: 'c616a583e4c240a871818541', fileName: 'Grüße – 日本 😀 (1).txt' });
		expect(json(up).attachment.mediaUrl).toBe(
			`${sunshine.mediaBaseUrl}/apps/${DEFAULT_APP.id}/conversations/c616a583e4c240a871818541/${record.id}/${encodeURIComponent('Grüße – 日本 😀 (1).txt')}`,
		);
	});

	it('parses multipart bodies that arrive a few bytes at a time, with a preamble, a text part and an RFC 5987 file name', async () => {
		const content = Buffer.from(`${'boundary-like --SelfTestBoundary noise\r\n'.repeat(50)}end`);
		const body = Buffer.concat([
			Buffer.from('This preamble is ignored.\r\n'),
			multipart([
				{ name: 'note', data: 'a text part, ignored' },
				{ name: 'source', disposition: `form-data; name="source"; filename="fallback.txt"; filename*=UTF-8''%E2%82%AC%20rates.txt`, type: 'text/plain', data: content },
			]),
		]);
		const r = await request('POST', attachments() + '?access=public', { ...basic(DEFAULT_APP_KEY), ...formType }, () =>
			(async function* () {
				for (let i = 0; i < body.length; i += 7) yield body.subarray(i, i + 7);
			})(),
		);
		expect(r.status).toBe(201);
		const [record] = sunshine.attachments();
		expect(record).toMatchObject({ fileName: '€ rates.txt', size: content.length, sha256: sha(content) });
		// Sent chunked (no Content-Length) and still recorded whole.
		expect(sunshine.requests[0].headers['transfer-encoding']).toBe('chunked');
		expect(sunshine.requests[0].body?.equals(body)).toBe(true);
	});

	it('refuses uploads the API refuses, in its error shape, storing nothing', async () => {
		const cases: Array<[Promise<Res>, number, string, RegExp]> = [
			[uploadFile('x', 'a.txt', 'text/plain', ''), 400, 'bad_request', /^Missing required query parameter: access$/],
			[uploadFile('x', 'a.txt', 'text/plain', '?access=private'), 400, 'bad_request', /only public is supported/],
			[uploadFile('x', 'a.txt', 'text/plain', '?access=public&for=conversation'), 400, 'bad_request', /only message is supported/],
			[request('POST', attachments() + '?access=public', { ...basic(DEFAULT_APP_KEY), 'Content-Type': 'text/plain' }, Buffer.from('x')), 400, 'bad_request', /multipart\/form-data/],
			[request('POST', attachments() + '?access=public', { ...basic(DEFAULT_APP_KEY), ...formType }, multipart([{ name: 'file', filename: 'a.txt', data: 'x' }])), 400, 'bad_request', /"source"/],
			[request('POST', attachments() + '?access=public', { ...basic(DEFAULT_APP_KEY), ...formType }, Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="source"; filename="a"\r\n\r\nno end`)), 400, 'bad_request', /Malformed multipart body: no closing delimiter/],
			[request('POST', attachments() + '?access=public', { ...basic(DEFAULT_APP_KEY), ...formType }, Buffer.from(`--${BOUNDARY}garbage\r\n`)), 400, 'bad_request', /not followed by CRLF/],
			[uploadFile(Buffer.alloc(0)), 400, 'bad_request', /empty/],
			[uploadFile('MZ', 'setup.exe', 'application/octet-stream'), 415, 'unsupported_media_type', /^Unsupported media type: application\/octet-stream \(setup\.exe\)$/],
			[uploadFile('#!/bin/sh', 'run', 'application/x-sh'), 415, 'unsupported_media_type', /application\/x-sh/],
		];
		for (const [pending, status, code, title] of cases) {
			const r = await pending;
			expect({ status: r.status, code: errorOf(r).code }).toEqual({ status, code });
			expect(errorOf(r).title).toMatch(title);
		}
		expect(sunshine.attachments()).toEqual([]);
		expect(fs.readdirSync(sunshine.storageDir)).toEqual([]);
	});

	it('answers 413 for files over the limit, reading and discarding the body', async () => {
		const small = await startSunshineServer({ maxAttachmentBytes: 1000 });
		try {
			const r = await request('POST', `${small.url}/v2/apps/${DEFAULT_APP.id}/attachments?access=public`, { ...basic(DEFAULT_APP_KEY), ...formType }, multipart([{ name: 'source', filename: 'big.bin', data: Buffer.alloc(1001) }]));
			expect(r.status).toBe(413);
			expect(errorOf(r)).toEqual({ code: 'payload_too_large', title: 'The file exceeds the maximum size of 1000 bytes' });
			const ok = await request('POST', `${small.url}/v2/apps/${DEFAULT_APP.id}/attachments?access=public`, { ...basic(DEFAULT_APP_KEY), ...formType }, multipart([{ name: 'source', filename: 'ok.bin', data: Buffer.alloc(1000) }]));
			expect(ok.status).toBe(201);
			expect(small.attachments()).toHaveLength(1);
			expect(fs.readdirSync(small.storageDir)).toHaveLength(1);
		} finally {
			await small.close();
		}
		const defaults = await startSunshineServer();
		try {
			// The documented 50 MB, unless told otherwise.
			const r = await request('POST', `${defaults.url}/v2/apps/${DEFAULT_APP.id}/attachments?access=public`, { ...basic(DEFAULT_APP_KEY), ...formType }, multipart([{ name: 'source', filename: 'big.bin', data: Buffer.alloc(50 * 1024 * 1024 + 1) }]));
			expect(r.status).toBe(413);
			expect(errorOf(r).title).toBe('The file exceeds the maximum size of 50 MB');
		} finally {
			await defaults.close();
		}
	});

	describe('auth', () => {
		const token = (path = `/v2/apps/${DEFAULT_APP.id}/attachments/token`) => (headers: Record<string, string>) => postJson(path, { paths: [`/apps/${DEFAULT_APP.id}`] }, headers);

		it('accepts Basic auth and HS256 JWTs of app and account keys', async () => {
			for (const headers of [basic(DEFAULT_APP_KEY), basic(DEFAULT_ACCOUNT_KEY), appJwt(), appJwt(DEFAULT_ACCOUNT_KEY)]) {
				expect((await token()(headers)).status).toBe(200);
			}
			// A JWT may carry an expiry in the future.
			const later = bearer(jwt({ alg: 'HS256', typ: 'JWT', kid: DEFAULT_APP_KEY.id }, { scope: 'app', exp: Math.floor(Date.now() / 1000) + 60 }, DEFAULT_APP_KEY.secret));
			expect((await token()(later)).status).toBe(200);
		});

		it.each<[string, Record<string, string>, string]>([
			['no Authorization', {}, 'Authorization is required'],
			['a wrong secret', basic(DEFAULT_APP_KEY, 'nope'), 'Invalid key ID or secret'],
			['an unknown key', basic({ ...DEFAULT_APP_KEY, id: 'app_unknown' }), 'Invalid key ID or secret'],
			['a token that is not a JWT', bearer('abc'), 'Invalid JWT'],
			['a JWT with another algorithm', bearer(jwt({ alg: 'HS512', kid: DEFAULT_APP_KEY.id }, { scope: 'app' }, DEFAULT_APP_KEY.secret)), 'Invalid JWT header. Unsupported algorithm (alg)'],
			['a JWT without kid', bearer(jwt({ alg: 'HS256', typ: 'JWT' }, { scope: 'app' }, DEFAULT_APP_KEY.secret)), 'Invalid JWT header. Missing key id (kid)'],
			['a JWT with an unknown kid', bearer(jwt({ alg: 'HS256', kid: 'app_nope' }, { scope: 'app' }, DEFAULT_APP_KEY.secret)), 'Invalid JWT header. Unknown key id (kid)'],
			['a JWT signed with another secret', bearer(jwt({ alg: 'HS256', kid: DEFAULT_APP_KEY.id }, { scope: 'app' }, 'other')), 'Invalid JWT signature'],
			['a JWT without scope', bearer(jwt({ alg: 'HS256', kid: DEFAULT_APP_KEY.id }, {}, DEFAULT_APP_KEY.secret)), 'Invalid JWT body. Missing scope'],
			['an app key JWT claiming the account scope', bearer(jwt({ alg: 'HS256', kid: DEFAULT_APP_KEY.id }, { scope: 'account' }, DEFAULT_APP_KEY.secret)), 'Invalid JWT body. Scope must be "app" for this key'],
			['an expired JWT', bearer(jwt({ alg: 'HS256', kid: DEFAULT_APP_KEY.id }, { scope: 'app', exp: 1 }, DEFAULT_APP_KEY.secret)), 'JWT has expired'],
		])('refuses %s with 401 unauthorized', async (_name, headers, title) => {
			const r = await token()(headers);
			expect(r.status).toBe(401);
			expect(json(r)).toEqual({ errors: [{ code: 'unauthorized', title }] });
		});

		it('keeps app keys to their app; account keys reach any app; unknown apps are app_not_found', async () => {
			const other = await token(`/v2/apps/${SECOND_APP.id}/attachments/token`)(basic(DEFAULT_APP_KEY));
			expect(other.status).toBe(403);
			expect(errorOf(other)).toEqual({ code: 'forbidden', title: 'The key cannot access this app' });
			const paths = { paths: [`/apps/${SECOND_APP.id}`] };
			expect((await postJson(`/v2/apps/${SECOND_APP.id}/attachments/token`, paths, basic(DEFAULT_ACCOUNT_KEY))).status).toBe(200);
			const missing = await postJson('/v2/apps/000000000000000000000000/attachments/token', paths, basic(DEFAULT_ACCOUNT_KEY));
			expect(missing.status).toBe(404);
			expect(errorOf(missing)).toEqual({ code: 'app_not_found', title: 'App not found' });
		});
	});

	describe('apps', () => {
		it('lists apps page by page for account keys, and refuses app keys', async () => {
			const first = await request('GET', api('/v2/apps?page[size]=1'), basic(DEFAULT_ACCOUNT_KEY));
			expect(first.status).toBe(200);
			expect(json(first)).toMatchObject({
				apps: [{ id: DEFAULT_APP.id, displayName: DEFAULT_APP.displayName, settings: { attachmentsAccess: 'public' } }],
				meta: { hasMore: true, afterCursor: DEFAULT_APP.id, beforeCursor: DEFAULT_APP.id },
				links: { next: `${sunshine.url}/v2/apps?page[after]=${DEFAULT_APP.id}&page[size]=1` },
			});
			const second = await request('GET', json(first).links.next, appJwt(DEFAULT_ACCOUNT_KEY));
			expect(json(second)).toMatchObject({ apps: [{ id: SECOND_APP.id }], meta: { hasMore: false }, links: {} });
			expect((await request('GET', api('/v2/apps?page[size]=101'), basic(DEFAULT_ACCOUNT_KEY))).status).toBe(400);
			expect((await request('GET', api('/v2/apps?page[after]=nope'), basic(DEFAULT_ACCOUNT_KEY))).status).toBe(400);
			const refused = await request('GET', api('/v2/apps'), basic(DEFAULT_APP_KEY));
			expect(refused.status).toBe(403);
			expect(errorOf(refused).code).toBe('forbidden');
		});

		it('gets one app, also under /sc', async () => {
			for (const base of [sunshine.url, sunshine.zendeskUrl]) {
				const r = await request('GET', `${base}/v2/apps/${DEFAULT_APP.id}`, appJwt());
				expect(r.status).toBe(200);
				expect(json(r).app).toMatchObject({ id: DEFAULT_APP.id, displayName: 'Support Messaging' });
			}
		});
	});

	describe('remove', () => {
		it('refuses what the API refuses', async () => {
			const record = sunshine.seedAttachment(SECOND_APP.id, 'other.png', Buffer.from('o'), 'image/png');
			const path = `/v2/apps/${DEFAULT_APP.id}/attachments/remove`;
			const r1 = await request('POST', api(path), { ...basic(DEFAULT_APP_KEY), 'Content-Type': 'text/plain' }, Buffer.from('{}'));
			expect([r1.status, errorOf(r1).title]).toEqual([400, 'Content-Type must be application/json']);
			const r2 = await request('POST', api(path), { ...basic(DEFAULT_APP_KEY), 'Content-Type': 'application/json' }, Buffer.from('{mediaUrl'));
			expect([r2.status, errorOf(r2).title]).toEqual([400, 'Invalid JSON body']);
			const r3 = await postJson(path, {});
			expect([r3.status, errorOf(r3).title]).toEqual([400, 'mediaUrl is required']);
			const r4 = await postJson(path, { mediaUrl: 'https://badhost.com/image.png' });
			expect(json(r4)).toEqual({ errors: [{ code: 'bad_request', title: 'Unsupported media URL for attachment deletion: https://badhost.com/image.png' }] });
			const r5 = await postJson(path, { mediaUrl: `${sunshine.mediaBaseUrl}/apps/${DEFAULT_APP.id}/X/none.png` });
			expect([r5.status, errorOf(r5).code]).toEqual([404, 'not_found']);
			// Another app's file is not this app's to remove.
			const r6 = await postJson(path, { mediaUrl: sunshine.mediaUrl(record) });
			expect(r6.status).toBe(404);
			expect(sunshine.attachments(SECOND_APP.id)).toHaveLength(1);
		});

		it('finds the file however its URL is percent-encoded', async () => {
			const record = sunshine.seedAttachment(DEFAULT_APP.id, 'a b(1).png', Buffer.from('a'), 'image/png');
			const r = await postJson(`/v2/apps/${DEFAULT_APP.id}/attachments/remove`, { mediaUrl: `${sunshine.mediaBaseUrl}/apps/${DEFAULT_APP.id}/${record.id}/a%20b%281%29.png` });
			expect(r.status).toBe(200);
			expect(sunshine.attachments()).toEqual([]);
		});
	});

	describe('media tokens, cookies and private media', () => {
		beforeEach(() => sunshine.setAppSettings(DEFAULT_APP.id, { attachmentsAccess: 'private', attachmentsTokenExpirationSeconds: 600 }));

		it('issues a token per path, valid for the app setting, that opens media under its path by Bearer or by cookie', async () => {
			const inConversation = sunshine.seedAttachment(DEFAULT_APP.id, 'c.pdf', Buffer.from('conv'), 'application/pdf', { conversationId: 'c1' });
			const elsewhere = sunshine.seedAttachment(DEFAULT_APP.id, 'e.pdf', Buffer.from('else'), 'application/pdf');
			expect((await request('GET', sunshine.mediaUrl(inConversation))).status).toBe(403);

			const paths = [`/apps/${DEFAULT_APP.id}/conversations/c1`, `/apps/${DEFAULT_APP.id}`];
			const r = await postJson(`/v2/apps/${DEFAULT_APP.id}/attachments/token`, { paths });
			expect(r.status).toBe(200);
			const { tokens } = json(r);
			expect(Object.keys(tokens)).toEqual(paths);
			const claims = JSON.parse(Buffer.from(tokens[paths[0]].split('.')[1], 'base64url').toString());
			expect(claims).toMatchObject({ path: paths[0], app: DEFAULT_APP.id });
			expect(claims.exp - claims.iat).toBe(600);

			const narrow = tokens[paths[0]];
			expect((await request('GET', sunshine.mediaUrl(inConversation), bearer(narrow))).status).toBe(200);
			expect((await request('GET', sunshine.mediaUrl(elsewhere), bearer(narrow))).status).toBe(403);

			const cookie = await request('GET', api(`/v2/apps/${DEFAULT_APP.id}/attachments/cookie`), bearer(narrow));
			expect(cookie.status).toBe(200);
			expect(json(cookie)).toEqual({});
			expect(cookie.headers['set-cookie']).toEqual([
				`${MEDIA_COOKIE}=${narrow}; Path=/media${paths[0]}; Expires=${new Date(claims.exp * 1000).toUTCString()}; HttpOnly; SameSite=Lax`,
			]);
			const got = await request('GET', sunshine.mediaUrl(inConversation), { Cookie: `other=1; ${MEDIA_COOKIE}=${narrow}` });
			expect(got.body.toString()).toBe('conv');
			expect((await request('GET', sunshine.mediaUrl(elsewhere), bearer(tokens[paths[1]]))).body.toString()).toBe('else');
		});

		it('refuses bad token requests and bad cookie requests', async () => {
			const tokenPath = `/v2/apps/${DEFAULT_APP.id}/attachments/token`;
			for (const body of [{}, { paths: [] }, { paths: 'a' }, { paths: [1] }]) {
				const r = await postJson(tokenPath, body);
				expect([r.status, errorOf(r).title]).toEqual([400, 'paths must be a non-empty array of strings']);
			}
			const outside = await postJson(tokenPath, { paths: [`/apps/${DEFAULT_APP.id}x`] });
			expect(errorOf(outside).title).toBe(`Path "/apps/${DEFAULT_APP.id}x" is not within /apps/${DEFAULT_APP.id}`);

			const cookiePath = api(`/v2/apps/${DEFAULT_APP.id}/attachments/cookie`);
			expect(json(await request('GET', cookiePath))).toEqual({ errors: [{ code: 'unauthorized', title: 'Authorization is required' }] });
			// The API key is not a media token.
			expect(errorOf(await request('GET', cookiePath, appJwt())).title).toBe('Invalid media token');
			const expired = sunshine.issueMediaToken(DEFAULT_APP.id, `/apps/${DEFAULT_APP.id}`, -1);
			expect(errorOf(await request('GET', cookiePath, bearer(expired))).title).toBe('Invalid media token');
			const foreign = sunshine.issueMediaToken(SECOND_APP.id, `/apps/${SECOND_APP.id}`);
			const r = await request('GET', cookiePath, bearer(foreign));
			expect([r.status, errorOf(r).code]).toEqual([403, 'forbidden']);
		});

		it('answers 404 for the legacy calls when started as a newer API version', async () => {
			const newer = await startSunshineServer({ legacyMediaEndpoints: false });
			try {
				const r = await request('POST', `${newer.url}/v2/apps/${DEFAULT_APP.id}/attachments/token`, { ...basic(DEFAULT_APP_KEY), 'Content-Type': 'application/json' }, Buffer.from('{"paths":["/apps"]}'));
				expect(r.status).toBe(404);
				expect(errorOf(r).code).toBe('not_found');
			} finally {
				await newer.close();
			}
		});
	});

	describe('routing', () => {
		it('answers 405 with Allow, and 404 for unknown paths, in the API error shape under /v2', async () => {
			const r = await request('DELETE', attachments(), basic(DEFAULT_APP_KEY));
			expect([r.status, r.headers.allow, errorOf(r).code]).toEqual([405, 'POST', 'method_not_allowed']);
			const unknown = await request('GET', api(`/v2/apps/${DEFAULT_APP.id}/attachments/x/y`), basic(DEFAULT_APP_KEY));
			expect([unknown.status, errorOf(unknown).code]).toEqual([404, 'not_found']);
			const outside = await request('GET', api('/favicon.ico'));
			expect([outside.status, outside.body.toString()]).toEqual([404, 'Not Found']);
		});
	});

	describe('faults and recording', () => {
		it('records every request: raw URL, headers, body up to 1 MiB, size and sha256', async () => {
			const small = Buffer.from('{"paths":["/apps/x"]}');
			await request('POST', api(`/v2/apps/${DEFAULT_APP.id}/attachments/token?x=%2F`), { ...basic(DEFAULT_APP_KEY), 'Content-Type': 'application/json', 'X-Probe': 'yes' }, small);
			const big = Buffer.alloc(1024 * 1024 + 1, 1);
			await uploadFile(big, 'big.bin', 'application/octet-stream');
			const [first, second] = sunshine.requests;
			expect(first).toMatchObject({ seq: 1, method: 'POST', url: `/v2/apps/${DEFAULT_APP.id}/attachments/token?x=%2F`, path: `/v2/apps/${DEFAULT_APP.id}/attachments/token`, bodySize: small.length, bodySha256: sha(small) });
			expect(first.query.get('x')).toBe('/');
			expect(first.headers['x-probe']).toBe('yes');
			expect(first.body?.equals(small)).toBe(true);
			expect(second.body).toBeUndefined();
			const framed = multipart([{ name: 'source', filename: 'big.bin', type: 'application/octet-stream', data: big }]);
			expect(second).toMatchObject({ seq: 2, bodySize: framed.length, bodySha256: sha(framed) });
		});

		it('failNext answers with the given status, headers (repeated ones too) and body, then behaves again', async () => {
			sunshine.failNext(2, { status: 429, headers: { 'Retry-After': '3', 'Set-Cookie': ['a=1', 'b=2'] }, body: '{"errors":[{"code":"too_many_requests","title":"Slow down"}]}' });
			for (let i = 0; i < 2; i++) {
				const r = await uploadFile('x');
				expect([r.status, r.headers['retry-after'], r.headers['content-type']]).toEqual([429, '3', 'application/json; charset=utf-8']);
				expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
				expect(errorOf(r).title).toBe('Slow down');
			}
			expect((await uploadFile('x')).status).toBe(201);
			expect(sunshine.requests).toHaveLength(3);
			expect(sunshine.requests.every((r) => r.bodySize > 0)).toBe(true);
			expect(sunshine.attachments()).toHaveLength(1);
		});

		it('dropNext reads the request, records it and closes the connection without an answer', async () => {
			sunshine.dropNext(1);
			const r = await uploadFile('dropped');
			expect(r.error).toBe('ECONNRESET');
			expect(sunshine.requests).toHaveLength(1);
			expect(sunshine.requests[0].bodySize).toBeGreaterThan(0);
			expect(sunshine.attachments()).toEqual([]);
		});

		it('truncateNextMedia announces the whole file and sends only part of it', async () => {
			const record = sunshine.seedAttachment(DEFAULT_APP.id, 'long.bin', Buffer.alloc(100_000, 7), 'application/octet-stream');
			sunshine.truncateNextMedia(1000);
			const cut = await request('GET', sunshine.mediaUrl(record));
			expect(cut.headers['content-length']).toBe('100000');
			expect(cut.body.length).toBe(1000);
			expect(cut.incomplete).toBe(true);
			const whole = await request('GET', sunshine.mediaUrl(record));
			expect(whole.body.length).toBe(100_000);
			expect(whole.incomplete).toBe(false);
		});

		it('an upload whose client goes away is recorded as aborted and stores nothing', async () => {
			await new Promise<void>((resolve) => {
				const req = http.request(`${attachments()}?access=public`, { method: 'POST', headers: { ...basic(DEFAULT_APP_KEY), ...formType, 'Content-Length': '100000' }, agent: false });
				req.on('error', () => resolve());
				req.write(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="source"; filename="half.bin"\r\n\r\n${'x'.repeat(5000)}`, () =>
					setTimeout(() => {
						req.destroy();
						resolve();
					}, 50),
				);
			});
			for (let i = 0; i < 500 && sunshine.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
			expect(sunshine.requests).toHaveLength(1);
			expect(sunshine.requests[0].aborted).toBe(true);
			expect(sunshine.attachments()).toEqual([]);
			for (let i = 0; i < 500 && fs.readdirSync(sunshine.storageDir).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
			expect(fs.readdirSync(sunshine.storageDir)).toEqual([]);
		});

		it('reset() forgets attachments, requests, faults and app settings', async () => {
			sunshine.seedAttachment(DEFAULT_APP.id, 'a.txt', Buffer.from('a'), 'text/plain');
			sunshine.setAppSettings(DEFAULT_APP.id, { attachmentsAccess: 'private' });
			sunshine.failNext(1, { status: 500 });
			await request('GET', api('/v2/apps'));
			sunshine.failNext(1, { status: 500 });
			sunshine.reset();
			expect(sunshine.requests).toEqual([]);
			expect(sunshine.attachments()).toEqual([]);
			expect(fs.readdirSync(sunshine.storageDir)).toEqual([]);
			expect(sunshine.apps[0].settings).toEqual({});
			expect((await request('GET', api(`/v2/apps/${DEFAULT_APP.id}`), basic(DEFAULT_APP_KEY))).status).toBe(200);
			expect(sunshine.requests[0].seq).toBe(1);
		});

		it('close() removes the storage directory it made', async () => {
			const own = await startSunshineServer();
			own.seedAttachment(DEFAULT_APP.id, 'a.txt', Buffer.from('a'), 'text/plain');
			expect(fs.existsSync(own.storageDir)).toBe(true);
			await own.close();
			expect(fs.existsSync(own.storageDir)).toBe(false);
		});
	});

	it('streams a 64 MiB upload to disk without holding it', async () => {
		v8.setFlagsFromString('--expose-gc');
		const gc = vm.runInNewContext('gc') as () => void;
		const size = 64 * 1024 * 1024;
		const chunk = Buffer.alloc(64 * 1024, 0x5a);
		const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="source"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
		const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
		gc();
		const base = process.memoryUsage().arrayBuffers;
		let peak = 0;
		// A full GC blocks everything: leave the transfer 250 ms of work between two samples, also on a busy machine.
		let timer: NodeJS.Timeout | undefined;
		const sample = () => {
			gc();
			peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
			timer = setTimeout(sample, 250);
		};
		timer = setTimeout(sample, 250);
		try {
			const r = await request('POST', `${attachments()}?access=public`, { ...basic(DEFAULT_APP_KEY), ...formType, 'Content-Length': String(head.length + size + tail.length) }, () =>
				(async function* () {
					yield head;
					for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
					yield tail;
				})(),
			);
			expect(r.status).toBe(201);
		} finally {
			clearTimeout(timer);
		}
		const [record] = sunshine.attachments();
		expect(record.size).toBe(size);
		expect(fs.statSync(record.filePath).size).toBe(size);
		expect(peak).toBeLessThan(32 * 1024 * 1024);
	}, 300_000);
});
