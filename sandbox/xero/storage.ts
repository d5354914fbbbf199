/**
 * Attachment records of the Xero emulator, with their bytes in files under one directory.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { UUID_RE } from './http-util';
import { hashFileSync } from '../common/files';

/** The 11 record types that carry attachments, spelt as in the API paths. */
export const PARENT_TYPES = [
	'Accounts',
	'BankTransactions',
	'BankTransfers',
	'Contacts',
	'CreditNotes',
	'Invoices',
	'ManualJournals',
	'PurchaseOrders',
	'Quotes',
	'Receipts',
	'RepeatingInvoices',
] as const;
export type ParentType = (typeof PARENT_TYPES)[number];

/** Only these take `IncludeOnline=true` (shown with the online invoice / credit note). */
export const INCLUDE_ONLINE_TYPES: readonly ParentType[] = ['Invoices', 'CreditNotes'];

/** Xero's paths are case-insensitive: `invoices` is `Invoices`. */
export function canonicalParentType(value: string): ParentType | undefined {
	const lower = value.toLowerCase();
	return PARENT_TYPES.find((t) => t.toLowerCase() === lower);
}

export interface AttachmentRecord {
	attachmentId: string;
	parentType: ParentType;
	/** Lower-case UUID. */
	parentId: string;
	fileName: string;
	mimeType: string;
	size: number;
	sha256: string;
	includeOnline: boolean;
	/** Where the bytes are, inside the storage directory. */
	filePath: string;
	createdAt: Date;
	updatedAt: Date;
}

export interface NewContent {
	/** A finished file inside the storage directory; it is moved, not copied. */
	tempPath: string;
	mimeType: string;
	size: number;
	sha256: string;
	/** undefined: false for a new record, unchanged for a replaced one. */
	includeOnline?: boolean;
}

export class AttachmentStore {
	private readonly byParent = new Map<string, AttachmentRecord[]>();
	/** The documents the organisation has (type/id): Xero answers 404 for any other. */
	private readonly documents = new Set<string>();

	constructor(
		readonly dir: string,
		readonly maxPerParent: number,
	) {}

	private key(type: ParentType, parentId: string): string {
		return `${type}/${parentId.toLowerCase()}`;
	}

	/** A document of the organisation (an invoice, a contact, …), with or without attachments. */
	addDocument(type: ParentType, parentId: string): void {
		if (!UUID_RE.test(parentId)) throw new RangeError(`Parent id "${parentId}" is not a UUID`);
		this.documents.add(this.key(type, parentId));
	}

	hasDocument(type: ParentType, parentId: string): boolean {
		return this.documents.has(this.key(type, parentId));
	}

	list(type: ParentType, parentId: string): AttachmentRecord[] {
		return this.byParent.get(this.key(type, parentId)) ?? [];
	}

	findById(type: ParentType, parentId: string, attachmentId: string): AttachmentRecord | undefined {
		const id = attachmentId.toLowerCase();
		return this.list(type, parentId).find((r) => r.attachmentId === id);
	}

	/** The newest record of that name: exact match first, then ignoring case (as Xero does). */
	findByName(type: ParentType, parentId: string, fileName: string): AttachmentRecord | undefined {
		const records = [...this.list(type, parentId)].reverse();
		const lower = fileName.toLowerCase();
		return (
			records.find((r) => r.fileName === fileName) ??
			records.find((r) => r.fileName.toLowerCase() === lower)
		);
	}

	isFull(type: ParentType, parentId: string): boolean {
		return this.list(type, parentId).length >= this.maxPerParent;
	}

	/** A fresh path for an upload in progress. */
	tempPath(): string {
		return path.join(this.dir, `upload-${randomUUID()}.part`);
	}

	/**
	 * Stores uploaded bytes: `create` adds a record (another one even when the name exists, as
	 * Xero's PUT does); `replace` swaps the content of the newest record of that name, keeping its
	 * AttachmentID, or creates one when there is none. Returns undefined when the parent is full.
	 */
	commit(
		op: 'create' | 'replace',
		type: ParentType,
		parentId: string,
		fileName: string,
		content: NewContent,
	): AttachmentRecord | undefined {
		const existing = op === 'replace' ? this.findByName(type, parentId, fileName) : undefined;
		if (existing) {
			const oldPath = existing.filePath;
			existing.filePath = this.moveIn(content.tempPath, existing.attachmentId);
			existing.mimeType = content.mimeType;
			existing.size = content.size;
			existing.sha256 = content.sha256;
			if (content.includeOnline !== undefined) existing.includeOnline = content.includeOnline;
			existing.updatedAt = new Date();
			// A download in progress keeps reading the old file through its open descriptor.
			fs.rmSync(oldPath, { force: true });
			return existing;
		}
		if (this.isFull(type, parentId)) {
			fs.rmSync(content.tempPath, { force: true });
			return undefined;
		}
		const attachmentId = randomUUID();
		const now = new Date();
		const record: AttachmentRecord = {
			attachmentId,
			parentType: type,
			parentId: parentId.toLowerCase(),
			fileName,
			mimeType: content.mimeType,
			size: content.size,
			sha256: content.sha256,
			includeOnline: content.includeOnline ?? false,
			filePath: this.moveIn(content.tempPath, attachmentId),
			createdAt: now,
			updatedAt: now,
		};
		const key = this.key(type, parentId);
		this.byParent.set(key, [...this.list(type, parentId), record]);
		return record;
	}

	/** Adds a record directly (test setup); bytes are copied into the storage directory. */
	seed(
		type: ParentType,
		parentId: string,
		fileName: string,
		content: Buffer | { filePath: string },
		mimeType: string,
		includeOnline = false,
	): AttachmentRecord {
		this.addDocument(type, parentId);
		const tempPath = this.tempPath();
		if (Buffer.isBuffer(content)) fs.writeFileSync(tempPath, content);
		else fs.copyFileSync(content.filePath, tempPath);
		const { size, sha256 } = hashFileSync(tempPath);
		const record = this.commit('create', type, parentId, fileName, {
			tempPath,
			mimeType,
			size,
			sha256,
			includeOnline,
		});
		if (!record) throw new RangeError(`${type}/${parentId} already has ${this.maxPerParent} attachments`);
		return record;
	}

	/** Forgets every document and record and deletes every file this store wrote. */
	clear(): void {
		this.documents.clear();
		for (const records of this.byParent.values()) {
			for (const r of records) fs.rmSync(r.filePath, { force: true });
		}
		this.byParent.clear();
		for (const name of fs.existsSync(this.dir) ? fs.readdirSync(this.dir) : []) {
			if (name.startsWith('upload-') && name.endsWith('.part')) {
				fs.rmSync(path.join(this.dir, name), { force: true });
			}
		}
	}

	private moveIn(tempPath: string, attachmentId: string): string {
		const finalPath = path.join(this.dir, `${attachmentId}-${randomUUID().slice(0, 8)}.bin`);
		fs.renameSync(tempPath, finalPath);
		return finalPath;
	}
}
