/**
 * The two credentials and the node's description: names apart from n8n's built-in Asana
 * credentials, the token credential's test request (resolved with n8n's expression engine and
 * sent to the emulator), the OAuth2 endpoints and scopes, icons, codex and n8n conventions.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Workflow } from 'n8n-workflow';
import type { ICredentialDataDecryptedObject, IHttpRequestOptions, INode, INodeProperties, INodeTypes } from 'n8n-workflow';

import { AsanaAttachmentApi } from '../../../credentials/AsanaAttachmentApi.credentials';
import { AsanaAttachmentOAuth2Api } from '../../../credentials/AsanaAttachmentOAuth2Api.credentials';
import { AsanaAttachment } from '../../../nodes/AsanaAttachment/AsanaAttachment.node';
import { DEFAULT_PERSONAL_ACCESS_TOKEN, DEFAULT_USER } from '../../../sandbox/asana/server';
import { runCredentialTest } from '../../support/credential-test';
import { header, tokenCredentials, useAsanaEmulator } from './context';

const root = path.resolve(__dirname, '../../..');
const node = new AsanaAttachment();

/** Resolves a credential expression the way n8n does for `authenticate` and `test`. */
function resolver(credentials: ICredentialDataDecryptedObject) {
	const nodeTypes: INodeTypes = {
		getByName: () => node,
		getByNameAndVersion: () => node,
		getKnownTypes: () => ({}),
	};
	const owner: INode = { id: 'n', name: 'Asana Attachment', type: 'n8n-nodes-attachments.asanaAttachment', typeVersion: 1, position: [0, 0], parameters: {} };
	const workflow = new Workflow({ nodes: [owner], connections: {}, active: false, nodeTypes });
	return (value: string) => String(workflow.expression.getSimpleParameterValue(owner, value, 'internal', { $credentials: credentials }, undefined, ''));
}

describe('Asana Attachment API (personal access token)', () => {
	const type = new AsanaAttachmentApi();
	const server = useAsanaEmulator();

	it('is its own credential type, with a password field and an empty Base URL Override', () => {
		expect(type.name).toBe('asanaAttachmentApi');
		expect(type.name).not.toBe('asanaApi');
		expect(type.properties.find((p) => p.name === 'accessToken')).toMatchObject({ type: 'string', typeOptions: { password: true }, required: true });
		expect(type.properties.find((p) => p.name === 'baseUrl')).toMatchObject({ type: 'string', default: '' });
		expect(type.documentationUrl).toMatch(/^https:\/\/developers\.asana\.com\//);
	});

	it('signs requests with the token as a Bearer token, on the request\'s own headers', async () => {
		const headers = { Accept: 'application/json' };
		const signed = await type.authenticate({ accessToken: 'pat-123' }, { url: '/x', headers });
		expect(signed.headers).toBe(headers);
		expect(headers).toEqual({ Accept: 'application/json', Authorization: 'Bearer pat-123' });
	});

	it('tests GET /users/me on Asana, or on the override', () => {
		const request = type.test.request as IHttpRequestOptions;
		expect(resolver({ accessToken: 't', baseUrl: '' })(request.baseURL!)).toBe('https://app.asana.com/api/1.0');
		expect(resolver({ accessToken: 't', baseUrl: ' http://127.0.0.1:4020/ ' })(request.baseURL!)).toBe('http://127.0.0.1:4020/api/1.0');
		expect(request.url).toBe('/users/me');
	});

	it('its test request, run as n8n\'s credential tester runs it, reads the user with the token as a Bearer token', async () => {
		const result = await runCredentialTest(type, tokenCredentials(server));
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ data: { gid: DEFAULT_USER.gid } });
		expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /api/1.0/users/me?opt_fields=name%2Cemail']);
		expect(header(server.requests[0], 'authorization')).toBe(`Bearer ${DEFAULT_PERSONAL_ACCESS_TOKEN}`);
	});

	it('its test request fails for a wrong token, which went as a Bearer token', async () => {
		const result = await runCredentialTest(type, tokenCredentials(server, '2/0/0:not-a-token'));
		expect(result.error).toMatchObject({ message: 'Authorization failed - please check your credentials', httpCode: '401' });
		expect(server.requests.length).toBeGreaterThan(0);
		for (const request of server.requests) {
			expect(`${request.method} ${request.url}`).toBe('GET /api/1.0/users/me?opt_fields=name%2Cemail');
			expect(header(request, 'authorization')).toBe('Bearer 2/0/0:not-a-token');
		}
	});
});

