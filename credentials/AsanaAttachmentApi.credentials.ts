import type { ICredentialDataDecryptedObject, ICredentialTestRequest, ICredentialType, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { baseUrlOverride } from '../nodes/shared/description';

/**
 * An Asana personal access token, sent as a Bearer token. Kept apart from n8n's built-in Asana
 * credential (`asanaApi`) so that this package's nodes never ask for it.
 */
export class AsanaAttachmentApi implements ICredentialType {
	name = 'asanaAttachmentApi';

	displayName = 'Asana Attachment API';

	icon = { light: 'file:../icons/asana.svg', dark: 'file:../icons/asana.dark.svg' } as const;

	documentationUrl = 'https://developers.asana.com/docs/personal-access-token';

	properties: INodeProperties[] = [
		{
			displayName: 'Personal Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Create one in Asana under My Settings → Apps → Developer console → Create new token',
		},
		baseUrlOverride(4020, 'Leave empty to talk to Asana (https://app.asana.com). Set it to send the requests to a sandbox or proxy instead; /api/1.0 is added to it.'),
	];

	/**
	 * Signs a request: the token as a Bearer token in `Authorization`. A function rather than a generic
	 * (expression) authentication: n8n evaluates a generic one's expressions in its expression
	 * runtime for every request, and the header is the same for all of them. Set on the request's
	 * own headers, as n8n's generic authentication does: the transport reads what a request carried to
	 * blank it out of an answer that echoes it.
	 */
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		requestOptions.headers ??= {};
		requestOptions.headers.Authorization = `Bearer ${String(credentials.accessToken ?? '')}`;
		return requestOptions;
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ ($credentials.baseUrl || "https://app.asana.com").trim().replace(/\\/+$/, "") + "/api/1.0" }}',
			url: '/users/me',
			qs: { opt_fields: 'name,email' },
		},
	};
}
