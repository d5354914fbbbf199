/** The parameters of the Sunshine Conversations Attachment node, in the order the panel shows them. */
import type { INodeProperties } from 'n8n-workflow';

import { fileNameOption, inputBinaryField, onlyForOwnOperations, operationSubtitle, textUploadFields, timeoutOnlyOptions, timeoutOption, uploadSourceField } from '../../shared/description';
import { APP_ID_EXAMPLE } from '../provider';

const LEGACY_NOTE =
	'Only API versions up to v12.8.0 document this call; newer API versions dropped it, so an account on a newer version may answer 404.';

const authentication: INodeProperties = {
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

const resource: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [{ name: 'Attachment', value: 'attachment' }],
	default: 'attachment',
};

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

const app: INodeProperties = {
	displayName: 'App',
	name: 'appId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The Sunshine Conversations app the files belong to',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchApps', searchable: true },
		},
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			placeholder: `e.g. ${APP_ID_EXAMPLE}`,
			validation: [
				{
					type: 'regex',
					properties: { regex: '^[A-Za-z0-9][A-Za-z0-9_-]*$', errorMessage: 'Not a valid app ID (letters, digits, "-" and "_")' },
				},
			],
		},
	],
};

const legacyNotice: INodeProperties = {
	displayName: LEGACY_NOTE,
	name: 'legacyNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: { operation: ['generateMediaToken', 'setCookie'] } },
};

const uploadFields: INodeProperties[] = [
	uploadSourceField({ show: { operation: ['upload'] } }),
	{
		...inputBinaryField({ show: { operation: ['upload'], source: ['binary'] } }),
		hint: 'The name of the input binary field containing the file to upload (50 MB at most)',
	},
	...textUploadFields({ show: { operation: ['upload'] } }, '50 MB at most'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { operation: ['upload'] } },
		options: [
			{
				displayName: 'Access',
				name: 'access',
				type: 'options',
				options: [{ name: 'Public', value: 'public' }],
				default: 'public',
				description: 'Who may open the media URL. Public is the only level the API supports.',
			},
			{
				displayName: 'Conversation ID',
				name: 'conversationId',
				type: 'string',
				default: '',
				placeholder: 'e.g. c616a583e4c240a871818541',
				description: 'The conversation the file is linked to',
			},
			fileNameOption("Name to upload the file under. Leave empty to use the file's own name.", 'e.g. invoice.pdf'),
			{
				displayName: 'For',
				name: 'for',
				type: 'options',
				options: [{ name: 'Message', value: 'message' }],
				default: 'message',
				description:
					'What the file will be sent in. With Message, Sunshine deletes the file when the message, its conversation or its user is deleted.',
			},
			timeoutOption,
		],
	},
];

const deleteFields: INodeProperties[] = [
	{
		displayName: 'Media URL',
		name: 'mediaUrl',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. https://acme.zendesk.com/sc/attachments/v2/01JK699PBZ645YAFJW2RF45F0B/invoice.pdf',
		description: 'The mediaUrl the upload returned',
		displayOptions: { show: { operation: ['delete'] } },
	},
];

const mediaTokenFields: INodeProperties[] = [
	{
		displayName: 'Paths',
		name: 'paths',
		type: 'string',
		typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Path' },
		required: true,
		default: [],
		placeholder: `e.g. /apps/${APP_ID_EXAMPLE}`,
		description: 'Attachment paths to open, one token each (e.g. /apps/{appId} for every file of the app)',
		displayOptions: { show: { operation: ['generateMediaToken'] } },
	},
];

const cookieFields: INodeProperties[] = [
	{
		displayName: 'Media Token',
		name: 'mediaToken',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '',
		description: 'A token from Generate Media Token. It authorizes this request instead of the API key.',
		displayOptions: { show: { operation: ['setCookie'] } },
	},
];

export const sunshineAttachmentProperties: INodeProperties[] = onlyForOwnOperations(
	[
		authentication,
		resource,
		operation,
		legacyNotice,
		app,
		...uploadFields,
		...deleteFields,
		...mediaTokenFields,
		...cookieFields,
		timeoutOnlyOptions({ show: { operation: ['delete', 'generateMediaToken', 'setCookie'] } }),
	],
	resource,
	operation,
);

/** The canvas subtitle, e.g. "Get Many: ..." (see operationSubtitle). */
export const sunshineAttachmentSubtitle = operationSubtitle(operation, resource);
