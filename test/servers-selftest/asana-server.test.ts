/**
 * Self-test of the Asana emulator (sandbox/asana/server.ts), driven with Node's http client
 * and hand-written multipart bodies, so that it is checked independently of the node.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';

import {
	DEFAULT_OAUTH_ACCESS_TOKEN,
	DEFAULT_PERSONAL_ACCESS_TOKEN,
	DEFAULT_PROJECT,
	DEFAULT_REFRESH_TOKEN,
	DEFAULT_TASK,
	DEFAULT_USER,
	DEFAULT_WORKSPACE,
	MAX_FILE_BYTES,
	RATE_LIMIT_MESSAGE,
	SECOND_TASK,
	startAsanaServer,
	type AsanaServer,
} from '../../sandbox/asana/server';
import { MultipartParser, type PartInfo } from '../../sandbox/asana/multipart';
import { MiB, collectGarbage, json, request, sha } from './client';

const BOUNDARY = '----selftest7MA4YWxkTrZu0gW';
type Part = { name: string; value: string } | { name: string; disposition?: string; fileName?: string; type?: string; content: Buffer };

/** A multipart/form-data body written by hand (CRLF framing, RFC 7578). */
function multipart(parts: Part[], boundary = BOUNDARY): Buffer {
	const chunks: Buffer[] = [];
	for (const part of parts) {
		if ('value' in part) {
			chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`, 'utf8'));
		} else {
			const disposition = part.disposition ?? `form-data; name="${part.name}"; filename="${part.fileName ?? 'file.bin'}"`;
			chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${part.type ?? 'application/octet-stream'}\r\n\r\n`, 'utf8'), part.content, Buffer.from('\r\n'));
		}
	}
	chunks.push(Buffer.from(`--${boundary}--\r\n`));
	return Buffer.concat(chunks);
}

