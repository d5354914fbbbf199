/**
 * Xero's answers turned hostile (issue #20), through the fault proxy in front of the Xero
 * emulator: redirects that would take the OAuth2 token and the tenant header elsewhere, compressed,
 * oversized and endless answers, file names that are paths, errors and records that echo the
 * token. Xero hands out no URLs of its own, so there is no download URL to check here.
 */
import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';

import type { INodeParameters } from 'n8n-workflow';

import { placesOf } from '../support/secrets';
import { DEFAULT_ACCESS_TOKEN } from '../../../sandbox/xero/server';
import type { XeroServer } from '../../../sandbox/xero/server';
import { TENANT_ID, runXero, startServer, xeroCredentials } from '../../nodes/XeroAttachment/context';
import type { RunXeroOptions } from '../../nodes/XeroAttachment/context';
import { MiB, expectApiFailure, expectDownloaded, expected, fileItem, generatedBytes } from '../support/cases';
import { useEmulatorBehindProxy } from '../support/behind-proxy';
import type { RequestInfo } from '../support/fault-proxy';
import { echoesIn, echoingBody, expectFollowedBare, expectRedirectRefused, flood, hostileCase, storedFiles, useHostileWorld } from '../support/hostile';

const { server, proxy } = useEmulatorBehindProxy<XeroServer>(startServer, (emulator) => ({ api: emulator.url }));
const world = useHostileWorld();

const node = 'Xero';
const parentId = randomUUID();
// Xero answers 404 for a document it does not have: the invoice the cases use exists.
beforeEach(() => server.addDocument('Invoices', parentId));
const isList = (request: RequestInfo) => request.method === 'GET' && /\/Attachments$/.test(request.path);
const isDownload = (request: RequestInfo) => request.method === 'GET' && /\/Attachments\/[^/]+$/.test(request.path);

async function run(parameters: INodeParameters, options: RunXeroOptions = {}) {
	const credentials = { ...xeroCredentials(server), baseUrl: proxy.urls.api };
	return await runXero(server, { resource: 'invoice', parentId, ...parameters }, { credentials, ...options });
}

async function seedFile(size = 2000, seed = 1, fileName = 'statement.pdf') {
	const record = server.seedAttachment('Invoices', parentId, fileName, await generatedBytes(size, seed), 'application/pdf');
	return { record, want: await expected(size, seed) };
}

const list = () => run({ operation: 'getAll', returnAll: true, options: {} });
const download = (attachmentId: string, options: INodeParameters = {}) =>
	run({ operation: 'get', getBy: 'attachmentId', attachmentId, binaryPropertyName: 'data', options });
const upload = (replace = false) => run({ operation: 'upload', binaryPropertyName: 'data', options: replace ? { replace: true } : {} }, { input: fileItem(20_000, 4) });

describe('the token and the tenant stay with their origin', () => {
	hostileCase({ node, operation: 'Get Many', name: '302 to another origin', expected: 'followed as a plain GET without the token or xero-tenant-id' }, async () => {
		proxy.inject({ kind: 'redirect', status: 302, location: `${world.elsewhere.url}/api.xro/2.0/Invoices/${parentId}/Attachments` }, { match: isList });
		await list();
		expectFollowedBare(world, [DEFAULT_ACCESS_TOKEN, TENANT_ID], ['xero-tenant-id']);
	});

	hostileCase({ node, operation: 'Get (download)', name: '307 to another origin', expected: 'followed as a plain GET without the token or xero-tenant-id' }, async () => {
		const { record } = await seedFile();
		proxy.inject({ kind: 'redirect', status: 307, location: `${world.elsewhere.url}/file` }, { match: isDownload });
		await download(record.attachmentId, { mimeType: 'application/pdf' });
		expectFollowedBare(world, [DEFAULT_ACCESS_TOKEN, TENANT_ID], ['xero-tenant-id', 'contentType']);
	});

	for (const [replace, status] of [
		[false, 307],
		[true, 308],
	] as const) {
		hostileCase({ node, operation: `Upload (${replace ? 'POST' : 'PUT'})`, name: `${status} to another origin`, expected: 'the file is not sent there: fails naming the host' }, async () => {
			proxy.inject({ kind: 'redirect', status, location: `${world.elsewhere.url}/upload` }, { match: (r) => r.method === (replace ? 'POST' : 'PUT') });
			const result = await upload(replace);
			expectRedirectRefused(result, world, 'Xero');
			expect(server.attachments('Invoices', parentId)).toEqual([]);
		});
	}
});

