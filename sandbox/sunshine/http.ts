/**
 * HTTP helpers of the Sunshine emulator: recording request bodies while they stream past, and
 * writing Sunshine's JSON replies and `{ errors: [{ code, title }] }` error bodies.
 */
import { createHash } from 'crypto';
import type { IncomingMessage } from 'http';

import { JSON_TYPE, KEEP_BODY_LIMIT } from '../common/http';

export { JSON_TYPE, KEEP_BODY_LIMIT, writeReply } from '../common/http';

/** A complete response, kept as a value so faults and replies are handled alike. */
export interface Reply {
	status: number;
	headers: Record<string, string | string[]>;
	body: Buffer;
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string | string[]> = {}): Reply {
	return { status, headers: { ...headers, 'Content-Type': JSON_TYPE }, body: Buffer.from(JSON.stringify(value), 'utf8') };
}

/** Sunshine's error body: `{ "errors": [{ "code": …, "title": … }] }`. */
export function errorReply(status: number, code: string, title: string, headers?: Record<string, string | string[]>): Reply {
	return jsonReply(status, { errors: [{ code, title }] }, headers);
}

/** Size, sha256 and (up to KEEP_BODY_LIMIT) the bytes of a body, fed chunk by chunk. */
export class BodyRecorder {
	private readonly hash = createHash('sha256');
	private kept: Buffer[] | undefined = [];
	size = 0;

	update(chunk: Buffer): void {
		this.size += chunk.length;
		this.hash.update(chunk);
		if (this.kept) {
			if (this.size <= KEEP_BODY_LIMIT) this.kept.push(chunk);
			else this.kept = undefined;
		}
	}

	result(): { body?: Buffer; size: number; sha256: string } {
		return { body: this.kept ? Buffer.concat(this.kept) : undefined, size: this.size, sha256: this.hash.digest('hex') };
	}
}

/**
 * Reads the request to its end, every chunk through `recorder` and then `sink` (awaited, so a
 * slow sink slows the client down). Resolves with whether the client went away before the end.
 */
export async function pumpBody(
	req: IncomingMessage,
	recorder: BodyRecorder,
	sink?: (chunk: Buffer) => void | Promise<void>,
): Promise<{ aborted: boolean }> {
	try {
		for await (const chunk of req) {
			const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
			recorder.update(buffer);
			if (sink) await sink(buffer);
		}
		return { aborted: !req.complete };
	} catch {
		return { aborted: true };
	}
}

/** `Thu, 01 Jan 2026 00:00:00 GMT` */
export function httpDate(date: Date): string {
	return date.toUTCString();
}
