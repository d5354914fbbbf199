import type { ICredentialDataDecryptedObject, ICredentialTestRequest, ICredentialType, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { sunshineCredentialProperties, sunshineCredentialTest } from '../nodes/SunshineConversationsAttachment/location';

/**
 * Sunshine Conversations API key sent as HTTP Basic auth: the key ID as user name, its secret as
 * password. Works with app, account and service account keys.
 */
export class SunshineConversationsAttachmentApi implements ICredentialType {
	name = 'sunshineConversationsAttachmentApi';

	displayName = 'Sunshine Conversations Attachment API';

	icon = { light: 'file:../icons/sunshine.svg', dark: 'file:../icons/sunshine.dark.svg' } as const;

	documentationUrl = 'https://developer.zendesk.com/api-reference/conversations/#section/Introduction/Authentication';

	properties: INodeProperties[] = sunshineCredentialProperties(
		'The secret of the key, shown once when the key is created. Sent as the Basic auth password.',
	);

	/**
	 * Signs a request: HTTP Basic auth, the key ID as user name and its secret as password. A function rather than a generic
	 * (expression) authentication: n8n evaluates a generic one's expressions in its expression
	 * runtime for every request, and the header is the same for all of them. Set on the request's
	 * own `auth` option, as n8n's generic authentication does: the transport reads what a request carried to
	 * blank it out of an answer that echoes it.
	 */
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		requestOptions.auth = { username: String(credentials.keyId ?? ''), password: String(credentials.secret ?? '') };
		return requestOptions;
	}

	test: ICredentialTestRequest = sunshineCredentialTest;
}
