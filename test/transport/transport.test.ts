/**
 * The shared transport (nodes/shared/transport), proven once against a generic fake provider
 * (./server.ts, through the generic node of ./node.ts): retries and Retry-After, which requests
 * are repeated, truncated downloads, the OAuth2 refresh of a streamed upload, and redirects. What
 * holds for every node is proven here; each provider's tests keep what is its own (its retry
 * policy per operation, its messages, its hosts), and the fault suite (test/faults) proves each
 * node against injected faults.
 *
 * The fake provider has no vendor's spec: there is no spec check here (the emulators' requests
 * are checked in test/nodes).
 */
import { createHash } from 'node:crypto';
import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { useEmulator } from '../support/emulator';
import { binaryStats, generatedStats, runNode } from '../support/n8n-harness';
import type { HarnessItem } from '../support/n8n-harness';
import { API_KEY_CREDENTIAL, GENERIC_NODE_TYPE, GenericAttachment, GenericAttachmentApi, GenericAttachmentOAuth2Api, OAUTH2_CREDENTIAL } from './node';
import { GENERIC_REFRESH_TOKEN, GENERIC_TOKEN, startGenericServer } from './server';
import type { GenericServer } from './server';

const useGenericServer = (options: { open?: boolean } = {}) =>
	useEmulator<GenericServer, never>({ name: 'generic', start: () => startGenericServer(options), loadSpecs: async () => undefined, expectConforming: () => undefined });

const server = useGenericServer();
const elsewhere = useGenericServer({ open: true });

function credentials(auth: 'apiKey' | 'oAuth2'): Record<string, ICredentialDataDecryptedObject> {
	if (auth === 'apiKey') return { [API_KEY_CREDENTIAL]: { token: GENERIC_TOKEN, baseUrl: server.url } };
	return {
		[OAUTH2_CREDENTIAL]: {
			grantType: 'authorizationCode',
			authUrl: `${server.url}/oauth/authorize`,
			accessTokenUrl: `${server.url}/oauth/token`,
			clientId: 'generic-client',
			clientSecret: 'generic-client-secret',
			scope: '',
			authQueryParameters: '',
			authentication: 'body',
			baseUrl: server.url,
			oauthTokenData: { access_token: GENERIC_TOKEN, refresh_token: GENERIC_REFRESH_TOKEN, token_type: 'bearer' },
		},
	};
}

async function run(parameters: INodeParameters, options: { input?: HarnessItem[]; auth?: 'apiKey' | 'oAuth2' } = {}) {
	const auth = options.auth ?? 'apiKey';
	return await runNode({
		nodeTypes: [new GenericAttachment()],
		credentialTypes: [new GenericAttachmentApi(), new GenericAttachmentOAuth2Api()],
		node: { type: GENERIC_NODE_TYPE, parameters: { authentication: auth, ...parameters } },
		input: options.input,
		credentials: credentials(auth),
	});
}

const list = { operation: 'list' };
const download = (fileId: string) => ({ operation: 'download', fileId, binaryPropertyName: 'data' });
const file = (size: number, seed: number): HarnessItem[] => [{ binary: { data: { generate: { size, seed }, fileName: 'report.bin', mimeType: 'application/octet-stream' } } }];
const upload = (operation: 'upload' | 'uploadIdempotent') => ({ operation, fileName: 'report.bin', binaryPropertyName: 'data' });
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const gapMs = (first: { receivedAt: Date }, second: { receivedAt: Date }) => second.receivedAt.getTime() - first.receivedAt.getTime();

