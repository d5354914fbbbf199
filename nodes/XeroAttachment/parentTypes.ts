/** The 11 Xero document types that carry attachments, as the accounting API names them. */
export interface XeroParentType {
	/** Value of the node's Resource parameter. */
	value: string;
	/** Display name in the Resource list. */
	name: string;
	/** Path segment of the accounting API, e.g. `Invoices`. */
	path: string;
	/** Whether uploads may set IncludeOnline (shown to customers in online invoices). */
	includeOnline: boolean;
}

export const XERO_PARENT_TYPES: XeroParentType[] = [
	{ value: 'account', name: 'Account', path: 'Accounts', includeOnline: false },
	{ value: 'bankTransaction', name: 'Bank Transaction', path: 'BankTransactions', includeOnline: false },
	{ value: 'bankTransfer', name: 'Bank Transfer', path: 'BankTransfers', includeOnline: false },
	{ value: 'contact', name: 'Contact', path: 'Contacts', includeOnline: false },
	{ value: 'creditNote', name: 'Credit Note', path: 'CreditNotes', includeOnline: true },
	{ value: 'invoice', name: 'Invoice', path: 'Invoices', includeOnline: true },
	{ value: 'manualJournal', name: 'Manual Journal', path: 'ManualJournals', includeOnline: false },
	{ value: 'purchaseOrder', name: 'Purchase Order', path: 'PurchaseOrders', includeOnline: false },
	{ value: 'quote', name: 'Quote', path: 'Quotes', includeOnline: false },
	{ value: 'receipt', name: 'Receipt', path: 'Receipts', includeOnline: false },
	{ value: 'repeatingInvoice', name: 'Repeating Invoice', path: 'RepeatingInvoices', includeOnline: false },
];

export function parentTypeByValue(value: string): XeroParentType | undefined {
	return XERO_PARENT_TYPES.find((type) => type.value === value);
}
