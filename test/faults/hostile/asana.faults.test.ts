/**
 * Asana's answers turned hostile (issue #20), through the fault proxy in front of the Asana
 * emulator (API host and file host): redirects to other origins, download URLs that point inside
 * the network, compressed, oversized, endless and looping answers, names that are paths, and
 * errors that echo the token. Each case states its safe result and checks it where it would show:
 * at the other origin, at the internal service, in the output, the error, the logs and the
 * binary store.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

import type { INodeParameters } from 'n8n-workflow';

import { placesOf } from '../support/secrets';
import { DEFAULT_OAUTH_ACCESS_TOKEN, DEFAULT_PERSONAL_ACCESS_TOKEN, DEFAULT_TASK } from '../../../sandbox/asana/server';
import type { AsanaServer } from '../../../sandbox/asana/server';
import { credentialsFor, locator, runAsana, startServer } from '../../nodes/AsanaAttachment/context';
import type { Auth, RunAsanaOptions } from '../../nodes/AsanaAttachment/context';
import { MiB, expectApiFailure, expectDownloaded, expected, fileItem, generatedBytes } from '../support/cases';
import { useEmulatorBehindProxy } from '../support/behind-proxy';
import type { RequestInfo } from '../support/fault-proxy';
import { HOSTILE_NAMES, PUBLIC_ADDRESS, callsCarrying, echoesIn, echoingBody, flood, hostileCase, selfSignedCertificate, storedFiles, useHostileWorld, withTrustedCertificate } from '../support/hostile';
import { startRecorder } from '../support/recorder';

const { server, proxy } = useEmulatorBehindProxy<AsanaServer>(startServer, (emulator) => ({ api: emulator.url, files: emulator.filesUrl }));
const world = useHostileWorld();

const node = 'Asana';
const task = DEFAULT_TASK.gid;
const TOKENS = [DEFAULT_PERSONAL_ACCESS_TOKEN, DEFAULT_OAUTH_ACCESS_TOKEN];
const isRecord = (request: RequestInfo) => request.target === 'api' && request.method === 'GET' && /\/attachments\/\d+$/.test(request.path);
const isFile = (request: RequestInfo) => request.target === 'files';

async function run(parameters: INodeParameters, options: RunAsanaOptions & { auth?: Auth; baseUrl?: string } = {}) {
	const auth = options.auth ?? 'accessToken';
	const credentials = Object.fromEntries(
		Object.entries(credentialsFor(server, auth)).map(([type, data]) => [type, { ...data, baseUrl: options.baseUrl ?? proxy.urls.api }]),
	);
	return await runAsana(server, parameters, { credentials, ...options, auth });
}

async function seedFile(size = 2000, seed = 1, name = 'contract.pdf', mimeType = 'application/pdf') {
	const record = server.seedAttachment(task, name, await generatedBytes(size, seed), mimeType);
	return { record, want: await expected(size, seed) };
}

const getRecord = (gid: string, options: RunAsanaOptions & { auth?: Auth; baseUrl?: string } = {}) =>
	run({ operation: 'get', attachmentId: gid, download: false, options: {} }, options);
const getFile = (gid: string, options: RunAsanaOptions & { auth?: Auth } = {}) =>
	run({ operation: 'get', attachmentId: gid, download: true, binaryPropertyName: 'data', options: {} }, options);

/** The record's download URL replaced by `url` (as a hostile Asana would hand it out). */
const downloadUrlBecomes = (url: string) => proxy.inject({ kind: 'editJson', edit: (body) => ({ data: { ...body.data, download_url: url } }) }, { match: isRecord });