describe('retries', () => {
	it('repeats a read answered 503, then 504, and succeeds on the third attempt', async () => {
		server.seed('a.pdf', Buffer.from('A'));
		server.failNext(1, { status: 503, headers: { 'Retry-After': '0' } });
		server.failNext(1, { status: 504, headers: { 'Retry-After': '0' } });
		const result = await run(list);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.name)).toEqual(['a.pdf']);
		expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual(Array(3).fill('GET /api/files'));
	});

	it('waits Retry-After in seconds on a 429', async () => {
		server.failNext(1, { status: 429, headers: { 'Retry-After': '1' } });
		const result = await run(list);
		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(2);
		expect(gapMs(server.requests[0], server.requests[1])).toBeGreaterThanOrEqual(950);
	});

	it('waits until a Retry-After given as an HTTP date', async () => {
		server.failNext(1, { status: 429, headers: { 'Retry-After': new Date(Date.now() + 2000).toUTCString() } });
		const result = await run(list);
		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(2);
		// The date has one-second resolution.
		expect(gapMs(server.requests[0], server.requests[1])).toBeGreaterThanOrEqual(900);
	});

	it('gives up after 5 attempts with the last answer', async () => {
		server.failNext(5, { status: 503, headers: { 'Retry-After': '0' }, body: 'Service Unavailable' });
		const result = await run(list);
		const error = result.error as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('503');
		expect(error.message).toBe('Generic: Service Unavailable');
		expect(server.requests).toHaveLength(5);
	});

	it('does not wait out a Retry-After longer than two minutes: fails at once, saying how long', async () => {
		server.failNext(1, { status: 429, headers: { 'Retry-After': '3600' }, body: 'Too many requests' });
		const result = await run(list);
		const error = result.error as NodeApiError;
		expect(error.httpCode).toBe('429');
		expect(error.message).toBe('Generic: Too many requests');
		expect(error.description).toMatch(/asks to wait 3600 s/);
		expect(server.requests).toHaveLength(1);
	});

	it('does not repeat an upload that may have been carried out (5xx), and says so', async () => {
		server.failNext(1, { status: 503, headers: { 'Retry-After': '0' }, body: 'Service Unavailable' });
		const result = await run(upload('upload'), { input: file(1000, 1) });
		const error = result.error as NodeApiError;
		expect(error.httpCode).toBe('503');
		expect(error.message).toBe('Generic: Service Unavailable');
		expect(error.description).toMatch(/not repeated/);
		expect(server.requests).toHaveLength(1);
		expect(server.files()).toEqual([]);
	});

	it('resends an upload refused with 429 in full, re-read from the store, stored once', async () => {
		const size = 2 * 1024 * 1024 + 3;
		const want = await generatedStats(size, 2);
		server.failNext(1, { status: 429, headers: { 'Retry-After': '0' } });
		const result = await run(upload('upload'), { input: file(size, 2) });
		expect(result.error).toBeUndefined();
		expect(server.requests.map((request) => [request.bodySize, request.bodySha256])).toEqual([
			[size, want.sha256],
			[size, want.sha256],
		]);
		expect(server.files().map(({ size: stored, sha256: hash }) => ({ size: stored, sha256: hash }))).toEqual([want]);
	});

	it('resends an idempotent upload after a 502 in full, stored once', async () => {
		const size = 2 * 1024 * 1024 + 17;
		const want = await generatedStats(size, 3);
		server.failNext(1, { status: 502, headers: { 'Retry-After': '0' }, body: 'Bad Gateway' });
		const result = await run(upload('uploadIdempotent'), { input: file(size, 3) });
		expect(result.error).toBeUndefined();
		expect(server.requests.map((request) => [request.method, request.bodySize, request.bodySha256])).toEqual([
			['PUT', size, want.sha256],
			['PUT', size, want.sha256],
		]);
		expect(server.files()).toHaveLength(1);
	});
});

describe('the file to upload', () => {
	const pdf = { data: Buffer.from('%PDF-1.4 x'), fileName: 'x.pdf', mimeType: 'application/pdf' };

	it('a missing binary field names the field and lists the ones there are; nothing is sent', async () => {
		const result = await run({ ...upload('upload'), binaryPropertyName: 'attachment' }, { input: [{ binary: { data: pdf, scan: pdf } }] });
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error).toMatchObject({
			message: 'The input item has no binary field "attachment" (parameter "Input Binary Field")',
			description: 'Binary fields on this item: data, scan.',
		});
		expect(server.requests).toEqual([]);
	});

	it('an item without any file says so; nothing is sent', async () => {
		const result = await run(upload('upload'), { input: [{ json: { id: 1 } }] });
		expect(result.error).toMatchObject({
			message: 'The input item has no binary field "data" (parameter "Input Binary Field")',
			description: 'This item carries no file at all: add a node before this one that reads or downloads the file.',
		});
		expect(server.requests).toEqual([]);
	});

	it('an empty file is refused; nothing is sent', async () => {
		const result = await run(upload('upload'), { input: [{ binary: { data: { ...pdf, data: Buffer.alloc(0) } } }] });
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error).toMatchObject({
			message: 'The file in binary field "data" is empty (parameter "Input Binary Field")',
			description: 'Empty files cannot be attached. Check the node that produced the file.',
		});
		expect(server.requests).toEqual([]);
	});
});

