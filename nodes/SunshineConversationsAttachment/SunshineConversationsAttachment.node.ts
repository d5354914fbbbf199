import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { withConcurrencyOption } from '../shared/description';
import { runOperations } from '../shared/transport';
import { sunshineAttachmentProperties, sunshineAttachmentSubtitle, sunshineCredentials, sunshineIcon } from './description';
import { SUNSHINE_CONCURRENCY, sunshineProvider } from './provider';
import { searchApps } from './methods/listSearch';
import { deleteAttachmentOperation } from './operations/delete';
import { generateMediaTokenOperation } from './operations/generateMediaToken';
import { setCookieOperation } from './operations/setCookie';
import { uploadAttachment } from './operations/upload';

const OPERATIONS = {
	upload: uploadAttachment,
	delete: { spec: deleteAttachmentOperation },
	generateMediaToken: { spec: generateMediaTokenOperation },
	setCookie: { spec: setCookieOperation },
};

/** What "Custom API Call" (which n8n adds to the Resource list) is answered with. */
const CUSTOM_API_CALL = { service: 'Sunshine Conversations', credentials: ['Sunshine Conversations Attachment API', 'Sunshine Conversations Attachment JWT API'] };

export class SunshineConversationsAttachment implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sunshine Conversations Attachment',
		name: 'sunshineConversationsAttachment',
		icon: sunshineIcon,
		group: ['transform'],
		version: 1,
		subtitle: sunshineAttachmentSubtitle,
		description: 'Upload and remove the files Sunshine Conversations (Zendesk messaging) sends in messages, and open private media',
		defaults: { name: 'Sunshine Conversations Attachment' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: sunshineCredentials,
		properties: withConcurrencyOption(sunshineAttachmentProperties, SUNSHINE_CONCURRENCY),
	};

	methods = { listSearch: { searchApps } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runOperations(this, sunshineProvider, OPERATIONS, CUSTOM_API_CALL, SUNSHINE_CONCURRENCY);
	}
}