describe('the emulator\'s streaming multipart parser', () => {
	/** Feeds `body` in chunks of the given sizes (cycled) and collects what each part received. */
	async function parse(body: Buffer, sizes: number[], boundary = BOUNDARY) {
		const parts: Array<{ info: PartInfo; data: Buffer[]; ended: boolean }> = [];
		const parser = new MultipartParser(boundary, (info) => {
			const part = { info, data: [] as Buffer[], ended: false };
			parts.push(part);
			return { write: (chunk) => void part.data.push(Buffer.from(chunk)), end: () => void (part.ended = true) };
		});
		for (let at = 0, i = 0; at < body.length; i++) {
			const size = sizes[i % sizes.length];
			await parser.write(body.subarray(at, at + size));
			at += size;
		}
		await parser.end();
		return { parts: parts.map((p) => ({ name: p.info.name, fileName: p.info.fileName, data: Buffer.concat(p.data).toString('latin1'), ended: p.ended })), errors: parser.errors };
	}

	// Contents made to look like the delimiter's beginnings, so that seams between chunks matter.
	// (Content may not hold the whole delimiter, RFC 2046; near misses are fine.)
	const tricky = Buffer.from(`a\r\n--${BOUNDARY.slice(0, 10)}\r\n-\r\n--${BOUNDARY.slice(0, -1)}X\r`, 'latin1');
	const body = Buffer.concat([
		Buffer.from('preamble to ignore\r\n'),
		multipart([{ name: 'parent', value: '1' }, { name: 'file', fileName: 'f.bin', content: tricky }, { name: 'empty', value: '' }]),
		Buffer.from('epilogue to ignore'),
	]);
	const expected = {
		errors: [],
		parts: [
			{ name: 'parent', fileName: undefined, data: '1', ended: true },
			{ name: 'file', fileName: 'f.bin', data: tricky.toString('latin1'), ended: true },
			{ name: 'empty', fileName: undefined, data: '', ended: true },
		],
	};

	it.each([[[body.length]], [[1]], [[2, 3]], [[7]], [[5, 64, 1]], [[BOUNDARY.length + 3]], [[13, 1, 1, 29]], [[31]], [[32]], [[33, 35]], [[40]], [[47, 31]]])('gives the same parts whatever the chunk sizes %j', async (sizes) => {
		expect(await parse(body, sizes)).toEqual(expected);
	});

	it('reports broken framing', async () => {
		expect((await parse(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\nx`), [3])).errors).toEqual([
			'the body ended before the closing delimiter (in body)',
		]);
		expect((await parse(Buffer.from(`--${BOUNDARY}XX`), [100])).errors).toEqual(['delimiter #1 is not followed by CRLF']);
		expect((await parse(Buffer.from(`--${BOUNDARY}\r\nX-Other: 1\r\n\r\nx\r\n--${BOUNDARY}--`), [100])).errors).toEqual([
			'part #1 has no "Content-Disposition: form-data" header',
		]);
	});
});

describe('Asana emulator', () => {
	let asana: AsanaServer;
	const pat = { Authorization: `Bearer ${DEFAULT_PERSONAL_ACCESS_TOKEN}`, Accept: 'application/json' };
	const api = (p: string) => `${asana.apiBaseUrl}${p}`;
	const upload = (parts: Part[], headers: Record<string, string> = pat, query = '') =>
		request('POST', api(`/attachments${query}`), { ...headers, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` }, multipart(parts));
	const fileOf = (content: Buffer, fileName = 'a.bin', type = 'application/octet-stream'): Part => ({ name: 'file', fileName, type, content });

	beforeAll(async () => {
		asana = await startAsanaServer();
	});
	afterAll(() => asana.close());
	beforeEach(() => asana.reset());

	it('listens on 127.0.0.1 only, API and file host apart', () => {
		expect(asana.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(asana.filesUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(asana.filesUrl).not.toBe(asana.url);
		expect(asana.apiBaseUrl).toBe(`${asana.url}/api/1.0`);
		expect(asana.tokenUrl).toBe(`${asana.url}/-/oauth_token`);
	});

	it('answers "Not Authorized" without a valid Bearer token, and accepts PATs and OAuth tokens', async () => {
		for (const headers of [{}, { Authorization: 'Bearer nope' }, { Authorization: `Basic ${DEFAULT_PERSONAL_ACCESS_TOKEN}` }] as Array<Record<string, string>>) {
			const res = await request('GET', api('/users/me'), headers);
			expect(res.status).toBe(401);
			expect(json(res)).toEqual({ errors: [{ message: 'Not Authorized', help: expect.stringContaining('https://developers.asana.com/docs/errors') }] });
		}
		for (const token of [DEFAULT_PERSONAL_ACCESS_TOKEN, DEFAULT_OAUTH_ACCESS_TOKEN]) {
			const me = await request('GET', api('/users/me'), { Authorization: `Bearer ${token}` });
			expect(me.status).toBe(200);
			expect(me.headers['content-type']).toMatch(/^application\/json/);
			expect(json(me).data).toMatchObject({ gid: DEFAULT_USER.gid, resource_type: 'user', email: DEFAULT_USER.email, workspaces: [{ gid: DEFAULT_WORKSPACE.gid }] });
		}
		asana.expireToken(DEFAULT_OAUTH_ACCESS_TOKEN);
		asana.revokeToken(DEFAULT_PERSONAL_ACCESS_TOKEN);
		for (const token of [DEFAULT_PERSONAL_ACCESS_TOKEN, DEFAULT_OAUTH_ACCESS_TOKEN]) {
			expect((await request('GET', api('/users/me'), { Authorization: `Bearer ${token}` })).status).toBe(401);
		}
		asana.reset();
		expect(asana.acceptedTokens().sort()).toEqual([DEFAULT_OAUTH_ACCESS_TOKEN, DEFAULT_PERSONAL_ACCESS_TOKEN].sort());
	});

	it('answers unknown routes with "No matching route for request"', async () => {
		const res = await request('GET', api('/tasks/1/attachments'), pat);
		expect(res.status).toBe(404);
		expect(json(res).errors[0].message).toBe('No matching route for request');
		expect((await request('PUT', api('/attachments/1'), pat)).status).toBe(404);
	});

	it('uploads a file, returns the compact record (or opt_fields), lists and serves it by a pre-signed URL', async () => {
		const content = Buffer.from('hello, asana');
		const up = await upload([{ name: 'parent', value: DEFAULT_TASK.gid }, fileOf(content, 'hello.txt', 'text/plain')]);
		expect(up.status).toBe(200);
		const created = json(up).data;
		expect(created).toEqual({ gid: expect.stringMatching(/^\d{16}$/), resource_type: 'attachment', name: 'hello.txt', resource_subtype: 'asana' });
		expect(asana.attachments(DEFAULT_TASK.gid)).toEqual([expect.objectContaining({ gid: created.gid, name: 'hello.txt', mimeType: 'text/plain', size: content.length, sha256: sha(content) })]);

		const [recorded] = asana.requests;
		expect(recorded.multipart).toEqual({
			errors: [],
			parts: [
				{ name: 'parent', value: DEFAULT_TASK.gid, size: 16, sha256: sha(DEFAULT_TASK.gid) },
				{ name: 'file', fileName: 'hello.txt', rawFileName: 'hello.txt', contentType: 'text/plain', size: content.length, sha256: sha(content) },
			],
		});
		expect(recorded.body!.equals(multipart([{ name: 'parent', value: DEFAULT_TASK.gid }, fileOf(content, 'hello.txt', 'text/plain')]))).toBe(true);

		const full = json(await request('GET', api(`/attachments/${created.gid}`), pat)).data;
		expect(full).toMatchObject({
			gid: created.gid,
			resource_type: 'attachment',
			name: 'hello.txt',
			resource_subtype: 'asana',
			host: 'asana',
			size: content.length,
			parent: { gid: DEFAULT_TASK.gid, resource_type: 'task', name: DEFAULT_TASK.name, resource_subtype: 'default_task' },
			permanent_url: `${asana.url}/app/asana/-/get_asset?asset_id=${created.gid}`,
		});
		expect(Date.parse(full.created_at)).toBeGreaterThan(Date.now() - 60_000);
		expect(full.download_url.startsWith(`${asana.filesUrl}/asana-emulator-files/assets/${created.gid}/`)).toBe(true);

		const file = await request('GET', full.download_url);
		expect(file.status).toBe(200);
		expect(file.body.equals(content)).toBe(true);
		expect(file.headers).toMatchObject({ 'content-type': 'text/plain', 'content-length': String(content.length), 'content-disposition': `attachment; filename="hello.txt"; filename*=UTF-8''hello.txt` });
		expect(asana.fileRequests).toHaveLength(1);
		expect((await request('HEAD', full.download_url)).headers['content-length']).toBe(String(content.length));

		const some = await request('GET', api(`/attachments/${created.gid}?opt_fields=name,parent.name`), pat);
		expect(json(some).data).toEqual({ gid: created.gid, name: 'hello.txt', parent: { gid: DEFAULT_TASK.gid, resource_type: 'task', name: DEFAULT_TASK.name } });
		const upWithFields = await upload([{ name: 'parent', value: DEFAULT_TASK.gid }, fileOf(content)], pat, '?opt_fields=size,host');
		expect(json(upWithFields).data).toEqual({ gid: expect.any(String), size: content.length, host: 'asana' });
	});

	it('reads file names from filename*, from percent-encoded filename, and raw filename bytes as Latin-1', async () => {
		const name = 'résumé – 請求書.pdf';
		const encoded = encodeURIComponent(name);
		const cases: Array<[string, string]> = [
			[`form-data; name="file"; filename="${encoded}"; filename*=UTF-8''${encoded}`, name],
			[`form-data; name="file"; filename="fallback.pdf"; filename*=UTF-8''${encoded}`, name],
			[`form-data; name="file"; filename="${encoded}"`, name],
			[`form-data; name="file"; filename="${name}"`, Buffer.from(name, 'utf8').toString('latin1')],
			['form-data; name="file"; filename="100% sure.txt"', '100% sure.txt'],
			['form-data; name="file"; filename="quote \\" inside.txt"', 'quote " inside.txt'],
		];
		for (const [disposition, expected] of cases) {
			asana.reset();
			const res = await upload([{ name: 'parent', value: DEFAULT_TASK.gid }, { name: 'file', disposition, content: Buffer.from('x') }]);
			expect(res.status).toBe(200);
			expect(json(res).data.name).toBe(expected);
		}
	});

	it('refuses uploads Asana refuses, keeping no file', async () => {
		const bad: Array<[Part[] | Buffer, number, string]> = [
			[[fileOf(Buffer.from('x'))], 400, 'parent: Missing input'],
			[[{ name: 'parent', value: 'abc' }, fileOf(Buffer.from('x'))], 400, 'parent: Not a recognized ID: abc'],
			[[{ name: 'parent', value: '1209000000999999' }, fileOf(Buffer.from('x'))], 404, 'parent: Unknown object: 1209000000999999'],
			[[{ name: 'parent', value: DEFAULT_TASK.gid }], 400, 'file: Missing input'],
			[[{ name: 'parent', value: DEFAULT_TASK.gid }, fileOf(Buffer.alloc(0))], 400, 'file: The file is empty'],
			[[{ name: 'parent', value: DEFAULT_TASK.gid }, { name: 'file', disposition: 'form-data; name="file"; filename=""', content: Buffer.from('x') }], 400, 'file: Missing file name'],
			[[{ name: 'parent', value: DEFAULT_TASK.gid }, { name: 'resource_subtype', value: 'dropbox' }], 400, 'resource_subtype: Not a valid value: dropbox'],
			[[{ name: 'parent', value: DEFAULT_TASK.gid }, { name: 'resource_subtype', value: 'external' }, { name: 'name', value: 'n' }], 400, 'url: Missing input'],
			[[{ name: 'parent', value: DEFAULT_TASK.gid }, { name: 'resource_subtype', value: 'external' }, { name: 'url', value: 'https://x.example' }], 400, 'name: Missing input'],
			[[{ name: 'parent', value: DEFAULT_TASK.gid }, { name: 'resource_subtype', value: 'external' }, { name: 'url', value: 'javascript:alert(1)' }, { name: 'name', value: 'n' }], 400, 'url: Not a valid URL: javascript:alert(1)'],
			[[{ name: 'parent', value: DEFAULT_TASK.gid }, { name: 'resource_subtype', value: 'external' }, { name: 'url', value: 'https://x.example' }, { name: 'name', value: 'n' }, { name: 'connect_to_app', value: 'true' }], 400, 'connect_to_app: Can only be set when the request is authenticated with an OAuth token'],
			[[{ name: 'parent', value: DEFAULT_TASK.gid }, { name: 'connect_to_app', value: 'yes' }, fileOf(Buffer.from('x'))], 400, 'connect_to_app: Not a boolean: yes'],
			[Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="parent"\r\n\r\n${DEFAULT_TASK.gid}`), 400, 'Could not parse the multipart/form-data body: the body ended before the closing delimiter (in body)'],
		];
		for (const [parts, status, message] of bad) {
			const res = Buffer.isBuffer(parts)
				? await request('POST', api('/attachments'), { ...pat, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` }, parts)
				: await upload(parts);
			expect({ status: res.status, message: json(res).errors[0].message }).toEqual({ status, message });
		}
		const notMultipart = await request('POST', api('/attachments'), { ...pat, 'Content-Type': 'application/json' }, Buffer.from('{"data":{}}'));
		expect(notMultipart.status).toBe(400);
		expect(asana.attachments(DEFAULT_TASK.gid)).toHaveLength(0);
		expect(fs.readdirSync(asana.storageDir)).toEqual([]);
	});

	it('attaches external links; connect_to_app with an OAuth token', async () => {
		const oauth = { Authorization: `Bearer ${DEFAULT_OAUTH_ACCESS_TOKEN}` };
		const res = await upload(
			[
				{ name: 'parent', value: DEFAULT_TASK.gid },
				{ name: 'resource_subtype', value: 'external' },
				{ name: 'url', value: 'https://docs.example.com/spec' },
				{ name: 'name', value: 'Spec – v2' },
				{ name: 'connect_to_app', value: 'true' },
			],
			oauth,
			'?opt_fields=name,host,view_url,connected_to_app,download_url,size',
		);
		expect(res.status).toBe(200);
		expect(json(res).data).toEqual({ gid: expect.any(String), name: 'Spec – v2', host: 'external', view_url: 'https://docs.example.com/spec', connected_to_app: true, download_url: null });
		expect(asana.attachments(DEFAULT_TASK.gid)[0]).toMatchObject({ resourceSubtype: 'external', url: 'https://docs.example.com/spec', connectedToApp: true });
	});

	it('attaches to projects and project briefs, not to workspaces', async () => {
		for (const parent of [DEFAULT_PROJECT.gid, DEFAULT_PROJECT.briefGid]) {
			expect((await upload([{ name: 'parent', value: parent }, fileOf(Buffer.from('p'))])).status).toBe(200);
		}
		expect(asana.parent(DEFAULT_PROJECT.briefGid)).toMatchObject({ type: 'project_brief', projectGids: [DEFAULT_PROJECT.gid] });
		const onWorkspace = await upload([{ name: 'parent', value: DEFAULT_WORKSPACE.gid }, fileOf(Buffer.from('p'))]);
		expect(onWorkspace.status).toBe(404);
	});

	it('pages with limit and offset, next_page carrying offset, path and uri', async () => {
		const task = asana.addTask('Paged');
		const records = Array.from({ length: 5 }, (_, i) => asana.seedAttachment(task.gid, `f${i}.txt`, Buffer.from(String(i)), 'text/plain'));
		asana.seedAttachment(SECOND_TASK.gid, 'other.txt', Buffer.from('o'), 'text/plain');

		const all = json(await request('GET', api(`/attachments?parent=${task.gid}`), pat));
		expect(all).toEqual({ data: records.map((r) => ({ gid: r.gid, resource_type: 'attachment', name: r.name, resource_subtype: 'asana' })) });

		const seen: string[] = [];
		let query = `parent=${task.gid}&limit=2`;
		const offsets: string[] = [];
		for (;;) {
			const page = json(await request('GET', api(`/attachments?${query}`), pat));
			seen.push(...page.data.map((r: { gid: string }) => r.gid));
			if (!page.next_page) {
				expect(page.next_page).toBeNull();
				break;
			}
			const { offset, path: nextPath, uri } = page.next_page;
			offsets.push(offset);
			expect(nextPath).toBe(`/attachments?parent=${task.gid}&limit=2&offset=${encodeURIComponent(offset)}`);
			expect(uri).toBe(`${asana.apiBaseUrl}${nextPath}`);
			query = `parent=${task.gid}&limit=2&offset=${encodeURIComponent(offset)}`;
		}
		expect(seen).toEqual(records.map((r) => r.gid));
		expect(offsets).toHaveLength(2);

		const errors: Array<[string, string]> = [
			[`parent=${task.gid}&limit=0`, 'limit: Must be between 1 and 100'],
			[`parent=${task.gid}&limit=101`, 'limit: Must be between 1 and 100'],
			[`parent=${task.gid}&offset=${offsets[0]}`, 'offset: Can only be used with limit'],
			[`parent=${SECOND_TASK.gid}&limit=2&offset=${offsets[0]}`, 'offset: Your pagination token is invalid or has expired'],
			[`parent=${task.gid}&limit=2&offset=forged`, 'offset: Your pagination token is invalid or has expired'],
			['limit=2', 'parent: Missing input'],
		];
		for (const [q, message] of errors) {
			const res = await request('GET', api(`/attachments?${q}`), pat);
			expect({ status: res.status, message: json(res).errors[0].message }).toEqual({ status: 400, message });
		}
	});

	it('lists workspaces and answers typeahead searches for tasks, projects and users', async () => {
		expect(json(await request('GET', api('/workspaces'), pat))).toEqual({ data: [{ gid: DEFAULT_WORKSPACE.gid, resource_type: 'workspace', name: DEFAULT_WORKSPACE.name }] });
		expect(json(await request('GET', api('/workspaces?limit=1'), pat)).next_page).toBeNull();
		const typeahead = (q: string) => request('GET', api(`/workspaces/${DEFAULT_WORKSPACE.gid}/typeahead?${q}`), pat);
		expect(json(await typeahead('resource_type=task&query=RECEIPTS')).data).toEqual([{ gid: SECOND_TASK.gid, resource_type: 'task', name: SECOND_TASK.name }]);
		expect(json(await typeahead('resource_type=project&opt_fields=name')).data).toEqual([{ gid: DEFAULT_PROJECT.gid, name: DEFAULT_PROJECT.name }]);
		expect(json(await typeahead('resource_type=task&count=1')).data).toHaveLength(1);
		expect(json(await typeahead('query=demo')).data).toEqual([{ gid: DEFAULT_USER.gid, resource_type: 'user', name: DEFAULT_USER.name }]);
		expect((await typeahead('resource_type=task&count=500')).status).toBe(400);
		expect((await typeahead('resource_type=banana')).status).toBe(400);
		expect((await request('GET', api('/workspaces/1209000000999999/typeahead?resource_type=task'), pat)).status).toBe(404);
	});

	it('deletes attachments and their bytes', async () => {
		const record = asana.seedAttachment(DEFAULT_TASK.gid, 'gone.txt', Buffer.from('bye'), 'text/plain');
		const url = asana.downloadUrl(record);
		const res = await request('DELETE', api(`/attachments/${record.gid}`), pat);
		expect(res.status).toBe(200);
		expect(json(res)).toEqual({ data: {} });
		expect(fs.existsSync(record.filePath!)).toBe(false);
		const again = await request('DELETE', api(`/attachments/${record.gid}`), pat);
		expect({ status: again.status, message: json(again).errors[0].message }).toEqual({ status: 404, message: `attachment: Unknown object: ${record.gid}` });
		const bad = await request('GET', api('/attachments/abc'), pat);
		expect({ status: bad.status, message: json(bad).errors[0].message }).toEqual({ status: 400, message: 'attachment: Not a recognized ID: abc' });
		const file = await request('GET', url);
		expect(file.status).toBe(404);
		expect(file.body.toString()).toContain('<Code>NoSuchKey</Code>');
	});

	it('checks pre-signed URLs as S3 does: no second credential, signature, expiry', async () => {
		const record = asana.seedAttachment(DEFAULT_TASK.gid, 'x.bin', Buffer.from('xyz'), 'application/octet-stream');
		const url = asana.downloadUrl(record);
		expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('120');

		const withAuth = await request('GET', url, { Authorization: `Bearer ${DEFAULT_PERSONAL_ACCESS_TOKEN}` });
		expect(withAuth.status).toBe(400);
		expect(withAuth.headers['content-type']).toBe('application/xml');
		expect(withAuth.body.toString()).toContain('<Code>InvalidArgument</Code><Message>Only one auth mechanism allowed;');
		expect(withAuth.body.toString()).not.toContain(DEFAULT_PERSONAL_ACCESS_TOKEN);

		const tampered = new URL(url);
		tampered.searchParams.set('X-Amz-Expires', '99999');
		expect((await request('GET', tampered.toString())).body.toString()).toContain('<Code>SignatureDoesNotMatch</Code>');
		const otherKey = url.replace(/\/[0-9a-f]{32}\?/, `/${'0'.repeat(32)}?`);
		expect((await request('GET', otherKey)).status).toBe(404);
		expect((await request('GET', url.split('?')[0])).status).toBe(403);

		asana.expireNextDownloadUrls(1);
		const expired = await request('GET', asana.downloadUrl(record));
		expect(expired.status).toBe(403);
		expect(expired.body.toString()).toContain('<Code>AccessDenied</Code><Message>Request has expired</Message>');
		expect((await request('GET', asana.downloadUrl(record))).status).toBe(200);
		expect((await request('PUT', url, {}, Buffer.from('no'))).status).toBe(405);
	});

	it('expires URLs after downloadUrlTtlSeconds, and serves the web app permanent link to signed-in users', async () => {
		const short = await startAsanaServer({ downloadUrlTtlSeconds: 1 });
		try {
			const record = short.seedAttachment(DEFAULT_TASK.gid, 'x.bin', Buffer.from('x'), 'application/octet-stream');
			const url = short.downloadUrl(record);
			expect((await request('GET', url)).status).toBe(200);
			await new Promise((resolve) => setTimeout(resolve, 2100));
			expect((await request('GET', url)).status).toBe(403);

			const permanent = `${short.url}/app/asana/-/get_asset?asset_id=${record.gid}`;
			expect((await request('GET', permanent)).status).toBe(403);
			const redirect = await request('GET', permanent, { Authorization: `Bearer ${DEFAULT_PERSONAL_ACCESS_TOKEN}` });
			expect(redirect.status).toBe(302);
			expect(redirect.headers.location!.startsWith(`${short.filesUrl}/`)).toBe(true);
		} finally {
			await short.close();
		}
	});

	it('injects faults: failNext (by method/path), rateLimitNext, failNextDownload, truncateNextDownload', async () => {
		asana.failNext(1, { status: 502, body: '<html>Bad Gateway</html>' }, { method: 'DELETE' });
		asana.rateLimitNext(1, 7, { path: /\/attachments$/ });
		const me = await request('GET', api('/users/me'), pat);
		expect(me.status).toBe(200);
		const limited = await request('GET', api(`/attachments?parent=${DEFAULT_TASK.gid}`), pat);
		expect(limited.status).toBe(429);
		expect(limited.headers['retry-after']).toBe('7');
		expect(json(limited)).toEqual({ errors: [{ message: RATE_LIMIT_MESSAGE }] });
		const deleted = await request('DELETE', api('/attachments/1'), pat);
		expect(deleted.status).toBe(502);
		expect(deleted.headers['content-type']).toBe('application/xml');

		// A faulted upload is still read and recorded part by part, and stores nothing.
		asana.failNext(1, { status: 500, body: '{"errors":[{"message":"Server Error"}]}' });
		const faulted = await upload([{ name: 'parent', value: DEFAULT_TASK.gid }, fileOf(Buffer.from('f'))]);
		expect(faulted.status).toBe(500);
		expect(asana.requests[asana.requests.length - 1].multipart!.parts.map((p) => p.name)).toEqual(['parent', 'file']);
		expect(asana.attachments(DEFAULT_TASK.gid)).toHaveLength(0);

		const record = asana.seedAttachment(DEFAULT_TASK.gid, 'long.bin', Buffer.alloc(100_000, 1), 'application/octet-stream');
		asana.failNextDownload(1, { status: 503, body: '<Error><Code>SlowDown</Code></Error>' });
		expect((await request('GET', asana.downloadUrl(record))).status).toBe(503);
		asana.truncateNextDownload(1000);
		const cut = await request('GET', asana.downloadUrl(record));
		expect(cut.status).toBe(200);
		expect(cut.headers['content-length']).toBe('100000');
		expect(cut.body.length).toBe(1000);
		expect(cut.incomplete).toBe(true);
		const whole = await request('GET', asana.downloadUrl(record));
		expect(whole.body.length).toBe(100_000);
	});

	it('runs the OAuth authorization code and refresh grants as Asana answers them', async () => {
		const client = await startAsanaServer({ oauthClient: { clientId: 'cid', clientSecret: 'csecret' }, seedDemoData: false });
		try {
			const authorize = await request('GET', `${client.authorizeUrl}?client_id=cid&redirect_uri=${encodeURIComponent('http://127.0.0.1:5678/rest/oauth2-credential/callback')}&response_type=code&state=xyz`);
			expect(authorize.status).toBe(302);
			const location = new URL(authorize.headers.location!);
			expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:5678/rest/oauth2-credential/callback');
			expect(location.searchParams.get('state')).toBe('xyz');
			const code = location.searchParams.get('code')!;

			const form = (fields: Record<string, string>) => Buffer.from(new URLSearchParams(fields).toString());
			const post = (fields: Record<string, string>) =>
				request('POST', client.tokenUrl, { 'Content-Type': 'application/x-www-form-urlencoded' }, form(fields));
			const wrongClient = await post({ grant_type: 'authorization_code', code, client_id: 'cid', client_secret: 'nope', redirect_uri: 'x' });
			expect(json(wrongClient)).toMatchObject({ error: 'invalid_client' });
			const exchanged = await post({ grant_type: 'authorization_code', code, client_id: 'cid', client_secret: 'csecret', redirect_uri: 'x' });
			expect(exchanged.status).toBe(200);
			const tokens = json(exchanged);
			expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 3600, data: { gid: DEFAULT_USER.gid, email: DEFAULT_USER.email } });
			expect(tokens.refresh_token).toEqual(expect.any(String));
			expect((await post({ grant_type: 'authorization_code', code, client_id: 'cid', client_secret: 'csecret' })).status).toBe(400);

			const refreshed = json(await post({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'cid', client_secret: 'csecret' }));
			expect(refreshed.access_token).not.toBe(tokens.access_token);
			expect(refreshed.refresh_token).toBeUndefined();
			expect((await request('GET', `${client.apiBaseUrl}/users/me`, { Authorization: `Bearer ${refreshed.access_token}` })).status).toBe(200);
			expect(json(await post({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: 'cid', client_secret: 'csecret' }))).toMatchObject({ error: 'invalid_grant' });
			expect(json(await post({ grant_type: 'password', client_id: 'cid', client_secret: 'csecret' }))).toMatchObject({ error: 'unsupported_grant_type' });
			const basic = Buffer.from('cid:csecret').toString('base64');
			const viaBasic = await request('POST', client.tokenUrl, { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' }, form({ grant_type: 'refresh_token', refresh_token: DEFAULT_REFRESH_TOKEN }));
			expect(viaBasic.status).toBe(200);
			expect(client.issueToken().access_token).toMatch(/^2\//);
			expect(json(await request('GET', `${client.apiBaseUrl}/workspaces`, { Authorization: `Bearer ${refreshed.access_token}` }))).toEqual({ data: [] });
		} finally {
			await client.close();
		}
	});

	it('records requests raw: target, headers, body up to 1 MiB, size and sha256; in arrival order', async () => {
		const small = Buffer.from('x'.repeat(1000));
		await upload([{ name: 'parent', value: DEFAULT_TASK.gid }, fileOf(small, 'a b%2F.txt')]);
		const big = Buffer.alloc(MiB + 10, 3);
		await upload([{ name: 'parent', value: DEFAULT_TASK.gid }, fileOf(big)]);
		await request('GET', api(`/attachments?parent=${DEFAULT_TASK.gid}&opt_fields=name%2Csize`), pat);
		const [first, second, third] = asana.requests;
		expect(first.seq).toBeLessThan(second.seq);
		expect(first.body).toBeDefined();
		expect(first.bodySha256).toBe(sha(first.body!));
		expect(first.multipart!.parts[1]).toMatchObject({ rawFileName: 'a b%2F.txt', fileName: 'a b/.txt' });
		expect(second.body).toBeUndefined();
		expect(second.bodySize).toBeGreaterThan(MiB);
		expect(second.multipart!.parts[1]).toMatchObject({ size: big.length, sha256: sha(big) });
		expect(third.url).toBe(`/api/1.0/attachments?parent=${DEFAULT_TASK.gid}&opt_fields=name%2Csize`);
		expect(third.query.get('opt_fields')).toBe('name,size');
		expect(third.headers.authorization).toBe(`Bearer ${DEFAULT_PERSONAL_ACCESS_TOKEN}`);
	});

	it('discards an upload the client aborts, and records it as aborted', async () => {
		await new Promise<void>((resolve) => {
			const req = http.request(api('/attachments'), {
				method: 'POST',
				headers: { ...pat, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': String(10 * MiB) },
			});
			req.on('error', () => resolve());
			req.write(multipart([{ name: 'parent', value: DEFAULT_TASK.gid }]).subarray(0, 60));
			req.write(Buffer.from(`\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="half.bin"\r\n\r\n`));
			req.write(Buffer.alloc(256 * 1024, 1), () => setTimeout(() => req.destroy(), 100));
		});
		await new Promise((resolve) => setTimeout(resolve, 200));
		const recorded = asana.requests[asana.requests.length - 1];
		expect(recorded.aborted).toBe(true);
		expect(asana.attachments(DEFAULT_TASK.gid)).toHaveLength(0);
		expect(fs.readdirSync(asana.storageDir)).toEqual([]);
	});

	it('streams a 64 MiB chunked upload to disk without holding it in memory, and refuses files over the limit', async () => {
		const chunk = Buffer.alloc(MiB, 0x5a);
		const expected = createHash('sha256');
		for (let i = 0; i < 64; i++) expected.update(chunk);
		const head = Buffer.from(
			`--${BOUNDARY}\r\nContent-Disposition: form-data; name="parent"\r\n\r\n${DEFAULT_TASK.gid}\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
		);
		const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
		await collectGarbage();
		const before = process.memoryUsage().arrayBuffers;
		const res = await request('POST', api('/attachments'), { ...pat, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` }, async function* () {
			yield head;
			for (let i = 0; i < 64; i++) yield chunk;
			yield tail;
		});
		await collectGarbage();
		const after = process.memoryUsage().arrayBuffers;
		expect(res.status).toBe(200);
		const [record] = asana.attachments(DEFAULT_TASK.gid);
		expect(record).toMatchObject({ size: 64 * MiB, sha256: expected.digest('hex') });
		expect(fs.statSync(record.filePath!).size).toBe(64 * MiB);
		expect(after - before).toBeLessThan(16 * MiB);
		expect(MAX_FILE_BYTES).toBe(100 * MiB);

		const small = await startAsanaServer({ maxFileBytes: 10 });
		try {
			const tooBig = await request('POST', `${small.apiBaseUrl}/attachments`, { ...pat, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` }, multipart([{ name: 'parent', value: DEFAULT_TASK.gid }, fileOf(Buffer.alloc(11))]));
			expect(tooBig.status).toBe(413);
			expect(json(tooBig).errors[0].message).toBe('file: The file is larger than the 0MB limit');
			expect(fs.readdirSync(small.storageDir)).toEqual([]);
		} finally {
			await small.close();
		}
	});

	it('honours its options and resets to the demo data', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asana-opts-'));
		const other = await startAsanaServer({ storageDir: dir, personalAccessTokens: ['pat-x'], oauthAccessTokens: [], seedDemoData: false, user: { gid: '42', name: 'Ann', email: 'ann@example.com' } });
		try {
			expect((await request('GET', `${other.apiBaseUrl}/users/me`, { Authorization: 'Bearer pat-x' })).status).toBe(200);
			expect((await request('GET', `${other.apiBaseUrl}/users/me`, { Authorization: `Bearer ${DEFAULT_PERSONAL_ACCESS_TOKEN}` })).status).toBe(401);
			expect(json(await request('GET', `${other.apiBaseUrl}/users/42`, { Authorization: 'Bearer pat-x' })).data.name).toBe('Ann');
			const workspace = other.addWorkspace('W');
			const project = other.addProject('P', { workspaceGid: workspace.gid });
			const task = other.addTask('T', { projectGid: project.gid });
			other.seedAttachment(task.gid, 'f.txt', Buffer.from('f'), 'text/plain');
			expect(fs.readdirSync(dir)).toHaveLength(1);
		} finally {
			await other.close();
		}
		expect(fs.existsSync(dir)).toBe(true);
		expect(fs.readdirSync(dir)).toEqual([]);
		fs.rmSync(dir, { recursive: true, force: true });

		asana.addTask('Temporary');
		asana.seedAttachment(DEFAULT_TASK.gid, 'a.txt', Buffer.from('a'), 'text/plain');
		asana.reset();
		expect(asana.requests).toHaveLength(0);
		expect(asana.attachments(DEFAULT_TASK.gid)).toHaveLength(0);
		expect(asana.parent(DEFAULT_TASK.gid)).toMatchObject({ type: 'task', name: DEFAULT_TASK.name, projectGids: [DEFAULT_PROJECT.gid] });
		expect(asana.seedAttachment(DEFAULT_TASK.gid, 'b.txt', Buffer.from('b'), 'text/plain').gid).toBe('1209000000100000');
	});
});
