/**
 * The parameters of the Sunshine Conversations Attachment Trigger, in the order the panel shows
 * them: Authentication, App, which messages start it, and the file.
 */
import type { INodeProperties } from 'n8n-workflow';

import { downloadFileFields, optionsCollection, timeoutOption } from '../../shared/description';
import { app, authentication } from '../description';

export const sunshineTriggerProperties: INodeProperties[] = [
	authentication,
	{
		displayName:
			'On activation this node adds a custom integration with a webhook for new messages to the app (Admin Center → Apps and integrations → Conversations integrations, named "n8n Attachment Trigger …"), and removes it on deactivation. Sunshine then sends every message of the app to n8n; the node keeps those with a file or an image.',
		name: 'registrationNotice',
		type: 'notice',
		default: '',
	},
	{ ...app, description: 'The Sunshine Conversations app whose conversations to watch' },
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
	...downloadFileFields("Whether to download each file into a binary field, named and typed as the message says (otherwise the item has the file's media URL only)"),
	optionsCollection([timeoutOption], { show: { download: [true] } }),
];
