import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Xero OAuth2 (authorization code) with the `accounting.attachments` scope, which n8n's built-in
 * Xero credential does not request. Kept apart from it (`xeroOAuth2Api`) on purpose.
 */
export class XeroAttachmentOAuth2Api implements ICredentialType {
	name = 'xeroAttachmentOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Xero Attachment OAuth2 API';

	icon = { light: 'file:../icons/xero.svg', dark: 'file:../icons/xero.dark.svg' } as const;

	documentationUrl = 'https://developer.xero.com/documentation/guides/oauth2/auth-flow';

	properties: INodeProperties[] = [
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: 'https://login.xero.com/identity/connect/authorize',
			required: true,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: 'https://identity.xero.com/connect/token',
			required: true,
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: 'offline_access accounting.attachments',
		},
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'hidden', default: '' },
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'header' },
		{
			displayName: 'Base URL Override',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. http://127.0.0.1:4010',
			description:
				'Leave empty to talk to Xero (https://api.xero.com). Set it to send the requests to a sandbox or proxy instead.',
		},
	];
}
