/**
 * The documents of the Xero emulator (invoices, contacts, … the 11 types that carry attachments)
 * and their list endpoints `GET /api.xro/2.0/{Type}`, as far as a watcher of attachments needs them.
 *
 * What each list endpoint takes is what Xero's accounting spec (xero_accounting.yaml) declares for
 * it: `If-Modified-Since` on every one but RepeatingInvoices, `where` on every one but
 * PurchaseOrders and Quotes, `page` on Invoices, Contacts, BankTransactions, CreditNotes,
 * ManualJournals, PurchaseOrders and Quotes (`pageSize` on all of these but Quotes, which pages
 * by 100), `order` everywhere. A parameter an endpoint does not declare is ignored, as a server
 * ignores an unknown query parameter. Documents carry the fields their schema has: `HasAttachments`
 * (every type but Quote), `UpdatedDateUTC` (every type but BankTransfer, which has only
 * `CreatedDateUTC`, and RepeatingInvoice, which has neither).
 *
 * What an attachment does to its document is the emulator's model, not something Xero documents:
 * an upload (PUT or POST) sets `HasAttachments` and, unless `attachmentsTouchDocuments` is off,
 * moves the document's modification time, which `If-Modified-Since` filters on (also for the types
 * that do not show it). Turning it off shows what a watcher sees if Xero does not do that.
 *
 * A document exists once a test seeds it (`seedDocument`) or an attachment is seeded or uploaded
 * to its ID (it is then created with that ID, as the attachment routes always accepted any ID).
 */
import { randomUUID } from 'crypto';
import type { IncomingMessage } from 'http';

import { type Reply, UUID_RE, jsonReply, textReply, xeroXml } from './http-util';
import { type ParentType, PARENT_TYPES, canonicalParentType } from './storage';

/** What Xero's spec declares for one type's list endpoint and records. */
interface TypeModel {
	/** The record's ID field, e.g. `InvoiceID`. */
	idField: string;
	modifiedSince: boolean;
	where: boolean;
	/** `page` (true), and whether `pageSize` is taken (Quotes page by 100 only). */
	paged: boolean;
	pageSize: boolean;
	/** A `pagination` object in the answer (the wrappers whose schema has one). */
	pagination: boolean;
	hasAttachmentsField: boolean;
	/** The date field the record shows its last change in, if any. */
	dateField?: 'UpdatedDateUTC' | 'CreatedDateUTC';
	/** Fields of a plausible record of this type (its schema's required ones included). */
	sample(seq: number): Record<string, unknown>;
}

const bankAccount = { AccountID: '13918178-849a-4823-9a31-57b7eac713d7', Code: '090', Name: 'Business Bank Account' };
const contact = { ContactID: '5cc8cf28-567e-4d43-b287-687cfcaec47c', Name: 'Demo Supplier' };
const lineItem = { Description: 'Consulting', Quantity: 1, UnitAmount: 100, AccountCode: '200', LineAmount: 100 };

