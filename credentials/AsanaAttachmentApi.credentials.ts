import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

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

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } },
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ ($credentials.baseUrl || "https://app.asana.com").trim().replace(/\\/+$/, "") + "/api/1.0" }}',
			url: '/users/me',
			qs: { opt_fields: 'name,email' },
		},
	};
}
