/**
 * The parameters of the Sunshine Conversations Attachment Trigger, in the order the panel shows
 * them: Authentication, App, which messages start it, and the file.
 */
import type { INodeProperties } from 'n8n-workflow';

import { optionsCollection, outputBinaryField, timeoutOption } from '../../shared/description';
import { APP_ID_EXAMPLE } from '../provider';

export const sunshineTriggerProperties: INodeProperties[] = [
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		options: [
			{ name: 'API Key', value: 'apiKey', description: 'Key ID and secret sent as Basic auth' },
			{ name: 'JWT', value: 'jwt', description: "A token signed with the key's secret; the secret is never sent" },
		],
		default: 'apiKey',
		description: 'How requests prove the API key',
	},
	{
		displayName:
			'On activation this node adds a custom integration with a webhook for new messages to the app (Admin Center → Apps and integrations → Conversations integrations, named "n8n Attachment Trigger …"), and removes it on deactivation. Sunshine then sends every message of the app to n8n; the node keeps those with a file or an image.',
		name: 'registrationNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'App',
		name: 'appId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'The Sunshine Conversations app whose conversations to watch',
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
	},
	{
		displayName: 'Message Types',
		name: 'contentTypes',
		type: 'multiOptions',
		options: [
			{ name: 'File', value: 'file', description: 'Messages of type file (documents, any file type)' },
			{ name: 'Image', value: 'image', description: 'Messages of type image' },
		],
		default: ['file', 'image'],
		required: true,
		description: 'Which messages start the workflow, one item per message',
	},
	{
		displayName: 'Sent By',
		name: 'authorTypes',
		type: 'multiOptions',
		options: [
			{ name: 'Business', value: 'business', description: 'Agents, bots and integrations (including what a workflow sends)' },
			{ name: 'User', value: 'user', description: 'The customer' },
		],
		default: ['user', 'business'],
		required: true,
		description: 'Whose messages start the workflow. Choose only User if the workflow itself sends files to the conversation, so that it does not start itself.',
	},
	{
		displayName: 'Download File',
		name: 'download',
		type: 'boolean',
		default: true,
		description: "Whether to download each file into a binary field, named and typed as the message says (otherwise the item has the file's media URL only)",
	},
	outputBinaryField({ show: { download: [true] } }),
	optionsCollection([timeoutOption], { show: { download: [true] } }),
];
