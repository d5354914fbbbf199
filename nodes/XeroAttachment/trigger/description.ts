/** The parameters of the Xero Attachment Trigger, in the order the panel shows them (n8n adds Poll Times first). */
import type { INodeProperties } from 'n8n-workflow';

import { downloadFileFields, optionsCollection, timeoutOption } from '../../shared/description';
import { organization, resource } from '../description';
import { XERO_PARENT_TYPES } from '../parentTypes';
import { DOCUMENT_LISTINGS } from './documentLists';

const typesWhere = (test: (value: string) => boolean) => XERO_PARENT_TYPES.map((type) => type.value).filter(test);

/** A notice shown only for one Document Type. */
function noticeFor(type: string, name: string, text: string): INodeProperties {
	return { displayName: text, name, type: 'notice', default: '', displayOptions: { show: { documentType: [type] } } };
}

const documentType: INodeProperties = {
	...resource,
	displayName: 'Document Type',
	name: 'documentType',
	description: 'The kind of Xero document whose new attachments start the workflow',
};

const receiptsNotice = noticeFor(
	'receipt',
	'receiptsNotice',
	"Xero is retiring Classic Expenses: its Receipts endpoint is deprecated, with February 2027 as the date. The credential's Trigger Documents must include Receipts (accounting.classicexpenses.read).",
);

const repeatingInvoicesNotice = noticeFor(
	'repeatingInvoice',
	'repeatingInvoicesNotice',
	'Xero gives repeating invoices no change time: the trigger sees the files of a repeating invoice the first time it has any, not a file added to one that already has some',
);

const quotesNotice = noticeFor(
	'quote',
	'quotesNotice',
	'Xero does not say which quotes have attachments: each poll lists the attachments of every quote changed since the last one (one call per quote)',
);

const filter: INodeProperties = {
	displayName: 'Filter',
	name: 'filter',
	type: 'string',
	default: '',
	placeholder: 'e.g. Type=="ACCPAY"',
	description:
		'Only documents that match this condition, in Xero\'s "where" syntax (e.g. Type=="ACCPAY" for bills, Contact.Name=="ABC Ltd"). Xero applies it with HasAttachments==true. Leave empty for all.',
	displayOptions: { show: { documentType: typesWhere((value) => DOCUMENT_LISTINGS[value]?.where) } },
};

export const xeroAttachmentTriggerProperties: INodeProperties[] = [
	organization,
	documentType,
	receiptsNotice,
	repeatingInvoicesNotice,
	quotesNotice,
	filter,
	...downloadFileFields('Whether to download each new attachment into a binary field (one more call to Xero per file)', 'downloadFile'),
	optionsCollection([
		{
			displayName: 'Include Recent on First Poll (Hours)',
			name: 'firstPollHours',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 720 },
			default: 0,
			description:
				'On its first poll the trigger reports nothing that is already there. Set this to report the attachments of documents changed in the last hours too.',
		},
		timeoutOption,
	]),
];
