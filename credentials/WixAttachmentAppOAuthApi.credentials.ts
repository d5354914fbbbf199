import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';

const WIX_API = 'https://www.wixapis.com';

function setting(credentials: ICredentialDataDecryptedObject, name: string): string {
	const value = credentials[name];
	return typeof value === 'string' ? value.trim() : '';
}

/**
 * A Wix app's identity on one site: the app ID and secret and the app's instance ID on the site
 * are exchanged (`POST /oauth2/token`, grant type client_credentials) for an access token that
 * expires after 4 hours. The token is kept in an expirable field, so n8n asks for a new one when
 * it is missing or Wix answers 401, and it is sent raw in `Authorization`.
 */
export class WixAttachmentAppOAuthApi implements ICredentialType {
	name = 'wixAttachmentAppOAuthApi';

	displayName = 'Wix Attachment App OAuth API';

	icon = { light: 'file:../icons/wix.svg', dark: 'file:../icons/wix.dark.svg' } as const;

	documentationUrl = 'https://dev.wix.com/docs/build-apps/build-your-app/authentication/use-oauth';

	properties: INodeProperties[] = [
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			required: true,
			default: '',
			description: 'On the OAuth page of the app in the Wix app dashboard',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'On the OAuth page of the app in the Wix app dashboard',
		},
		{
			displayName: 'Instance ID',
			name: 'instanceId',
			type: 'string',
			required: true,
			default: '',
			description: 'The ID of the app\'s installation on the site whose contacts to reach',
		},
		{
			displayName: 'Base URL Override',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. http://127.0.0.1:4030',
			description:
				'Leave empty to talk to Wix (https://www.wixapis.com). Set it to send the requests, the token request included, to a sandbox or proxy instead.',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
		const base = (setting(credentials, 'baseUrl') || WIX_API).replace(/\/+$/, '');
		const response = (await this.helpers.httpRequest({
			method: 'POST',
			url: `${base}/oauth2/token`,
			body: {
				grant_type: 'client_credentials',
				client_id: setting(credentials, 'appId'),
				client_secret: setting(credentials, 'appSecret'),
				instance_id: setting(credentials, 'instanceId'),
			},
			json: true,
		})) as { access_token?: unknown } | undefined;
		if (typeof response?.access_token !== 'string' || response.access_token === '') {
			throw new Error('Wix answered the token request without an access token');
		}
		return { accessToken: response.access_token };
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { Authorization: '={{$credentials.accessToken}}' },
		},
	};

	/** Lists one contact with a freshly made token. */
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl || "https://www.wixapis.com"}}',
			url: '/contacts/v4/contacts',
			method: 'GET',
			qs: { 'paging.limit': 1 },
		},
	};
}
