/**
 * Self-test of test/support/n8n-harness.ts: a tiny node runs through n8n-core's real
 * WorkflowExecute and helpers against HTTP servers on 127.0.0.1.
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';

import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestHelper,
	IHttpRequestMethods,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import {
	FIXTURE_SOURCE_NODE_TYPE,
	START_NODE_TYPE,
	binaryStats,
	generatedStats,
	generatedStream,
	logsText,
	readBinary,
	runNode,
	runWorkflow,
	streamStats,
	withMemoryPeak,
} from '../support/n8n-harness';
import { startLocalServer, type LocalServer } from '../support/local-server';
import { optionsProperty, testNodeDescription } from '../support/test-node';

// ----------------------------------------------------------------------------- test node & creds

class SelftestApi implements ICredentialType {
	name = 'selftestApi';
	displayName = 'Selftest API';
	properties = [
		{ displayName: 'API Key', name: 'apiKey', type: 'string' as const, typeOptions: { password: true }, default: '' },
	];
	authenticate = {
		type: 'generic' as const,
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};
}

class SelftestOAuth2Api implements ICredentialType {
	name = 'selftestOAuth2Api';
	displayName = 'Selftest OAuth2 API';
	extends = ['oAuth2Api'];
	properties = [
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden' as const, default: 'authorizationCode' },
		{ displayName: 'Auth URL', name: 'authUrl', type: 'hidden' as const, default: 'https://auth.invalid/authorize' },
		{ displayName: 'Token URL', name: 'accessTokenUrl', type: 'hidden' as const, default: 'https://auth.invalid/token' },
		{ displayName: 'Scope', name: 'scope', type: 'hidden' as const, default: 'files' },
	];
}

/** Expirable session token fetched by preAuthentication from a local /login endpoint. */
class SelftestSessionApi implements ICredentialType {
	name = 'selftestSessionApi';
	displayName = 'Selftest Session API';
	properties = [
		{ displayName: 'Login URL', name: 'loginUrl', type: 'string' as const, default: '' },
		{ displayName: 'Password', name: 'password', type: 'string' as const, typeOptions: { password: true }, default: '' },
		{
			displayName: 'Session Token',
			name: 'sessionToken',
			type: 'hidden' as const,
			typeOptions: { expirable: true },
			default: '',
		},
	];
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const { token } = (await this.helpers.httpRequest({
			method: 'POST',
			url: credentials.loginUrl as string,
			body: { password: credentials.password },
			json: true,
		})) as { token: string };
		return { sessionToken: token };
	}
	authenticate = {
		type: 'generic' as const,
		properties: { headers: { 'X-Session': '={{$credentials.sessionToken}}' } },
	};
}

