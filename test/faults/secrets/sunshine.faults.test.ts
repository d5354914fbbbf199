/**
 * Secrets, Sunshine Conversations: the key secrets of the Basic and the JWT credential are
 * sentinels, and so are what is made of them: the Basic header (base64 of key ID:secret) and the
 * JWT signed with the secret. Every operation runs with each credential type once succeeding and
 * once failing with an error body that echoes the Authorization header; none of them may show up
 * anywhere (see support/secrets.ts).
 */
import type { INodeParameters } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { signSunshineJwt } from '../../../nodes/SunshineConversationsAttachment/jwt';
import type { HarnessItem, RunNodeResult } from '../../support/n8n-harness';
import { DEFAULT_APP, startSunshineServer } from '../../../sandbox/sunshine/server';
import type { SunshineKey, SunshineServer } from '../../../sandbox/sunshine/server';
import { APP_ID, runSunshine } from '../../nodes/SunshineConversationsAttachment/context';
import type { Authentication } from '../../nodes/SunshineConversationsAttachment/context';
import { itCase } from '../support/summary';
import { authorizationHeaders, expectNoLeaks, headerSentinels, sentinel } from '../support/secrets';
import type { Sentinel } from '../support/secrets';

const KEYS: Record<Authentication, SunshineKey> = {
	apiKey: { id: 'app_66aa00000000000000000b01', secret: sentinel('sunshine-basic-key-secret'), scope: 'app', appId: DEFAULT_APP.id },
	jwt: { id: 'app_66aa00000000000000000c02', secret: sentinel('sunshine-jwt-key-secret'), scope: 'app', appId: DEFAULT_APP.id },
};
const basicToken = (key: SunshineKey) => Buffer.from(`${key.id}:${key.secret}`).toString('base64');
const sentAuthorization = (auth: Authentication) => (auth === 'apiKey' ? `Basic ${basicToken(KEYS.apiKey)}` : `Bearer ${signSunshineJwt(KEYS.jwt.id, KEYS.jwt.secret)}`);

const BASE_SENTINELS: Sentinel[] = [
	{ label: 'Sunshine Basic key secret', value: KEYS.apiKey.secret },
	{ label: 'Sunshine JWT key secret', value: KEYS.jwt.secret },
	{ label: 'Sunshine Basic header (base64 of key ID:secret)', value: basicToken(KEYS.apiKey) },
	{ label: 'Sunshine JWT signed with the secret', value: signSunshineJwt(KEYS.jwt.id, KEYS.jwt.secret) },
];

