/**
 * The REST side of the Wix emulator (`https://www.wixapis.com`): Contact Attachments V4, List
 * Contacts (what the credentials' test requests call), Query Contacts (the Contact picker) and the
 * app token endpoint.
 */
import { createHmac, randomBytes } from 'crypto';
import type { IncomingMessage } from 'http';
import { type Reply, type FieldViolation, UUID_RE, applicationError, jsonReply, validationError } from './http';
import { type AttachmentRecord, type WixContact, type WixStore, acceptedMimeType } from './store';

export type ApiRoute =
	| { kind: 'token' }
	| { kind: 'listContacts' }
	| { kind: 'queryContacts' }
	| { kind: 'listAttachments'; contactId: string }
	| { kind: 'uploadUrl'; contactId: string }
	| { kind: 'getAttachment'; contactId: string; attachmentId: string }
	| { kind: 'deleteAttachment'; contactId: string; attachmentId: string }
	| { kind: 'error'; reply: Reply };

const PREFIX = '/contacts/v4';

function decode(segment: string): string | undefined {
	try {
		return decodeURIComponent(segment);
	} catch {
		return undefined;
	}
}

/** Routes a raw (still percent-encoded) path; every segment is decoded on its own. */
export function parseApiRoute(method: string, rawPath: string): ApiRoute {
	const notFound: ApiRoute = { kind: 'error', reply: applicationError(404, 'NOT_FOUND', 'Not Found', `No route for ${method} ${rawPath}`) };
	if (rawPath === '/oauth2/token') return method === 'POST' ? { kind: 'token' } : notFound;
	if (rawPath === `${PREFIX}/contacts`) return method === 'GET' ? { kind: 'listContacts' } : notFound;
	if (rawPath === `${PREFIX}/contacts/query`) return method === 'POST' ? { kind: 'queryContacts' } : notFound;
	if (!rawPath.startsWith(`${PREFIX}/attachments/`)) return notFound;
	const segments = rawPath.slice(`${PREFIX}/attachments/`.length).split('/').map(decode);
	if (segments.some((s) => s === undefined || s === '')) return notFound;
	const [contactId, second] = segments as string[];
	if (segments.length === 1) return method === 'GET' ? { kind: 'listAttachments', contactId } : notFound;
	if (segments.length !== 2) return notFound;
	if (second === 'upload-url' && method === 'POST') return { kind: 'uploadUrl', contactId };
	if (method === 'GET') return { kind: 'getAttachment', contactId, attachmentId: second };
	if (method === 'DELETE') return { kind: 'deleteAttachment', contactId, attachmentId: second };
	return notFound;
}

export interface ApiOptions {
	/** Give `total` in the paging metadata (else `tooManyToCount: true`, as for huge sets). */
	countTotals: boolean;
	/** Any GUID is a contact of the caller's site (sandbox convenience). Default false. */
	autoCreateContacts: boolean;
	uploadUrlTtlSeconds: number;
	/** Upload URLs carry their token in the query (`/upload?token=…`) instead of the path. */
	uploadTokenInQuery: boolean;
}

/** Signed, expiring links to the media host. */
export class MediaLinks {
	private readonly secret = randomBytes(16);

	constructor(
		private readonly mediaBaseUrl: () => string,
		private readonly ttlSeconds: () => number,
	) {}

	sign(mediaId: string, expires: number): string {
		return createHmac('sha256', this.secret).update(`${mediaId}:${expires}`).digest('hex').slice(0, 32);
	}

	/** `{media host}/media/{mediaId}[/suffix]?expires=…&token=…` and when it stops working. */
	link(mediaId: string, suffix = ''): { url: string; expiresAt: Date } {
		const expires = Math.floor(Date.now() / 1000) + this.ttlSeconds();
		const url = `${this.mediaBaseUrl()}/media/${encodeURIComponent(mediaId)}${suffix}?expires=${expires}&token=${this.sign(mediaId, expires)}`;
		return { url, expiresAt: new Date(expires * 1000) };
	}

	/** Whether a link's query is a valid, unexpired signature of the media ID. */
	verify(mediaId: string, query: URLSearchParams): 'ok' | 'invalid' | 'expired' {
		const expires = Number(query.get('expires'));
		const token = query.get('token') ?? '';
		if (!Number.isInteger(expires) || token !== this.sign(mediaId, expires)) return 'invalid';
		return expires * 1000 > Date.now() ? 'ok' : 'expired';
	}
}

/** An attachment as the API returns it (ContactAttachment of the spec). */
export function toWixAttachment(record: AttachmentRecord, links: MediaLinks): Record<string, unknown> {
	const out: Record<string, unknown> = { id: record.id };
	if (record.attachmentType === 'IMAGE') {
		const full = links.link(record.mediaId);
		const image: Record<string, unknown> = { id: record.mediaId, url: full.url };
		if (record.height !== undefined) image.height = record.height;
		if (record.width !== undefined) image.width = record.width;
		image.urlExpirationDate = full.expiresAt.toISOString();
		out.image = image;
		const preview = links.link(record.mediaId, '/v1/fit/w_300,h_300');
		out.previewImage = { id: record.mediaId, url: preview.url, urlExpirationDate: preview.expiresAt.toISOString() };
	} else {
		const file = links.link(record.mediaId);
		out.document = { id: record.mediaId, url: file.url, urlExpirationDate: file.expiresAt.toISOString() };
	}
	out.fileName = record.fileName;
	out.mimeType = record.mimeType;
	out.attachmentType = record.attachmentType;
	return out;
}

