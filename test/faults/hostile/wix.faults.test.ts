/**
 * Wix's answers turned hostile (issue #20), through the fault proxy in front of the Wix emulator
 * (API host and media host): redirects that would take the API key, the site ID or the app's
 * token or secret elsewhere, upload and media URLs that point inside the network, compressed and
 * looping answers, names that are paths, records and errors that echo the key.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

import type { INodeParameters } from 'n8n-workflow';

import { placesOf } from '../support/secrets';
import { DEFAULT_API_KEY, DEFAULT_APP, DEFAULT_SITE_ID } from '../../../sandbox/wix/server';
import type { WixServer } from '../../../sandbox/wix/server';
import { CONTACT_ID, apiKeyCredentials, appCredentials, runWix, startServer } from '../../nodes/WixAttachment/context';
import type { RunWixOptions } from '../../nodes/WixAttachment/context';
import { MiB, expectApiFailure, expectDownloaded, expected, fileItem, generatedBytes } from '../support/cases';
import { useEmulatorBehindProxy } from '../support/behind-proxy';
import type { RequestInfo } from '../support/fault-proxy';
import { HOSTILE_NAMES, echoesIn, echoingBody, expectFollowedBare, expectRedirectRefused, hostileCase, useHostileWorld } from '../support/hostile';

const { server, proxy } = useEmulatorBehindProxy<WixServer>(startServer, (emulator) => ({ api: emulator.url, media: emulator.mediaUrl }));
const world = useHostileWorld();

const node = 'Wix';
const SECRETS = [DEFAULT_API_KEY, DEFAULT_APP.appSecret];
const isAnnounce = (request: RequestInfo) => request.method === 'POST' && request.path.endsWith('/upload-url');
const isToken = (request: RequestInfo) => request.path === '/oauth2/token';
const isRecord = (request: RequestInfo) => request.target === 'api' && request.method === 'GET' && /\/contacts\/v4\/attachments\/[^/]+\/[^/]+$/.test(request.path);
const isList = (request: RequestInfo) => request.target === 'api' && request.method === 'GET' && /\/contacts\/v4\/attachments\/[^/]+$/.test(request.path);
const isMedia = (request: RequestInfo) => request.target === 'media';
const locator = (value: string) => ({ __rl: true, mode: 'id', value });

async function run(parameters: INodeParameters, options: RunWixOptions = {}) {
	const credentials =
		parameters.authentication === 'appOAuth' ? { ...appCredentials(server), baseUrl: proxy.urls.api } : { ...apiKeyCredentials(server), baseUrl: proxy.urls.api };
	return await runWix(server, parameters, { ...options, credentials });
}

async function seedFile(size = 2000, seed = 1, name = 'contract.pdf', mimeType = 'application/pdf') {
	const record = server.seedAttachment(CONTACT_ID, name, await generatedBytes(size, seed), mimeType);
	return { record, want: await expected(size, seed) };
}

const getRecord = (id: string, extra: INodeParameters = {}) => run({ operation: 'get', contactId: CONTACT_ID, attachmentId: locator(id), download: false, ...extra });
const getFile = (id: string) => run({ operation: 'get', contactId: CONTACT_ID, attachmentId: locator(id), download: true, binaryPropertyName: 'data' });
const upload = () => run({ operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data', options: {} }, { input: fileItem(30_000, 5) });

describe('the key, the site ID and the app\'s token stay with their origin', () => {
	hostileCase({ node, operation: 'Get', name: 'API key: 302 to another origin', expected: 'followed as a plain GET without the key or wix-site-id' }, async () => {
		const { record } = await seedFile();
		proxy.inject({ kind: 'redirect', status: 302, location: `${world.elsewhere.url}/contacts/v4/attachments/x` }, { match: isRecord });
		await getRecord(record.id);
		expectFollowedBare(world, [DEFAULT_API_KEY, DEFAULT_SITE_ID], ['wix-site-id']);
	});

	hostileCase({ node, operation: 'Get', name: 'app OAuth: 308 to another origin', expected: 'followed as a plain GET without the access token' }, async () => {
		const { record } = await seedFile();
		proxy.inject({ kind: 'redirect', status: 308, location: `${world.elsewhere.url}/contacts/v4/attachments/x` }, { match: isRecord });
		await getRecord(record.id, { authentication: 'appOAuth' });
		expectFollowedBare(world, [...SECRETS, ...server.acceptedTokens()]);
	});

	hostileCase({ node, operation: 'Delete', name: '307 to another origin', expected: 'not replayed there: fails naming the host' }, async () => {
		const { record } = await seedFile();
		proxy.inject({ kind: 'redirect', status: 307, location: `${world.elsewhere.url}/contacts/v4/attachments/x` }, { match: (r) => r.method === 'DELETE' });
		const result = await run({ operation: 'delete', contactId: CONTACT_ID, attachmentId: locator(record.id) });
		expectRedirectRefused(result, world, 'Wix');
		expect(server.attachments(CONTACT_ID)).toHaveLength(1);
	});

	for (const status of [307, 308]) {
		hostileCase({ node, operation: 'app OAuth token request', name: `${status} to another origin`, expected: 'not replayed there: the app secret goes nowhere else' }, async () => {
			const { record } = await seedFile();
			proxy.inject({ kind: 'redirect', status, location: `${world.elsewhere.url}/oauth2/token` }, { match: isToken });
			const result = await getRecord(record.id, { authentication: 'appOAuth' });
			expectRedirectRefused(result, world, 'Wix');
			expect(proxy.requests(isToken)).toHaveLength(1);
		});
	}
});

describe('upload and media URLs are checked before any connection', () => {
	for (const [where, url] of [
		['on the internal service', (port: number) => `http://127.0.0.2:${port}/_ah/upload/x/`],
		['on a name for the metadata service', () => `https://${HOSTILE_NAMES.metadata}/upload`],
	] as const) {
		hostileCase({ node, operation: 'Upload', name: `uploadUrl ${where}`, expected: 'the file is not sent: refused before any connection' }, async () => {
			proxy.inject({ kind: 'editJson', edit: () => ({ uploadUrl: url(world.internal.port) }) }, { match: isAnnounce });
			const result = await upload();
			expectApiFailure(result, /^Wix: the upload URL Wix returned leads to .*, so it was not fetched$/);
			expect(world.internal.calls).toEqual([]);
			expect(world.guard.blocked).toEqual([]);
			expect(proxy.requests((r) => r.method === 'PUT')).toEqual([]);
		});
	}

	hostileCase({ node, operation: 'Get (download)', name: 'media URL on the internal service (as IPv4-mapped IPv6)', expected: 'refused before any connection' }, async () => {
		const { record } = await seedFile();
		proxy.inject({ kind: 'editJson', edit: (body) => ({ attachment: { ...body.attachment, document: { url: `https://[::ffff:127.0.0.2]:${world.internal.port}/file` } } }) }, { match: isRecord });
		const result = await getFile(record.id);
		expectApiFailure(result, /^Wix: the file URL Wix returned leads to .*, so it was not fetched$/);
		expect(world.internal.calls).toEqual([]);
	});
});

describe('every answer is bounded', () => {
	hostileCase({ node, operation: 'Get (download)', name: 'file compressed with gzip although identity was asked for', expected: 'decoded and stored intact' }, async () => {
		const text = Buffer.from('name;email\n'.repeat(900));
		const record = server.seedAttachment(CONTACT_ID, 'contacts.csv', text, 'text/csv');
		proxy.inject({ kind: 'gzip' }, { match: isMedia });
		const result = await getFile(record.id);
		await expectDownloaded(result, { size: text.length, sha256: createHash('sha256').update(text).digest('hex') });
		expect(proxy.requests(isMedia)[0].headers['accept-encoding']).toBe('identity');
	});

	hostileCase({ node, operation: 'Get Many', name: 'a 200 KB gzip answer that decodes to 200 MiB', expected: 'refused past 8 MiB decoded' }, async () => {
		const bomb = gzipSync(Buffer.alloc(200 * MiB, 0x20));
		proxy.inject({ kind: 'answer', status: 200, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb }, { match: isList });
		const result = await run({ operation: 'getAll', contactId: CONTACT_ID, returnAll: true });
		expectApiFailure(result, /^Wix sent an answer larger than any answer of this kind should be$/);
	});

	hostileCase({ node, operation: 'Get Many (Return All)', name: 'metadata.count 0 with a large total', expected: 'stops on the repeated page with a clear error, 2 requests' }, async () => {
		await seedFile();
		proxy.inject({ kind: 'editJson', edit: (body) => ({ ...body, metadata: { count: 0, offset: 0, total: 100_000 } }) }, { times: 2 });
		const result = await run({ operation: 'getAll', contactId: CONTACT_ID, returnAll: true });
		expectApiFailure(result, /^Wix's list did not end: it gave a next page it had given before$/);
		expect(proxy.requests()).toHaveLength(2);
	});
});

describe('file names are names', () => {
	hostileCase({ node, operation: 'Get (download)', name: 'record named "/etc/passwd"', expected: 'file and record name "passwd"' }, async () => {
		const { record, want } = await seedFile();
		proxy.inject({ kind: 'editJson', edit: (body) => ({ attachment: { ...body.attachment, fileName: '/etc/passwd' } }) }, { match: isRecord });
		const result = await getFile(record.id);
		await expectDownloaded(result, want);
		expect(result.items[0].binary!.data.fileName).toBe('passwd');
		expect(result.items[0].json.fileName).toBe('passwd');
	});
});

describe('the key is redacted in every form', () => {
	hostileCase({ node, operation: 'Get', name: 'key echoed in a 403 (upper-case, base64, hex, URL, HTML)', expected: 'no form of it in the error, output or logs' }, async () => {
		const { record } = await seedFile();
		proxy.inject({ kind: 'answer', status: 403, headers: { 'content-type': 'application/json' }, body: echoingBody(DEFAULT_API_KEY) }, { match: isRecord });
		const result = await getRecord(record.id);
		expect(result.error).toBeDefined();
		expect(echoesIn(placesOf(result), DEFAULT_API_KEY)).toEqual([]);
	});

	hostileCase({ node, operation: 'Get', name: 'key echoed in a 200 record', expected: 'no form of it in the output' }, async () => {
		const { record } = await seedFile();
		proxy.inject({ kind: 'editJson', edit: (body) => ({ attachment: { ...body.attachment, seenKey: DEFAULT_API_KEY, echo: JSON.parse(echoingBody(DEFAULT_API_KEY)) } }) }, { match: isRecord });
		const result = await getRecord(record.id);
		expect(result.error).toBeUndefined();
		expect(echoesIn(placesOf(result), DEFAULT_API_KEY)).toEqual([]);
	});

	hostileCase({ node, operation: 'app OAuth token request', name: 'app secret echoed in a 401', expected: 'no form of it in the error or logs' }, async () => {
		const { record } = await seedFile();
		proxy.inject({ kind: 'answer', status: 401, headers: { 'content-type': 'application/json' }, body: echoingBody(DEFAULT_APP.appSecret) }, { match: isToken, times: 2 });
		const result = await getRecord(record.id, { authentication: 'appOAuth' });
		expect(result.error).toBeDefined();
		expect(echoesIn(placesOf(result), DEFAULT_APP.appSecret)).toEqual([]);
		proxy.reset();
	});
});
