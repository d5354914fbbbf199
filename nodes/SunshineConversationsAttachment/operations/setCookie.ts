/**
 * Set Cookie: `GET /v2/apps/{appId}/attachments/cookie`, authorized by a media token (Bearer)
 * instead of the API key, so the request is sent without the credential. Sunshine answers with
 * the cookie that opens the token's path; the node outputs it. Only API v12.8.0 and earlier
 * document this call; newer versions dropped it.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { forOperation } from '../../shared/description';
import type { OperationInput, OperationSpec, ResponseMeta } from '../../shared/transport';
import { appIdField } from '../provider';

/** Besides App, Options and the notice of the legacy calls, which several operations show (see description/index.ts). */
export const description: INodeProperties[] = forOperation({ operation: ['setCookie'] }, [
	{
		displayName: 'Media Token',
		name: 'mediaToken',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '',
		description: 'A token from Generate Media Token. It authorizes this request instead of the API key.',
	},
]);

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** `Bearer <token>` from the Media Token parameter (a pasted "Bearer " prefix is dropped). */
function bearer({ ctx, itemIndex }: OperationInput): string | undefined {
	const raw = ctx.getNodeParameter('mediaToken', itemIndex, '') as unknown;
	// Anything but text is refused by the executor ("expected text").
	if (typeof raw !== 'string') return raw as string | undefined;
	const token = raw.trim().replace(/^Bearer\s+/i, '');
	return token ? `Bearer ${token}` : undefined;
}

function cookiesOf(body: unknown, response: ResponseMeta): IDataObject[] {
	const cookies = (response.headers['set-cookie'] ?? '').split('\n').map((cookie) => cookie.trim()).filter(Boolean);
	const json: IDataObject = typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...(body as IDataObject) } : {};
	json.cookies = cookies;
	// Ready for a `Cookie` header of a later request for the media.
	json.cookie = cookies.map((cookie) => cookie.split(';')[0].trim()).join('; ');
	return [json];
}

export const setCookieOperation: OperationSpec = {
	method: 'GET',
	path: '/v2/apps/{appId}/attachments/cookie',
	fields: [
		appIdField,
		{
			in: 'header',
			name: 'Authorization',
			label: 'Media Token',
			compute: bearer,
			required: true,
			validate: (value) =>
				JWT.test(String(value).slice('Bearer '.length))
					? undefined
					: 'it is not a media token (a JWT of three dot-separated parts, as Generate Media Token returns)',
		},
	],
	response: { kind: 'json', items: (body, _input, response) => cookiesOf(body, response) },
	idempotent: true,
	// The media token is the authorization: the API key must not be sent with it.
	anonymous: true,
};
