import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { withConcurrencyOption } from '../shared/description';
import { runOperations } from '../shared/transport';
import { wixAttachmentProperties, wixAttachmentSubtitle, wixCredentials, wixIcon } from './description';
import { WIX_CONCURRENCY, wixProvider } from './provider';
import { searchAttachments, searchContacts } from './methods/listSearch';
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
const CUSTOM_API_CALL = { service: 'Wix', credentials: ['Wix Attachment API', 'Wix Attachment App OAuth API'] };

export class WixAttachment implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Wix Attachment',
		name: 'wixAttachment',
		icon: wixIcon,
		group: ['transform'],
		version: 1,
		subtitle: wixAttachmentSubtitle,
		description: 'List, download, upload and delete the file attachments of Wix CRM contacts',
		documentationUrl: 'https://dev.wix.com/docs/rest/crm/members-contacts/contacts/attachments/attachment-v4/introduction',
		defaults: { name: 'Wix Attachment' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: wixCredentials,
		properties: withConcurrencyOption(wixAttachmentProperties, WIX_CONCURRENCY),
	};

	methods = { listSearch: { searchAttachments, searchContacts } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runOperations(this, wixProvider, OPERATIONS, CUSTOM_API_CALL, WIX_CONCURRENCY);
	}
}
