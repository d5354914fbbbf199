/**
 * The Wix app OAuth credential: app ID, secret and instance ID exchanged at POST /oauth2/token
 * (n8n's preAuthentication) for a token sent raw in Authorization, kept in the credential, and
 * renewed by n8n when Wix answers 401 because it expired.
 */
import { NodeApiError } from 'n8n-workflow';

import { logsText } from '../../support/n8n-harness';
import { DEFAULT_APP, DEFAULT_INSTANCE_ID } from '../../../sandbox/wix/server';
import { APP_CREDENTIAL, CONTACT_ID, SECRETS, apiCalls, appCredentials, header, runWix, useWixEmulator } from './context';

const base = `/contacts/v4/attachments/${CONTACT_ID}`;
const listAll = { authentication: 'appOAuth', operation: 'getAll', contactId: CONTACT_ID, returnAll: true };
const exchange = {
	grant_type: 'client_credentials',
	client_id: DEFAULT_APP.appId,
	client_secret: DEFAULT_APP.appSecret,
	instance_id: DEFAULT_INSTANCE_ID,
};

const server = useWixEmulator();

function storedToken(result: { credentialsStore: Record<string, Record<string, unknown>> }): string {
	return result.credentialsStore[APP_CREDENTIAL].accessToken as string;
}

it('exchanges the app credentials for a token on first use, and sends it raw', async () => {
	server.seedAttachment(CONTACT_ID, 'a.pdf', Buffer.from('%PDF a'), 'application/pdf');
	const result = await runWix(server, listAll);
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.fileName)).toEqual(['a.pdf']);

	expect(apiCalls(server)).toEqual(['api POST /oauth2/token', `api GET ${base}?paging.limit=100`]);
	const [tokenRequest, list] = server.requests;
	expect(header(tokenRequest, 'content-type')).toBe('application/json');
	expect(header(tokenRequest, 'authorization')).toBeUndefined();
	expect(JSON.parse(tokenRequest.body!.toString('utf8'))).toEqual(exchange);

	const token = storedToken(result);
	expect(token).toMatch(/^OauthNG\.JWS\./);
	expect(server.acceptedTokens()).toEqual([token]);
	expect(header(list, 'authorization')).toBe(token);
	expect(header(list, 'wix-site-id')).toBeUndefined();
});

it('reuses a stored token without asking for another', async () => {
	const { access_token: token } = server.issueToken();
	const result = await runWix(server, listAll, { credentials: appCredentials(server, { accessToken: token }) });
	expect(result.error).toBeUndefined();
	expect(apiCalls(server)).toEqual([`api GET ${base}?paging.limit=100`]);
	expect(header(server.requests[0], 'authorization')).toBe(token);
	expect(server.tokenRequests).toEqual([]);
});

it('renews an expired token after the 401 and repeats the call', async () => {
	const { access_token: old } = server.issueToken();
	server.expireToken(old);
	const result = await runWix(server, listAll, { credentials: appCredentials(server, { accessToken: old }) });
	expect(result.error).toBeUndefined();
	expect(apiCalls(server)).toEqual([`api GET ${base}?paging.limit=100`, 'api POST /oauth2/token', `api GET ${base}?paging.limit=100`]);
	const renewed = storedToken(result);
	expect(renewed).not.toBe(old);
	expect(header(server.requests[0], 'authorization')).toBe(old);
	expect(header(server.requests[2], 'authorization')).toBe(renewed);
	expect(server.tokenRequests).toEqual([exchange]);
});

describe('with an emulator started with { tokenTtlSeconds: 1 }', () => {
	const shortLived = useWixEmulator({ tokenTtlSeconds: 1 });

	it('renews a token that ran out of time between two runs', async () => {
		const first = await runWix(shortLived, listAll, { credentials: appCredentials(shortLived) });
		expect(first.error).toBeUndefined();
		const token = storedToken(first);
		await new Promise((resolve) => setTimeout(resolve, 1100));
		shortLived.requests.length = 0;

		const second = await runWix(shortLived, listAll, { credentials: first.credentialsStore[APP_CREDENTIAL] });
		expect(second.error).toBeUndefined();
		expect(shortLived.requests.map((r) => `${r.method} ${r.path} → ${header(r, 'authorization') === token ? 'old' : 'other'}`)).toEqual([
			`GET ${base} → old`,
			'POST /oauth2/token → other',
			`GET ${base} → other`,
		]);
		expect(storedToken(second)).not.toBe(token);
		expect(shortLived.acceptedTokens()).toEqual([storedToken(second)]);
	});
});

it('uploads with the app token: the token goes to the API, never to the upload URL', async () => {
	const { access_token: old } = server.issueToken();
	server.expireToken(old);
	const result = await runWix(
		server,
		{ authentication: 'appOAuth', operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data', options: {} },
		{
			credentials: appCredentials(server, { accessToken: old }),
			input: [{ binary: { data: { data: '%PDF-1.4 app upload', fileName: 'app.pdf', mimeType: 'application/pdf' } } }],
		},
	);
	expect(result.error).toBeUndefined();
	const renewed = storedToken(result);
	expect(server.requests.map((r) => `${r.host} ${r.method} ${r.path}`)).toEqual([
		`api POST ${base}/upload-url`,
		'api POST /oauth2/token',
		`api POST ${base}/upload-url`,
		expect.stringMatching(/^media PUT \/_ah\/upload\/[\w-]+\/$/),
	]);
	expect(header(server.requests[2], 'authorization')).toBe(renewed);
	expect(JSON.parse(server.requests[2].body!.toString())).toEqual({ contactId: CONTACT_ID, fileName: 'app.pdf', mimeType: 'application/pdf' });
	expect(header(server.requests[3], 'authorization')).toBeUndefined();
	expect(server.attachments(CONTACT_ID).map((r) => r.fileName)).toEqual(['app.pdf']);
});

it('a wrong app secret is an error naming Wix’s reason, with no secret in the error, output or logs', async () => {
	const result = await runWix(server, listAll, { credentials: appCredentials(server, { appSecret: 'not-the-secret-4e1f' }) });
	const error = result.error as NodeApiError;
	expect(error).toBeInstanceOf(NodeApiError);
	expect(error.message).toBe('Wix: invalid_client: Unknown app ID or wrong app secret');
	expect(error.httpCode).toBe('401');
	expect(server.requests.every((r) => r.path === '/oauth2/token')).toBe(true);
	expect(server.acceptedTokens()).toEqual([]);
	const visible = JSON.stringify({ message: error.message, description: error.description, items: result.items }) + logsText(result.logs);
	for (const secret of [...SECRETS, 'not-the-secret-4e1f']) expect(visible).not.toContain(secret);
});

it('an instance ID the app is not installed on is refused at the token endpoint', async () => {
	const result = await runWix(server, listAll, { credentials: appCredentials(server, { instanceId: '00000000-0000-4000-8000-000000000000' }) });
	expect(result.error).toBeInstanceOf(NodeApiError);
	expect(result.error!.message).toBe('Wix: invalid_grant: The app is not installed on an instance with this ID');
	expect((result.error as NodeApiError).httpCode).toBe('400');
});

it('a failing token endpoint (503) is retried like any idempotent call', async () => {
	server.failNext(1, { status: 503, headers: { 'Retry-After': '0' }, body: '' }, 'token');
	const result = await runWix(server, listAll);
	expect(result.error).toBeUndefined();
	expect(apiCalls(server)).toEqual(['api POST /oauth2/token', 'api POST /oauth2/token', `api GET ${base}?paging.limit=100`]);
});
