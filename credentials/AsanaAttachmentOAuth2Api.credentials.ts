import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Asana OAuth2 (authorization code). Asks for the attachment scopes and what the node's parent
 * picker reads (workspaces and their typeahead search). Kept apart from n8n's built-in Asana
 * credential (`asanaOAuth2Api`) on purpose.
 */
export class AsanaAttachmentOAuth2Api implements ICredentialType {
	name = 'asanaAttachmentOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Asana Attachment OAuth2 API';

	icon = { light: 'file:../icons/asana.svg', dark: 'file:../icons/asana.dark.svg' } as const;

	documentationUrl = 'https://developers.asana.com/docs/oauth';

	properties: INodeProperties[] = [
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: 'https://app.asana.com/-/oauth_authorize',
			required: true,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: 'https://app.asana.com/-/oauth_token',
			required: true,
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: 'attachments:read attachments:write attachments:delete workspaces:read workspaces.typeahead:read',
		},
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'hidden', default: '' },
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'body' },
		{
			displayName: 'Base URL Override',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. http://127.0.0.1:4020',
			description:
				'Leave empty to talk to Asana (https://app.asana.com). Set it to send the API requests to a sandbox or proxy instead; /api/1.0 is added to it.',
		},
	];
}