function toWixContact(contact: WixContact): Record<string, unknown> {
	const name: Record<string, string> = {};
	if (contact.firstName) name.first = contact.firstName;
	if (contact.lastName) name.last = contact.lastName;
	return {
		id: contact.id,
		revision: 1,
		source: { sourceType: 'OTHER' },
		createdDate: contact.createdDate.toISOString(),
		updatedDate: contact.createdDate.toISOString(),
		primaryInfo: contact.email ? { email: contact.email } : {},
		info: {
			name,
			emails: { items: contact.email ? [{ tag: 'MAIN', email: contact.email, primary: true }] : [] },
		},
	};
}

/** `paging.limit` (default and max `max`, 0 = default) and `paging.offset`, or a 400. */
function readPaging(query: URLSearchParams, max: number, defaultLimit: number): { limit: number; offset: number } | Reply {
	const violations: FieldViolation[] = [];
	const read = (name: string, fallback: number, upper: number): number => {
		const raw = query.get(name);
		if (raw === null || raw === '') return fallback;
		const value = Number(raw);
		if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value)) {
			violations.push({ field: name, description: 'must be a whole number', violatedRule: 'TYPE' });
		} else if (value > upper) {
			violations.push({ field: name, description: `must be at most ${upper}`, violatedRule: 'MAX', data: { threshold: upper } });
		}
		return value;
	};
	const limit = read('paging.limit', defaultLimit, max);
	const offset = read('paging.offset', 0, Number.MAX_SAFE_INTEGER);
	if (violations.length) return validationError(violations);
	return { limit: limit === 0 ? defaultLimit : limit, offset };
}

function pagingMetadata(count: number, offset: number, total: number, countTotals: boolean): Record<string, unknown> {
	return countTotals ? { count, offset, total, tooManyToCount: false } : { count, offset, tooManyToCount: true };
}

export class ContactsApi {
	constructor(
		private readonly store: WixStore,
		readonly links: MediaLinks,
		private readonly mediaBaseUrl: () => string,
		private readonly options: ApiOptions,
	) {}

	/** The contact of the caller's site, or the 400 / 404 Wix would answer. */
	private contactOf(siteId: string, contactId: string): WixContact | Reply {
		if (!UUID_RE.test(contactId)) {
			return validationError([{ field: 'contactId', description: 'must be a valid GUID', violatedRule: 'FORMAT', ruleName: 'INVALID_GUID' }]);
		}
		let contact = this.store.contact(contactId);
		if (!contact && this.options.autoCreateContacts) contact = this.store.addContact({ id: contactId, siteId });
		if (!contact || contact.siteId.toLowerCase() !== siteId.toLowerCase()) {
			return applicationError(404, 'NOT_FOUND', 'Contact not found', `Contact ${contactId} not found`);
		}
		return contact;
	}

	listContacts(siteId: string, query: URLSearchParams): Reply {
		const paging = readPaging(query, 1000, 50);
		if ('status' in paging) return paging;
		const all = this.store.contacts(siteId);
		const page = all.slice(paging.offset, paging.offset + paging.limit);
		return jsonReply(200, {
			contacts: page.map(toWixContact),
			pagingMetadata: pagingMetadata(page.length, paging.offset, all.length, this.options.countTotals),
		});
	}

