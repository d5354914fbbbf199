/**
 * Xero Attachment Trigger: starts the workflow for each new attachment on documents of one type
 * (invoices, contacts, … the 11 types of the Xero Attachment node), polled at n8n's Poll Times.
 * Xero sends no event for an attachment, so the trigger asks: trigger/poll.ts says how (the calls
 * it makes, the state it keeps) and what it can and cannot see.
 */
import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { xeroIcon } from './description';
import { searchTenants } from './methods/listSearch';
import { XERO_PARENT_TYPES } from './parentTypes';
import { xeroAttachmentTriggerProperties } from './trigger/description';
import { pollXeroAttachments } from './trigger/poll';

/** The canvas subtitle's words, e.g. "New attachment on invoices". */
const PLURALS = JSON.stringify(Object.fromEntries(XERO_PARENT_TYPES.map((type) => [type.value, `${type.name.toLowerCase()}s`])));

export class XeroAttachmentTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Xero Attachment Trigger',
		name: 'xeroAttachmentTrigger',
		icon: xeroIcon,
		group: ['trigger'],
		version: 1,
		subtitle: `={{"New attachment on " + (${PLURALS}[$parameter["documentType"]] || $parameter["documentType"]) }}`,
		description: 'Starts the workflow when a file is attached to a Xero invoice, contact or other document',
		defaults: { name: 'Xero Attachment Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'xeroAttachmentOAuth2Api', required: true }],
		properties: xeroAttachmentTriggerProperties,
	};

	methods = { listSearch: { searchTenants } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollXeroAttachments(this);
	}
}