describe('every answer is bounded', () => {
	hostileCase({ node, operation: 'Get (download)', name: 'file compressed with gzip although identity was asked for', expected: 'decoded and stored intact' }, async () => {
		const text = Buffer.from('date,amount,payee\n'.repeat(700));
		const record = server.seedAttachment('Invoices', parentId, 'export.csv', text, 'text/csv');
		proxy.inject({ kind: 'gzip' }, { match: isDownload });
		const result = await download(record.attachmentId, { mimeType: 'text/csv' });
		await expectDownloaded(result, { size: text.length, sha256: createHash('sha256').update(text).digest('hex') });
		expect(proxy.requests(isDownload)[0].headers['accept-encoding']).toBe('identity');
	});

	hostileCase({ node, operation: 'Get Many', name: 'a 200 KB gzip answer that decodes to 200 MiB', expected: 'refused past 8 MiB decoded' }, async () => {
		const bomb = gzipSync(Buffer.alloc(200 * MiB, 0x20));
		proxy.inject({ kind: 'answer', status: 200, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb }, { match: isList });
		const result = await list();
		expectApiFailure(result, /^Xero sent an answer larger than any answer of this kind should be$/);
	});

	hostileCase({ node, operation: 'Get (download)', name: 'listing says 3 bytes, the download sends 150 MiB', expected: 'stopped after 3 bytes, not retried, no file left in the binary store' }, async () => {
		const { record } = await seedFile();
		const filesBefore = storedFiles();
		proxy.inject({ kind: 'editJson', edit: (body) => ({ ...body, Attachments: body.Attachments.map((a: object) => ({ ...a, ContentLength: 3 })) }) }, { match: isList });
		proxy.inject({ kind: 'answer', status: 200, headers: { 'content-type': 'application/pdf', 'content-length': String(150 * MiB) }, body: flood(150 * MiB) }, { match: isDownload });
		const result = await download(record.attachmentId);
		expectApiFailure(result, /^Xero: the file is longer than the 3 bytes its record announces$/);
		expect(proxy.requests(isDownload)).toHaveLength(1);
		expect(storedFiles()).toEqual(filesBefore);
	});
});

describe('file names are names', () => {
	for (const [disposition, safe] of [
		[`attachment; filename*=UTF-8''..%2F..%2F.ssh%2Fauthorized_keys`, 'authorized_keys'],
		['attachment; filename="/etc/passwd"', 'passwd'],
		[`attachment; filename*=UTF-8''inv%0D%0Aoice%00.pdf`, 'invoice.pdf'],
	]) {
		hostileCase({ node, operation: 'Get (download)', name: `Content-Disposition ${disposition}`, expected: `file named "${safe}"` }, async () => {
			const bytes = Buffer.from('%PDF-1.4 hostile name');
			const record = server.seedAttachment('Invoices', parentId, 'statement.pdf', bytes, 'application/pdf');
			proxy.inject({ kind: 'answer', status: 200, headers: { 'content-type': 'application/pdf', 'content-disposition': disposition }, body: bytes }, { match: isDownload });
			const result = await download(record.attachmentId, { mimeType: 'application/pdf' });
			expect(result.error).toBeUndefined();
			expect(result.items[0].binary!.data.fileName).toBe(safe);
		});
	}
});

describe('the token is redacted in every form', () => {
	hostileCase({ node, operation: 'Get Many', name: 'token echoed in a 401 (upper-case, base64, hex, URL, HTML)', expected: 'no form of it in the error, output or logs' }, async () => {
		proxy.inject({ kind: 'answer', status: 401, headers: { 'content-type': 'application/json' }, body: echoingBody(DEFAULT_ACCESS_TOKEN) }, { match: isList, times: 2 });
		const result = await list();
		expect(result.error).toBeDefined();
		expect(echoesIn(placesOf(result), DEFAULT_ACCESS_TOKEN)).toEqual([]);
		proxy.reset();
	});

	hostileCase({ node, operation: 'Get Many', name: 'token and tenant echoed in a 200 listing', expected: 'no form of the token in the output' }, async () => {
		await seedFile();
		proxy.inject({ kind: 'editJson', edit: (body) => ({ ...body, Attachments: body.Attachments.map((a: object) => ({ ...a, Echo: JSON.parse(echoingBody(DEFAULT_ACCESS_TOKEN)) })) }) }, { match: isList });
		const result = await list();
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(echoesIn(placesOf(result), DEFAULT_ACCESS_TOKEN)).toEqual([]);
	});
});
