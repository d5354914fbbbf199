/**
 * Secrets, Asana: the personal access token, and for OAuth2 the client secret, access token,
 * refresh token and the token a refresh issues, are sentinels. Every operation runs with each
 * credential type once succeeding (OAuth2: after a refresh) and once failing with an error body
 * that echoes the Authorization header; none of them may show up anywhere (see support/secrets.ts).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { HarnessItem, RunNodeResult } from '../../support/n8n-harness';
import { DEFAULT_PROJECT, DEFAULT_TASK, startAsanaServer } from '../../../sandbox/asana/server';
import type { AsanaServer } from '../../../sandbox/asana/server';
import { locator, runAsana } from '../../nodes/AsanaAttachment/context';
import type { Auth } from '../../nodes/AsanaAttachment/context';
import { itCase } from '../support/summary';
import { BASE_SENTINELS, SECRET, SENTINEL_SERVER_OPTIONS, sentToken, sentinelCredentials } from '../support/asana-secrets';
import { authorizationHeaders, expectNoLeaks, headerSentinels } from '../support/secrets';
import type { Sentinel } from '../support/secrets';

const CREDENTIAL_TYPE: Record<Auth, string> = { accessToken: 'asanaAttachmentApi', oAuth2: 'asanaAttachmentOAuth2Api' };

let server: AsanaServer;
beforeAll(async () => {
	server = await startAsanaServer(SENTINEL_SERVER_OPTIONS);
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());

function runSentinels(result: RunNodeResult): Sentinel[] {
	const extra: Sentinel[] = [];
	const stored = result.credentialsStore.asanaAttachmentOAuth2Api?.oauthTokenData as IDataObject | undefined;
	for (const key of ['access_token', 'refresh_token'] as const) {
		const value = stored?.[key];
		if (typeof value === 'string' && !Object.values(SECRET).includes(value)) extra.push({ label: `Asana refreshed ${key}`, value });
	}
	return [
		...BASE_SENTINELS,
		...extra,
		...headerSentinels('Asana Authorization', [...authorizationHeaders(server.requests), ...authorizationHeaders(server.fileRequests)]),
	];
}

/** Asana's error shape, plus the request's Authorization header echoed back. */
function echoBody(authorization: string): string {
	return JSON.stringify({
		errors: [{ message: 'You do not have access to this resource', help: 'For more information on API status codes see https://developers.asana.com' }],
		request: { headers: { authorization }, token: authorization.replace(/^Bearer /, '') },
	});
}

interface Operation {
	name: string;
	parameters: () => INodeParameters;
	input?: () => HarnessItem[];
}

const file = Buffer.from('%PDF-1.4 asana secrets');

const OPERATIONS: Operation[] = [
	{
		name: 'Upload (file)',
		parameters: () => ({ operation: 'upload', parent: locator(DEFAULT_TASK.gid), source: 'binary', binaryPropertyName: 'data', options: {} }),
		input: () => [{ binary: { data: { data: file, fileName: 'upload.pdf', mimeType: 'application/pdf' } } }],
	},
	{
		name: 'Upload (link)',
		parameters: () => ({ operation: 'upload', parent: locator(DEFAULT_PROJECT.gid), source: 'link', url: 'https://example.com/doc.pdf', name: 'Doc', options: {} }),
	},
	{
		name: 'Get',
		parameters: () => ({ operation: 'get', attachmentId: server.seedAttachment(DEFAULT_TASK.gid, 'get.pdf', file, 'application/pdf').gid, download: false, options: {} }),
	},
	{
		name: 'Get (download)',
		parameters: () => ({
			operation: 'get',
			attachmentId: server.seedAttachment(DEFAULT_TASK.gid, 'download.pdf', file, 'application/pdf').gid,
			download: true,
			binaryPropertyName: 'data',
			options: {},
		}),
	},
	{ name: 'Get Many', parameters: () => ({ operation: 'getAll', parent: locator(DEFAULT_TASK.gid), returnAll: true, options: {} }) },
	{
		name: 'Delete',
		parameters: () => ({ operation: 'delete', attachmentId: server.seedAttachment(DEFAULT_TASK.gid, 'delete.pdf', file, 'application/pdf').gid }),
	},
];