	/**
	 * Query Contacts (`POST /contacts/v4/contacts/query`): `search`, Wix's plain-text search on
	 * first name, last name, email and phone, is matched here as a case-insensitive prefix of any
	 * word of those; `query.paging` pages (default 50, max 1,000); newest first, as Wix's default.
	 * Filters are not emulated: a non-empty `query.filter` is refused, so no test relies on one.
	 */
	queryContacts(req: IncomingMessage, siteId: string, body: Buffer | undefined): Reply {
		let parsed: { search?: unknown; query?: { filter?: unknown; paging?: { limit?: unknown; offset?: unknown } } };
		try {
			if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) throw new Error('not JSON');
			const value: unknown = JSON.parse((body ?? Buffer.alloc(0)).toString('utf8') || '{}');
			if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
			parsed = value as typeof parsed;
		} catch {
			return applicationError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT: the body must be a JSON object');
		}
		const filter = parsed.query?.filter;
		if (filter && typeof filter === 'object' && Object.keys(filter).length > 0) {
			return applicationError(400, 'INVALID_ARGUMENT', 'The emulator does not emulate contact filters');
		}
		const paging = new URLSearchParams();
		const { limit, offset } = parsed.query?.paging ?? {};
		if (limit !== undefined && limit !== null) paging.set('paging.limit', String(limit));
		if (offset !== undefined && offset !== null) paging.set('paging.offset', String(offset));
		const page = readPaging(paging, 1000, 50);
		if ('status' in page) return page;
		const search = typeof parsed.search === 'string' ? parsed.search.trim().toLowerCase() : '';
		if (search.length > 100) {
			return validationError([{ field: 'search', description: 'must be at most 100 characters long', violatedRule: 'MAX_LENGTH' }]);
		}
		const words = (contact: WixContact) =>
			[contact.firstName, contact.lastName, contact.email]
				.filter((text): text is string => typeof text === 'string')
				.flatMap((text) => [text.toLowerCase(), ...text.toLowerCase().split(/[\s@.]+/)]);
		const all = this.store
			.contacts(siteId)
			.filter((contact) => search === '' || words(contact).some((word) => word.startsWith(search)))
			.sort((a, b) => b.createdDate.getTime() - a.createdDate.getTime());
		const found = all.slice(page.offset, page.offset + page.limit);
		return jsonReply(200, {
			contacts: found.map(toWixContact),
			pagingMetadata: pagingMetadata(found.length, page.offset, all.length, this.options.countTotals),
		});
	}

	listAttachments(siteId: string, contactId: string, query: URLSearchParams): Reply {
		const contact = this.contactOf(siteId, contactId);
		if ('status' in contact) return contact;
		const paging = readPaging(query, 100, 100);
		if ('status' in paging) return paging;
		const all = this.store.list(contact.id);
		const page = all.slice(paging.offset, paging.offset + paging.limit);
		return jsonReply(200, {
			attachments: page.map((r) => toWixAttachment(r, this.links)),
			metadata: pagingMetadata(page.length, paging.offset, all.length, this.options.countTotals),
		});
	}

	getAttachment(siteId: string, contactId: string, attachmentId: string): Reply {
		const found = this.findAttachment(siteId, contactId, attachmentId);
		return 'status' in found ? found : jsonReply(200, { attachment: toWixAttachment(found, this.links) });
	}

	deleteAttachment(siteId: string, contactId: string, attachmentId: string): Reply {
		const found = this.findAttachment(siteId, contactId, attachmentId);
		if ('status' in found) return found;
		this.store.remove(found.contactId, found.id);
		return jsonReply(200, {});
	}

	private findAttachment(siteId: string, contactId: string, attachmentId: string): AttachmentRecord | Reply {
		const contact = this.contactOf(siteId, contactId);
		if ('status' in contact) return contact;
		if (!UUID_RE.test(attachmentId)) {
			return validationError([{ field: 'attachmentId', description: 'must be a valid GUID', violatedRule: 'FORMAT', ruleName: 'INVALID_GUID' }]);
		}
		return this.store.find(contact.id, attachmentId) ?? applicationError(404, 'NOT_FOUND', 'Attachment not found');
	}

	/** Generate Attachment Upload Url: checks name and type, hands out a one-time upload URL. */
	uploadUrl(req: IncomingMessage, siteId: string, contactId: string, body: Buffer | undefined): Reply {
		const contact = this.contactOf(siteId, contactId);
		if ('status' in contact) return contact;
		let parsed: Record<string, unknown>;
		try {
			if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) throw new Error('not JSON');
			const value: unknown = JSON.parse((body ?? Buffer.alloc(0)).toString('utf8'));
			if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
			parsed = value as Record<string, unknown>;
		} catch {
			return applicationError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT: the body must be a JSON object');
		}
		const violations: FieldViolation[] = [];
		const { fileName, mimeType } = parsed;
		if (parsed.contactId !== undefined && String(parsed.contactId).toLowerCase() !== contact.id) {
			violations.push({ field: 'contactId', description: 'must match the contact ID of the path', violatedRule: 'OTHER' });
		}
		if (typeof fileName !== 'string' || fileName.length === 0) {
			violations.push({ field: 'fileName', description: 'must not be empty', violatedRule: 'REQUIRED_FIELD' });
		} else if ([...fileName].length > 260) {
			violations.push({ field: 'fileName', description: 'must be at most 260 characters long', violatedRule: 'MAX_LENGTH', data: { threshold: 260 } });
		}
		if (typeof mimeType !== 'string' || mimeType.length === 0) {
			violations.push({ field: 'mimeType', description: 'must not be empty', violatedRule: 'REQUIRED_FIELD' });
		} else if (mimeType.length > 255 || !acceptedMimeType(mimeType)) {
			violations.push({ field: 'mimeType', description: `"${mimeType.slice(0, 100)}" is not a supported mime type`, violatedRule: 'OTHER' });
		}
		if (violations.length) return validationError(violations);
		const upload = this.store.announceUpload(contact.id, fileName as string, mimeType as string, this.options.uploadUrlTtlSeconds);
		const uploadUrl = this.options.uploadTokenInQuery
			? `${this.mediaBaseUrl()}/upload?upload_token=${upload.token}`
			: `${this.mediaBaseUrl()}/_ah/upload/${upload.token}/`;
		return jsonReply(200, { uploadUrl });
	}
}
