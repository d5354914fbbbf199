/**
 * Uploaded attachments of the Sunshine emulator, their bytes in files under one directory.
 */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export interface AttachmentRecord {
	/** 26 characters, Crockford base32 (like the IDs of Sunshine's media URLs). */
	id: string;
	appId: string;
	fileName: string;
	mediaType: string;
	size: number;
	sha256: string;
	access: 'public';
	/** The `for` query of the upload (`message`), if any. */
	for?: string;
	conversationId?: string;
	/** Path of the media, relative to the media base URL; what media tokens name. */
	mediaPath: string;
	/** Where the bytes are, inside the storage directory. */
	filePath: string;
	createdAt: Date;
}

export interface NewAttachment {
	appId: string;
	fileName: string;
	mediaType: string;
	for?: string;
	conversationId?: string;
	/** A finished file in the storage directory; it is moved, not copied. */
	tempPath: string;
	size: number;
	sha256: string;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID-like ID: 10 characters of time, 16 of randomness. */
export function newMediaId(now = Date.now()): string {
	let time = '';
	let t = now;
	for (let i = 0; i < 10; i++) {
		time = CROCKFORD[t % 32] + time;
		t = Math.floor(t / 32);
	}
	const random = [...randomBytes(16)].map((byte) => CROCKFORD[byte % 32]).join('');
	return time + random;
}

export class AttachmentStore {
	private readonly records: AttachmentRecord[] = [];

	constructor(readonly dir: string) {}

	list(appId?: string): AttachmentRecord[] {
		return this.records.filter((record) => appId === undefined || record.appId === appId);
	}

	findByMediaPath(mediaPath: string): AttachmentRecord | undefined {
		return this.records.find((record) => record.mediaPath === mediaPath);
	}

	/** A fresh path for an upload in progress. */
	tempPath(): string {
		return path.join(this.dir, `upload-${randomBytes(8).toString('hex')}.part`);
	}

	add(attachment: NewAttachment): AttachmentRecord {
		const id = newMediaId();
		const segments = ['', 'apps', attachment.appId];
		if (attachment.conversationId) segments.push('conversations', attachment.conversationId);
		segments.push(id, encodeURIComponent(attachment.fileName));
		const filePath = path.join(this.dir, `${id}.bin`);
		fs.renameSync(attachment.tempPath, filePath);
		const record: AttachmentRecord = {
			id,
			appId: attachment.appId,
			fileName: attachment.fileName,
			mediaType: attachment.mediaType,
			size: attachment.size,
			sha256: attachment.sha256,
			access: 'public',
			for: attachment.for,
			conversationId: attachment.conversationId,
			mediaPath: segments.join('/'),
			filePath,
			createdAt: new Date(),
		};
		this.records.push(record);
		return record;
	}

	/** Adds a record directly (test setup). */
	seed(appId: string, fileName: string, content: Buffer, mediaType: string, conversationId?: string): AttachmentRecord {
		const tempPath = this.tempPath();
		fs.writeFileSync(tempPath, content);
		return this.add({
			appId,
			fileName,
			mediaType,
			conversationId,
			tempPath,
			size: content.length,
			sha256: createHash('sha256').update(content).digest('hex'),
		});
	}

	remove(record: AttachmentRecord): void {
		const index = this.records.indexOf(record);
		if (index >= 0) this.records.splice(index, 1);
		// A download in progress keeps reading through its open descriptor.
		fs.rmSync(record.filePath, { force: true });
	}

	/** Forgets every record and deletes every file this store wrote. */
	clear(): void {
		for (const record of this.records) fs.rmSync(record.filePath, { force: true });
		this.records.length = 0;
		for (const name of fs.existsSync(this.dir) ? fs.readdirSync(this.dir) : []) {
			if (name.startsWith('upload-') && name.endsWith('.part')) fs.rmSync(path.join(this.dir, name), { force: true });
		}
	}
}
