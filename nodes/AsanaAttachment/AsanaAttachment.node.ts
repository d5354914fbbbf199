import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { withConcurrencyOption } from '../shared/description';
import { runOperations } from '../shared/transport';
import { asanaAttachmentProperties, asanaAttachmentSubtitle, asanaCredentials, asanaIcon } from './description';
import { ASANA_CONCURRENCY, asanaProvider } from './provider';
import { searchAttachments, searchParents } from './methods/listSearch';
import { deleteAttachmentOperation } from './operations/delete';
import { getAttachment } from './operations/get';
import { getManyAttachments } from './operations/getMany';
import { uploadAttachment } from './operations/upload';

const OPERATIONS = {
	delete: { spec: deleteAttachmentOperation },
	get: getAttachment,
	getAll: getManyAttachments,
	upload: uploadAttachment,
};

/** What "Custom API Call" (which n8n adds to the Resource list) is answered with. */
const CUSTOM_API_CALL = { service: 'Asana', credentials: ['Asana Attachment API', 'Asana Attachment OAuth2 API'] };

export class AsanaAttachment implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Asana Attachment',
		name: 'asanaAttachment',
		icon: asanaIcon,
		group: ['transform'],
		version: 1,
		subtitle: asanaAttachmentSubtitle,
		description: 'Upload, list, download and delete the attachments of Asana tasks, projects and project briefs',
		documentationUrl: 'https://developers.asana.com/reference/attachments',
		defaults: { name: 'Asana Attachment' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: asanaCredentials,
		properties: withConcurrencyOption(asanaAttachmentProperties, ASANA_CONCURRENCY),
	};

	methods = { listSearch: { searchAttachments, searchParents } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runOperations(this, asanaProvider, OPERATIONS, CUSTOM_API_CALL, ASANA_CONCURRENCY);
	}
}
