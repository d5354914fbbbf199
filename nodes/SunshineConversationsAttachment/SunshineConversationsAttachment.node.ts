import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { runOperations } from '../shared/transport';
import { sunshineAttachmentProperties } from './description';
import { searchApps } from './methods/listSearch';
import { deleteAttachment } from './operations/delete';
import { generateMediaToken } from './operations/generateMediaToken';
import { setCookie } from './operations/setCookie';
import { uploadAttachment } from './operations/upload';

const OPERATIONS = {
	upload: uploadAttachment,
	delete: deleteAttachment,
	generateMediaToken,
	setCookie,
};

export class SunshineConversationsAttachment implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sunshine Conversations Attachment',
		name: 'sunshineConversationsAttachment',
		icon: { light: 'file:../../icons/sunshine.svg', dark: 'file:../../icons/sunshine.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Upload and remove the files Sunshine Conversations (Zendesk messaging) sends in messages, and open private media',
		defaults: { name: 'Sunshine Conversations Attachment' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'sunshineConversationsAttachmentApi',
				required: true,
				displayOptions: { show: { authentication: ['apiKey'] } },
			},
			{
				name: 'sunshineConversationsAttachmentJwtApi',
				required: true,
				displayOptions: { show: { authentication: ['jwt'] } },
			},
		],
		properties: sunshineAttachmentProperties,
	};

	methods = { listSearch: { searchApps } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runOperations(this, OPERATIONS);
	}
}
