import type { ICredentialDataDecryptedObject, ICredentialTestRequest, ICredentialType, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { baseUrlOverride } from '../nodes/shared/description';

/**
 * A Wix API key (sent raw in `Authorization`, no "Bearer") with the ID of the site whose
 * contacts it reaches (`wix-site-id`: the Contacts APIs are site-level).
 */
export class WixAttachmentApi implements ICredentialType {
	name = 'wixAttachmentApi';

	displayName = 'Wix Attachment API';

	icon = { light: 'file:../icons/wix.svg', dark: 'file:../icons/wix.dark.svg' } as const;

	documentationUrl = 'https://dev.wix.com/docs/rest/articles/getting-started/api-keys';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'A key made in the Wix API Keys Manager with the "Manage Contact Attachments" and "Read Contacts" permissions (the credential test and the Contact list read contacts)',
		},
		{
			displayName: 'Site ID',
			name: 'siteId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. 5ae1c2b8-0c43-4e36-b0c7-1f7d2a9e6b31',
			description: 'The ID of the site, as it appears after /dashboard/ in the URL of the site\'s dashboard',
		},
		baseUrlOverride(4030, 'Leave empty to talk to Wix (https://www.wixapis.com). Set it to send the requests to a sandbox or proxy instead.'),
	];

	/**
	 * Signs a request: the key as it is in `Authorization`, and the site ID in `wix-site-id`. A function rather than a generic
	 * (expression) authentication: n8n evaluates a generic one's expressions in its expression
	 * runtime for every request, and the header is the same for all of them. Set on the request's
	 * own headers, as n8n's generic authentication does: the transport reads what a request carried to
	 * blank it out of an answer that echoes it.
	 */
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		requestOptions.headers ??= {};
		requestOptions.headers.Authorization = String(credentials.apiKey ?? '');
		requestOptions.headers['wix-site-id'] = String(credentials.siteId ?? '');
		return requestOptions;
	}

	/** Lists one contact (List Contacts, GET /contacts/v4/contacts): the key needs "Read Contacts" (CONTACTS.VIEW). */
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl || "https://www.wixapis.com"}}',
			url: '/contacts/v4/contacts',
			method: 'GET',
			qs: { 'paging.limit': 1 },
		},
	};
}
