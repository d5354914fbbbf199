/**
 * The Organization picker lists the tenants of GET /connections, signed by the credential,
 * through n8n-core's real LoadOptionsContext.
 */
import { XeroAttachmentOAuth2Api } from '../../../credentials/XeroAttachmentOAuth2Api.credentials';
import { XeroAttachment } from '../../../nodes/XeroAttachment/XeroAttachment.node';
import { runListSearch } from '../../support/n8n-harness';
import { DEFAULT_ACCESS_TOKEN } from '../../../sandbox/xero/server';
import { NODE_TYPE, header, xeroCredentials, useXeroEmulator } from './context';

const tenants = [
	{ tenantId: '2f4c1a6e-7b3d-4e9a-8c5f-1d2e3f4a5b6c', tenantName: 'Zeta Trading Ltd' },
	{ tenantId: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d', tenantName: 'Acme Holdings' },
];
const server = useXeroEmulator({ tenants });

const search = async (filter?: string) =>
	(
		await runListSearch({
			nodeTypes: [new XeroAttachment()],
			credentialTypes: [new XeroAttachmentOAuth2Api()],
			node: { type: NODE_TYPE, parameters: { resource: 'invoice', operation: 'getAll' } },
			credentials: { xeroAttachmentOAuth2Api: xeroCredentials(server) },
			method: 'searchTenants',
			filter,
		})
	).result;

it('lists the connected organizations by name', async () => {
	expect(await search()).toEqual({
		results: [
			{ name: 'Acme Holdings', value: tenants[1].tenantId },
			{ name: 'Zeta Trading Ltd', value: tenants[0].tenantId },
		],
	});
	expect(server.requests).toHaveLength(1);
	expect(server.requests[0].path).toBe('/Connections'); // the spec's casing
	expect(header(server.requests[0], 'authorization')).toBe(`Bearer ${DEFAULT_ACCESS_TOKEN}`);
});

it('filters by the typed text', async () => {
	expect((await search('zeta')).results.map((result) => result.name)).toEqual(['Zeta Trading Ltd']);
});
