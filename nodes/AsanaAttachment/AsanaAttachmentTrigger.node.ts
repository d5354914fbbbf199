import type {
	IExecuteFunctions,
	IHookFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { downloadFileFields, optionsCollection, timeoutOption } from '../shared/description';
import { DELIVERY_WEBHOOK } from '../shared/trigger';
import { asanaCredentials, asanaIcon, authentication, parent } from './description';
import { searchParents } from './methods/listSearch';
import { receive } from './trigger/deliveries';
import { outputItems } from './trigger/output';
import { checkExists, create, remove } from './trigger/registration';

/** The action node's parent picker, shown always, for the task or project a webhook can watch. */
function taskOrProject(): INodeProperties {
	const picker: INodeProperties = {
		...parent,
		displayName: 'Task or Project',
		description: 'The task or project whose attachments start the workflow (on a project: the attachments of its tasks too)',
		modes: parent.modes?.map((mode) => (mode.name === 'id' ? { ...mode, hint: 'The ID of a task or project' } : mode)),
	};
	delete picker.displayOptions;
	return picker;
}

/** The trigger's own parameters; Authentication and the parent picker are the action node's. */
const properties: INodeProperties[] = [
	authentication,
	taskOrProject(),
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		required: true,
		default: ['added'],
		options: [
			{ name: 'Attachment Added', value: 'added', description: 'A file or link was attached' },
			{ name: 'Attachment Removed', value: 'removed', description: 'An attachment was deleted' },
		],
		description: 'What starts the workflow: one item per attachment',
	},
	...downloadFileFields('Whether to download the added file into a binary field (an external link has no file; a removed attachment none left)'),
	optionsCollection([timeoutOption]),
];

export class AsanaAttachmentTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Asana Attachment Trigger',
		name: 'asanaAttachmentTrigger',
		icon: asanaIcon,
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "Attachment " + $parameter["events"].join(" or ") }}',
		description: 'Starts the workflow when a file is attached to (or removed from) an Asana task or project, with the file',
		documentationUrl: 'https://developers.asana.com/docs/webhooks-guide',
		defaults: { name: 'Asana Attachment Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: asanaCredentials,
		webhooks: DELIVERY_WEBHOOK,
		properties,
	};

	methods = { listSearch: { searchParents } };

	webhookMethods = {
		default: {
			/** Whether the webhook this node registered is still at Asana (leftovers removed). */
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await checkExists.call(this);
			},
			/** POST /webhooks, the handshake's secret kept for the signature checks. */
			async create(this: IHookFunctions): Promise<boolean> {
				return await create.call(this);
			},
			/** DELETE /webhooks/{gid}. */
			async delete(this: IHookFunctions): Promise<boolean> {
				return await remove.call(this);
			},
		},
	};

	/** Asana's request (handshake or delivery): checked here, answered at once (see trigger/deliveries.ts). */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receive(this);
	}

	/** The items webhook() started the workflow with, each with its record and file (see trigger/output.ts). */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await outputItems(this);
	}
}
