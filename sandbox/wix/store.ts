/**
 * State of the Wix emulator: contacts (per site), their attachments with the bytes in files
 * under one directory, and the upload URLs handed out and not yet used.
 */
import { randomBytes, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { UUID_RE } from './http';
import { hashFileSync } from '../common/files';

export interface WixContact {
	/** Lower-case GUID. */
	id: string;
	siteId: string;
	firstName?: string;
	lastName?: string;
	email?: string;
	createdDate: Date;
}

export interface AttachmentRecord {
	/** Lower-case GUID. */
	id: string;
	contactId: string;
	fileName: string;
	mimeType: string;
	attachmentType: 'IMAGE' | 'OTHER';
	/** The WixMedia ID the media URLs name the file by (e.g. `a1b2c3_<32 hex>~mv2.png`). */
	mediaId: string;
	size: number;
	sha256: string;
	md5: string;
	/** Where the bytes are, inside the storage directory. */
	filePath: string;
	width?: number;
	height?: number;
	createdDate: Date;
}

export interface PendingUpload {
	token: string;
	contactId: string;
	fileName: string;
	mimeType: string;
	/** ms since epoch. */
	expiresAt: number;
	used: boolean;
}

/**
 * Wix's list of accepted attachment types (Attachment V4, "Supported Mime Types"), written out
 * here on its own so that the emulator checks the node instead of agreeing with it.
 */
const DOCUMENT_TYPES = new Set([
	'text/csv',
	'application/msword',
	'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	'application/vnd.openxmlformats-officedocument.wordprocessingml.template',
	'application/vnd.ms-excel',
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	'application/vnd.openxmlformats-officedocument.spreadsheetml.template',
	'application/vnd.ms-powerpoint',
	'application/vnd.openxmlformats-officedocument.presentationml.presentation',
	'application/vnd.openxmlformats-officedocument.presentationml.template',
	'application/vnd.openxmlformats-officedocument.presentationml.slideshow',
	'application/pdf',
]);
const REFUSED_IMAGE_TYPES = new Set([
	'image/tiff',
	'image/svg+xml',
	'image/bmp',
	'image/x-bmp',
	'image/vnd.zbrush.pcx',
	'image/x-pcx',
	'image/x-xcf',
	'image/x-icon',
	'image/ico',
	'image/icon',
	'image/vnd.microsoft.icon',
	'image/x-pict',
	'image/x-portable-bitmap',
	'image/x-portable-graymap',
	'image/x-portable-pixmap',
	'image/x-portable-anymap',
	'image/sgi',
	'image/webp',
]);

export function acceptedMimeType(mimeType: string): boolean {
	if (DOCUMENT_TYPES.has(mimeType)) return true;
	return /^image\/[a-z0-9.+-]+$/.test(mimeType) && !REFUSED_IMAGE_TYPES.has(mimeType);
}

const EXTENSIONS: Record<string, string> = {
	'application/pdf': 'pdf',
	'text/csv': 'csv',
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/gif': 'gif',
};

/** Width and height of a PNG, GIF or JPEG, read from its header. */
function imageSize(filePath: string): { width: number; height: number } | undefined {
	const fd = fs.openSync(filePath, 'r');
	const head = Buffer.alloc(64 * 1024);
	let n: number;
	try {
		n = fs.readSync(fd, head, 0, head.length, 0);
	} finally {
		fs.closeSync(fd);
	}
	const b = head.subarray(0, n);
	if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47) return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
	if (b.length >= 10 && b.toString('latin1', 0, 3) === 'GIF') return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
	if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
		let i = 2;
		while (i + 9 < b.length && b[i] === 0xff) {
			const marker = b[i + 1];
			const length = b.readUInt16BE(i + 2);
			if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
				return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
			}
			i += 2 + length;
		}
	}
	return undefined;
}

export interface NewContent {
	/** A finished file inside the storage directory; it is moved, not copied. */
	tempPath: string;
	size: number;
	sha256: string;
	md5: string;
}

export class WixStore {
	private readonly contactsById = new Map<string, WixContact>();
	private readonly byContact = new Map<string, AttachmentRecord[]>();
	private readonly byMediaId = new Map<string, AttachmentRecord>();
	private readonly uploads = new Map<string, PendingUpload>();
	/** The site-specific prefix of media IDs, as Wix's `2acbb8_…`. */
	private readonly mediaPrefix = randomBytes(3).toString('hex');
	/** Told of every attachment made and deleted (the emulator's webhooks, wix/webhooks.ts). */
	onChange?: (change: 'created' | 'deleted', record: AttachmentRecord) => void;

	constructor(readonly dir: string) {}