const CASES = (['accessToken', 'oAuth2'] as Auth[]).flatMap((auth) => OPERATIONS.map((operation) => ({ auth, operation })));
const authName = (auth: Auth) => (auth === 'oAuth2' ? 'OAuth2' : 'personal access token');

describe.each(CASES)('Asana $operation.name with $auth', ({ auth, operation }) => {
	itCase(
		{
			category: 'secret',
			node: 'Asana',
			operation: operation.name,
			name: `${authName(auth)}, success${auth === 'oAuth2' ? ' after a token refresh' : ''}`,
			expected: 'succeeds; no sentinel anywhere',
		},
		async () => {
			server.seedAttachment(DEFAULT_TASK.gid, 'listed.pdf', file, 'application/pdf');
			const parameters = operation.parameters();
			if (auth === 'oAuth2') server.expireToken(SECRET.accessToken);
			const result = await runAsana(server, parameters, { auth, credentials: sentinelCredentials(server, auth), input: operation.input?.() });
			expect(result.error).toBeUndefined();
			expect(result.items.length).toBeGreaterThan(0);
			if (auth === 'oAuth2') {
				const stored = result.credentialsStore[CREDENTIAL_TYPE.oAuth2].oauthTokenData as IDataObject;
				expect(stored.access_token).not.toBe(SECRET.accessToken);
			}
			return expectNoLeaks(result, runSentinels(result));
		},
	);

	itCase(
		{
			category: 'secret',
			node: 'Asana',
			operation: operation.name,
			name: `${authName(auth)}, 403 whose body echoes the Authorization header`,
			expected: "NodeApiError with Asana's message; no sentinel anywhere",
		},
		async () => {
			const parameters = operation.parameters();
			server.failNext(1, { status: 403, body: echoBody(`Bearer ${sentToken(auth)}`) });
			const result = await runAsana(server, parameters, { auth, credentials: sentinelCredentials(server, auth), input: operation.input?.() });
			expect(result.error?.message).toMatch(/You do not have access to this resource/);
			expect(server.requests[0].headers.authorization).toBe(`Bearer ${sentToken(auth)}`);
			return expectNoLeaks(result, runSentinels(result));
		},
	);
});

describe.each(['accessToken', 'oAuth2'] as Auth[])('Asana with %s', (auth) => {
	itCase(
		{ category: 'secret', node: 'Asana', operation: 'Get', name: `${authName(auth)}, 400 with a plain-text body echoing the token`, expected: 'NodeApiError, token blanked out; no sentinel anywhere' },
		async () => {
			server.failNext(1, { status: 400, headers: { 'Content-Type': 'text/plain' }, body: `Bad token ${sentToken(auth)}` });
			const result = await runAsana(server, { operation: 'get', attachmentId: '1209000000000777', options: {} }, { auth, credentials: sentinelCredentials(server, auth) });
			expect(result.error?.message).toContain('[redacted]');
			return expectNoLeaks(result, runSentinels(result));
		},
	);

	itCase(
		{ category: 'secret', node: 'Asana', operation: 'Get Many', name: `${authName(auth)}, revoked credential (401)`, expected: 'NodeApiError naming the credential; no sentinel anywhere' },
		async () => {
			server.revokeToken(sentToken(auth));
			if (auth === 'oAuth2') server.revokeToken(SECRET.refreshToken);
			const result = await runAsana(server, { operation: 'getAll', parent: locator(DEFAULT_TASK.gid), returnAll: true, options: {} }, { auth, credentials: sentinelCredentials(server, auth) });
			expect(result.error).toBeInstanceOf(NodeApiError);
			expect(result.error).toMatchObject(
				auth === 'oAuth2'
					? // n8n's refresh was refused: the credential has to be connected again (no HTTP status of the API).
						{ message: 'Could not reach Asana: The credential "Harness asanaAttachmentOAuth2Api" needs to be reconnected.', httpCode: null }
					: {
							message: 'Asana: Not Authorized',
							httpCode: '401',
							description: 'For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors Check the credential: the token may have expired or been revoked.',
						},
			);
			return expectNoLeaks(result, runSentinels(result));
		},
	);
});
