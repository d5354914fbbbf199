import { BodyTooLargeError, readBoundedText } from '../nodes/shared/transport/bounded';
import { RedirectRefusedError, isRedirect } from '../nodes/shared/transport/redirects';
import { whereOf } from '../nodes/shared/transport/url-guard';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { baseUrlOverride } from '../nodes/shared/description';

const WIX_API = 'https://www.wixapis.com';

/** A token answer is a few hundred bytes. */
const TOKEN_ANSWER_LIMIT = 64 * 1024;

function setting(credentials: ICredentialDataDecryptedObject, name: string): string {
	const value = credentials[name];
	return typeof value === 'string' ? value.trim() : '';
}

/**
 * A Wix app's identity on one site: the app ID and secret and the app's instance ID on the site
 * are exchanged (`POST /oauth2/token`, grant type client_credentials) for an access token that
 * expires after 4 hours. The token is kept in an expirable field, so n8n asks for a new one when
 * it is missing or Wix answers 401, and it is sent raw in `Authorization`. The token request
 * carries the app secret: it follows no redirect (a 307 would replay it, secret and all, to
 * wherever the Location points) and its answer is read with a bound.
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
		baseUrlOverride(4030, 'Leave empty to talk to Wix (https://www.wixapis.com). Set it to send the requests, the token request included, to a sandbox or proxy instead.'),
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
		let response: { statusCode: number; body: Parameters<typeof readBoundedText>[0] };
		try {
			response = (await this.helpers.httpRequest({
				method: 'POST',
				url: `${base}/oauth2/token`,
				body: {
					grant_type: 'client_credentials',
					client_id: setting(credentials, 'appId'),
					client_secret: setting(credentials, 'appSecret'),
					instance_id: setting(credentials, 'instanceId'),
				},
				headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
				encoding: 'stream',
				returnFullResponse: true,
				disableFollowRedirect: true,
				sendCredentialsOnCrossOriginRedirect: false,
			})) as typeof response;
		} catch (error) {
			// A redirect comes back as an error (redirects are not followed): refuse it, naming only the host.
			const answer = (error as { response?: { status?: number; headers?: Record<string, unknown> } }).response;
			const location = answer?.headers?.location;
			if (answer?.status !== undefined && isRedirect(answer.status, typeof location === 'string' ? location : undefined)) {
				throw new RedirectRefusedError(answer.status, whereOf(new URL(String(location), base).href), 'the token request carries the app secret, which goes only to the host the credential names');
			}
			throw error;
		}
		let answer: { access_token?: unknown } | undefined;
		try {
			answer = JSON.parse(await readBoundedText(response.body, TOKEN_ANSWER_LIMIT, 'a token answer may be')) as typeof answer;
		} catch (error) {
			if (error instanceof BodyTooLargeError) throw error;
			answer = undefined;
		}
		if (typeof answer?.access_token !== 'string' || answer.access_token === '') {
			throw new Error('Wix answered the token request without an access token');
		}
		return { accessToken: answer.access_token };
	}

	/**
	 * Signs a request: the token as it is in `Authorization`. A function rather than a generic
	 * (expression) authentication: n8n evaluates a generic one's expressions in its expression
	 * runtime for every request, and the header is the same for all of them. Set on the request's
	 * own headers, as n8n's generic authentication does: the transport reads what a request carried
	 * to blank it out of an answer that echoes it.
	 */
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		requestOptions.headers ??= {};
		requestOptions.headers.Authorization = String(credentials.accessToken ?? '');
		return requestOptions;
	}

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
