/**
 * Every answer is read with a bound: a JSON or text body up to a size (counted after any
 * decompression, so a small gzip bomb is stopped as early as a large body), and a file download
 * up to what its record announced and what the provider accepts at most. Past the bound the
 * transfer is cut at once: nothing grows without limit, and nothing reaches the binary store.
 */
import type { BinaryStream } from './types';
import { abortableSleep } from './wait';

/**
 * Largest JSON answer read: a page of 100 attachment records is tens of KB, the largest picker
 * page (1,000 Wix contacts) a few MB.
 */
export const JSON_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * Largest file downloaded from a provider that documents no maximum, or from a sandbox or proxy
 * (a Base URL Override): twice the largest file the benchmark moves (1 GiB).
 */
export const DOWNLOAD_CEILING_BYTES = 2 * 1024 * 1024 * 1024;

/** An answer larger than its bound; `limit` and what it is. */
export class BodyTooLargeError extends Error {
	constructor(
		readonly limit: number,
		readonly what: string,
	) {
		super(`The answer is larger than ${what} (${limit} bytes); it was not read further`);
	}
}

/** The whole body as UTF-8 text, refused past `limit` bytes (decoded). */
export async function readBoundedText(stream: BinaryStream, limit = JSON_BODY_LIMIT_BYTES, what = 'an API answer may be'): Promise<string> {
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of stream as AsyncIterable<Buffer | string>) {
			const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
			size += buffer.length;
			if (size > limit) throw new BodyTooLargeError(limit, what);
			chunks.push(buffer);
		}
	} finally {
		// Closes the socket when the loop stopped early (too large, or an error).
		stream.destroy();
	}
	return Buffer.concat(chunks).toString('utf8');
}

/** The file of a download is longer than its record or the provider allows: not worth retrying. */
export class OversizedDownloadError extends Error {
	constructor(
		readonly limit: number,
		readonly bound: string,
	) {
		super(`The file is longer than ${bound} (${limit} bytes)`);
	}
}

/** The body of a download stopped short: fewer bytes than announced, or a dropped connection. */
export class TruncatedDownloadError extends Error {
	constructor(
		readonly received?: number,
		readonly expected?: number,
		readonly reason?: string,
	) {
		super(
			received !== undefined && expected !== undefined
				? `The download ended after ${received} of ${expected} bytes`
				: `The download was interrupted (${reason ?? 'connection closed'})`,
		);
	}
}

export interface DownloadBounds {
	/** Content-Length of the answer: a body that ends shorter was cut off. */
	transferLength?: number;
	/** The size the provider's record gives the file: a body longer than it is refused at once. */
	recordSize?: number;
	/** The largest file the provider serves. */
	maxBytes: number;
	/** How `maxBytes` is described in the error, e.g. "the 100 MB Asana accepts". */
	maxDescription: string;
}

export interface DownloadGuard {
	readonly received: number;
	/** Why the guard stopped the transfer, when it did. */
	readonly failure?: OversizedDownloadError | TruncatedDownloadError;
}

/**
 * Watches a download on its way into the binary store, without changing how it flows: every
 * chunk is counted as it is emitted (each way of reading a stream emits `data` for each chunk), a
 * body longer than its bounds is destroyed with an error as soon as it is, and one that ends
 * shorter than announced ends with an error instead of `end`. Either way the store's write fails,
 * so no partial file is kept. Counting at `emit` adds no listener: a `data` listener would start
 * the flow before the store reads (bytes lost), and pausing first would stall the stores that
 * read with `data`/`end` listeners (database, in memory).
 *
 * Content-Length counts bytes on the wire. Downloads ask for them uncompressed; a body decoded
 * from a compressed answer anyway is longer than its Content-Length, which an uncompressed answer
 * cannot be, so only a shorter body counts as cut off; the record's size and the maximum bound it.
 */
export function guardDownload(body: BinaryStream, bounds: DownloadBounds): DownloadGuard {
	const guard: { received: number; failure?: OversizedDownloadError | TruncatedDownloadError } = { received: 0 };
	const limit =
		bounds.recordSize !== undefined && bounds.recordSize < bounds.maxBytes
			? { bytes: bounds.recordSize, bound: `the ${bounds.recordSize} bytes its record announces` }
			: { bytes: bounds.maxBytes, bound: bounds.maxDescription };
	const emit = body.emit.bind(body) as (event: string | symbol, ...args: unknown[]) => boolean;
	const fail = (error: OversizedDownloadError | TruncatedDownloadError) => {
		guard.failure ??= error;
		body.destroy(error);
		return false;
	};
	body.emit = ((event: string | symbol, ...args: unknown[]) => {
		if (guard.failure && (event === 'data' || event === 'end')) return false;
		if (event === 'data') {
			guard.received += (args[0] as Buffer | string).length;
			if (guard.received > limit.bytes) return fail(new OversizedDownloadError(limit.bytes, limit.bound));
		}
		if (event === 'end') {
			const announced = bounds.transferLength ?? bounds.recordSize;
			if (announced !== undefined && guard.received < announced) return fail(new TruncatedDownloadError(guard.received, announced));
		}
		return emit(event, ...args);
	}) as typeof body.emit;
	return guard;
}

/**
 * Why an idle watch stops waiting: one reason for all (an abort without one makes a DOMException,
 * stack and all, for every answer).
 */
const ANSWER_OVER = new Error('The answer is over');

/**
 * Ends a response that stays silent for `idleMs`: `abort` aborts its request (which closes the
 * socket), and the error the body then ends with is an ETIMEDOUT (a dropped connection, retried as
 * one). The HTTP client's own timeout stops at the answer's headers when it follows no redirects,
 * so a body that goes silent halfway would otherwise wait forever. Silence is timed from the
 * chunks the reader takes (counted at `emit`, as guardDownload does), so a reader that is slow to
 * take them (a busy disk) counts as silence, as the socket's own timeout did. One timer at a
 * time, re-armed only when it runs out.
 */
export function endWhenIdle(body: BinaryStream, idleMs: number, abort: () => void): void {
	let last = Date.now();
	let over = false;
	let timedOut = false;
	const stopper = new AbortController();
	const emit = body.emit.bind(body) as (event: string | symbol, ...args: unknown[]) => boolean;
	body.emit = ((event: string | symbol, ...args: unknown[]) => {
		if (event === 'data') last = Date.now();
		else if (event === 'end' || event === 'close' || event === 'error') {
			over = true;
			stopper.abort(ANSWER_OVER);
			if (event === 'error' && timedOut) return emit('error', Object.assign(new Error(`The answer went silent for ${idleMs} ms`), { code: 'ETIMEDOUT' }));
		}
		return emit(event, ...args);
	}) as typeof body.emit;
	void (async () => {
		while (!over) {
			const left = last + idleMs - Date.now();
			if (left <= 0) {
				timedOut = true;
				abort();
				return;
			}
			try {
				await abortableSleep(left, stopper.signal);
			} catch {
				return;
			}
		}
	})();
}
