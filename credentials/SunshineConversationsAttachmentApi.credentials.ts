import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

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

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			auth: {
				username: '={{$credentials.keyId}}',
				password: '={{$credentials.secret}}',
			},
		},
	};

	test: ICredentialTestRequest = sunshineCredentialTest;
}