let server: SunshineServer;
beforeAll(async () => {
	server = await startSunshineServer({ keys: [KEYS.apiKey, KEYS.jwt] });
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());

/** The fixed sentinels plus every credential Authorization the emulator saw (a media token is not one). */
function runSentinels(mediaToken?: string): Sentinel[] {
	const headers = authorizationHeaders(server.requests).filter((value) => !mediaToken || !value.includes(mediaToken));
	return [...BASE_SENTINELS, ...headerSentinels('Sunshine Authorization', headers)];
}

/** Sunshine's error shape, plus the request's Authorization header echoed back. */
function echoBody(authorization: string): string {
	return JSON.stringify({
		errors: [{ code: 'forbidden', title: 'The key may not act on this app' }],
		request: { headers: { authorization } },
	});
}

interface Operation {
	name: string;
	parameters: () => INodeParameters;
	input?: () => HarnessItem[];
	mediaToken?: () => string;
}

const file = Buffer.from('%PDF-1.4 sunshine secrets');
let mediaToken = '';

const OPERATIONS: Operation[] = [
	{
		name: 'Upload',
		parameters: () => ({ operation: 'upload', binaryPropertyName: 'data', options: {} }),
		input: () => [{ binary: { data: { data: file, fileName: 'upload.pdf', mimeType: 'application/pdf' } } }],
	},
	{ name: 'Delete', parameters: () => ({ operation: 'delete', mediaUrl: server.mediaUrl(server.seedAttachment(APP_ID, 'gone.pdf', file, 'application/pdf')) }) },
	{ name: 'Generate Media Token', parameters: () => ({ operation: 'generateMediaToken', paths: [`/apps/${APP_ID}`] }) },
	{
		name: 'Set Cookie',
		parameters: () => {
			mediaToken = server.issueMediaToken(APP_ID, `/apps/${APP_ID}`);
			return { operation: 'setCookie', mediaToken };
		},
	},
];

const CASES = (['apiKey', 'jwt'] as Authentication[]).flatMap((auth) => OPERATIONS.map((operation) => ({ auth, operation })));
const authName = (auth: Authentication) => (auth === 'jwt' ? 'JWT' : 'API key (Basic)');

describe.each(CASES)('Sunshine $operation.name with $auth', ({ auth, operation }) => {
	beforeEach(() => (mediaToken = ''));

	itCase(
		{ category: 'secret', node: 'Sunshine', operation: operation.name, name: `${authName(auth)}, success`, expected: 'succeeds; no sentinel anywhere' },
		async () => {
			const parameters = operation.parameters();
			const result: RunNodeResult = await runSunshine(server, parameters, { authentication: auth, key: KEYS[auth], input: operation.input?.() });
			expect(result.error).toBeUndefined();
			expect(result.items.length).toBeGreaterThan(0);
			if (operation.name !== 'Set Cookie') expect(server.requests[0].headers.authorization).toBe(sentAuthorization(auth));
			return expectNoLeaks(result, runSentinels(mediaToken));
		},
	);

	itCase(
		{
			category: 'secret',
			node: 'Sunshine',
			operation: operation.name,
			name: `${authName(auth)}, 403 whose body echoes the Authorization header`,
			expected: "NodeApiError with Sunshine's message; no sentinel anywhere",
		},
		async () => {
			const parameters = operation.parameters();
			const sent = operation.name === 'Set Cookie' ? `Bearer ${mediaToken}` : sentAuthorization(auth);
			server.failNext(1, { status: 403, body: echoBody(sent) });
			const result = await runSunshine(server, parameters, { authentication: auth, key: KEYS[auth], input: operation.input?.() });
			expect(result.error?.message).toMatch(/The key may not act on this app/);
			expect(server.requests[0].headers.authorization).toBe(sent);
			// Set Cookie sends the media token, not the credential: its echo is blanked too (the token
			// is still in the node's parameters, which n8n keeps with the error).
			if (operation.name === 'Set Cookie') {
				const stored = result.run.data.resultData.error as unknown as { errorResponse?: unknown };
				expect(JSON.stringify(stored.errorResponse)).toContain('[redacted]');
				expect(JSON.stringify(stored.errorResponse)).not.toContain(mediaToken);
			}
			return expectNoLeaks(result, runSentinels(mediaToken));
		},
	);
});

describe.each(['apiKey', 'jwt'] as Authentication[])('Sunshine with %s', (auth) => {
	itCase(
		{ category: 'secret', node: 'Sunshine', operation: 'Generate Media Token', name: `${authName(auth)}, 400 with a plain-text body echoing the Authorization header`, expected: 'NodeApiError, credential blanked out; no sentinel anywhere' },
		async () => {
			server.failNext(1, { status: 400, headers: { 'Content-Type': 'text/plain' }, body: `Rejected: ${sentAuthorization(auth)}` });
			const result = await runSunshine(server, { operation: 'generateMediaToken', paths: [`/apps/${APP_ID}`] }, { authentication: auth, key: KEYS[auth] });
			expect(result.error?.message).toContain('[redacted]');
			return expectNoLeaks(result, runSentinels());
		},
	);

	itCase(
		{ category: 'secret', node: 'Sunshine', operation: 'Generate Media Token', name: `${authName(auth)}, wrong secret (401)`, expected: 'NodeApiError naming the credential; no sentinel anywhere' },
		async () => {
			const wrong = { ...KEYS[auth], secret: sentinel(`sunshine-wrong-secret-${auth}`) };
			const result = await runSunshine(server, { operation: 'generateMediaToken', paths: [`/apps/${APP_ID}`] }, { authentication: auth, key: wrong });
			expect(result.error).toBeInstanceOf(NodeApiError);
			expect(result.error).toMatchObject({
				message: auth === 'jwt' ? 'Sunshine Conversations: Invalid JWT signature (unauthorized)' : 'Sunshine Conversations: Invalid key ID or secret (unauthorized)',
				httpCode: '401',
				description: 'Check the credential: the token may have expired or been revoked.',
			});
			const wrongSentinels: Sentinel[] = [
				{ label: 'Sunshine wrong secret', value: wrong.secret },
				{ label: 'Sunshine wrong Basic', value: basicToken(wrong) },
				{ label: 'Sunshine wrong JWT', value: signSunshineJwt(wrong.id, wrong.secret) },
			];
			return expectNoLeaks(result, [...runSentinels(), ...wrongSentinels]);
		},
	);
});
