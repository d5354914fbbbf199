/**
 * Secrets, Xero (OAuth2): client secret, access token and refresh token are sentinels, and so
 * are the tokens the token endpoint issues on a refresh and the Basic header the refresh sends.
 * Every operation runs once succeeding (after a refresh) and once failing with an error body that
 * echoes the Authorization header; none of them may show up anywhere (see support/secrets.ts).
 */
import { randomUUID } from 'crypto';
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { HarnessItem, RunNodeResult } from '../../support/n8n-harness';
import { startXeroServer } from '../../../sandbox/xero/server';
import type { XeroServer } from '../../../sandbox/xero/server';
import { runXero, xeroCredentials } from '../../nodes/XeroAttachment/context';
import { itCase } from '../support/summary';
import { authorizationHeaders, expectNoLeaks, headerSentinels, sentinel } from '../support/secrets';
import type { Sentinel } from '../support/secrets';

const CLIENT_ID = 'xero-faults-client-id';
const SECRET = {
	clientSecret: sentinel('xero-client-secret'),
	accessToken: sentinel('xero-access-token'),
	refreshToken: sentinel('xero-refresh-token'),
};
const BASE_SENTINELS: Sentinel[] = [
	{ label: 'Xero client secret', value: SECRET.clientSecret },
	{ label: 'Xero access token', value: SECRET.accessToken },
	{ label: 'Xero refresh token', value: SECRET.refreshToken },
	{ label: 'Xero token endpoint Basic header', value: Buffer.from(`${CLIENT_ID}:${SECRET.clientSecret}`).toString('base64') },
];

let server: XeroServer;
beforeAll(async () => {
	server = await startXeroServer({
		defaultFormat: 'xml',
		accessTokens: [SECRET.accessToken],
		refreshTokens: [SECRET.refreshToken],
		oauthClient: { clientId: CLIENT_ID, clientSecret: SECRET.clientSecret },
	});
});
afterAll(async () => await server.close());
beforeEach(() => {
	server.reset();
	server.addDocument('Invoices', parentId);
});

function credentials(): ICredentialDataDecryptedObject {
	return {
		...xeroCredentials(server, SECRET.accessToken),
		clientId: CLIENT_ID,
		clientSecret: SECRET.clientSecret,
		oauthTokenData: { access_token: SECRET.accessToken, refresh_token: SECRET.refreshToken, token_type: 'Bearer' },
	};
}

/** Every secret-derived value of this run: the fixed ones, the refreshed tokens, every Authorization sent. */
function runSentinels(result: RunNodeResult): Sentinel[] {
	const extra: Sentinel[] = [];
	const stored = result.credentialsStore.xeroAttachmentOAuth2Api?.oauthTokenData as IDataObject | undefined;
	for (const key of ['access_token', 'refresh_token'] as const) {
		const value = stored?.[key];
		if (typeof value === 'string' && value !== SECRET.accessToken && value !== SECRET.refreshToken) {
			extra.push({ label: `Xero refreshed ${key}`, value });
		}
	}
	return [...BASE_SENTINELS, ...extra, ...headerSentinels('Xero Authorization', authorizationHeaders(server.requests))];
}

/** A Xero 400 (validation shape) whose body also echoes the request's Authorization header. */
function echoBody(authorization: string): string {
	return JSON.stringify({
		ErrorNumber: 10,
		Type: 'ValidationException',
		Message: 'A validation exception occurred',
		Elements: [{ ValidationErrors: [{ Message: 'The request was rejected' }] }],
		Request: { Headers: { Authorization: authorization, 'xero-tenant-id': 'echoed' } },
	});
}

const parentId = randomUUID();
const pdf = Buffer.from('%PDF-1.4 secrets');

interface Operation {
	name: string;
	parameters: () => INodeParameters;
	input?: () => HarnessItem[];
}

const OPERATIONS: Operation[] = [
	{ name: 'Get Many', parameters: () => ({ resource: 'invoice', operation: 'getAll', parentId, returnAll: true }) },
	{
		name: 'Get by ID',
		parameters: () => {
			const record = server.seedAttachment('Invoices', parentId, 'by-id.pdf', pdf, 'application/pdf');
			return { resource: 'invoice', operation: 'get', parentId, getBy: 'attachmentId', attachmentId: record.attachmentId, binaryPropertyName: 'data', options: {} };
		},
	},
	{
		name: 'Get by file name',
		parameters: () => ({ resource: 'invoice', operation: 'get', parentId, getBy: 'fileName', fileName: 'by-name.pdf', binaryPropertyName: 'data', options: { mimeType: 'application/pdf' } }),
	},
	{
		name: 'Upload',
		parameters: () => ({ resource: 'invoice', operation: 'upload', parentId, binaryPropertyName: 'data', options: {} }),
		input: () => [{ binary: { data: { data: pdf, fileName: 'upload.pdf', mimeType: 'application/pdf' } } }],
	},
];

