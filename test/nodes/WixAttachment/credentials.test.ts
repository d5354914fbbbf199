/**
 * The two credentials: what they declare, and their test requests run the way n8n's credential
 * tester runs them (a declarative node whose only request is the test request, through
 * n8n-core's RoutingNode, signed by the credential) against the emulator.
 */
import { Readable } from 'node:stream';

import type { ICredentialDataDecryptedObject, ICredentialType, IHttpRequestOptions } from 'n8n-workflow';

import { WixAttachmentApi } from '../../../credentials/WixAttachmentApi.credentials';
import { WixAttachmentAppOAuthApi } from '../../../credentials/WixAttachmentAppOAuthApi.credentials';
import { WixAttachment } from '../../../nodes/WixAttachment/WixAttachment.node';
import { runCredentialTest } from '../../support/credential-test';
import { logsText } from '../../support/n8n-harness';
import { DEFAULT_API_KEY, DEFAULT_APP, DEFAULT_INSTANCE_ID, DEFAULT_SITE_ID } from '../../../sandbox/wix/server';
import { API_KEY_CREDENTIAL, APP_CREDENTIAL, SECRETS, apiKeyCredentials, appCredentials, header, useWixEmulator } from './context';

/** A credential's `authenticate` as a function (not a generic, expression one). */
type Signer = (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions) => Promise<IHttpRequestOptions>;

const server = useWixEmulator();

const apiKey = new WixAttachmentApi();
const app = new WixAttachmentAppOAuthApi();

async function runTest(credential: ICredentialType, data: Record<string, unknown>) {
	return await runCredentialTest(credential, data as ICredentialDataDecryptedObject, [apiKey, app]);
}

describe('Wix Attachment API (API key)', () => {
	it('is named apart from n8n’s own credentials and keeps the key secret', () => {
		expect(apiKey.name).toBe(API_KEY_CREDENTIAL);
		expect(apiKey.properties.map((p) => [p.name, p.type, p.typeOptions?.password ?? false, p.default])).toEqual([
			['apiKey', 'string', true, ''],
			['siteId', 'string', false, ''],
			['baseUrl', 'string', false, ''],
		]);
		expect(apiKey.authenticate).toEqual(expect.any(Function));
	});

	it('signs a request with the raw key and the site ID, on the request\'s own headers', async () => {
		const headers = { Accept: 'application/json' };
		const signed = await (apiKey.authenticate as Signer)({ apiKey: 'IST.key-1', siteId: 'site-1' }, { url: '/x', headers });
		expect(signed.headers).toBe(headers);
		expect(headers).toEqual({ Accept: 'application/json', Authorization: 'IST.key-1', 'wix-site-id': 'site-1' });
	});

	it('its test request lists one contact, with the raw key and the site ID', async () => {
		const result = await runTest(apiKey, apiKeyCredentials(server));
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ contacts: [{ id: expect.any(String) }], pagingMetadata: { count: 1 } });
		expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /contacts/v4/contacts?paging.limit=1']);
		expect(header(server.requests[0], 'authorization')).toBe(DEFAULT_API_KEY);
		expect(header(server.requests[0], 'wix-site-id')).toBe(DEFAULT_SITE_ID);
	});

	it('its test request fails for a wrong key', async () => {
		const result = await runTest(apiKey, { ...apiKeyCredentials(server), apiKey: 'IST.wrong' });
		// n8n's credential test says so in its own words; Wix's 401 code is the description.
		expect(result.error).toMatchObject({ message: 'Authorization failed - please check your credentials', httpCode: '401', description: 'UNAUTHENTICATED' });
		expect(server.requests.length).toBeGreaterThan(0);
		for (const request of server.requests) {
			expect(`${request.method} ${request.url}`).toBe('GET /contacts/v4/contacts?paging.limit=1');
			expect(header(request, 'authorization')).toBe('IST.wrong');
		}
	});
});

