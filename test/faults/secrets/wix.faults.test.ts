/**
 * Secrets, Wix: the API key, and for the app credential the app secret and the access token the
 * exchange issues, are sentinels. Every operation runs with each credential type once succeeding
 * (app: after a token exchange) and once failing with an error body that echoes the Authorization
 * header; the token exchange also fails once with a body echoing the app secret. None of them may
 * show up anywhere (see support/secrets.ts).
 */
import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { HarnessItem, RunNodeResult } from '../../support/n8n-harness';
import { DEFAULT_APP, DEFAULT_CONTACT, DEFAULT_INSTANCE_ID, DEFAULT_SITE_ID, startWixServer } from '../../../sandbox/wix/server';
import type { WixServer } from '../../../sandbox/wix/server';
import { APP_CREDENTIAL, appCredentials, apiKeyCredentials, runWix } from '../../nodes/WixAttachment/context';
import { itCase } from '../support/summary';
import { authorizationHeaders, expectNoLeaks, headerSentinels, sentinel } from '../support/secrets';
import type { Sentinel } from '../support/secrets';

type Auth = 'apiKey' | 'appOAuth';
const SECRET = { apiKey: sentinel('wix-api-key'), appSecret: sentinel('wix-app-secret') };
const BASE_SENTINELS: Sentinel[] = [
	{ label: 'Wix API key', value: SECRET.apiKey },
	{ label: 'Wix app secret', value: SECRET.appSecret },
];
const CONTACT_ID = DEFAULT_CONTACT.id;