describe.each(OPERATIONS)('Xero $name', (operation) => {
	itCase(
		{ category: 'secret', node: 'Xero', operation: operation.name, name: 'OAuth2, expired access token refreshed, success', expected: 'succeeds; no sentinel anywhere' },
		async () => {
			server.seedAttachment('Invoices', parentId, 'by-name.pdf', pdf, 'application/pdf');
			const parameters = operation.parameters();
			server.expireToken(SECRET.accessToken);
			const result = await runXero(server, parameters, { credentials: credentials(), input: operation.input?.() });
			expect(result.error).toBeUndefined();
			expect(result.items.length).toBeGreaterThan(0);
			// The refresh happened: new tokens in the store, and the token endpoint was called.
			const stored = result.credentialsStore.xeroAttachmentOAuth2Api.oauthTokenData as IDataObject;
			expect(stored.access_token).not.toBe(SECRET.accessToken);
			expect(server.requests.some((r) => r.path.toLowerCase().endsWith('/connect/token'))).toBe(true);
			return expectNoLeaks(result, runSentinels(result));
		},
	);

	itCase(
		{ category: 'secret', node: 'Xero', operation: operation.name, name: 'OAuth2, 400 whose body echoes the Authorization header', expected: 'NodeApiError with Xero\'s message; no sentinel anywhere' },
		async () => {
			const parameters = operation.parameters();
			server.failNext(1, { status: 400, body: echoBody(`Bearer ${SECRET.accessToken}`) });
			const result = await runXero(server, parameters, { credentials: credentials(), input: operation.input?.() });
			expect(result.error?.message).toMatch(/A validation exception occurred/);
			expect(server.requests[0].headers.authorization).toBe(`Bearer ${SECRET.accessToken}`);
			return expectNoLeaks(result, runSentinels(result));
		},
	);
});

itCase(
	{ category: 'secret', node: 'Xero', operation: 'Get Many', name: 'OAuth2, 400 with a plain-text body echoing the Authorization header', expected: 'NodeApiError; no sentinel anywhere' },
	async () => {
		server.failNext(1, { status: 400, headers: { 'Content-Type': 'text/plain' }, body: `Rejected request with Authorization: Bearer ${SECRET.accessToken}` });
		const result = await runXero(server, OPERATIONS[0].parameters(), { credentials: credentials() });
		// The provider's words stay, the token is blanked out.
		expect(result.error?.message).toBe('Xero: Rejected request with Authorization: [redacted]');
		return expectNoLeaks(result, runSentinels(result));
	},
);

itCase(
	{ category: 'secret', node: 'Xero', operation: 'Get Many', name: 'OAuth2, expired access token and a refused refresh token', expected: 'fails clearly; no sentinel anywhere' },
	async () => {
		server.expireToken(SECRET.accessToken);
		server.revokeToken(SECRET.refreshToken);
		const result = await runXero(server, OPERATIONS[0].parameters(), { credentials: credentials() });
		// n8n's refresh was refused: the credential has to be connected again (no HTTP status of the API).
		expect(result.error).toBeInstanceOf(NodeApiError);
		expect(result.error).toMatchObject({ message: 'Could not reach Xero: The credential "Harness xeroAttachmentOAuth2Api" needs to be reconnected.', httpCode: null });
		return expectNoLeaks(result, runSentinels(result));
	},
);

itCase(
	{ category: 'secret', node: 'Xero', operation: 'Get Many', name: 'OAuth2, failure under Continue On Fail (echoing 400)', expected: 'error item; no sentinel anywhere' },
	async () => {
		server.failNext(1, { status: 400, body: echoBody(`Bearer ${SECRET.accessToken}`) });
		const result = await runXero(server, OPERATIONS[0].parameters(), { credentials: credentials(), continueOnFail: true });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.error).toMatch(/A validation exception occurred/);
		return expectNoLeaks(result, runSentinels(result));
	},
);