describe('credentials stay with their origin', () => {
	for (const [auth, status] of [
		['accessToken', 302],
		['oAuth2', 301],
		['accessToken', 307],
	] as const) {
		hostileCase({ node, operation: 'Get', name: `${auth === 'oAuth2' ? 'OAuth2' : 'personal access token'}: ${status} to another origin`, expected: 'followed as a plain GET without the token' }, async () => {
			const { record } = await seedFile();
			proxy.inject({ kind: 'redirect', status, location: `${world.elsewhere.url}/api/1.0/attachments/${record.gid}` }, { match: isRecord });
			await getRecord(record.gid, { auth });
			expect(world.elsewhere.calls).toHaveLength(1);
			expect(world.elsewhere.calls[0].method).toBe('GET');
			expect(callsCarrying(world.elsewhere.calls, TOKENS)).toEqual([]);
			expect(world.elsewhere.calls[0].headers.authorization).toBeUndefined();
		});
	}

	for (const status of [301, 307, 308]) {
		hostileCase({ node, operation: 'Delete', name: `${status} to another origin`, expected: 'not replayed there: fails naming the host, nothing reaches it' }, async () => {
			const { record } = await seedFile();
			proxy.inject({ kind: 'redirect', status, location: `${world.elsewhere.url}/steal?x=1` }, { match: (r) => r.method === 'DELETE' });
			const result = await run({ operation: 'delete', attachmentId: record.gid });
			const error = expectApiFailure(result, new RegExp(`^Asana answered with a redirect to 127\\.0\\.0\\.1:${world.elsewhere.port}, which was not followed$`));
			expect(error.description).toMatch(/a DELETE is not sent to another host/);
			expect(world.elsewhere.calls).toEqual([]);
			expect(JSON.stringify(error)).not.toMatch(/steal|x=1/);
			expect(server.attachments(task)).toHaveLength(1);
		});
	}

	hostileCase({ node, operation: 'Upload', name: '307 to another origin', expected: 'the file is not sent there: fails, nothing reaches it, nothing attached' }, async () => {
		proxy.inject({ kind: 'redirect', status: 307, location: `${world.elsewhere.url}/api/1.0/attachments` }, { match: (r) => r.method === 'POST' });
		const result = await run({ operation: 'upload', parent: locator(task), source: 'binary', binaryPropertyName: 'data', options: {} }, { input: fileItem(50_000, 3) });
		expectApiFailure(result, /redirect to 127\.0\.0\.1:\d+, which was not followed/);
		expect(world.elsewhere.calls).toEqual([]);
		expect(proxy.requests((r) => r.method === 'POST')).toHaveLength(1);
	});

	hostileCase({ node, operation: 'Get', name: 'https API redirects to http on the same host', expected: 'the plain-http request carries no token' }, async () => {
		const tls = selfSignedCertificate();
		const secureApi = await startRecorder('127.0.0.1', tls);
		secureApi.answer = () => ({ status: 302, headers: { location: `${world.elsewhere.url}/api/1.0/attachments/1` } });
		try {
			await withTrustedCertificate(tls.cert, async () => await getRecord('1', { baseUrl: secureApi.url }));
		} finally {
			await secureApi.close();
		}
		expect(secureApi.calls[0].headers.authorization).toBe(`Bearer ${DEFAULT_PERSONAL_ACCESS_TOKEN}`);
		expect(world.elsewhere.calls).toHaveLength(1);
		expect(callsCarrying(world.elsewhere.calls, TOKENS)).toEqual([]);
	});

	hostileCase({ node, operation: 'Get', name: '302 to another path of the same origin', expected: 'followed with the token, the record output' }, async () => {
		const { record } = await seedFile();
		proxy.inject({ kind: 'redirect', status: 302, location: `/api/1.0/attachments/${record.gid}?opt_pretty=true` }, { match: isRecord });
		const result = await getRecord(record.gid);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.gid).toBe(record.gid);
		const reads = proxy.requests(isRecord);
		expect(reads).toHaveLength(2);
		expect(reads[1].authorization).toBe(`Bearer ${DEFAULT_PERSONAL_ACCESS_TOKEN}`);
	});
});

