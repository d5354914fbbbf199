import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** The scopes of each Access choice: attachments read and written, or read only (least privilege for Get and Get Many). */
export const XERO_SCOPES = {
	readWrite: 'offline_access accounting.attachments',
	read: 'offline_access accounting.attachments.read',
} as const;

/**
 * Xero OAuth2 (authorization code) asking for the attachment scopes only: read and write, or read
 * only. Kept apart from n8n's built-in Xero credential (`xeroOAuth2Api`), which asks for the
 * scopes of n8n's own Xero node.
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
			displayName: 'Access',
			name: 'access',
			type: 'options',
			options: [
				{ name: 'Read and Write', value: 'readWrite', description: `Get, Get Many and Upload (${XERO_SCOPES.readWrite})` },
				{ name: 'Read Only', value: 'read', description: `Get and Get Many only (${XERO_SCOPES.read}): uploads are refused by Xero` },
			],
			default: 'readWrite',
			description: "What the connection may do with documents' attachments. Reconnect after changing it.",
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: `={{ $self["access"] === "read" ? "${XERO_SCOPES.read}" : "${XERO_SCOPES.readWrite}" }}`,
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
