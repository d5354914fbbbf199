/**
 * The attachment routes of the Xero Accounting API (`/api.xro/2.0/{Type}/{ParentID}/Attachments…`).
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import type { IncomingMessage, ServerResponse } from 'http';
import {
	type ConsumedBody,
	type Reply,
	contentDisposition,
	jsonReply,
	msDate,
	notFoundReply,
	textReply,
	TEXT_TYPE,
	UUID_RE,
	xeroXml,
} from './http-util';
import {
	type AttachmentRecord,
	type AttachmentStore,
	type ParentType,
	canonicalParentType,
	INCLUDE_ONLINE_TYPES,
} from './storage';
import { sendTruncated } from '../common/files';

export type AccountingRoute =
	| { kind: 'list'; type: ParentType; parentId: string }
	| { kind: 'file'; type: ParentType; parentId: string; name: string }
	| { kind: 'error'; reply: Reply };

/** Reads the body (optionally into a file) and records the request; call it exactly once. */
export type Drain = (filePath?: string, maxBytes?: number) => Promise<ConsumedBody>;

export const ACCOUNTING_PREFIX = '/api.xro/2.0';

function methodNotAllowed(method: string, allow: string): AccountingRoute {
	const reply = jsonReply(
		405,
		{ Message: `The requested resource does not support http method '${method}'.` },
		{ Allow: allow },
	);
	return { kind: 'error', reply };
}

/**
 * Routes a raw (still percent-encoded) path. Returns undefined outside `/api.xro/2.0`. The file
 * segment is decoded on its own, so `%2F` is a `/` inside the file name, never a separator.
 */
export function parseAccountingRoute(method: string, rawPath: string): AccountingRoute | undefined {
	const segs = rawPath.split('/');
	if (segs[1]?.toLowerCase() !== 'api.xro' || segs[2] !== '2.0') return undefined;
	const notFound: AccountingRoute = { kind: 'error', reply: notFoundReply() };
	const type = canonicalParentType(segs[3] ?? '');
	const parentId = segs[4] ?? '';
	if (segs.length < 6 || segs.length > 7 || !type || !UUID_RE.test(parentId)) return notFound;
	if (segs[5].toLowerCase() !== 'attachments') return notFound;
	const read = method === 'GET' || method === 'HEAD';
	if (segs.length === 6 || segs[6] === '') {
		return read ? { kind: 'list', type, parentId: parentId.toLowerCase() } : methodNotAllowed(method, 'GET');
	}
	let name: string;
	try {
		name = decodeURIComponent(segs[6]);
	} catch {
		return { kind: 'error', reply: textReply(400, TEXT_TYPE, 'Bad Request - Invalid URL') };
	}
	// Dot segments would be collapsed by any proxy in front of the real API.
	if (name === '.' || name === '..') return notFound;
	if (!read && method !== 'PUT' && method !== 'POST') return methodNotAllowed(method, 'GET, PUT, POST');
	return { kind: 'file', type, parentId: parentId.toLowerCase(), name };
}

export interface AccountingOptions {
	/** Answer XML (Xero's default) when the Accept header does not ask for JSON. */
	defaultFormat: 'xml' | 'json';
	sendContentDisposition: boolean;
	maxAttachmentBytes: number;
	providerName: string;
}

export class Accounting {
	constructor(
		private readonly store: AttachmentStore,
		private readonly baseUrl: string,
		private readonly options: AccountingOptions,
	) {}

	/** The listing's `Url`: this server's download URL by (percent-encoded) file name. */
	url(r: AttachmentRecord): string {
		return `${this.baseUrl}/${r.parentType}/${r.parentId}/Attachments/${encodeURIComponent(r.fileName)}`;
	}

	toXero(r: AttachmentRecord): Record<string, unknown> {
		const json: Record<string, unknown> = {
			AttachmentID: r.attachmentId,
			FileName: r.fileName,
			Url: this.url(r),
			MimeType: r.mimeType,
			ContentLength: r.size,
		};
		if (INCLUDE_ONLINE_TYPES.includes(r.parentType)) json.IncludeOnline = r.includeOnline;
		return json;
	}

	private document(req: IncomingMessage, status: number, value: Record<string, unknown>, root: 'Response' | 'ApiException'): Reply {
		const accept = String(req.headers.accept ?? '');
		const json = /json/i.test(accept) || (this.options.defaultFormat === 'json' && !/xml/i.test(accept));
		if (json) return jsonReply(status, value);
		return textReply(status, 'text/xml; charset=utf-8', xeroXml(root, value));
	}

	private attachments(req: IncomingMessage, records: AttachmentRecord[]): Reply {
		return this.document(
			req,
			200,
			{
				Id: randomUUID(),
				Status: 'OK',
				ProviderName: this.options.providerName,
				DateTimeUTC: msDate(new Date()),
				Attachments: records.map((r) => this.toXero(r)),
			},
			'Response',
		);
	}