describe('download URLs are checked before any connection', () => {
	const internalUrls = (port: number) => [
		['on the internal service', `http://127.0.0.2:${port}/file`],
		['with a user name', `https://asana@127.0.0.2:${port}/file`],
		['as a number', `https://2130706434:${port}/file`],
		['in hex', `https://0x7f.0.0.2:${port}/file`],
		['as IPv4-mapped IPv6', `https://[::ffff:127.0.0.2]:${port}/file`],
		['on a name for the metadata service', `https://${HOSTILE_NAMES.metadata}/latest/meta-data/`],
		['on a name for a private address', `https://${HOSTILE_NAMES.private}/file`],
		['on a name with a loopback address among public ones', `https://${HOSTILE_NAMES.mixed}/file`],
		['over plain http on a public name', `http://${HOSTILE_NAMES.public}/file`],
	];
	for (const [where] of internalUrls(0)) {
		hostileCase({ node, operation: 'Get (download)', name: `download_url ${where}`, expected: 'refused before any connection; the internal service sees nothing' }, async () => {
			const { record } = await seedFile();
			const url = internalUrls(world.internal.port).find(([name]) => name === where)![1];
			downloadUrlBecomes(url);
			const result = await getFile(record.gid);
			expectApiFailure(result, /^Asana: the download URL Asana returned leads to .*, so it was not fetched$/);
			expect(world.internal.calls).toEqual([]);
			expect(world.guard.blocked).toEqual([]);
			expect(proxy.requests(isFile)).toEqual([]);
		});
	}

	hostileCase({ node, operation: 'Get (download, as an AI agent tool)', name: 'download_url on the internal service', expected: 'refused: nothing of the internal service reaches the agent' }, async () => {
		const { record } = await seedFile(100, 2, 'notes.txt', 'text/plain');
		world.internal.answer = () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'INTERNAL-ONLY: db password hunter2' });
		downloadUrlBecomes(`http://127.0.0.2:${world.internal.port}/admin`);
		const result = await getFile(record.gid, { asTool: true, continueOnFail: true });
		expect(world.internal.calls).toEqual([]);
		expect(JSON.stringify(result.items)).not.toMatch(/INTERNAL-ONLY|hunter2/);
	});

	hostileCase({ node, operation: 'Get (download)', name: 'download_url on a name that resolves elsewhere the second time (DNS rebinding)', expected: 'resolved once, connected to the checked public address only; the internal service sees nothing' }, async () => {
		const { record } = await seedFile();
		downloadUrlBecomes(`https://${HOSTILE_NAMES.rebind}/file`);
		await getFile(record.gid);
		expect(world.guard.lookups).toEqual([HOSTILE_NAMES.rebind]);
		expect(world.guard.blocked.map((c) => c.host)).toEqual([PUBLIC_ADDRESS]);
		expect(world.internal.calls).toEqual([]);
	});

	hostileCase({ node, operation: 'Get (download)', name: 'file host redirects to the internal service', expected: 'the redirect is checked like the URL: refused' }, async () => {
		const { record } = await seedFile();
		proxy.inject({ kind: 'redirect', status: 302, location: `http://127.0.0.2:${world.internal.port}/file` }, { match: isFile });
		const result = await getFile(record.gid);
		expectApiFailure(result, /leads to 127\.0\.0\.2:\d+, not https/);
		expect(world.internal.calls).toEqual([]);
	});
});

describe('every answer is bounded', () => {
	hostileCase({ node, operation: 'Get (download)', name: 'file compressed with gzip although identity was asked for', expected: 'decoded and stored intact' }, async () => {
		const text = Buffer.from('id;amount;note\n'.repeat(800));
		const record = server.seedAttachment(task, 'ledger.csv', text, 'text/csv');
		proxy.inject({ kind: 'gzip' }, { match: isFile });
		const result = await getFile(record.gid);
		await expectDownloaded(result, { size: text.length, sha256: createHash('sha256').update(text).digest('hex') });
		expect(proxy.requests(isFile)[0].headers['accept-encoding']).toBe('identity');
		expect(proxy.requests(isFile)[0].responseBytes).toBeLessThan(text.length / 10);
	});

	hostileCase({ node, operation: 'Get', name: 'a 200 KB gzip answer that decodes to 200 MiB', expected: 'refused past 8 MiB decoded; memory far below the 200 MiB' }, async () => {
		const { record } = await seedFile();
		const bomb = gzipSync(Buffer.alloc(200 * MiB, 0x20));
		proxy.inject({ kind: 'answer', status: 200, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bomb.length) }, body: bomb }, { match: isRecord });
		const before = process.memoryUsage().rss;
		const result = await getRecord(record.gid);
		const grown = (process.memoryUsage().rss - before) / MiB;
		expectApiFailure(result, /^Asana sent an answer larger than any answer of this kind should be$/);
		expect(grown).toBeLessThan(100);
		return { note: `gzip ${bomb.length} bytes; RSS +${grown.toFixed(1)} MiB` };
	});

	hostileCase({ node, operation: 'Get Many (Return All)', name: 'next_page.offset that never changes', expected: 'stops on the repeated page with a clear error, 2 requests' }, async () => {
		for (let i = 0; i < 120; i++) server.seedAttachment(task, `f${i}.txt`, Buffer.from(String(i)), 'text/plain');
		// Every page names the same next page: the one the first page named.
		let first: unknown;
		proxy.inject({ kind: 'editJson', edit: (body) => ((first ??= body.next_page), { ...body, next_page: first }) }, { times: 2 });
		const result = await run({ operation: 'getAll', parent: locator(task), returnAll: true, options: {} });
		expectApiFailure(result, /^Asana's list did not end: it gave a next page it had given before$/);
		expect(proxy.requests()).toHaveLength(2);
	});

	hostileCase({ node, operation: 'Get (download)', name: 'record says 3 bytes, the file host sends 150 MiB', expected: 'stopped after the 3 bytes, not retried, no file left in the binary store' }, async () => {
		const { record } = await seedFile();
		const filesBefore = storedFiles();
		proxy.inject({ kind: 'editJson', edit: (body) => ({ data: { ...body.data, size: 3 } }) }, { match: isRecord });
		proxy.inject({ kind: 'answer', status: 200, headers: { 'content-type': 'application/pdf', 'content-length': String(150 * MiB) }, body: flood(150 * MiB) }, { match: isFile });
		const result = await getFile(record.gid);
		expectApiFailure(result, /^Asana: the file is longer than the 3 bytes its record announces$/);
		expect(proxy.requests(isFile)).toHaveLength(1);
		expect(proxy.requests(isFile)[0].responseBytes).toBeLessThan(16 * MiB);
		expect(storedFiles()).toEqual(filesBefore);
		return { note: `${proxy.requests(isFile)[0].responseBytes} of ${150 * MiB} bytes sent before the node stopped reading` };
	});

	hostileCase({ node, operation: 'Get (download)', name: 'an endless file with no size anywhere', expected: 'stopped at Asana\'s 100 MB maximum, not retried, no file left' }, async () => {
		const { record } = await seedFile();
		const filesBefore = storedFiles();
		proxy.inject({ kind: 'editJson', edit: (body) => ({ data: { ...body.data, size: undefined } }) }, { match: isRecord });
		proxy.inject({ kind: 'answer', status: 200, headers: { 'content-type': 'application/pdf' }, body: flood() }, { match: isFile });
		const result = await getFile(record.gid);
		expectApiFailure(result, /^Asana: the file is longer than the 104857600 bytes \(100 MB\) Asana accepts for a file$/);
		expect(proxy.requests(isFile)).toHaveLength(1);
		expect(storedFiles()).toEqual(filesBefore);
	}, 60_000);
});

