import type { ICredentialType, INodeProperties } from 'n8n-workflow';

import { authorizationCodeFields, baseUrlOverride } from '../nodes/shared/description';

/**
 * What an Asana app is registered for decides what it may ask: granular scopes (the attachment
 * scopes, what the parent picker reads: workspaces and their typeahead search, and the webhooks the
 * Asana Attachment Trigger registers, lists and removes: `webhooks:write`, `webhooks:read`,
 * `webhooks:delete`) or, for an app registered for "Full permissions", only `default`. Asana
 * refuses the other (the two are exclusive).
 */
export const ASANA_SCOPES = {
	granular:
		'attachments:read attachments:write attachments:delete workspaces:read workspaces.typeahead:read webhooks:read webhooks:write webhooks:delete',
	full: 'default',
} as const;

/**
 * Asana OAuth2 (authorization code), with the scopes the app's registration allows. Kept apart
 * from n8n's built-in Asana credential (`asanaOAuth2Api`) on purpose.
 */
export class AsanaAttachmentOAuth2Api implements ICredentialType {
	name = 'asanaAttachmentOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Asana Attachment OAuth2 API';

	icon = { light: 'file:../icons/asana.svg', dark: 'file:../icons/asana.dark.svg' } as const;

	documentationUrl = 'https://developers.asana.com/docs/oauth';

	properties: INodeProperties[] = [
		...authorizationCodeFields('https://app.asana.com/-/oauth_authorize', 'https://app.asana.com/-/oauth_token'),
		{
			displayName: 'App Permissions',
			name: 'permissions',
			type: 'options',
			options: [
				{ name: 'Granular Scopes', value: 'granular', description: `An app registered for scopes: asks for ${ASANA_SCOPES.granular}` },
				{ name: 'Full Permissions', value: 'full', description: 'An app registered for "Full permissions" (it may not ask for single scopes)' },
			],
			default: 'granular',
			description: 'How the Asana app is registered in the developer console (OAuth → Permission scopes). Asana refuses the connection when this does not match.',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: `={{ $self["permissions"] === "full" ? "${ASANA_SCOPES.full}" : "${ASANA_SCOPES.granular}" }}`,
		},
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'hidden', default: '' },
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'body' },
		baseUrlOverride(4020, 'Leave empty to talk to Asana (https://app.asana.com). Set it to send the API requests to a sandbox or proxy instead; /api/1.0 is added to it.'),
	];
}