const TYPES: Record<ParentType, TypeModel> = {
	Accounts: {
		idField: 'AccountID', modifiedSince: true, where: true, paged: false, pageSize: false, pagination: false,
		hasAttachmentsField: true, dateField: 'UpdatedDateUTC',
		sample: (n) => ({ Code: String(300 + n), Name: `Account ${n}`, Type: 'EXPENSE', Status: 'ACTIVE' }),
	},
	BankTransactions: {
		idField: 'BankTransactionID', modifiedSince: true, where: true, paged: true, pageSize: true, pagination: true,
		hasAttachmentsField: true, dateField: 'UpdatedDateUTC',
		sample: () => ({ Type: 'SPEND', Contact: contact, LineItems: [lineItem], BankAccount: bankAccount, Status: 'AUTHORISED', Total: 100 }),
	},
	BankTransfers: {
		idField: 'BankTransferID', modifiedSince: true, where: true, paged: false, pageSize: false, pagination: false,
		hasAttachmentsField: true, dateField: 'CreatedDateUTC',
		sample: () => ({ FromBankAccount: bankAccount, ToBankAccount: { ...bankAccount, AccountID: '6f7594f2-f059-4d56-9e67-47ac9733bfe9', Code: '091' }, Amount: 50 }),
	},
	Contacts: {
		idField: 'ContactID', modifiedSince: true, where: true, paged: true, pageSize: true, pagination: true,
		hasAttachmentsField: true, dateField: 'UpdatedDateUTC',
		sample: (n) => ({ Name: `Contact ${n}`, ContactStatus: 'ACTIVE' }),
	},
	CreditNotes: {
		idField: 'CreditNoteID', modifiedSince: true, where: true, paged: true, pageSize: true, pagination: true,
		hasAttachmentsField: true, dateField: 'UpdatedDateUTC',
		sample: (n) => ({ Type: 'ACCPAYCREDIT', CreditNoteNumber: `CN-${n}`, Contact: contact, Status: 'AUTHORISED', Total: 10 }),
	},
	Invoices: {
		idField: 'InvoiceID', modifiedSince: true, where: true, paged: true, pageSize: true, pagination: true,
		hasAttachmentsField: true, dateField: 'UpdatedDateUTC',
		sample: (n) => ({ Type: n % 2 ? 'ACCPAY' : 'ACCREC', InvoiceNumber: `INV-${String(n).padStart(4, '0')}`, Contact: contact, Status: 'AUTHORISED', Total: 100 }),
	},
	ManualJournals: {
		idField: 'ManualJournalID', modifiedSince: true, where: true, paged: true, pageSize: true, pagination: true,
		hasAttachmentsField: true, dateField: 'UpdatedDateUTC',
		sample: (n) => ({ Narration: `Journal ${n}`, Status: 'POSTED' }),
	},
	PurchaseOrders: {
		idField: 'PurchaseOrderID', modifiedSince: true, where: false, paged: true, pageSize: true, pagination: true,
		hasAttachmentsField: true, dateField: 'UpdatedDateUTC',
		sample: (n) => ({ PurchaseOrderNumber: `PO-${n}`, Contact: contact, Status: 'AUTHORISED', Total: 100 }),
	},
	Quotes: {
		idField: 'QuoteID', modifiedSince: true, where: false, paged: true, pageSize: false, pagination: false,
		hasAttachmentsField: false, dateField: 'UpdatedDateUTC',
		sample: (n) => ({ QuoteNumber: `QU-${n}`, Contact: contact, Status: 'SENT', Total: 100 }),
	},
	Receipts: {
		idField: 'ReceiptID', modifiedSince: true, where: true, paged: false, pageSize: false, pagination: false,
		hasAttachmentsField: true, dateField: 'UpdatedDateUTC',
		sample: (n) => ({ ReceiptNumber: String(n), Contact: contact, Status: 'DRAFT', Total: 20 }),
	},
	RepeatingInvoices: {
		idField: 'RepeatingInvoiceID', modifiedSince: false, where: true, paged: false, pageSize: false, pagination: false,
		hasAttachmentsField: true,
		sample: () => ({ Type: 'ACCREC', Contact: contact, Status: 'AUTHORISED', Total: 100 }),
	},
};

/** Xero's largest page. */
export const MAX_PAGE_SIZE = 1000;
const DEFAULT_PAGE_SIZE = 100;

export interface XeroDocument {
	type: ParentType;
	/** Lower-case UUID. */
	id: string;
	createdAt: number;
	/** When the document last changed (what If-Modified-Since filters on), epoch ms. */
	updatedAt: number;
	hasAttachments: boolean;
	/** The type's other fields (a seeded document may set its own). */
	fields: Record<string, unknown>;
}

export interface DocumentListRoute {
	type: ParentType;
}

/** `/api.xro/2.0/{Type}` (a trailing slash allowed); undefined for any other path. */
export function parseDocumentListRoute(rawPath: string): DocumentListRoute | undefined {
	const segs = rawPath.split('/');
	if (segs[1]?.toLowerCase() !== 'api.xro' || segs[2] !== '2.0') return undefined;
	if (segs.length !== 4 && !(segs.length === 5 && segs[4] === '')) return undefined;
	const type = canonicalParentType(segs[3] ?? '');
	return type ? { type } : undefined;
}

/** Xero's query names are case-insensitive. */
function queryValue(query: URLSearchParams, name: string): string | undefined {
	const lower = name.toLowerCase();
	for (const [key, value] of query) if (key.toLowerCase() === lower) return value;
	return undefined;
}

class WhereError extends Error {}

/** Splits `text` at `separator` (a regex source) where it is outside quotes and parentheses. */
function splitTopLevel(text: string, separator: RegExp): string[] {
	const parts: string[] = [];
	let depth = 0;
	let quoted = false;
	let start = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (c === '"') quoted = !quoted;
		if (quoted) continue;
		if (c === '(') depth++;
		if (c === ')') depth--;
		if (depth === 0) {
			separator.lastIndex = i;
			const match = separator.exec(text);
			if (match && match.index === i) {
				parts.push(text.slice(start, i));
				start = i + match[0].length;
				i = start - 1;
			}
		}
	}
	if (quoted || depth !== 0) throw new WhereError('unbalanced quotes or parentheses');
	parts.push(text.slice(start));
	return parts;
}

/** Whether the parenthesis that opens `text` is the one that closes it. */
function wrappedInParentheses(text: string): boolean {
	if (!text.startsWith('(') || !text.endsWith(')')) return false;
	let depth = 0;
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (c === '"') quoted = !quoted;
		if (quoted) continue;
		if (c === '(') depth++;
		if (c === ')' && --depth === 0) return i === text.length - 1;
	}
	return false;
}

