import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { withConcurrencyOption } from '../shared/description';
import { runOperations } from '../shared/transport';
import { xeroAttachmentProperties, xeroAttachmentSubtitle, xeroIcon } from './description';
import { XERO_CONCURRENCY, xeroProvider } from './provider';
import { searchTenants } from './methods/listSearch';
import { getAttachment } from './operations/get';
import { getManyAttachments } from './operations/getMany';
import { uploadAttachment } from './operations/upload';

const OPERATIONS = {
	get: getAttachment,
	getAll: getManyAttachments,
	upload: uploadAttachment,
};

/** What "Custom API Call" (which n8n adds to the Resource list) is answered with. */
const CUSTOM_API_CALL = { service: 'Xero', credentials: ['Xero Attachment OAuth2 API'] };

export class XeroAttachment implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Xero Attachment',
		name: 'xeroAttachment',
		icon: xeroIcon,
		group: ['transform'],
		version: 1,
		subtitle: xeroAttachmentSubtitle,
		description: 'List, download and upload the attachments of Xero invoices, contacts and other documents',
		defaults: { name: 'Xero Attachment' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'xeroAttachmentOAuth2Api', required: true }],
		properties: withConcurrencyOption(xeroAttachmentProperties, XERO_CONCURRENCY),
	};

	methods = { listSearch: { searchTenants } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runOperations(this, xeroProvider, OPERATIONS, CUSTOM_API_CALL, XERO_CONCURRENCY);
	}
}