	addContact(contact: Omit<WixContact, 'createdDate' | 'id'> & { id?: string }): WixContact {
		const id = (contact.id ?? randomUUID()).toLowerCase();
		if (!UUID_RE.test(id)) throw new RangeError(`Contact id "${id}" is not a GUID`);
		const record: WixContact = { ...contact, id, createdDate: new Date() };
		this.contactsById.set(id, record);
		return record;
	}

	contact(id: string): WixContact | undefined {
		return this.contactsById.get(id.toLowerCase());
	}

	contacts(siteId?: string): WixContact[] {
		const all = [...this.contactsById.values()];
		return siteId ? all.filter((c) => c.siteId.toLowerCase() === siteId.toLowerCase()) : all;
	}

	list(contactId: string): AttachmentRecord[] {
		return this.byContact.get(contactId.toLowerCase()) ?? [];
	}

	find(contactId: string, attachmentId: string): AttachmentRecord | undefined {
		const id = attachmentId.toLowerCase();
		return this.list(contactId).find((r) => r.id === id);
	}

	byMedia(mediaId: string): AttachmentRecord | undefined {
		return this.byMediaId.get(mediaId);
	}

	remove(contactId: string, attachmentId: string): AttachmentRecord | undefined {
		const record = this.find(contactId, attachmentId);
		if (!record) return undefined;
		this.byContact.set(
			contactId.toLowerCase(),
			this.list(contactId).filter((r) => r !== record),
		);
		this.byMediaId.delete(record.mediaId);
		// A download in progress keeps reading through its open descriptor.
		fs.rmSync(record.filePath, { force: true });
		this.onChange?.('deleted', record);
		return record;
	}

	/** A fresh path for an upload in progress. */
	tempPath(): string {
		return path.join(this.dir, `upload-${randomUUID()}.part`);
	}

	announceUpload(contactId: string, fileName: string, mimeType: string, ttlSeconds: number): PendingUpload {
		const upload: PendingUpload = {
			token: randomBytes(32).toString('base64url'),
			contactId: contactId.toLowerCase(),
			fileName,
			mimeType,
			expiresAt: Date.now() + ttlSeconds * 1000,
			used: false,
		};
		this.uploads.set(upload.token, upload);
		return upload;
	}

	pendingUpload(token: string): PendingUpload | undefined {
		return this.uploads.get(token);
	}

	pendingUploads(): PendingUpload[] {
		return [...this.uploads.values()].map((u) => ({ ...u }));
	}

	/** Stores uploaded bytes as a new attachment of the contact. */
	commit(contactId: string, fileName: string, mimeType: string, content: NewContent): AttachmentRecord {
		const id = randomUUID();
		const isImage = mimeType.startsWith('image/');
		const extension = EXTENSIONS[mimeType] ?? (/\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1]?.toLowerCase() || 'bin');
		const mediaId = `${this.mediaPrefix}_${randomBytes(16).toString('hex')}${isImage ? '~mv2' : ''}.${extension}`;
		const filePath = path.join(this.dir, `${id}.bin`);
		fs.renameSync(content.tempPath, filePath);
		const record: AttachmentRecord = {
			id,
			contactId: contactId.toLowerCase(),
			fileName,
			mimeType,
			attachmentType: isImage ? 'IMAGE' : 'OTHER',
			mediaId,
			size: content.size,
			sha256: content.sha256,
			md5: content.md5,
			filePath,
			createdDate: new Date(),
		};
		if (isImage) Object.assign(record, imageSize(filePath) ?? {});
		this.byContact.set(record.contactId, [...this.list(record.contactId), record]);
		this.byMediaId.set(mediaId, record);
		this.onChange?.('created', record);
		return record;
	}

	/** Adds an attachment directly (test setup); the bytes are copied into the storage directory. */
	seed(contactId: string, fileName: string, content: Buffer | { filePath: string }, mimeType: string): AttachmentRecord {
		if (!this.contact(contactId)) throw new RangeError(`Unknown contact ${contactId}: addContact() it first`);
		const tempPath = this.tempPath();
		if (Buffer.isBuffer(content)) fs.writeFileSync(tempPath, content);
		else fs.copyFileSync(content.filePath, tempPath);
		return this.commit(contactId, fileName, mimeType, { tempPath, ...hashFileSync(tempPath) });
	}

	/** Forgets every attachment and upload URL (contacts stay) and deletes every file written. */
	clear(): void {
		for (const records of this.byContact.values()) for (const r of records) fs.rmSync(r.filePath, { force: true });
		this.byContact.clear();
		this.byMediaId.clear();
		this.uploads.clear();
		for (const name of fs.existsSync(this.dir) ? fs.readdirSync(this.dir) : []) {
			if (name.startsWith('upload-') && name.endsWith('.part')) fs.rmSync(path.join(this.dir, name), { force: true });
		}
	}

	resetContacts(contacts: WixContact[]): void {
		this.contactsById.clear();
		for (const contact of contacts) this.contactsById.set(contact.id, { ...contact });
	}
}
