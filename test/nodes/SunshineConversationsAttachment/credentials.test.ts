/**
 * The two credentials: their test request, run the way n8n's credential tester runs it (a node
 * whose only property routes that request, executed by n8n-core's RoutingNode) against the
 * emulator, and where they point for each region, the node and the test request agreeing.
 */
import type { ICredentialDataDecryptedObject, ICredentialType, IDataObject, INode, INodeType, INodeTypes } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { SunshineConversationsAttachmentApi } from '../../../credentials/SunshineConversationsAttachmentApi.credentials';
import { SunshineConversationsAttachmentJwtApi } from '../../../credentials/SunshineConversationsAttachmentJwtApi.credentials';
import { resolveApiBase } from '../../../nodes/SunshineConversationsAttachment/location';
import { runCredentialTest } from '../../support/credential-test';
import { DEFAULT_ACCOUNT_KEY, DEFAULT_APP_KEY } from '../../../sandbox/sunshine/server';
import type { SunshineKey } from '../../../sandbox/sunshine/server';
import { basicHeader, expectSunshineJwt, header, sunshineCredentials, useSunshineEmulator } from './context';

const server = useSunshineEmulator();

const basic = new SunshineConversationsAttachmentApi();
const jwt = new SunshineConversationsAttachmentJwtApi();

async function testCredential(type: ICredentialType, data: ICredentialDataDecryptedObject) {
	return await runCredentialTest(type, data, [basic, jwt]);
}

describe.each([
	['API key', basic],
	['JWT', jwt],
])('%s credential test', (_name, type) => {
	const expectAuth = (key: SunshineKey) => {
		const authorization = header(server.requests[0], 'authorization');
		if (type === basic) expect(authorization).toBe(basicHeader(key));
		else expectSunshineJwt(authorization, key);
	};

	it('with an app key reads the app the credential names', async () => {
		const result = await testCredential(type, sunshineCredentials(server, DEFAULT_APP_KEY));
		expect(result.error).toBeUndefined();
		expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual([`GET /v2/apps/${DEFAULT_APP_KEY.appId}`]);
		expectAuth(DEFAULT_APP_KEY);
	});

	it('with an account key and no app lists the apps', async () => {
		const result = await testCredential(type, sunshineCredentials(server, DEFAULT_ACCOUNT_KEY, { appId: '' }));
		expect(result.error).toBeUndefined();
		expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual(['GET /v2/apps']);
		expectAuth(DEFAULT_ACCOUNT_KEY);
	});

	it('fails with a wrong secret', async () => {
		const result = await testCredential(type, sunshineCredentials(server, { ...DEFAULT_APP_KEY, secret: 'not-the-secret' }));
		// What the tester turns into "Authorization failed"; n8n sends a request once more after a 401.
		expect((result.error as { httpCode?: string } | undefined)?.httpCode).toBe('401');
		expect(server.requests.every((request) => request.url === `/v2/apps/${DEFAULT_APP_KEY.appId}`)).toBe(true);
	});

	it('fails for an app key without its app (it may not list apps)', async () => {
		const result = await testCredential(type, sunshineCredentials(server, DEFAULT_APP_KEY, { appId: '' }));
		expect((result.error as { httpCode?: string } | undefined)?.httpCode).toBe('403');
		expect(server.requests.map((request) => request.url)).toEqual(['/v2/apps']);
	});

	it('reaches a Zendesk-style base URL with a trailing slash', async () => {
		const result = await testCredential(type, sunshineCredentials(server, DEFAULT_APP_KEY, { baseUrl: `${server.zendeskUrl}/` }));
		expect(result.error).toBeUndefined();
		expect(server.requests[0].url).toBe(`/sc/v2/apps/${DEFAULT_APP_KEY.appId}`);
	});
});

describe('where the credentials point, per region', () => {
	const nodeTypes: INodeTypes = {
		getByName: () => ({ description: { properties: [] } }) as unknown as INodeType,
		getByNameAndVersion: () => ({ description: { properties: [] } }) as unknown as INodeType,
		getKnownTypes: () => ({}) as IDataObject,
	};
	const node: INode = { id: 'n', name: 'Probe', type: 'probe', typeVersion: 1, position: [0, 0], parameters: {} };
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const testBaseUrl = (credentials: ICredentialDataDecryptedObject) =>
		workflow.expression.getSimpleParameterValue(node, basic.test!.request.baseURL!, 'internal', { $credentials: credentials }, undefined, '');

	it.each<[string, ICredentialDataDecryptedObject, string]>([
		['US', { region: 'us', baseUrl: '' }, 'https://api.smooch.io'],
		['EU', { region: 'eu', baseUrl: '' }, 'https://api.eu-1.smooch.io'],
		['a Zendesk subdomain', { region: 'zendesk', subdomain: ' Acme ', baseUrl: '' }, 'https://acme.zendesk.com/sc'],
		['a custom URL', { region: 'custom', baseUrl: 'https://proxy.example.com/sunshine' }, 'https://proxy.example.com/sunshine'],
		['a base URL override over a region', { region: 'eu', baseUrl: ' http://127.0.0.1:4010 ' }, 'http://127.0.0.1:4010'],
	])('%s', (_name, credentials, expected) => {
		expect(resolveApiBase(credentials)).toEqual({ url: expected });
		expect(String(testBaseUrl(credentials)).replace(/\/+$/, '')).toBe(expected);
	});

	it('both credentials test with the same request and are told apart by name', () => {
		expect(jwt.test).toEqual(basic.test);
		expect([basic.name, jwt.name]).toEqual(['sunshineConversationsAttachmentApi', 'sunshineConversationsAttachmentJwtApi']);
		expect(basic.properties.map((property) => property.name)).toEqual(['region', 'subdomain', 'baseUrl', 'baseUrl', 'keyId', 'secret', 'appId']);
		expect(basic.properties.find((property) => property.name === 'secret')?.typeOptions?.password).toBe(true);
	});
});
