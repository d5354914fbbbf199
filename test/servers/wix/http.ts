/**
 * HTTP helpers of the Wix emulator: reading request bodies without buffering them (hashed on
 * the way, optionally streamed to a file), and writing replies in Wix's shapes.
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
export function consumeBody(req: IncomingMessage, filePath?: string, maxBytes = Number.POSITIVE_INFINITY): Promise<ConsumedBody> {
	return new Promise((resolve) => {
		const sha256 = createHash('sha256');
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
				sha256: sha256.digest('hex'),
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
			out.once('close', () => {
				if (!writeError) return resolve(result());
				fs.rm(filePath, { force: true }, () => resolve(result()));
			});
			out.end();
		};

		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			sha256.update(chunk);
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

/** A complete (non-streamed) response. */
export interface Reply {
	status: number;
	headers: Record<string, string>;
	body: Buffer;
}

export function reply(status: number, contentType: string | undefined, body: string | Buffer, headers: Record<string, string> = {}): Reply {
	const all = contentType ? { ...headers, 'Content-Type': contentType } : { ...headers };
	return { status, headers: all, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body };
}

export function jsonReply(status: number, value: unknown, headers?: Record<string, string>): Reply {
	return reply(status, JSON_TYPE, JSON.stringify(value), headers);
}

export function writeReply(res: ServerResponse, value: Reply): void {
	if (res.destroyed || res.headersSent) return;
	res.writeHead(value.status, { ...value.headers, 'Content-Length': String(value.body.length) });
	res.end(value.body);
}

/** Wix's standard error with an application error ("About Errors"). */
export function applicationError(status: number, code: string, message: string, description = message): Reply {
	return jsonReply(status, { message, details: { applicationError: { code, description, data: {} } } });
}

export interface FieldViolation {
	field: string;
	description: string;
	violatedRule?: string;
	ruleName?: string;
	data?: Record<string, unknown>;
}

/** Wix's standard error with a validation error: 400 INVALID_ARGUMENT. */
export function validationError(violations: FieldViolation[]): Reply {
	const [first] = violations;
	return jsonReply(400, {
		message: `INVALID_ARGUMENT: "${first.field}" ${first.description}`,
		details: { validationError: { fieldViolations: violations } },
	});
}