describe('truncated downloads', () => {
	const content = Buffer.alloc(200_000, 7);

	it('are retried, and the whole file is stored', async () => {
		const stored = server.seed('long.bin', content);
		server.truncateNextDownload(1000);
		const result = await run(download(stored.id));
		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(2);
		expect(await binaryStats(result.items[0].binary!.data)).toEqual({ size: content.length, sha256: sha256(content) });
	});

	it('fail when every attempt is cut off, saying how much came, and store nothing', async () => {
		const stored = server.seed('long.bin', content);
		for (let i = 0; i < 5; i++) server.truncateNextDownload(1000);
		const result = await run(download(stored.id));
		expect(result.error).toBeInstanceOf(NodeApiError);
		expect(result.error!.message).toBe('Generic: the file download was cut off (1000 of 200000 bytes)');
		expect(result.items).toEqual([]);
		expect(server.requests).toHaveLength(5);
	});
});

describe('an expired OAuth2 token', () => {
	it('is refreshed by n8n, and the streamed upload is sent again in full with the new token', async () => {
		const size = 1024 * 1024;
		const want = await generatedStats(size, 4);
		server.expireToken(GENERIC_TOKEN);
		const result = await run(upload('upload'), { auth: 'oAuth2', input: file(size, 4) });
		expect(result.error).toBeUndefined();
		expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['PUT /api/files/report.bin', 'POST /oauth/token', 'PUT /api/files/report.bin']);
		const [first, refresh, second] = server.requests;
		expect(first.headers.authorization).toBe(`Bearer ${GENERIC_TOKEN}`);
		expect(new URLSearchParams(refresh.body!.toString('utf8')).get('refresh_token')).toBe(GENERIC_REFRESH_TOKEN);
		const renewed = (result.credentialsStore[OAUTH2_CREDENTIAL].oauthTokenData as { access_token: string }).access_token;
		expect(server.acceptedTokens()).toEqual([renewed]);
		expect(second.headers.authorization).toBe(`Bearer ${renewed}`);
		expect([second.bodySize, second.bodySha256]).toEqual([size, want.sha256]);
		expect(server.files()).toHaveLength(1);
	});

	it('is final with a credential n8n cannot renew: the upload is sent once', async () => {
		server.expireToken(GENERIC_TOKEN);
		const result = await run(upload('upload'), { input: file(1000, 5) });
		expect((result.error as NodeApiError).httpCode).toBe('401');
		expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['PUT /api/files/report.bin']);
		expect(server.files()).toEqual([]);
	});
});

describe('redirects', () => {
	it('to the same origin: followed by the node, with the credential', async () => {
		const stored = server.seed('moved.bin', Buffer.from('moved'));
		server.redirectNext(307, `/api/files/${stored.id}/content?moved=1`, (request) => !request.query.has('moved'));
		const result = await run(download(stored.id));
		expect(result.error).toBeUndefined();
		expect(server.requests.map((request) => [request.url, request.headers.authorization])).toEqual([
			[`/api/files/${stored.id}/content`, `Bearer ${GENERIC_TOKEN}`],
			[`/api/files/${stored.id}/content?moved=1`, `Bearer ${GENERIC_TOKEN}`],
		]);
		expect(await binaryStats(result.items[0].binary!.data)).toEqual({ size: 5, sha256: sha256(Buffer.from('moved')) });
	});

	it('of a GET to another origin: followed as a plain request, without the credential', async () => {
		const stored = server.seed('away.bin', Buffer.from('local copy'));
		const copy = elsewhere.seed('away.bin', Buffer.from('the copy elsewhere'));
		server.redirectNext(302, `${elsewhere.url}/api/files/${copy.id}/content`);
		const result = await run(download(stored.id));
		expect(result.error).toBeUndefined();
		expect(elsewhere.requests).toHaveLength(1);
		expect(elsewhere.requests[0].headers.authorization).toBeUndefined();
		expect(await binaryStats(result.items[0].binary!.data)).toEqual({ size: 18, sha256: sha256(Buffer.from('the copy elsewhere')) });
	});

	it('of a request with a body to another origin: not followed; the error names the host, not the path', async () => {
		server.redirectNext(307, `${elsewhere.url}/secret/path?token=x`);
		const result = await run(upload('upload'), { input: file(1000, 6) });
		expect(result.error).toBeInstanceOf(NodeApiError);
		const host = new URL(elsewhere.url).host;
		expect(result.error!.message).toBe(`Generic answered with a redirect to ${host}, which was not followed`);
		expect(JSON.stringify(result.error)).not.toContain('/secret/path');
		expect(elsewhere.requests).toEqual([]);
		expect(server.requests).toHaveLength(1);
	});
});
