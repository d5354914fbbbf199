/**
 * Sunshine Conversations' answers turned hostile (issue #20), through the fault proxy in front of
 * the Sunshine emulator: redirects that would take the key's Basic credentials, a JWT or a media
 * token elsewhere (or replay an upload there), an oversized answer, errors that echo the secret,
 * and the lifetime of the JWTs the node signs.
 */
import { gzipSync } from 'node:zlib';

import type { INodeParameters } from 'n8n-workflow';

import { placesOf } from '../support/secrets';
import { runListSearch } from '../../support/n8n-harness';
import type { SunshineServer } from '../../../sandbox/sunshine/server';
import { DEFAULT_APP_KEY } from '../../../sandbox/sunshine/server';
import { APP_ID, BASIC, JWT, NODE_TYPE, credentialTypes, nodeTypes, runSunshine, startServer, sunshineCredentials } from '../../nodes/SunshineConversationsAttachment/context';
import type { Authentication, RunSunshineOptions } from '../../nodes/SunshineConversationsAttachment/context';
import { MiB, expectApiFailure, fileItem } from '../support/cases';
import { useEmulatorBehindProxy } from '../support/behind-proxy';
import type { RequestInfo } from '../support/fault-proxy';
import { echoesIn, echoingBody, expectFollowedBare, expectRedirectRefused, hostileCase, useHostileWorld } from '../support/hostile';

const { server, proxy } = useEmulatorBehindProxy<SunshineServer>(startServer, (emulator) => ({ api: emulator.url }));
const world = useHostileWorld();

const node = 'Sunshine';
const SECRET = DEFAULT_APP_KEY.secret;
const BASIC_TOKEN = Buffer.from(`${DEFAULT_APP_KEY.id}:${SECRET}`).toString('base64');
const isUpload = (request: RequestInfo) => request.method === 'POST' && request.path.endsWith('/attachments');
const isRemove = (request: RequestInfo) => request.path.endsWith('/attachments/remove');
const isToken = (request: RequestInfo) => request.path.endsWith('/attachments/token');
const isCookie = (request: RequestInfo) => request.path.endsWith('/attachments/cookie');

async function run(parameters: INodeParameters, options: RunSunshineOptions = {}) {
	return await runSunshine(server, parameters, { ...options, credentials: sunshineCredentials(server, undefined, { baseUrl: proxy.urls.api }) });
}

const upload = (authentication: Authentication) =>
	run({ operation: 'upload', binaryPropertyName: 'data', options: {} }, { authentication, input: fileItem(40_000, 6, 'scan.png', 'image/png') });
const mediaToken = (authentication: Authentication = 'apiKey') => run({ operation: 'generateMediaToken', paths: [`/apps/${APP_ID}`] }, { authentication });

/** Every Authorization the other origin saw, and whether a JWT among them was signed by the key. */
function bearerTokens(): string[] {
	return world.elsewhere.calls.map((call) => String(call.headers.authorization ?? '')).filter(Boolean);
}

