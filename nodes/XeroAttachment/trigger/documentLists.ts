/**
 * How the trigger finds changed documents of each type: what Xero's list endpoint of the type
 * takes and what its records show, as Xero's accounting API declares it (xero_accounting.yaml,
 * v16.1.0; developer.xero.com, each type's page). Data only: trigger/poll.ts reads it.
 *
 * | Type | If-Modified-Since | where | paging | HasAttachments | change time |
 * | --- | --- | --- | --- | --- | --- |
 * | Accounts | yes | yes | none (all) | yes | UpdatedDateUTC |
 * | BankTransactions | yes | yes | page, pageSize | yes | UpdatedDateUTC |
 * | BankTransfers | yes | yes | none (all) | yes | none (CreatedDateUTC only) |
 * | Contacts | yes | yes | page, pageSize | yes | UpdatedDateUTC |
 * | CreditNotes | yes | yes | page, pageSize | yes | UpdatedDateUTC |
 * | Invoices | yes | yes | page, pageSize | yes | UpdatedDateUTC |
 * | ManualJournals | yes | yes | page, pageSize | yes | UpdatedDateUTC |
 * | PurchaseOrders | yes | no | page, pageSize | yes | UpdatedDateUTC |
 * | Quotes | yes | no | page (100 a page) | no | UpdatedDateUTC |
 * | Receipts | yes | yes | none (all) | yes | UpdatedDateUTC |
 * | RepeatingInvoices | no | yes | none (all) | yes | none |
 */
import type { XeroTriggerScopeGroup } from '../../../credentials/XeroAttachmentOAuth2Api.credentials';

export interface DocumentListing {
	/** Whether the endpoint takes `If-Modified-Since` (records created or modified since then). */
	modifiedSince: boolean;
	/** Whether it takes a `where` filter (then `HasAttachments==true` is asked of Xero itself). */
	where: boolean;
	/** Paging: `page` with `pageSize` (up to 1,000), `page` alone (100 a page), or none (one answer holds all). */
	paging: 'pageSize' | 'page' | 'none';
	/** Whether records show `HasAttachments`. */
	hasAttachments: boolean;
	/** The field of a record that moves when it changes, if it has one. */
	changeField?: 'UpdatedDateUTC';
	/** The credential's Trigger Documents choice whose read scope lists this type. */
	scopeGroup: XeroTriggerScopeGroup;
}

/** By the node's document type values (XERO_PARENT_TYPES). */
export const DOCUMENT_LISTINGS: Record<string, DocumentListing> = {
	account: { modifiedSince: true, where: true, paging: 'none', hasAttachments: true, changeField: 'UpdatedDateUTC', scopeGroup: 'accounts' },
	bankTransaction: { modifiedSince: true, where: true, paging: 'pageSize', hasAttachments: true, changeField: 'UpdatedDateUTC', scopeGroup: 'bankTransactions' },
	bankTransfer: { modifiedSince: true, where: true, paging: 'none', hasAttachments: true, scopeGroup: 'bankTransactions' },
	contact: { modifiedSince: true, where: true, paging: 'pageSize', hasAttachments: true, changeField: 'UpdatedDateUTC', scopeGroup: 'contacts' },
	creditNote: { modifiedSince: true, where: true, paging: 'pageSize', hasAttachments: true, changeField: 'UpdatedDateUTC', scopeGroup: 'invoices' },
	invoice: { modifiedSince: true, where: true, paging: 'pageSize', hasAttachments: true, changeField: 'UpdatedDateUTC', scopeGroup: 'invoices' },
	manualJournal: { modifiedSince: true, where: true, paging: 'pageSize', hasAttachments: true, changeField: 'UpdatedDateUTC', scopeGroup: 'manualJournals' },
	purchaseOrder: { modifiedSince: true, where: false, paging: 'pageSize', hasAttachments: true, changeField: 'UpdatedDateUTC', scopeGroup: 'invoices' },
	quote: { modifiedSince: true, where: false, paging: 'page', hasAttachments: false, changeField: 'UpdatedDateUTC', scopeGroup: 'invoices' },
	receipt: { modifiedSince: true, where: true, paging: 'none', hasAttachments: true, changeField: 'UpdatedDateUTC', scopeGroup: 'receipts' },
	repeatingInvoice: { modifiedSince: false, where: true, paging: 'none', hasAttachments: true, scopeGroup: 'invoices' },
};

/** Records a page asks for when looking for changes: few change between two polls. */
export const CHANGES_PAGE_SIZE = 100;
/** Records a page asks for on the first poll's inventory of documents with attachments. */
export const INVENTORY_PAGE_SIZE = 500;
/** What Xero answers a `page` without `pageSize` with. */
export const XERO_DEFAULT_PAGE_SIZE = 100;
