/**
 * HTTP helpers every provider emulator uses: reading request bodies without buffering them
 * (hashed on the way, optionally streamed to a file) and writing complete replies.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'http';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A request as an emulator received it, for tests to assert on (each emulator may add fields). */
export interface RecordedRequest {
	/** 1-based arrival number (reset() restarts it). */
	seq: number;
	receivedAt: Date;
	method: string;
	/** The raw request target as received, percent-encoding untouched. */
	url: string;
	/** The raw path (no query), percent-encoding untouched. */
	path: string;
	query: URLSearchParams;
	headers: IncomingHttpHeaders;
	/** The body, kept only when it is at most 1 MiB. */
	body?: Buffer;
	bodySize: number;
	bodySha256: string;
	/** The client went away before the body was complete. */
	aborted?: boolean;
}

/** Request bodies up to this size are kept in memory for `RecordedRequest.body`. */
export const KEEP_BODY_LIMIT = 1024 * 1024;

export interface ConsumedBody {
	/** The bytes, when there were at most KEEP_BODY_LIMIT of them. */
	body?: Buffer;
	size: number;
	sha256: string;
	md5: string;
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
		const md5 = createHash('md5');
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
				md5: md5.digest('hex'),
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
			md5.update(chunk);
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

/** A complete (non-streamed) response, kept as a value so faults and replays can resend it. */
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

export function writeReply(res: ServerResponse, reply: { status: number; headers: Record<string, string | string[]>; body: Buffer }): void {
	if (res.destroyed || res.headersSent) return;
	res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(reply.body.length) });
	res.end(reply.body);
}

/** The record of a request as it arrives, numbered `seq`; its body is filled in once read (recordBody). */
export function newRecord(req: IncomingMessage, seq: number): RecordedRequest {
	const target = req.url ?? '/';
	const q = target.indexOf('?');
	return {
		seq,
		receivedAt: new Date(),
		method: req.method ?? 'GET',
		url: target,
		path: q < 0 ? target : target.slice(0, q),
		query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)),
		headers: req.headers,
		bodySize: 0,
		bodySha256: '',
	};
}

/** Requests finish out of order when they overlap; `requests` stays sorted by arrival. */
export function insertInArrivalOrder<R extends RecordedRequest>(requests: R[], record: R): void {
	let i = requests.length;
	while (i > 0 && requests[i - 1].seq > record.seq) i--;
	requests.splice(i, 0, record);
}

/** Puts what was read of a body on its record, and the record among `requests` in arrival order. */
export function recordBody<R extends RecordedRequest>(requests: R[], record: R, body: { body?: Buffer; size: number; sha256: string; aborted: boolean }): void {
	Object.assign(record, { body: body.body, bodySize: body.size, bodySha256: body.sha256 });
	if (body.aborted) record.aborted = true;
	insertInArrivalOrder(requests, record);
}

/** `key=value` parameters of a header value (quoted strings unescaped, keys lower-cased). */
export function headerParameters(value: string): Record<string, string> {
	const params: Record<string, string> = {};
	const re = /;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
	let match: RegExpExecArray | null;
	while ((match = re.exec(value))) {
		const raw = match[2].trim();
		params[match[1].toLowerCase()] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
	}
	return params;
}

/** Stops listening and ends every connection, kept-alive ones too; resolves once closed. */
export function closeServer(server: Server): Promise<void> {
	return new Promise<void>((resolve) => {
		server.close(() => resolve());
		server.closeAllConnections();
	});
}

/** How an emulator reads the body of a recorded request: once, into the record (recordBody). */
export interface BodyReader {
	drain(filePath?: string, maxBytes?: number): Promise<ConsumedBody>;
	/** After a failure: a record whose body was never read is kept too, and the body discarded. */
	keepUnread(): void;
}

export function bodyReader<R extends RecordedRequest>(req: IncomingMessage, record: R, requests: R[]): BodyReader {
	let drained = false;
	return {
		async drain(filePath, maxBytes) {
			drained = true;
			const body = await consumeBody(req, filePath, maxBytes);
			recordBody(requests, record, body);
			return body;
		},
		keepUnread() {
			if (drained) return;
			insertInArrivalOrder(requests, record);
			req.resume();
		},
	};
}
