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
	/** The field holding the document's ID in Xero's API, e.g. `InvoiceID`. */
	idField: string;
	/** An example ID for the placeholder (made up: no demo or real document has it). */
	exampleId: string;
}

export const XERO_PARENT_TYPES: XeroParentType[] = [
	{ value: 'account', name: 'Account', path: 'Accounts', includeOnline: false, idField: 'AccountID', exampleId: 'bca52c45-f76c-58e1-b72b-70fad07e4605' },
	{ value: 'bankTransaction', name: 'Bank Transaction', path: 'BankTransactions', includeOnline: false, idField: 'BankTransactionID', exampleId: '1a57af9c-7b94-56c4-9edb-1860dc7e7c21' },
	{ value: 'bankTransfer', name: 'Bank Transfer', path: 'BankTransfers', includeOnline: false, idField: 'BankTransferID', exampleId: '1b411704-7626-528d-aa3e-0ca13cb97830' },
	{ value: 'contact', name: 'Contact', path: 'Contacts', includeOnline: false, idField: 'ContactID', exampleId: 'f69047dd-f401-548a-9f3b-a2a5ce9537d6' },
	{ value: 'creditNote', name: 'Credit Note', path: 'CreditNotes', includeOnline: true, idField: 'CreditNoteID', exampleId: '280ccfec-27b9-51af-b398-dcf3f5705b2e' },
	{ value: 'invoice', name: 'Invoice', path: 'Invoices', includeOnline: true, idField: 'InvoiceID', exampleId: '7a8bf81e-44a7-5129-9b97-5077a14442ee' },
	{ value: 'manualJournal', name: 'Manual Journal', path: 'ManualJournals', includeOnline: false, idField: 'ManualJournalID', exampleId: '617e580a-88c5-5a6f-b26f-0b9e8362eddf' },
	{ value: 'purchaseOrder', name: 'Purchase Order', path: 'PurchaseOrders', includeOnline: false, idField: 'PurchaseOrderID', exampleId: 'efc9825a-ab0d-5858-a5ea-ba8631aa7c34' },
	{ value: 'quote', name: 'Quote', path: 'Quotes', includeOnline: false, idField: 'QuoteID', exampleId: '573cf701-0048-57ef-8ecb-27d9ef98cd49' },
	{ value: 'receipt', name: 'Receipt', path: 'Receipts', includeOnline: false, idField: 'ReceiptID', exampleId: '8bd37a76-2835-5633-a6fc-15ed0c21f032' },
	{ value: 'repeatingInvoice', name: 'Repeating Invoice', path: 'RepeatingInvoices', includeOnline: false, idField: 'RepeatingInvoiceID', exampleId: '5d111bdc-3cc7-5e94-ac4e-7f76b2bbdeb2' },
];

export function parentTypeByValue(value: string): XeroParentType | undefined {
	return XERO_PARENT_TYPES.find((type) => type.value === value);
}
