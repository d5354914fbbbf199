/**
 * Small HTTP helpers of the Xero emulator: reading request bodies without buffering them,
 * writing JSON / XML / text responses, and the Content-Disposition header.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import type { IncomingMessage, ServerResponse } from 'http';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Request bodies up to this size are kept in memory for `RecordedRequest.body`. */
export const KEEP_BODY_LIMIT = 1024 * 1024;

export interface ConsumedBody {
	/** The bytes, when there were at most KEEP_BODY_LIMIT of them. */
	body?: Buffer;
	size: number;
	sha256: string;
	/** The client went away before the body ended. */
	aborted: boolean;
	/** More than `maxBytes` arrived; the file (if any) was discarded. */
	tooLarge: boolean;
	/** Writing the file failed; the file was discarded. */
	writeError?: Error;
}

/**
 * Reads a request body to its end while hashing it. With `filePath`, the bytes are streamed to
 * that file with backpressure; only the first KEEP_BODY_LIMIT bytes are ever held in memory.
 * The file is removed again when the body is aborted, too large or cannot be written.
 */
export function consumeBody(
	req: IncomingMessage,
	filePath?: string,
	maxBytes = Number.POSITIVE_INFINITY,
): Promise<ConsumedBody> {
	return new Promise((resolve) => {
		const hash = createHash('sha256');
		let size = 0;
		let kept: Buffer[] | undefined = [];
		let tooLarge = false;
		let writeError: Error | undefined;
		let settled = false;
		const out = filePath ? fs.createWriteStream(filePath) : undefined;
		out?.on('error', (error) => {
			writeError = error;
			req.resume();
		});

		const finish = (aborted: boolean) => {
			if (settled) return;
			settled = true;
			const result = (): ConsumedBody => ({
				body: kept ? Buffer.concat(kept) : undefined,
				size,
				sha256: hash.digest('hex'),
				aborted,
				tooLarge,
				writeError,
			});
			if (!out || !filePath) return resolve(result());
			if (aborted || tooLarge || writeError) {
				out.destroy();
				fs.rm(filePath, { force: true }, () => resolve(result()));
				return;
			}
			// 'close' follows 'finish' (the descriptor is closed) and also follows an error.
			out.once('close', () => {
				if (!writeError) return resolve(result());
				fs.rm(filePath, { force: true }, () => resolve(result()));
			});
			out.end();
		};

		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			hash.update(chunk);
			if (kept) {
				if (size <= KEEP_BODY_LIMIT) kept.push(chunk);
				else kept = undefined;
			}
			if (size > maxBytes) tooLarge = true;
			if (out && !tooLarge && !writeError && !out.write(chunk)) {
				req.pause();
				out.once('drain', () => req.resume());
			}
		});
		req.on('end', () => finish(false));
		req.on('error', () => finish(true));
		req.on('close', () => finish(!req.complete));
	});
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const TEXT_TYPE = 'text/plain; charset=utf-8';

/** A complete (non-streamed) response; kept as a value so idempotent replays can resend it. */
export interface Reply {
	status: number;
	headers: Record<string, string>;
	body: Buffer;
}

export function textReply(
	status: number,
	contentType: string | undefined,
	body: string | Buffer,
	headers: Record<string, string> = {},
): Reply {
	const all = contentType ? { ...headers, 'Content-Type': contentType } : { ...headers };
	return { status, headers: all, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body };
}

export function jsonReply(status: number, value: unknown, headers?: Record<string, string>): Reply {
	return textReply(status, JSON_TYPE, JSON.stringify(value), headers);
}

/** Xero's answer for any route or record it does not know: 404 with a plain text body. */
export function notFoundReply(): Reply {
	return textReply(404, TEXT_TYPE, "The resource you're looking for cannot be found");
}

export function writeReply(res: ServerResponse, reply: Reply): void {
	if (res.destroyed || res.headersSent) return;
	res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(reply.body.length) });
	res.end(reply.body);
}

export function sendJson(
	res: ServerResponse,
	status: number,
	value: unknown,
	headers?: Record<string, string>,
): void {
	writeReply(res, jsonReply(status, value, headers));
}

const XML_NS =
	'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"';

function escapeXml(text: string): string {
	return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Names of array items in Xero's XML: `Attachments` → `Attachment`, `Elements` → `DataContractBase`. */
function itemName(arrayName: string): string {
	return arrayName === 'Elements' ? 'DataContractBase' : arrayName.replace(/s$/, '');
}

function toXml(name: string, value: unknown): string {
	if (value === undefined || value === null) return '';
	if (Array.isArray(value)) {
		return `<${name}>${value.map((v) => toXml(itemName(name), v)).join('')}</${name}>`;
	}
	if (typeof value === 'object') {
		const inner = Object.entries(value as Record<string, unknown>)
			.map(([k, v]) => toXml(k, v))
			.join('');
		return `<${name}>${inner}</${name}>`;
	}
	return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** Serialises a Xero JSON document the way the API's XML format lays it out. */
export function xeroXml(rootName: 'Response' | 'ApiException', value: Record<string, unknown>): string {
	const xml = toXml(rootName, value);
	return `<${rootName} ${XML_NS}${xml.slice(rootName.length + 1)}`;
}

/** The RFC 5987 `ext-value` encoding of a UTF-8 string. */
export function rfc5987(value: string): string {
	return encodeURIComponent(value).replace(
		/['()*]/g,
		(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
	);
}

/** `attachment; filename="<ascii fallback>"; filename*=UTF-8''<encoded>` (RFC 6266). */
export function contentDisposition(fileName: string): string {
	const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/gu, '_');
	return `attachment; filename="${fallback}"; filename*=UTF-8''${rfc5987(fileName)}`;
}

/** `2019-12-07T18:46:19.5165400`: the date format of the identity API (UTC, no zone suffix). */
export function identityDate(date: Date): string {
	return date.toISOString().replace(/Z$/, '0000');
}

/** `/Date(1550852630329)/`: the date format of the accounting API's JSON. */
export function msDate(date: Date): string {
	return `/Date(${date.getTime()})/`;
}