function stripParentheses(text: string): string {
	let t = text.trim();
	while (wrappedInParentheses(t)) t = t.slice(1, -1).trim();
	return t;
}

function literal(text: string): unknown {
	const t = text.trim();
	if (/^"(.*)"$/s.test(t)) return t.slice(1, -1);
	const guid = /^Guid\("([^"]*)"\)$/i.exec(t);
	if (guid) return guid[1].toLowerCase();
	if (/^true$/i.test(t)) return true;
	if (/^false$/i.test(t)) return false;
	if (/^null$/i.test(t)) return null;
	if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
	throw new WhereError(`cannot read the value ${t}`);
}

function fieldValue(record: Record<string, unknown>, fieldPath: string): unknown {
	let value: unknown = record;
	for (const name of fieldPath.trim().split('.')) {
		if (!value || typeof value !== 'object') return undefined;
		const entry = Object.entries(value as Record<string, unknown>).find(([key]) => key.toLowerCase() === name.toLowerCase());
		value = entry?.[1];
	}
	return typeof value === 'string' && UUID_RE.test(value) ? value.toLowerCase() : value;
}

/** A small reading of Xero's `where`: `==`, `!=`, `.Contains("…")`, `.StartsWith("…")`, AND, OR, parentheses. */
function matchesWhere(record: Record<string, unknown>, where: string): boolean {
	const expression = stripParentheses(where);
	const alternatives = splitTopLevel(expression, /\s+(OR|\|\|)\s+/iy);
	if (alternatives.length > 1) return alternatives.some((part) => matchesWhere(record, part));
	const conditions = splitTopLevel(expression, /\s+(AND|&&)\s+/iy);
	if (conditions.length > 1) return conditions.every((part) => matchesWhere(record, part));
	const call = /^([A-Za-z][\w.]*)\.(Contains|StartsWith)\("(.*)"\)$/s.exec(expression);
	if (call) {
		const value = fieldValue(record, call[1]);
		if (typeof value !== 'string') return false;
		return call[2] === 'Contains' ? value.includes(call[3]) : value.startsWith(call[3]);
	}
	const comparison = /^([A-Za-z][\w.]*)\s*(==|!=)\s*(.+)$/s.exec(expression);
	if (!comparison) throw new WhereError(`cannot read the condition ${expression}`);
	const value = fieldValue(record, comparison[1]);
	const expected = literal(comparison[3]);
	const equal = typeof expected === 'string' && typeof value === 'string' ? value.toLowerCase() === expected.toLowerCase() : value === expected;
	return comparison[2] === '==' ? equal : !equal;
}