let server: WixServer;
beforeAll(async () => {
	server = await startWixServer({
		apiKeys: [{ key: SECRET.apiKey, siteId: DEFAULT_SITE_ID }],
		apps: [{ ...DEFAULT_APP, appSecret: SECRET.appSecret }],
	});
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());

function credentials(auth: Auth, accessToken = ''): ICredentialDataDecryptedObject {
	return auth === 'apiKey' ? apiKeyCredentials(server, SECRET.apiKey) : appCredentials(server, { appSecret: SECRET.appSecret, accessToken });
}

function runSentinels(result: RunNodeResult, known: string[] = []): Sentinel[] {
	const extra: Sentinel[] = [];
	const exchanged = result.credentialsStore[APP_CREDENTIAL]?.accessToken;
	if (typeof exchanged === 'string' && exchanged !== '') extra.push({ label: 'Wix exchanged access token', value: exchanged });
	for (const token of known) extra.push({ label: 'Wix app access token', value: token });
	for (const token of server.acceptedTokens()) extra.push({ label: 'Wix issued access token', value: token });
	return [...BASE_SENTINELS, ...extra, ...headerSentinels('Wix Authorization', authorizationHeaders(server.requests))];
}

/** Wix's error shape, plus the request's Authorization header echoed back. */
function echoBody(authorization: string): string {
	return JSON.stringify({
		message: 'Permission denied',
		details: { applicationError: { code: 'PERMISSION_DENIED', description: 'The caller may not do this' } },
		request: { headers: { authorization, 'wix-site-id': DEFAULT_SITE_ID } },
	});
}

interface Operation {
	name: string;
	parameters: () => INodeParameters;
	input?: () => HarnessItem[];
}

const file = Buffer.from('%PDF-1.4 wix secrets');
const seeded = () => ({ __rl: true, mode: 'id', value: server.seedAttachment(CONTACT_ID, 'seeded.pdf', file, 'application/pdf').id });

const OPERATIONS: Operation[] = [
	{ name: 'Get Many', parameters: () => ({ operation: 'getAll', contactId: CONTACT_ID, returnAll: true }) },
	{ name: 'Get', parameters: () => ({ operation: 'get', contactId: CONTACT_ID, attachmentId: seeded() }) },
	{ name: 'Get (download)', parameters: () => ({ operation: 'get', contactId: CONTACT_ID, attachmentId: seeded(), download: true, binaryPropertyName: 'data' }) },
	{
		name: 'Upload',
		parameters: () => ({ operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data', options: {} }),
		input: () => [{ binary: { data: { data: file, fileName: 'upload.pdf', mimeType: 'application/pdf' } } }],
	},
	{ name: 'Delete', parameters: () => ({ operation: 'delete', contactId: CONTACT_ID, attachmentId: seeded() }) },
];

const CASES = (['apiKey', 'appOAuth'] as Auth[]).flatMap((auth) => OPERATIONS.map((operation) => ({ auth, operation })));
const authName = (auth: Auth) => (auth === 'appOAuth' ? 'app OAuth' : 'API key');

describe.each(CASES)('Wix $operation.name with $auth', ({ auth, operation }) => {
	itCase(
		{
			category: 'secret',
			node: 'Wix',
			operation: operation.name,
			name: `${authName(auth)}, success${auth === 'appOAuth' ? ' after a token exchange' : ''}`,
			expected: 'succeeds; no sentinel anywhere',
		},
		async () => {
			server.seedAttachment(CONTACT_ID, 'listed.pdf', file, 'application/pdf');
			const parameters = { authentication: auth, ...operation.parameters() };
			const result = await runWix(server, parameters, { credentials: credentials(auth), input: operation.input?.() });
			expect(result.error).toBeUndefined();
			expect(result.items.length).toBeGreaterThan(0);
			if (auth === 'appOAuth') expect(server.tokenRequests).toHaveLength(1);
			return expectNoLeaks(result, runSentinels(result));
		},
	);

	itCase(
		{
			category: 'secret',
			node: 'Wix',
			operation: operation.name,
			name: `${authName(auth)}, 403 whose body echoes the Authorization header`,
			expected: "NodeApiError with Wix's message; no sentinel anywhere",
		},
		async () => {
			const parameters = { authentication: auth, ...operation.parameters() };
			// The app token is made beforehand, so the echo can carry it.
			const token = auth === 'appOAuth' ? server.issueToken(DEFAULT_APP.appId, DEFAULT_INSTANCE_ID).access_token : SECRET.apiKey;
			server.failNext(1, { status: 403, body: echoBody(token) });
			const result = await runWix(server, parameters, { credentials: credentials(auth, auth === 'appOAuth' ? token : ''), input: operation.input?.() });
			expect(result.error?.message).toMatch(/Permission denied/);
			expect(server.requests[0].headers.authorization).toBe(token);
			return expectNoLeaks(result, runSentinels(result, [token]));
		},
	);
});

describe.each(['apiKey', 'appOAuth'] as Auth[])('Wix with %s', (auth) => {
	itCase(
		{ category: 'secret', node: 'Wix', operation: 'Get Many', name: `${authName(auth)}, 400 with a plain-text body echoing the credential`, expected: 'NodeApiError, credential blanked out; no sentinel anywhere' },
		async () => {
			const token = auth === 'appOAuth' ? server.issueToken(DEFAULT_APP.appId, DEFAULT_INSTANCE_ID).access_token : SECRET.apiKey;
			server.failNext(1, { status: 400, headers: { 'Content-Type': 'text/plain' }, body: `Rejected credential ${token}` });
			const result = await runWix(server, { authentication: auth, operation: 'getAll', contactId: CONTACT_ID, returnAll: true }, { credentials: credentials(auth, auth === 'appOAuth' ? token : '') });
			expect(result.error?.message).toContain('[redacted]');
			return expectNoLeaks(result, runSentinels(result, [token]));
		},
	);
});

itCase(
	{ category: 'secret', node: 'Wix', operation: 'Get Many', name: 'app OAuth, token exchange refused with a body echoing the app secret', expected: 'fails clearly; no sentinel anywhere' },
	async () => {
		server.failNext(1, { status: 400, body: JSON.stringify({ error: 'invalid_client', error_description: 'Unknown app ID or wrong app secret', received: { client_secret: SECRET.appSecret } }) }, 'token');
		const result = await runWix(server, { authentication: 'appOAuth', operation: 'getAll', contactId: CONTACT_ID, returnAll: true }, { credentials: credentials('appOAuth') });
		expect(result.error?.message).toMatch(/invalid_client|wrong app secret/);
		return expectNoLeaks(result, runSentinels(result));
	},
);

itCase(
	{ category: 'secret', node: 'Wix', operation: 'Get Many', name: 'app OAuth, wrong app secret (token exchange 401)', expected: 'fails clearly; no sentinel anywhere' },
	async () => {
		const result = await runWix(
			server,
			{ authentication: 'appOAuth', operation: 'getAll', contactId: CONTACT_ID, returnAll: true },
			{ credentials: appCredentials(server, { appSecret: sentinel('wix-wrong-app-secret') }) },
		);
		expect(result.error).toBeInstanceOf(NodeApiError);
		expect(result.error).toMatchObject({
			message: 'Wix: invalid_client: Unknown app ID or wrong app secret',
			httpCode: '401',
			description: 'Check the credential: the token may have expired or been revoked.',
		});
		return expectNoLeaks(result, [...runSentinels(result), { label: 'Wix wrong app secret', value: sentinel('wix-wrong-app-secret') }]);
	},
);