	/** 400 in Xero's `Error` shape (ErrorNumber 10, ValidationException). */
	validationError(req: IncomingMessage, message: string): Reply {
		return this.document(
			req,
			400,
			{
				ErrorNumber: 10,
				Type: 'ValidationException',
				Message: 'A validation exception occurred',
				Elements: [{ ValidationErrors: [{ Message: message }] }],
			},
			'ApiException',
		);
	}

	list(req: IncomingMessage, route: Extract<AccountingRoute, { kind: 'list' }>): Reply {
		// Xero answers a document it does not have with its 404, not with an empty list.
		if (!this.store.hasDocument(route.type, route.parentId)) return notFoundReply();
		return this.attachments(req, this.store.list(route.type, route.parentId));
	}

	/** An AttachmentID when the segment is the ID of one of the parent's attachments, else a file name. */
	find(route: Extract<AccountingRoute, { kind: 'file' }>): AttachmentRecord | undefined {
		const byId = UUID_RE.test(route.name)
			? this.store.findById(route.type, route.parentId, route.name)
			: undefined;
		return byId ?? this.store.findByName(route.type, route.parentId, route.name);
	}

	/**
	 * Streams the file from disk. With `truncateAt`, sends the full Content-Length but only that
	 * many bytes, then destroys the socket. Returns a Reply only when there is nothing to stream.
	 */
	download(
		res: ServerResponse,
		route: Extract<AccountingRoute, { kind: 'file' }>,
		takeTruncation: () => number | undefined,
	): Reply | undefined {
		const record = this.find(route);
		if (!record) return notFoundReply();
		let fd: number;
		try {
			// Opened synchronously right after the lookup, so a concurrent replace cannot unlink it first.
			fd = fs.openSync(record.filePath, 'r');
		} catch {
			return notFoundReply();
		}
		const headers: Record<string, string> = {
			'Content-Type': record.mimeType,
			'Content-Length': String(record.size),
		};
		if (this.options.sendContentDisposition) {
			headers['Content-Disposition'] = contentDisposition(record.fileName);
		}
		res.writeHead(200, headers);
		const truncateAt = takeTruncation();
		if (truncateAt === undefined) {
			const stream = fs.createReadStream('', { fd });
			stream.pipe(res);
			stream.on('error', () => res.destroy());
			res.on('close', () => stream.destroy());
			return undefined;
		}
		void sendTruncated(res, fd, Math.max(0, Math.min(truncateAt, record.size)));
		return undefined;
	}

	/**
	 * PUT creates a record, POST replaces the newest one of that name (or creates one). The body
	 * is streamed into a file while hashed; nothing large is held in memory.
	 */
	async upload(
		req: IncomingMessage,
		route: Extract<AccountingRoute, { kind: 'file' }>,
		query: URLSearchParams,
		drain: Drain,
	): Promise<Reply | undefined> {
		if (!this.store.hasDocument(route.type, route.parentId)) {
			await drain();
			return notFoundReply();
		}
		const op = req.method === 'PUT' ? 'create' : 'replace';
		const includeOnlineParam = queryValue(query, 'IncludeOnline');
		const includeOnline =
			includeOnlineParam === undefined ? undefined : includeOnlineParam.toLowerCase() === 'true';
		const max = this.options.maxAttachmentBytes;
		const wouldAdd = op === 'create' || !this.store.findByName(route.type, route.parentId, route.name);
		let problem: string | undefined;
		if (includeOnline && !INCLUDE_ONLINE_TYPES.includes(route.type)) {
			problem = 'IncludeOnline can only be set on attachments of invoices and credit notes';
		} else if (wouldAdd && this.store.isFull(route.type, route.parentId)) {
			problem = `A document can have at most ${this.store.maxPerParent} attachments`;
		}
		if (problem) {
			await drain();
			return this.validationError(req, problem);
		}
		if (Number(req.headers['content-length'] ?? 0) > max) {
			await drain();
			return tooLarge();
		}
		const tempPath = this.store.tempPath();
		const body = await drain(tempPath, max);
		if (body.aborted) return undefined;
		if (body.writeError) return jsonReply(500, { Message: 'An error has occurred.' });
		if (body.tooLarge) return tooLarge();
		if (body.size === 0) {
			fs.rmSync(tempPath, { force: true });
			return this.validationError(req, 'The file is empty');
		}
		const record = this.store.commit(op, route.type, route.parentId, route.name, {
			tempPath,
			mimeType: String(req.headers['content-type'] ?? '').trim() || 'application/octet-stream',
			size: body.size,
			sha256: body.sha256,
			includeOnline,
		});
		if (!record) return this.validationError(req, `A document can have at most ${this.store.maxPerParent} attachments`);
		return this.attachments(req, [record]);
	}
}

function tooLarge(): Reply {
	return textReply(413, TEXT_TYPE, 'The request is too large');
}

/** Xero's query parameter names are case-insensitive. */
function queryValue(query: URLSearchParams, name: string): string | undefined {
	const lower = name.toLowerCase();
	for (const [key, value] of query) if (key.toLowerCase() === lower) return value;
	return undefined;
}