/** Uploads an input binary as a streamed body, or downloads a URL into a binary, or fails. */
class SelftestTransfer implements INodeType {
	description: INodeTypeDescription = testNodeDescription({
		displayName: 'Selftest Transfer',
		name: 'selftestTransfer',
		description: 'Harness self-test node',
		authentication: {
			apiKey: { label: 'API Key', credential: 'selftestApi' },
			oAuth2: { label: 'OAuth2', credential: 'selftestOAuth2Api' },
			session: { label: 'Session', credential: 'selftestSessionApi' },
		},
		properties: [
			optionsProperty('Operation', 'operation', { Upload: 'upload', Download: 'download', Fail: 'fail' }),
			{ displayName: 'URL', name: 'url', type: 'string', default: '' },
			{ displayName: 'Binary Property', name: 'binaryPropertyName', type: 'string', default: 'data' },
		],
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		const credentialType = {
			apiKey: 'selftestApi',
			oAuth2: 'selftestOAuth2Api',
			session: 'selftestSessionApi',
		}[this.getNodeParameter('authentication', 0) as 'apiKey' | 'oAuth2' | 'session'];
		for (let i = 0; i < items.length; i++) {
			try {
				const operation = this.getNodeParameter('operation', i) as string;
				const url = this.getNodeParameter('url', i) as string;
				if (operation === 'fail') {
					throw new NodeOperationError(this.getNode(), 'Deliberate failure', {
						itemIndex: i,
						description: 'thrown by the selftest node',
					});
				}
				if (operation === 'upload') {
					const binary = this.helpers.assertBinaryData(i, this.getNodeParameter('binaryPropertyName', i) as string);
					const metadata = await this.helpers.getBinaryMetadata(binary.id!);
					const body = await this.helpers.getBinaryStream(binary.id!);
					const response = (await this.helpers.httpRequestWithAuthentication.call(this, credentialType, {
						method: 'POST' as IHttpRequestMethods,
						url,
						body,
						headers: {
							'content-type': binary.mimeType,
							'content-length': String(metadata.fileSize),
						},
						json: true,
						// With redirects followed (n8n's default), follow-redirects keeps every body
						// chunk in memory to be able to replay it: a streamed upload gets buffered whole.
						disableFollowRedirect: true,
					})) as IDataObject;
					out.push({ json: response, pairedItem: { item: i } });
				} else {
					const response = (await this.helpers.httpRequestWithAuthentication.call(this, credentialType, {
						method: 'GET' as IHttpRequestMethods,
						url,
						encoding: 'stream',
						returnFullResponse: true,
					})) as { body: IncomingMessage; headers: IDataObject; statusCode: number };
					const binary = await this.helpers.prepareBinaryData(
						response.body,
						'download.bin',
						response.headers['content-type'] as string,
					);
					out.push({ json: { statusCode: response.statusCode }, binary: { data: binary }, pairedItem: { item: i } });
				}
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw error;
			}
		}
		return [out];
	}
}

const nodeTypes = [new SelftestTransfer()];
const credentialTypes = [new SelftestApi(), new SelftestOAuth2Api(), new SelftestSessionApi()];
const API_KEY = 'sk-selftest-7c1f0e2b9d';

// ----------------------------------------------------------------------------- local server

interface Seen {
	method: string;
	path: string;
	authorization?: string;
	contentLength?: string;
	contentType?: string;
	body?: { size: number; sha256: string };
	form?: URLSearchParams;
}

let server: LocalServer;
let seen: Seen[];
let tokenCalls: number;
let logins: number;

beforeAll(async () => {
	server = await startLocalServer(async (req, res) => {
		const url = new URL(req.url!, 'http://127.0.0.1');
		const entry: Seen = {
			method: req.method!,
			path: url.pathname,
			authorization: req.headers.authorization,
			contentLength: req.headers['content-length'],
			contentType: req.headers['content-type'],
		};
		seen.push(entry);
		if (url.pathname === '/upload') {
			entry.body = await streamStats(req);
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ received: entry.body }));
		} else if (url.pathname === '/file' || url.pathname === '/oauth/file') {
			if (url.pathname === '/oauth/file' && req.headers.authorization !== 'Bearer new-access-token') {
				res.writeHead(401, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ error: 'token expired' }));
				return;
			}
			const size = Number(url.searchParams.get('size'));
			const seed = Number(url.searchParams.get('seed'));
			res.writeHead(200, { 'content-type': 'application/x-selftest', 'content-length': String(size) });
			generatedStream(size, seed).pipe(res);
		} else if (url.pathname === '/login') {
			let raw = '';
			for await (const chunk of req) raw += chunk;
			const ok = (JSON.parse(raw) as { password?: string }).password === 'session-password';
			logins++;
			res.writeHead(ok ? 200 : 403, { 'content-type': 'application/json' });
			res.end(JSON.stringify(ok ? { token: `session-${logins}` } : { error: 'bad password' }));
		} else if (url.pathname === '/session/file') {
			const ok = req.headers['x-session'] === `session-${logins}` && logins > 0;
			res.writeHead(ok ? 200 : 401, { 'content-type': 'text/plain' });
			res.end(ok ? 'session bytes' : 'session expired');
		} else if (url.pathname === '/token') {
			tokenCalls++;
			let raw = '';
			for await (const chunk of req) raw += chunk;
			entry.form = new URLSearchParams(raw);
			const ok =
				entry.form.get('grant_type') === 'refresh_token' &&
				entry.form.get('refresh_token') === 'refresh-1' &&
				req.headers.authorization === `Basic ${Buffer.from('client-id:client-secret').toString('base64')}`;
			res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
			res.end(
				JSON.stringify(
					ok
						? { access_token: 'new-access-token', refresh_token: 'refresh-2', token_type: 'Bearer', expires_in: 3600 }
						: { error: 'invalid_grant' },
				),
			);
		} else {
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ message: `no route ${url.pathname}` }));
		}
	});
});