/** `If-Modified-Since` as Xero reads it: an ISO 8601 time, UTC when no zone is given. Undefined when unreadable. */
export function parseModifiedSince(value: string | undefined): number | undefined {
	if (!value?.trim()) return undefined;
	const text = value.trim();
	const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text}Z` : text;
	const time = Date.parse(iso);
	return Number.isNaN(time) ? undefined : time;
}

export interface DocumentStoreOptions {
	/** Whether an attachment upload moves its document's modification time (default true). */
	attachmentsTouchDocuments: boolean;
	providerName: string;
	defaultFormat: 'xml' | 'json';
}

export class DocumentStore {
	private readonly documents = new Map<ParentType, Map<string, XeroDocument>>();
	private seq = 0;
	/** The last time given out: every change gets a later one, so that two never share a millisecond. */
	private lastTime = 0;

	constructor(private readonly options: DocumentStoreOptions) {
		for (const type of PARENT_TYPES) this.documents.set(type, new Map());
	}

	private now(): number {
		this.lastTime = Math.max(Date.now(), this.lastTime + 1);
		return this.lastTime;
	}

	get(type: ParentType, id: string): XeroDocument | undefined {
		return this.documents.get(type)!.get(id.toLowerCase());
	}

	list(type: ParentType): XeroDocument[] {
		return [...this.documents.get(type)!.values()];
	}

	/** A new document (a fresh ID unless given; last changed now, or `at`), or the existing one with that ID. */
	ensure(type: ParentType, id: string = randomUUID(), fields: Record<string, unknown> = {}, at?: Date): XeroDocument {
		if (!UUID_RE.test(id)) throw new RangeError(`Document id "${id}" is not a UUID`);
		const existing = this.get(type, id);
		if (existing) return existing;
		const now = at ? at.getTime() : this.now();
		const document: XeroDocument = {
			type,
			id: id.toLowerCase(),
			createdAt: now,
			updatedAt: now,
			hasAttachments: false,
			fields: { ...TYPES[type].sample(++this.seq), ...fields },
		};
		this.documents.get(type)!.set(document.id, document);
		return document;
	}

	/** An edit of the document that is not about attachments (a payment, a new status…). */
	edit(type: ParentType, id: string, fields: Record<string, unknown> = {}): XeroDocument {
		const document = this.get(type, id);
		if (!document) throw new RangeError(`No ${type} document ${id}`);
		Object.assign(document.fields, fields);
		document.updatedAt = this.now();
		return document;
	}

	/** An attachment was added or replaced on the document (created if unknown). */
	attachmentChanged(type: ParentType, id: string): void {
		const document = this.ensure(type, id);
		document.hasAttachments = true;
		if (this.options.attachmentsTouchDocuments) document.updatedAt = this.now();
	}

	setAttachmentsTouchDocuments(value: boolean): void {
		this.options.attachmentsTouchDocuments = value;
	}

	clear(): void {
		for (const map of this.documents.values()) map.clear();
		this.lastTime = 0;
	}

	/** The document as the API shows it. */
	toXero(document: XeroDocument): Record<string, unknown> {
		const model = TYPES[document.type];
		const json: Record<string, unknown> = { [model.idField]: document.id, ...document.fields };
		if (model.hasAttachmentsField) json.HasAttachments = document.hasAttachments;
		if (model.dateField === 'UpdatedDateUTC') json.UpdatedDateUTC = `/Date(${document.updatedAt}+0000)/`;
		if (model.dateField === 'CreatedDateUTC') json.CreatedDateUTC = `/Date(${document.createdAt}+0000)/`;
		return json;
	}

	private reply(req: IncomingMessage, status: number, value: Record<string, unknown>, root: 'Response' | 'ApiException'): Reply {
		const accept = String(req.headers.accept ?? '');
		const json = /json/i.test(accept) || (this.options.defaultFormat === 'json' && !/xml/i.test(accept));
		if (json) return jsonReply(status, value);
		return textReply(status, 'text/xml; charset=utf-8', xeroXml(root, value));
	}

	private badRequest(req: IncomingMessage, message: string): Reply {
		return this.reply(
			req,
			400,
			{ ErrorNumber: 16, Type: 'QueryParseException', Message: message },
			'ApiException',
		);
	}

	/** `GET /api.xro/2.0/{Type}`: the documents the query selects, in its order, one page of them when paged. */
	listReply(req: IncomingMessage, route: DocumentListRoute, query: URLSearchParams): Reply {
		const model = TYPES[route.type];
		let documents = this.list(route.type);
		const since = model.modifiedSince ? parseModifiedSince(headerValue(req, 'if-modified-since')) : undefined;
		if (since !== undefined) documents = documents.filter((document) => document.updatedAt >= since);
		let records = documents.map((document) => ({ document, json: this.toXero(document) }));
		const where = model.where ? queryValue(query, 'where') : undefined;
		if (where?.trim()) {
			try {
				records = records.filter(({ json }) => matchesWhere(json, where));
			} catch (error) {
				return this.badRequest(req, `Error parsing where clause: ${(error as Error).message}`);
			}
		}
		const order = queryValue(query, 'order')?.trim();
		records.sort((a, b) => a.document.createdAt - b.document.createdAt);
		if (order) {
			const [field, direction] = order.split(/\s+/);
			const key = (record: { document: XeroDocument; json: Record<string, unknown> }): number | string => {
				if (/^UpdatedDateUTC$/i.test(field)) return record.document.updatedAt;
				if (/^CreatedDateUTC$/i.test(field)) return record.document.createdAt;
				const value = fieldValue(record.json, field);
				return typeof value === 'number' ? value : String(value ?? '');
			};
			const sign = /^desc$/i.test(direction ?? '') ? -1 : 1;
			records.sort((a, b) => {
				const x = key(a);
				const y = key(b);
				return x < y ? -sign : x > y ? sign : 0;
			});
		}
		const body: Record<string, unknown> = {
			Id: randomUUID(),
			Status: 'OK',
			ProviderName: this.options.providerName,
			DateTimeUTC: `/Date(${Date.now()})/`,
		};
		const pageText = model.paged ? queryValue(query, 'page') : undefined;
		if (pageText !== undefined) {
			const page = Math.max(1, Number.parseInt(pageText, 10) || 1);
			const asked = model.pageSize ? Number.parseInt(queryValue(query, 'pageSize') ?? '', 10) : NaN;
			const pageSize = Number.isFinite(asked) && asked > 0 ? Math.min(asked, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
			const itemCount = records.length;
			records = records.slice((page - 1) * pageSize, page * pageSize);
			if (model.pagination) body.pagination = { page, pageSize, pageCount: Math.ceil(itemCount / pageSize), itemCount };
		}
		body[route.type] = records.map(({ json }) => json);
		return this.reply(req, 200, body, 'Response');
	}
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
	const value = req.headers[name];
	return Array.isArray(value) ? value[0] : value;
}