describe('the key, the JWT and media tokens stay with their origin', () => {
	for (const authentication of ['apiKey', 'jwt'] as const) {
		hostileCase({ node, operation: 'Upload', name: `${authentication === 'jwt' ? 'JWT' : 'Basic'}: 307 to another origin`, expected: 'the file is not sent there: fails naming the host' }, async () => {
			proxy.inject({ kind: 'redirect', status: 307, location: `${world.elsewhere.url}/v2/apps/${APP_ID}/attachments` }, { match: isUpload });
			const result = await upload(authentication);
			expectRedirectRefused(result, world, 'Sunshine Conversations');
			expect(server.attachments(APP_ID)).toEqual([]);
		});

		hostileCase({ node, operation: 'Generate Media Token', name: `${authentication === 'jwt' ? 'JWT' : 'Basic'}: 303 to another origin (a POST turned GET)`, expected: 'a request with a body is not redirected: fails naming the host' }, async () => {
			proxy.inject({ kind: 'redirect', status: 303, location: `${world.elsewhere.url}/token` }, { match: isToken });
			const result = await mediaToken(authentication);
			expectRedirectRefused(result, world, 'Sunshine Conversations');
		});
	}

	hostileCase({ node, operation: 'Delete', name: '308 to another origin', expected: 'not replayed there: fails naming the host' }, async () => {
		proxy.inject({ kind: 'redirect', status: 308, location: `${world.elsewhere.url}/remove` }, { match: isRemove });
		const result = await run({ operation: 'delete', mediaUrl: `${server.url}/v2/apps/${APP_ID}/attachments/media/x.png` });
		expectRedirectRefused(result, world, 'Sunshine Conversations');
	});

	hostileCase({ node, operation: 'Set Cookie', name: 'media token: 302 to another origin', expected: 'followed as a plain GET without the media token' }, async () => {
		const token = (await mediaToken()).items[0].json.token as string;
		proxy.inject({ kind: 'redirect', status: 302, location: `${world.elsewhere.url}/cookie` }, { match: isCookie });
		await run({ operation: 'setCookie', mediaToken: token });
		expectFollowedBare(world, [token, SECRET]);
	});

	for (const authentication of ['apiKey', 'jwt'] as const) {
		hostileCase({ node, operation: 'App picker', name: `${authentication === 'jwt' ? 'JWT' : 'Basic'}: 302 to another origin`, expected: 'followed as a plain GET without the key or a JWT' }, async () => {
			proxy.inject({ kind: 'redirect', status: 302, location: `${world.elsewhere.url}/v2/apps` }, { match: (r) => r.path === '/v2/apps' });
			const credentials = sunshineCredentials(server, undefined, { baseUrl: proxy.urls.api });
			await runListSearch({
				nodeTypes: nodeTypes(),
				credentialTypes: credentialTypes(),
				node: { type: NODE_TYPE, parameters: { authentication, resource: 'attachment', operation: 'upload' } },
				credentials: { [BASIC]: { ...credentials, appId: '' }, [JWT]: { ...credentials, appId: '' } },
				method: 'searchApps',
			});
			expectFollowedBare(world, [SECRET, BASIC_TOKEN]);
			expect(bearerTokens()).toEqual([]);
		});
	}
});

describe('answers are bounded, the secret is redacted, JWTs expire', () => {
	hostileCase({ node, operation: 'Generate Media Token', name: 'a 200 KB gzip answer that decodes to 200 MiB', expected: 'refused past 8 MiB decoded' }, async () => {
		const bomb = gzipSync(Buffer.alloc(200 * MiB, 0x20));
		proxy.inject({ kind: 'answer', status: 200, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb }, { match: isToken });
		const result = await mediaToken();
		expectApiFailure(result, /^Sunshine Conversations sent an answer larger than any answer of this kind should be$/);
	});

	hostileCase({ node, operation: 'Generate Media Token', name: 'secret echoed in a 401 (upper-case, base64, hex, URL, HTML)', expected: 'no form of it in the error, output or logs' }, async () => {
		// A key n8n cannot renew is not sent again after its 401 (request.ts readsStatuses).
		proxy.inject({ kind: 'answer', status: 401, headers: { 'content-type': 'application/json' }, body: echoingBody(SECRET) }, { match: isToken });
		const result = await mediaToken();
		expect(result.error).toBeDefined();
		expect(proxy.requests(isToken)).toHaveLength(1);
		expect(echoesIn(placesOf(result), SECRET)).toEqual([]);
	});

	hostileCase({ node, operation: 'Generate Media Token (JWT)', name: 'the JWT the node signs', expected: 'carries iat (now) and an exp 5 minutes later; the emulator refuses it once expired' }, async () => {
		const result = await mediaToken('jwt');
		expect(result.error).toBeUndefined();
		const authorization = String(proxy.requests(isToken)[0].headers.authorization);
		const payload = JSON.parse(Buffer.from(authorization.split('.')[1], 'base64url').toString('utf8')) as { iat: number; exp: number };
		expect(Math.abs(payload.iat - Date.now() / 1000)).toBeLessThan(60);
		expect(payload.exp - payload.iat).toBe(300);
	});
});
