/** Pickers: the organizations (tenants) the connected Xero user has granted access to. */
import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { sendRequest } from '../../shared/transport';
import { XERO_CREDENTIAL_TYPE, xeroHost, xeroProvider } from '../provider';

interface XeroConnection {
	tenantId?: string;
	tenantName?: string;
	tenantType?: string;
}

export async function searchTenants(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const response = await sendRequest(
		this,
		xeroProvider,
		{ method: 'GET', url: `${await xeroHost(this)}/Connections`, idempotent: true, credentialType: XERO_CREDENTIAL_TYPE },
		0,
	);
	const connections = Array.isArray(response.body) ? (response.body as XeroConnection[]) : [];
	const needle = filter?.trim().toLowerCase();
	const results = connections
		.filter((connection) => connection.tenantId && (connection.tenantType ?? 'ORGANISATION') === 'ORGANISATION')
		.map((connection) => ({ name: connection.tenantName || connection.tenantId!, value: connection.tenantId! }))
		.filter((result) => !needle || result.name.toLowerCase().includes(needle) || result.value.includes(needle))
		.sort((a, b) => a.name.localeCompare(b.name));
	return { results };
}