describe('Wix Attachment App OAuth API', () => {
	it('keeps the secret and the token secret, the token in an expirable field', () => {
		expect(app.name).toBe(APP_CREDENTIAL);
		expect(app.properties.map((p) => [p.name, p.type, p.typeOptions?.password ?? false])).toEqual([
			['appId', 'string', false],
			['appSecret', 'string', true],
			['instanceId', 'string', false],
			['baseUrl', 'string', false],
			['accessToken', 'hidden', true],
		]);
		expect(app.properties.find((p) => p.name === 'accessToken')!.typeOptions!.expirable).toBe(true);
		expect(app.authenticate).toEqual(expect.any(Function));
	});

	it('signs a request with the token as it is, on the request\'s own headers', async () => {
		const headers = {};
		const signed = await (app.authenticate as Signer)({ accessToken: 'OAUTH2.token-1' }, { url: '/x', headers });
		expect(signed.headers).toBe(headers);
		expect(headers).toEqual({ Authorization: 'OAUTH2.token-1' });
	});

	it('preAuthentication posts the client-credentials JSON to /oauth2/token and returns the token', async () => {
		const calls: unknown[] = [];
		const helpers = {
			helpers: {
				httpRequest: async (options: unknown) => {
					calls.push(options);
					return { statusCode: 200, headers: {}, body: Readable.from([JSON.stringify({ access_token: 'OauthNG.JWS.abc', token_type: 'Bearer', expires_in: 14400 })]) };
				},
			},
		};
		const output = await app.preAuthentication!.call(helpers as never, {
			appId: ` ${DEFAULT_APP.appId} `,
			appSecret: DEFAULT_APP.appSecret,
			instanceId: DEFAULT_INSTANCE_ID,
			baseUrl: '',
			accessToken: '',
		});
		expect(output).toEqual({ accessToken: 'OauthNG.JWS.abc' });
		expect(calls).toEqual([
			{
				method: 'POST',
				url: 'https://www.wixapis.com/oauth2/token',
				body: { grant_type: 'client_credentials', client_id: DEFAULT_APP.appId, client_secret: DEFAULT_APP.appSecret, instance_id: DEFAULT_INSTANCE_ID },
				headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
				// Read with a bound from a stream; no redirect followed (the request carries the secret).
				encoding: 'stream',
				returnFullResponse: true,
				disableFollowRedirect: true,
				sendCredentialsOnCrossOriginRedirect: false,
			},
		]);
	});

	it('preAuthentication fails clearly when Wix gives no token', async () => {
		const helpers = { helpers: { httpRequest: async () => ({ statusCode: 200, headers: {}, body: Readable.from(['{"token_type":"Bearer"}']) }) } };
		await expect(app.preAuthentication!.call(helpers as never, { appId: 'a', appSecret: 'b', instanceId: 'c' })).rejects.toThrow(
			'Wix answered the token request without an access token',
		);
	});

	it('its test request gets a token first, then lists one contact with it', async () => {
		const result = await runTest(app, appCredentials(server));
		expect(result.error).toBeUndefined();
		expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /oauth2/token', 'GET /contacts/v4/contacts?paging.limit=1']);
		const token = result.credentialsStore[APP_CREDENTIAL].accessToken as string;
		expect(server.acceptedTokens()).toEqual([token]);
		expect(header(server.requests[1], 'authorization')).toBe(token);
	});

	it('its test request fails for a wrong secret without showing it', async () => {
		const result = await runTest(app, appCredentials(server, { appSecret: 'wrong-secret-9f2d' }));
		// Refused at the token endpoint: no contact is asked for.
		expect(result.error).toMatchObject({ message: 'Authorization failed - please check your credentials', httpCode: '401' });
		expect(server.requests.length).toBeGreaterThan(0);
		expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(server.requests.map(() => 'POST /oauth2/token'));
		expect(server.acceptedTokens()).toEqual([]);
		const visible = JSON.stringify({ message: result.error!.message, items: result.items }) + logsText(result.logs);
		for (const secret of [...SECRETS, 'wrong-secret-9f2d']) expect(visible).not.toContain(secret);
	});
});

describe('the node', () => {
	const { description } = new WixAttachment();

	it('offers each credential under its Authentication choice', () => {
		expect(description.credentials).toEqual([
			{ name: API_KEY_CREDENTIAL, required: true, displayOptions: { show: { authentication: ['apiKey'] } } },
			{ name: APP_CREDENTIAL, required: true, displayOptions: { show: { authentication: ['appOAuth'] } } },
		]);
		const authentication = description.properties.find((p) => p.name === 'authentication')!;
		expect(authentication.default).toBe('apiKey');
		expect(authentication.options!.map((o) => ('value' in o ? o.value : undefined))).toEqual(['apiKey', 'appOAuth']);
	});

	it('follows n8n’s conventions', () => {
		expect(description).toMatchObject({
			name: 'wixAttachment',
			displayName: 'Wix Attachment',
			usableAsTool: true,
			icon: { light: 'file:../../icons/wix.svg', dark: 'file:../../icons/wix.dark.svg' },
			// In words ("Get Many: Contact Attachment"): test/unit/node-descriptions.test.ts evaluates it.
			subtitle: expect.stringMatching(/^=\{\{.*\}\}$/),
			documentationUrl: expect.stringMatching(/^https:\/\/dev\.wix\.com\/docs\//),
		});
		expect(apiKey.documentationUrl).toMatch(/^https:\/\/dev\.wix\.com\/docs\//);
		expect(app.documentationUrl).toMatch(/^https:\/\/dev\.wix\.com\/docs\//);
		const operation = description.properties.find((p) => p.name === 'operation')!;
		expect(operation.options!.map((o) => ('value' in o ? o.value : undefined))).toEqual(['delete', 'get', 'getAll', 'upload']);
		const limit = description.properties.find((p) => p.name === 'limit')!;
		expect(limit.default).toBe(50);
		const binaryFields = description.properties.filter((p) => p.name === 'binaryPropertyName');
		expect(binaryFields.map((p) => [p.displayName, p.default])).toEqual([
			['Put Output File in Field', 'data'],
			['Input Binary Field', 'data'],
		]);
		for (const property of description.properties.filter((p) => p.type === 'boolean')) {
			expect(property.description).toMatch(/^Whether /);
		}
	});
});