describe('Asana Attachment OAuth2 API', () => {
	const type = new AsanaAttachmentOAuth2Api();
	const value = (name: string) => type.properties.find((p) => p.name === name)?.default;

	it("extends n8n's OAuth2 with Asana's endpoints and the scopes the node needs", () => {
		expect(type.name).toBe('asanaAttachmentOAuth2Api');
		expect(type.name).not.toBe('asanaOAuth2Api');
		expect(type.extends).toEqual(['oAuth2Api']);
		expect(value('grantType')).toBe('authorizationCode');
		expect(value('authUrl')).toBe('https://app.asana.com/-/oauth_authorize');
		expect(value('accessTokenUrl')).toBe('https://app.asana.com/-/oauth_token');
		// The scope is an expression of the App Permissions choice, as n8n evaluates it with $self.
		const scopeFor = (permissions: string) => new Function('$self', `return ${String(value('scope')).slice(3, -2)}`)({ permissions }) as string;
		expect(scopeFor('granular').split(' ').sort()).toEqual(
			['attachments:delete', 'attachments:read', 'attachments:write', 'workspaces.typeahead:read', 'workspaces:read', 'webhooks:read', 'webhooks:write', 'webhooks:delete'].sort(),
		);
		expect(scopeFor('full')).toBe('default');
		expect(value('permissions')).toBe('granular');
		expect(value('authentication')).toBe('body');
		expect(type.properties.find((p) => p.name === 'baseUrl')).toMatchObject({ type: 'string', default: '' });
	});
});

describe('node description', () => {
	const description = node.description;
	const property = (name: string, operation?: string): INodeProperties | undefined =>
		description.properties.find((p) => p.name === name && (!operation || (p.displayOptions?.show?.operation as string[] | undefined)?.includes(operation)));

	it('follows n8n conventions', () => {
		expect(description.name).toBe('asanaAttachment');
		expect(description.usableAsTool).toBe(true);
		expect(description.documentationUrl).toBe('https://developers.asana.com/reference/attachments');
		// In words ("Get: Attachment"): test/unit/node-descriptions.test.ts evaluates it.
		expect(description.subtitle).toMatch(/^=\{\{.*"Get Many".*\}\}$/);
		expect(description.credentials).toEqual([
			{ name: 'asanaAttachmentApi', required: true, displayOptions: { show: { authentication: ['accessToken'] } } },
			{ name: 'asanaAttachmentOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
		]);
		expect(property('operation')!.options!.map((o) => (o as { name: string }).name)).toEqual(['Delete', 'Get', 'Get Many', 'Upload']);
		expect(property('limit')).toMatchObject({ default: 50 });
		expect(property('binaryPropertyName', 'upload')).toMatchObject({ displayName: 'Input Binary Field', default: 'data' });
		expect(property('binaryPropertyName', 'get')).toMatchObject({ displayName: 'Put Output File in Field', default: 'data' });
		const booleans = description.properties.flatMap((p) => [p, ...((p.options ?? []) as INodeProperties[])]).filter((p) => p.type === 'boolean');
		expect(booleans.length).toBeGreaterThanOrEqual(3);
		for (const boolean of booleans) expect(boolean.description).toMatch(/^Whether /);
		expect(property('parent')!.modes!.map((mode) => mode.name)).toEqual(['list', 'url', 'id']);
	});

	it('has light and dark icons of its own, and a Productivity codex with documentation', () => {
		const icon = description.icon as { light: string; dark: string };
		for (const file of [icon.light, icon.dark]) {
			const svg = fs.readFileSync(path.resolve(root, 'nodes/AsanaAttachment', file.replace(/^file:/, '')), 'utf8');
			expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 64 64"/);
		}
		const codex = JSON.parse(fs.readFileSync(path.join(root, 'nodes/AsanaAttachment/AsanaAttachment.node.json'), 'utf8'));
		expect(codex).toMatchObject({ node: 'n8n-nodes-attachments.asanaAttachment', categories: ['Productivity'] });
		expect(codex.resources.primaryDocumentation[0].url).toBe('https://developers.asana.com/reference/attachments');
	});
});
