/** The parameters of the Asana Attachment node, in the order the panel shows them. */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { BINARY_SOURCE, onlyForOwnOperations, operationSubtitle, TEXT_SOURCE, textContentOptions, textUploadFields, timeoutOnlyOptions, timeoutOption, uploadSourceField } from '../../shared/description';

const GID_REGEX = '^\\s*\\d+\\s*$';
const URL_REGEX = '^\\s*https?://([a-zA-Z0-9-]+\\.)*asana\\.com/[01]/.+';

const authentication: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{ name: 'Access Token', value: 'accessToken' },
		{ name: 'OAuth2', value: 'oAuth2' },
	],
	default: 'accessToken',
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
			description: 'Delete an attachment by its ID',
			action: 'Delete an attachment by its ID',
		},
		{
			name: 'Get',
			value: 'get',
			description: 'Get an attachment record by its ID, and optionally download its file (and its text)',
			action: 'Get an attachment by its ID',
		},
		{
			name: 'Get Many',
			value: 'getAll',
			description: 'List the attachments of a task, project or project brief by its ID',
			action: 'Get many attachments of a task or project by its ID',
		},
		{
			name: 'Upload',
			value: 'upload',
			description: 'Attach a file, a text or an external link to a task, project or project brief',
			action: 'Attach a file or text or link to a task or project',
		},
	],
	default: 'upload',
};

const parent: INodeProperties = {
	displayName: 'Parent',
	name: 'parent',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The task, project or project brief the attachments belong to',
	displayOptions: { show: { operation: ['upload', 'getAll'] } },
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Search for a task or project…',
			typeOptions: { searchListMethod: 'searchParents', searchable: true },
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'e.g. https://app.asana.com/1/1200000000000001/project/1200000000000002/task/1200000000000003',
			validation: [
				{
					type: 'regex',
					properties: { regex: URL_REGEX, errorMessage: 'Not the URL of an Asana task or project (https://app.asana.com/0/… or /1/…)' },
				},
			],
		},
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 1200000000000003',
			hint: 'The ID of a task, project or project brief',
			validation: [{ type: 'regex', properties: { regex: GID_REGEX, errorMessage: 'Not an Asana ID (digits only)' } }],
		},
	],
};

/** The same Parent, for Get and Delete: only the Attachment list reads it there. */
const parentForPicker: INodeProperties = {
	...parent,
	required: false,
	description: 'The task, project or project brief whose attachments the Attachment list shows. Not needed when the attachment is given by ID.',
	displayOptions: { show: { operation: ['get', 'delete'] } },
};

const attachmentId: INodeProperties = {
	displayName: 'Attachment',
	name: 'attachmentId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The attachment. From List shows the attachments of the Parent above; By ID takes the ID (gid) that Get Many and Upload return.',
	displayOptions: { show: { operation: ['get', 'delete'] } },
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Choose an attachment of the Parent…',
			typeOptions: { searchListMethod: 'searchAttachments', searchable: true },
		},
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 1200000000000042',
			validation: [{ type: 'regex', properties: { regex: GID_REGEX, errorMessage: 'Not an Asana ID (digits only)' } }],
		},
	],
};

const FIELD_NAMES: Record<string, string> = {
	connected_to_app: 'Connected to App',
	created_at: 'Created At',
	download_url: 'Download URL',
	host: 'Host',
	name: 'Name',
	parent: 'Parent',
	'parent.created_by': 'Parent › Created By',
	'parent.name': 'Parent › Name',
	'parent.resource_subtype': 'Parent › Resource Subtype',
	permanent_url: 'Permanent URL',
	resource_subtype: 'Resource Subtype',
	size: 'Size',
	view_url: 'View URL',
};

const fieldOptions: INodePropertyOptions[] = Object.entries(FIELD_NAMES).map(([value, name]) => ({ name, value }));

function fieldsOption(description: string): INodeProperties {
	return {
		displayName: 'Fields',
		name: 'fields',
		type: 'multiOptions',
		options: fieldOptions,
		default: [],
		description: `${description} (Asana's opt_fields). The ID (gid) always comes back.`,
	};
}

const uploadFields: INodeProperties[] = [
	{
		...uploadSourceField({ show: { operation: ['upload'] } }, [
			BINARY_SOURCE,
			{ name: 'External Link', value: 'link', description: 'A link to a resource elsewhere on the web' },
			TEXT_SOURCE,
		]),
		description: 'What to attach',
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		required: true,
		default: 'data',
		hint: 'The name of the input binary field containing the file to upload',
		displayOptions: { show: { operation: ['upload'], source: ['binary'] } },
	},
	...textUploadFields({ show: { operation: ['upload'] } }, '100 MB at most'),
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. https://example.com/contracts/2026-q3.pdf',
		description: 'The address of the external resource',
		displayOptions: { show: { operation: ['upload'], source: ['link'] } },
	},
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Signed contract',
		description: 'The name Asana shows for the link',
		displayOptions: { show: { operation: ['upload'], source: ['link'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { operation: ['upload'] } },
		options: [
			{
				displayName: 'Connect to App',
				name: 'connectToApp',
				type: 'boolean',
				default: false,
				description:
					"Whether to connect the link to your Asana app, to show the app's widget on the task (needs the Asana Attachment OAuth2 API credential and an app installed in a project of the task)",
				displayOptions: { show: { '/source': ['link'] } },
			},
			fieldsOption('The properties of the new attachment to return'),
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				placeholder: 'e.g. contract.pdf',
				description: "Name to give the attachment. Leave empty to use the file's own name.",
				displayOptions: { show: { '/source': ['binary'] } },
			},
			timeoutOption,
		],
	},
];

const getFields: INodeProperties[] = [
	{
		displayName: 'Download File',
		name: 'download',
		type: 'boolean',
		default: false,
		description: 'Whether to download the file into a binary field as well',
		displayOptions: { show: { operation: ['get'] } },
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		required: true,
		default: 'data',
		hint: 'The name of the output binary field to put the file in',
		displayOptions: { show: { operation: ['get'], download: [true] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { operation: ['get'] } },
		options: [
			fieldsOption('The properties of the attachment to return'),
			...textContentOptions.map((option) => ({ ...option, displayOptions: { show: { '/download': [true] } } })),
			timeoutOption,
		],
	},
];

const getManyFields: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show: { operation: ['getAll'] } },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { operation: ['getAll'], returnAll: [false] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { operation: ['getAll'] } },
		options: [fieldsOption('The properties of each attachment to return'), timeoutOption],
	},
];

export const asanaAttachmentProperties: INodeProperties[] = onlyForOwnOperations(
	[
		authentication,
		resource,
		operation,
		parent,
		parentForPicker,
		attachmentId,
		...uploadFields,
		...getFields,
		...getManyFields,
		timeoutOnlyOptions({ show: { operation: ['delete'] } }),
	],
	resource,
	operation,
);

/** The canvas subtitle, e.g. "Get Many: ..." (see operationSubtitle). */
export const asanaAttachmentSubtitle = operationSubtitle(operation, resource);