describe('file names are names', () => {
	for (const [name, safe] of [
		['../../../home/node/.n8n/config', 'config'],
		['..\\..\\Windows\\win.ini', 'win.ini'],
		['/etc/passwd', 'passwd'],
		['report\r\nX-Injected: 1\u0000.pdf', 'reportX-Injected: 1.pdf'],
	]) {
		hostileCase({ node, operation: 'Get (download)', name: `record named ${JSON.stringify(name)}`, expected: `file and record name "${safe}"` }, async () => {
			const { record, want } = await seedFile();
			proxy.inject({ kind: 'editJson', edit: (body) => ({ data: { ...body.data, name } }) }, { match: isRecord });
			const result = await getFile(record.gid);
			await expectDownloaded(result, want);
			expect(result.items[0].binary!.data.fileName).toBe(safe);
			expect(result.items[0].json.name).toBe(safe);
		});
	}
});

describe('secrets are redacted in every form', () => {
	for (const auth of ['accessToken', 'oAuth2'] as const) {
		const token = auth === 'oAuth2' ? DEFAULT_OAUTH_ACCESS_TOKEN : DEFAULT_PERSONAL_ACCESS_TOKEN;
		hostileCase({ node, operation: 'Get', name: `${auth === 'oAuth2' ? 'OAuth2' : 'personal'} token echoed in a 403 (upper-case, base64, hex, URL, HTML)`, expected: 'no form of it in the error, output or logs' }, async () => {
			const { record } = await seedFile();
			proxy.inject({ kind: 'answer', status: 403, headers: { 'content-type': 'application/json' }, body: echoingBody(token) }, { match: isRecord });
			const result = await getRecord(record.gid, { auth });
			expectApiFailure(result, /^Asana: Bad token \[redacted\]$/);
			expect(echoesIn(placesOf(result), token)).toEqual([]);
		});

		hostileCase({ node, operation: 'Get', name: `${auth === 'oAuth2' ? 'OAuth2' : 'personal'} token echoed in a 200 record`, expected: 'no form of it in the output' }, async () => {
			const { record } = await seedFile();
			proxy.inject({ kind: 'editJson', edit: (body) => ({ data: { ...body.data, name: `seen ${token}`, notes: JSON.parse(echoingBody(token)) } }) }, { match: isRecord });
			const result = await getRecord(record.gid, { auth });
			expect(result.error).toBeUndefined();
			expect(echoesIn(placesOf(result), token)).toEqual([]);
		});
	}
});
