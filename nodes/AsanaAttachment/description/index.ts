/**
 * The parameters of the Asana Attachment node, in the order the panel shows them: Authentication,
 * Resource and Operation, those several operations show, then each operation's own (in
 * operations/<op>.ts).
 */
import type { INodeProperties } from 'n8n-workflow';

import { attachmentResource, credentialsByAuthentication, idMode, listPicker, onlyForOwnOperations, operationSubtitle } from '../../shared/description';
import { description as deleteParameters } from '../operations/delete';
import { description as getParameters } from '../operations/get';
import { description as getManyParameters } from '../operations/getMany';
import { description as uploadParameters } from '../operations/upload';

/** The provider's icon, light and dark, for both of its nodes (the action node and its trigger; paths from this folder's node files). */
export const asanaIcon = { light: 'file:../../icons/asana.svg', dark: 'file:../../icons/asana.dark.svg' } as const;

const GID_REGEX = '^\\s*\\d+\\s*$';
const URL_REGEX = '^\\s*https?://([a-zA-Z0-9-]+\\.)*asana\\.com/[01]/.+';

/** Authentication (hidden by n8n 2.x: choosing a credential sets it); the trigger shows it too. */
export const authentication: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{ name: 'Access Token', value: 'accessToken' },
		{ name: 'OAuth2', value: 'oAuth2' },
	],
	default: 'accessToken',
};

/** The credential of each Authentication (the trigger's too). */
export const asanaCredentials = credentialsByAuthentication({ asanaAttachmentApi: 'accessToken', asanaAttachmentOAuth2Api: 'oAuth2' });

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

/** The parent picker: a task, project or brief from a list (typeahead), by URL or by ID; the trigger uses it too. */
export const parent = listPicker(
	{
		displayName: 'Parent',
		name: 'parent',
		required: true,
		description: 'The task, project or project brief the attachments belong to',
		displayOptions: { show: { operation: ['upload', 'getAll'] } },
	},
	{ searchListMethod: 'searchParents', placeholder: 'Search for a task or project…' },
	[
		{
			name: 'url',
			displayName: 'By URL',
			placeholder: 'e.g. https://app.asana.com/1/1200000000000001/project/1200000000000002/task/1200000000000003',
			regex: URL_REGEX,
			errorMessage: 'Not the URL of an Asana task or project (https://app.asana.com/0/… or /1/…)',
		},
		idMode('e.g. 1200000000000003', GID_REGEX, 'Not an Asana ID (digits only)', 'The ID of a task, project or project brief'),
	],
);

/** The same Parent, for Get and Delete: only the Attachment list reads it there. */
const parentForPicker: INodeProperties = {
	...parent,
	required: false,
	description: 'The task, project or project brief whose attachments the Attachment list shows. Not needed when the attachment is given by ID.',
	displayOptions: { show: { operation: ['get', 'delete'] } },
};

const attachmentId = listPicker(
	{
		displayName: 'Attachment',
		name: 'attachmentId',
		required: true,
		description: 'The attachment. From List shows the attachments of the Parent above; By ID takes the ID (gid) that Get Many and Upload return.',
		displayOptions: { show: { operation: ['get', 'delete'] } },
	},
	{ searchListMethod: 'searchAttachments', placeholder: 'Choose an attachment of the Parent…' },
	[idMode('e.g. 1200000000000042', GID_REGEX, 'Not an Asana ID (digits only)')],
);

export const asanaAttachmentProperties: INodeProperties[] = onlyForOwnOperations(
	[
		authentication,
		resource,
		operation,
		parent,
		parentForPicker,
		attachmentId,
		...uploadParameters,
		...getParameters,
		...getManyParameters,
		...deleteParameters,
	],
	resource,
	operation,
);

/** The canvas subtitle, e.g. "Get Many: ..." (see operationSubtitle). */
export const asanaAttachmentSubtitle = operationSubtitle(operation, resource);
