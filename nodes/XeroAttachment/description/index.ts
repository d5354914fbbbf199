/** The parameters of the Xero Attachment node, in the order the panel shows them. */
import type { INodeProperties } from 'n8n-workflow';

import { fileNameOption, inputBinaryField, onlyForOwnOperations, operationSubtitle, outputBinaryField, returnAllAndLimit, textContentOptions, textUploadFields, timeoutOnlyOptions, timeoutOption, uploadSourceField } from '../../shared/description';
import { XERO_PARENT_TYPES } from '../parentTypes';

const GUID_REGEX = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const ALL_RESOURCES = XERO_PARENT_TYPES.map((type) => type.value);
const INCLUDE_ONLINE_RESOURCES = XERO_PARENT_TYPES.filter((type) => type.includeOnline).map((type) => type.value);

const resource: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: XERO_PARENT_TYPES.map((type) => ({ name: type.name, value: type.value })),
	default: 'invoice',
	description: 'The kind of Xero document whose attachments to manage',
};

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ALL_RESOURCES } },
	options: [
		{
			name: 'Get',
			value: 'get',
			description: 'Download an attachment of a document, by attachment ID or file name, into a binary field',
			action: 'Download an attachment by ID or file name',
		},
		{
			name: 'Get Many',
			value: 'getAll',
			description: 'List the attachments of a document by its ID',
			action: 'Get many attachments of a document by its ID',
		},
		{
			name: 'Upload',
			value: 'upload',
			description: 'Attach a file or a text to a document, or replace one with the same name',
			action: 'Upload a file or text to a document',
		},
	],
	default: 'getAll',
};

const organization: INodeProperties = {
	displayName: 'Organization',
	name: 'tenantId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The Xero organization (tenant) the document belongs to',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchTenants', searchable: true },
		},
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 45e4708e-d862-4111-ab3a-dd8cd03913e1',
			validation: [{ type: 'regex', properties: { regex: GUID_REGEX, errorMessage: 'Not a valid tenant ID (a GUID)' } }],
		},
	],
};

/** One "<Document> ID" parameter per resource, so the label names what is asked for. */
const parentIds: INodeProperties[] = XERO_PARENT_TYPES.map((type) => ({
	displayName: `${type.name} ID`,
	name: 'parentId',
	type: 'string',
	required: true,
	default: '',
	placeholder: `e.g. ${type.exampleId}`,
	description: `The ${type.name.toLowerCase()} whose attachments to manage: its ${type.idField} (a GUID), as Xero's API and n8n's Xero node return it`,
	displayOptions: { show: { resource: [type.value] } },
}));

const getFields: INodeProperties[] = [
	{
		displayName: 'Get By',
		name: 'getBy',
		type: 'options',
		options: [
			{ name: 'Attachment ID', value: 'attachmentId' },
			{ name: 'File Name', value: 'fileName' },
		],
		default: 'attachmentId',
		description: 'How to identify the attachment',
		displayOptions: { show: { operation: ['get'] } },
	},
	{
		displayName: 'Attachment ID',
		name: 'attachmentId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 9808ad7f-c8d4-41cf-995e-bc29cb76fd2c',
		description: 'The ID of the attachment, as Get Many returns it in AttachmentID',
		displayOptions: { show: { operation: ['get'], getBy: ['attachmentId'] } },
	},
	{
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. receipt.pdf',
		description: 'The exact file name of the attachment',
		displayOptions: { show: { operation: ['get'], getBy: ['fileName'] } },
	},
	outputBinaryField({ show: { operation: ['get'] } }),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { operation: ['get'] } },
		options: [
			textContentOptions[0],
			{
				displayName: 'MIME Type',
				name: 'mimeType',
				type: 'string',
				default: '',
				placeholder: 'e.g. application/pdf',
				description:
					'The MIME type of the attachment, which Xero requires on downloads. Leave empty to look it up in the document\'s attachment list (one more request).',
			},
			textContentOptions[1],
			timeoutOption,
		],
	},
];

const getManyFields = [
	...returnAllAndLimit({ show: { operation: ['getAll'] } }),
	timeoutOnlyOptions({ show: { operation: ['getAll'] } }),
];

const uploadFields: INodeProperties[] = [
	uploadSourceField({ show: { operation: ['upload'] } }),
	{
		...inputBinaryField({ show: { operation: ['upload'], source: ['binary'] } }),
		hint: 'The name of the input binary field containing the file to upload (10 MB at most, 10 files per document)',
	},
	...textUploadFields({ show: { operation: ['upload'] } }, '10 MB at most, 10 files per document'),
	/**
	 * Before Source existed, a binary file's new name was this main field; it is Options → File
	 * Name now, as on the other nodes. Kept (hidden) so that saved workflows keep their name;
	 * Options → File Name wins when both are set.
	 */
	{
		displayName: 'File Name (Legacy)',
		name: 'fileName',
		type: 'hidden',
		default: '',
		displayOptions: { show: { operation: ['upload'], source: ['binary'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { operation: ['upload'] } },
		options: [
			fileNameOption("Name to give the attachment. Leave empty to use the file's own name."),
			{
				displayName: 'Idempotency Key',
				name: 'idempotencyKey',
				type: 'string',
				default: '',
				description:
					'Key that lets Xero recognise a repeated upload (up to 128 characters). Leave empty to have one made for each item.',
			},
			{
				displayName: 'Include Online',
				name: 'includeOnline',
				type: 'boolean',
				default: false,
				description:
					'Whether customers see the attachment with the online invoice or credit note. Applies to new uploads only: Xero takes it when a file is added, not when Replace Existing replaces one, so it is hidden then.',
				displayOptions: { show: { '/resource': INCLUDE_ONLINE_RESOURCES }, hide: { replace: [true] } },
			},
			{
				displayName: 'Replace Existing',
				name: 'replace',
				type: 'boolean',
				default: false,
				description:
					'Whether to replace the attachment that has the same file name (POST) instead of adding another one (PUT). A replaced attachment keeps its Include Online setting.',
			},
			timeoutOption,
		],
	},
];

export const xeroAttachmentProperties: INodeProperties[] = onlyForOwnOperations(
	[
		resource,
		operation,
		organization,
		...parentIds,
		...getFields,
		...getManyFields,
		...uploadFields,
	],
	resource,
	operation,
);

/** The canvas subtitle, e.g. "Get Many: ..." (see operationSubtitle). */
export const xeroAttachmentSubtitle = operationSubtitle(operation, resource);
