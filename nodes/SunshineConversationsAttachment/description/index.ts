/**
 * The parameters of the Sunshine Conversations Attachment node, in the order the panel shows
 * them: Authentication, Resource and Operation, those several operations show, then each
 * operation's own (in operations/<op>.ts).
 */
import type { INodeProperties } from 'n8n-workflow';

import { attachmentResource, credentialsByAuthentication, idMode, listPicker, onlyForOwnOperations, operationSubtitle, timeoutOnlyOptions } from '../../shared/description';
import { description as deleteParameters } from '../operations/delete';
import { description as generateMediaTokenParameters } from '../operations/generateMediaToken';
import { description as setCookieParameters } from '../operations/setCookie';
import { description as uploadParameters } from '../operations/upload';
import { APP_ID_EXAMPLE } from '../provider';

/** The provider's icon, light and dark, for both of its nodes (the action node and its trigger; paths from this folder's node files). */
export const sunshineIcon = { light: 'file:../../icons/sunshine.svg', dark: 'file:../../icons/sunshine.dark.svg' } as const;

const LEGACY_NOTE =
	'Only API versions up to v12.8.0 document this call; newer API versions dropped it, so an account on a newer version may answer 404.';

export const authentication: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{ name: 'API Key', value: 'apiKey', description: 'Key ID and secret sent as Basic auth' },
		{ name: 'JWT', value: 'jwt', description: 'A token signed with the key\'s secret; the secret is never sent' },
	],
	default: 'apiKey',
	description: 'How requests prove the API key',
};

/** The credential of each Authentication (the trigger's too). */
export const sunshineCredentials = credentialsByAuthentication({ sunshineConversationsAttachmentApi: 'apiKey', sunshineConversationsAttachmentJwtApi: 'jwt' });

const resource = attachmentResource();

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['attachment'] } },
	options: [
		{
			name: 'Delete',
			value: 'delete',
			description: 'Remove an uploaded file by its media URL',
			action: 'Delete an attachment by its media URL',
		},
		{
			name: 'Generate Media Token',
			value: 'generateMediaToken',
			description:
				'Create tokens that open private attachments under the given paths. Only API versions up to v12.8.0 document this call; newer API versions dropped it.',
			action: 'Generate media tokens for attachment paths',
		},
		{
			name: 'Set Cookie',
			value: 'setCookie',
			description:
				'Exchange a media token for the cookie that opens its path. Only API versions up to v12.8.0 document this call; newer API versions dropped it.',
			action: 'Exchange a media token for a media cookie',
		},
		{
			name: 'Upload',
			value: 'upload',
			description: 'Upload a file or a text to send in messages, and get its media URL',
			action: 'Upload a file or text and get its media URL',
		},
	],
	default: 'upload',
};

export const app = listPicker(
	{ displayName: 'App', name: 'appId', required: true, description: 'The Sunshine Conversations app the files belong to' },
	{ searchListMethod: 'searchApps' },
	[idMode(`e.g. ${APP_ID_EXAMPLE}`, '^[A-Za-z0-9][A-Za-z0-9_-]*$', 'Not a valid app ID (letters, digits, "-" and "_")')],
);

const legacyNotice: INodeProperties = {
	displayName: LEGACY_NOTE,
	name: 'legacyNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: { operation: ['generateMediaToken', 'setCookie'] } },
};

export const sunshineAttachmentProperties: INodeProperties[] = onlyForOwnOperations(
	[
		authentication,
		resource,
		operation,
		legacyNotice,
		app,
		...uploadParameters,
		...deleteParameters,
		...generateMediaTokenParameters,
		...setCookieParameters,
		// One Options for the three operations that have no other option.
		timeoutOnlyOptions({ show: { operation: ['delete', 'generateMediaToken', 'setCookie'] } }),
	],
	resource,
	operation,
);

/** The canvas subtitle, e.g. "Get Many: ..." (see operationSubtitle). */
export const sunshineAttachmentSubtitle = operationSubtitle(operation, resource);
