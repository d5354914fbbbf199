/**
 * The parameters of the Xero Attachment node, in the order the panel shows them: Resource and
 * Operation, those every operation shows, then each operation's own (in operations/<op>.ts).
 */
import type { INodeProperties } from 'n8n-workflow';

import { idMode, listPicker, onlyForOwnOperations, operationSubtitle } from '../../shared/description';
import { description as getParameters } from '../operations/get';
import { description as getManyParameters } from '../operations/getMany';
import { description as uploadParameters } from '../operations/upload';
import { XERO_PARENT_TYPES } from '../parentTypes';

/** The provider's icon, light and dark, for both of its nodes (the action node and its trigger; paths from this folder's node files). */
export const xeroIcon = { light: 'file:../../icons/xero.svg', dark: 'file:../../icons/xero.dark.svg' } as const;

const GUID_REGEX = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const ALL_RESOURCES = XERO_PARENT_TYPES.map((type) => type.value);

export const resource: INodeProperties = {
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

/** The organization picker; the trigger shows it too. */
export const organization = listPicker(
	{ displayName: 'Organization', name: 'tenantId', required: true, description: 'The Xero organization (tenant) the document belongs to' },
	{ searchListMethod: 'searchTenants' },
	[idMode('e.g. 45e4708e-d862-4111-ab3a-dd8cd03913e1', GUID_REGEX, 'Not a valid tenant ID (a GUID)')],
);

/**
 * Xero retires Classic Expenses: its Receipts endpoint is deprecated, with February 2027 as the
 * date (developer.xero.com, "Changes to the API", 31 July 2025). Said where it matters.
 */
const receiptsNotice: INodeProperties = {
	displayName:
		"Xero is retiring Classic Expenses: its Receipts endpoint is deprecated, with February 2027 as the date. Once Xero turns it off, receipts' attachments cannot be reached through the API; move expense workflows to Xero's current expenses before then.",
	name: 'receiptsNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: { resource: ['receipt'] } },
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

export const xeroAttachmentProperties: INodeProperties[] = onlyForOwnOperations(
	[
		resource,
		receiptsNotice,
		operation,
		organization,
		...parentIds,
		...getParameters,
		...getManyParameters,
		...uploadParameters,
	],
	resource,
	operation,
);

/** The canvas subtitle, e.g. "Get Many: ..." (see operationSubtitle). */
export const xeroAttachmentSubtitle = operationSubtitle(operation, resource);