afterAll(async () => await server.close());

beforeEach(() => {
	seen = [];
	tokenCalls = 0;
	logins = 0;
});

// ----------------------------------------------------------------------------- tests

describe('n8n harness', () => {
	it('streams an input binary from the filesystem store as the upload body, with generic auth', async () => {
		// 128 MiB and a ragged last chunk. Big enough that whole-file buffering anywhere
		// (fixture, binary store, request body) would stand out from GC noise.
		const size = 128 * 1024 * 1024 + 123;
		const expected = await generatedStats(size, 7);

		const { result, peakBytes } = await withMemoryPeak(
			async () =>
				await runNode({
					nodeTypes,
					credentialTypes,
					node: { type: 'selftestTransfer', parameters: { operation: 'upload', url: `${server.baseUrl}/upload` } },
					input: [
						{
							json: { n: 1 },
							binary: { data: { generate: { size, seed: 7 }, fileName: 'big.bin', mimeType: 'application/x-big' } },
						},
					],
					credentials: { selftestApi: { apiKey: API_KEY } },
				}),
		);

		expect(result.error).toBeUndefined();
		const uploads = seen.filter((s) => s.path === '/upload');
		expect(uploads).toHaveLength(1);
		expect(uploads[0].body).toEqual(expected);
		expect(uploads[0].authorization).toBe(`Bearer ${API_KEY}`);
		expect(uploads[0].contentType).toBe('application/x-big');
		expect(uploads[0].contentLength).toBe(String(size));
		expect(result.items).toEqual([{ json: { received: expected }, pairedItem: { item: 0 } }]);

		// The fixture's binary really went to disk (filesystem mode), not base64 in memory.
		const fixtureOut = result.run.data.resultData.runData['Fixture Source'][0].data!.main[0]![0];
		expect(fixtureOut.binary!.data.id).toMatch(/^filesystem/);
		expect(fixtureOut.binary!.data.fileName).toBe('big.bin');
		expect(fixtureOut.binary!.data.data).not.toHaveLength(size);
		expect(await binaryStats(fixtureOut.binary!.data)).toEqual(expected);

		expect(peakBytes).toBeLessThan(size / 2);
		expect(logsText(result.logs)).not.toContain(API_KEY);
	});

	it('stores a streamed download as a filesystem binary with the exact bytes served', async () => {
		const size = 3 * 1024 * 1024 + 5;
		const result = await runNode({
			nodeTypes,
			credentialTypes,
			node: {
				type: 'n8n-nodes-attachments.selftestTransfer', // package prefix is accepted
				parameters: { operation: 'download', url: `${server.baseUrl}/file?size=${size}&seed=3` },
			},
			credentials: { selftestApi: { apiKey: API_KEY } },
		});

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const [item] = result.items;
		expect(item.json).toEqual({ statusCode: 200 });
		expect(item.pairedItem).toEqual({ item: 0 });
		const binary = item.binary!.data;
		expect(binary.id).toMatch(/^filesystem/);
		expect(binary.mimeType).toBe('application/x-selftest');
		expect(binary.fileName).toBe('download.bin');
		expect(await binaryStats(binary)).toEqual(await generatedStats(size, 3));
		expect(seen.find((s) => s.path === '/file')?.authorization).toBe(`Bearer ${API_KEY}`);
	});

	it('feeds Buffer and file inputs through prepareBinaryData and reads them back', async () => {
		const text = Buffer.from('hello attachments\n');
		const result = await runNode({
			nodeTypes,
			credentialTypes,
			node: { type: 'selftestTransfer', parameters: { operation: 'upload', url: `${server.baseUrl}/upload` } },
			input: [
				{ binary: { data: { data: text, fileName: 'hello.txt' } } },
				{ binary: { data: { filePath: __filename } } },
			],
			credentials: { selftestApi: { apiKey: API_KEY } },
		});
		expect(result.error).toBeUndefined();
		const fixtureItems = result.run.data.resultData.runData['Fixture Source'][0].data!.main[0]!;
		expect(await readBinary(fixtureItems[0].binary!.data)).toEqual(text);
		expect(fixtureItems[0].binary!.data.mimeType).toBe('text/plain');
		expect(fixtureItems[1].binary!.data.fileName).toBe(path.basename(__filename));
		const uploads = seen.filter((s) => s.path === '/upload').map((s) => s.body);
		expect(uploads).toEqual([
			await streamStats([text]),
			await streamStats(createReadStream(__filename)),
		]);
		expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('refreshes an expired OAuth2 token against a local token endpoint and stores it', async () => {
		const size = 200_000;
		const credentials = {
			selftestOAuth2Api: {
				clientId: 'client-id',
				clientSecret: 'client-secret',
				accessTokenUrl: `${server.baseUrl}/token`,
				oauthTokenData: { access_token: 'old-access-token', refresh_token: 'refresh-1', token_type: 'Bearer' },
			},
		};
		const result = await runNode({
			nodeTypes,
			credentialTypes,
			node: {
				type: 'selftestTransfer',
				parameters: {
					authentication: 'oAuth2',
					operation: 'download',
					url: `${server.baseUrl}/oauth/file?size=${size}&seed=11`,
				},
			},
			credentials,
		});

		expect(result.error).toBeUndefined();
		expect(tokenCalls).toBe(1);
		expect(seen.filter((s) => s.path === '/oauth/file').map((s) => s.authorization)).toEqual([
			'Bearer old-access-token',
			'Bearer new-access-token',
		]);
		const tokenData = result.credentialsStore.selftestOAuth2Api.oauthTokenData as IDataObject;
		expect(tokenData.access_token).toBe('new-access-token');
		expect(tokenData.refresh_token).toBe('refresh-2');
		// The caller's object is not the store.
		expect(credentials.selftestOAuth2Api.oauthTokenData.access_token).toBe('old-access-token');
		expect(await binaryStats(result.items[0].binary!.data)).toEqual(await generatedStats(size, 11));
		expect(result.logs.some((l) => l.message.includes('has been renewed'))).toBe(true);
		expect(logsText(result.logs)).not.toContain('client-secret');
	});

	it('runs preAuthentication when the expirable field is empty or the credential expired', async () => {
		const run = async (sessionToken: string) =>
			await runNode({
				nodeTypes,
				credentialTypes,
				node: {
					type: 'selftestTransfer',
					parameters: { authentication: 'session', operation: 'download', url: `${server.baseUrl}/session/file` },
				},
				credentials: {
					selftestSessionApi: { loginUrl: `${server.baseUrl}/login`, password: 'session-password', sessionToken },
				},
			});

		// Empty token: logs in before the first request.
		const fresh = await run('');
		expect(fresh.error).toBeUndefined();
		expect(await readBinary(fresh.items[0].binary!.data)).toEqual(Buffer.from('session bytes'));
		expect(seen.map((s) => s.path)).toEqual(['/login', '/session/file']);
		expect(fresh.credentialsStore.selftestSessionApi.sessionToken).toBe('session-1');

		// Stale token: the 401 makes n8n call preAuthentication(expired) and retry once.
		seen = [];
		logins = 0;
		const stale = await run('stale-token');
		expect(stale.error).toBeUndefined();
		expect(seen.map((s) => s.path)).toEqual(['/session/file', '/login', '/session/file']);
		expect(stale.credentialsStore.selftestSessionApi.sessionToken).toBe('session-1');
		expect(logsText(stale.logs)).not.toContain('session-password');
	});

	it('with continueOnFail returns one error item per failing input, paired to its input', async () => {
		const result = await runNode({
			nodeTypes,
			credentialTypes,
			node: {
				type: 'selftestTransfer',
				parameters: { operation: 'download', url: `=${server.baseUrl}{{ $json.path }}` },
				continueOnFail: true,
			},
			input: [{ json: { path: '/file?size=10&seed=1' } }, { json: { path: '/missing' } }, { json: { path: '/gone' } }],
			credentials: { selftestApi: { apiKey: API_KEY } },
		});

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(3);
		expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(result.items[0].json).toEqual({ statusCode: 200 });
		// NodeApiError's message for a 404
		expect(result.items[1].json).toEqual({ error: 'The resource you are requesting could not be found' });
		expect(result.items[2].json).toEqual({ error: 'The resource you are requesting could not be found' });
		expect(seen.map((s) => s.path)).toEqual(['/file', '/missing', '/gone']);
	});

	it('resolves with the thrown NodeOperationError instead of rejecting', async () => {
		const result = await runNode({
			nodeTypes,
			credentialTypes,
			node: { type: 'selftestTransfer', parameters: { operation: 'fail' } },
			credentials: { selftestApi: { apiKey: API_KEY } },
		});
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error!.message).toBe('Deliberate failure');
		expect((result.error as NodeOperationError).description).toBe('thrown by the selftest node');
		expect(result.items).toEqual([]);
		expect(result.run.data.resultData.error?.message).toBe('Deliberate failure');
	});

	it('resolves with a NodeApiError carrying the HTTP status for a failed request', async () => {
		const result = await runNode({
			nodeTypes,
			credentialTypes,
			node: { type: 'selftestTransfer', parameters: { operation: 'download', url: `${server.baseUrl}/nope` } },
			credentials: { selftestApi: { apiKey: API_KEY } },
		});
		expect(result.error).toBeInstanceOf(NodeApiError);
		expect((result.error as NodeApiError).httpCode).toBe('404');
		expect(logsText(result.logs)).not.toContain(API_KEY);
	});

	it('runs workflow JSON with a manual trigger and a fixture node', async () => {
		const { outputOf, error } = await runWorkflow(
			{
				nodes: [
					{ id: '1', name: 'When clicking', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
					{
						id: '2',
						name: 'Files',
						type: FIXTURE_SOURCE_NODE_TYPE,
						typeVersion: 1,
						position: [200, 0],
						parameters: { items: [{ json: { a: 1 }, binary: { data: { data: 'abc', fileName: 'a.txt' } } }] as unknown as string },
					},
					{
						id: '3',
						name: 'Upload',
						type: 'n8n-nodes-attachments.selftestTransfer',
						typeVersion: 1,
						position: [400, 0],
						parameters: { operation: 'upload', url: `${server.baseUrl}/upload` },
						credentials: { selftestApi: { id: 'c1', name: 'Selftest' } },
					},
				],
				connections: {
					'When clicking': { main: [[{ node: 'Files', type: 'main', index: 0 }]] },
					Files: { main: [[{ node: 'Upload', type: 'main', index: 0 }]] },
				},
			},
			{ nodeTypes, credentialTypes, credentials: { selftestApi: { apiKey: API_KEY } } },
		);
		expect(error).toBeUndefined();
		expect(outputOf('Upload')).toEqual([
			{ json: { received: await streamStats([Buffer.from('abc')]) }, pairedItem: { item: 0 } },
		]);
		expect(START_NODE_TYPE).toBe('harnessStart');
	});
});
