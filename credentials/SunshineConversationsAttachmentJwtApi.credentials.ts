import type { ICredentialDataDecryptedObject, ICredentialTestRequest, ICredentialType, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { signSunshineJwt } from '../nodes/SunshineConversationsAttachment/jwt';
import { sunshineCredentialProperties, sunshineCredentialTest } from '../nodes/SunshineConversationsAttachment/location';

/**
 * Sunshine Conversations API key used to sign a JWT (HS256, `kid` = key ID, `scope` claim `app`
 * for app keys, `account` for account and service account keys), sent as a Bearer token. The
 * secret itself never leaves n8n.
 */
export class SunshineConversationsAttachmentJwtApi implements ICredentialType {
	name = 'sunshineConversationsAttachmentJwtApi';

	displayName = 'Sunshine Conversations Attachment JWT API';

	icon = { light: 'file:../icons/sunshine.svg', dark: 'file:../icons/sunshine.dark.svg' } as const;

	documentationUrl = 'https://developer.zendesk.com/api-reference/conversations/#section/Introduction/Authentication';

	properties: INodeProperties[] = sunshineCredentialProperties(
		'The secret of the key, shown once when the key is created. It signs the JWT and is never sent.',
	);

	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		const token = signSunshineJwt(String(credentials.keyId ?? '').trim(), String(credentials.secret ?? ''));
		// Set on the request's own headers, as n8n's generic authentication does: the transport
		// reads what a request carried to blank it out of an answer that echoes it.
		requestOptions.headers = Object.assign(requestOptions.headers ?? {}, { Authorization: `Bearer ${token}` });
		return requestOptions;
	}

	test: ICredentialTestRequest = sunshineCredentialTest;
}
