/**
 * The parameters of the Wix Attachment node, in the order the panel shows them: Authentication,
 * Resource and Operation, those several operations show, then each operation's own (in
 * operations/<op>.ts).
 */
import type { INodeProperties } from 'n8n-workflow';

import { attachmentResource, credentialsByAuthentication, idMode, listPicker, onlyForOwnOperations, operationSubtitle, timeoutOnlyOptions } from '../../shared/description';
import { description as getParameters } from '../operations/get';
import { description as getManyParameters } from '../operations/getMany';
import { description as uploadParameters } from '../operations/upload';

/** The provider's icon, light and dark, for both of its nodes (the action node and its trigger; paths from this folder's node files). */
export const wixIcon = { light: 'file:../../icons/wix.svg', dark: 'file:../../icons/wix.dark.svg' } as const;

const GUID_REGEX = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

const authentication: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'API Key', value: 'apiKey', description: 'A key from the Wix API Keys Manager, with the site ID' },
		{ name: 'Wix App OAuth', value: 'appOAuth', description: 'The app ID, app secret and instance ID of a Wix app' },
	],
	default: 'apiKey',
};

/** The credential of each Authentication (the trigger's too). */
export const wixCredentials = credentialsByAuthentication({ wixAttachmentApi: 'apiKey', wixAttachmentAppOAuthApi: 'appOAuth' });

const resource = attachmentResource('Contact Attachment', 'contactAttachment');

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['contactAttachment'] } },
	options: [
		{
			name: 'Delete',
			value: 'delete',
			description: 'Remove an attachment from a contact, by contact ID and attachment ID',
			action: 'Delete a contact attachment by its ID',
		},
		{
			name: 'Get',
			value: 'get',
			description: 'Get an attachment by contact ID and attachment ID, and optionally download its file (and its text)',
			action: 'Get a contact attachment by its ID',
		},
		{
			name: 'Get Many',
			value: 'getAll',
			description: 'List the attachments of a contact by its ID',
			action: 'Get many attachments of a contact by its ID',
		},
		{
			name: 'Upload',
			value: 'upload',
			description: 'Attach a file or a text to a contact by its ID',
			action: 'Upload a file or text to a contact',
		},
	],
	default: 'getAll',
};

const contactId = listPicker(
	{
		displayName: 'Contact',
		name: 'contactId',
		required: true,
		description:
			'The Wix CRM contact whose attachments to manage. From List searches the site\'s contacts by name or email (the credential needs the "Read Contacts" permission); By ID takes its ID, as Wix\'s contact APIs and webhooks give it.',
		displayOptions: { show: { resource: ['contactAttachment'] } },
	},
	{ searchListMethod: 'searchContacts', placeholder: 'Search by name or email…' },
	[idMode('e.g. 8d1f6a2e-3b4c-4d5e-9f60-7a8b9c0d1e2f', GUID_REGEX, 'Not a valid contact ID (a GUID)')],
);

const attachmentId = listPicker(
	{
		displayName: 'Attachment',
		name: 'attachmentId',
		required: true,
		description: 'The attachment of the contact. From List shows the attachments of the contact chosen above; By ID takes the ID that Get Many returns.',
		displayOptions: { show: { resource: ['contactAttachment'], operation: ['get', 'delete'] } },
	},
	{ searchListMethod: 'searchAttachments' },
	[idMode('e.g. 2e7bb2c4-5b1d-4d8a-9c0e-1f2a3b4c5d6e', GUID_REGEX, 'Not a valid attachment ID (a GUID)')],
);

export const wixAttachmentProperties: INodeProperties[] = onlyForOwnOperations(
	[
		authentication,
		resource,
		operation,
		contactId,
		attachmentId,
		...getParameters,
		...getManyParameters,
		...uploadParameters,
		// One Options for the two operations that have no other option.
		timeoutOnlyOptions({ show: { resource: ['contactAttachment'], operation: ['getAll', 'delete'] } }),
	],
	resource,
	operation,
);

/** The canvas subtitle, e.g. "Get Many: ..." (see operationSubtitle). */
export const wixAttachmentSubtitle = operationSubtitle(operation, resource);
