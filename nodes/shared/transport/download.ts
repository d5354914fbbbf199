/**
 * Storing a response stream as an n8n binary without holding it: the stream goes straight into
 * `prepareBinaryData`, watched on its way (bounded.ts): a transfer cut short or longer than its
 * record or the provider allows fails the store's write, so no partial or oversized file is kept.
 */
import { NodeApiError } from 'n8n-workflow';
import type { IBinaryData, IExecuteFunctions, JsonObject } from 'n8n-workflow';

import { OversizedDownloadError, TruncatedDownloadError, guardDownload } from './bounded';
import { fileNameFromContentDisposition, mimeTypeFromContentType } from './content-disposition';
import { isConnectionError } from './errors';
import { safeFileName } from './file-name';
import type { BinaryStream, TransportContext } from './types';

export interface DownloadFallback {
	fileName?: string;
	mimeType?: string;
	/** Size the API reported elsewhere (e.g. in a listing): the file may not be longer. */
	size?: number;
	/**
	 * Whether `fileName` and `mimeType` win over the response headers: the API's own record is
	 * the truth when the file comes from a storage host that names files by storage ID.
	 */
	authoritative?: boolean;
}

/** The largest file a download may be, and how to say it in an error. */
export interface DownloadLimit {
	maxBytes: number;
	description: string;
}

const GENERIC_TYPES = new Set(['application/octet-stream', 'binary/octet-stream', 'application/binary']);

/** The file's name: a base name, whatever the headers or the record say (see file-name.ts). */
export function pickFileName(headers: Record<string, string | undefined>, fallback: DownloadFallback): string {
	const recordName = fallback.fileName ? safeFileName(fallback.fileName, '') : '';
	if (fallback.authoritative && recordName) return recordName;
	const announced = safeFileName(fileNameFromContentDisposition(headers['content-disposition']), '');
	return announced || recordName || 'file';
}

export function pickMimeType(headers: Record<string, string | undefined>, fallback: DownloadFallback): string {
	if (fallback.authoritative && fallback.mimeType) return fallback.mimeType;
	const announced = mimeTypeFromContentType(headers['content-type']);
	if (announced && !(GENERIC_TYPES.has(announced) && fallback.mimeType)) return announced;
	return fallback.mimeType ?? announced ?? 'application/octet-stream';
}

function finiteSize(value: unknown): number | undefined {
	const size = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	return typeof size === 'number' && Number.isFinite(size) && size >= 0 ? size : undefined;
}

/**
 * Streams the body into n8n's binary store. Throws TruncatedDownloadError when it ended short or
 * broke off (worth another attempt), OversizedDownloadError when it was longer than allowed (not).
 */
export async function storeDownload(
	/** A node's context: only its binary helper is used (an execute or a poll context). */
	ctx: { helpers: Pick<IExecuteFunctions['helpers'], 'prepareBinaryData'> },
	body: BinaryStream,
	headers: Record<string, string | undefined>,
	fallback: DownloadFallback,
	limit: DownloadLimit,
): Promise<IBinaryData> {
	const fileName = pickFileName(headers, fallback);
	const mimeType = pickMimeType(headers, fallback);
	const transferLength = finiteSize(headers['content-length']);
	const recordSize = finiteSize(fallback.size);
	const guard = guardDownload(body, {
		transferLength,
		recordSize,
		maxBytes: limit.maxBytes,
		maxDescription: limit.description,
	});
	const stored = await ctx.helpers.prepareBinaryData(body, fileName, mimeType).then(
		(binary) => ({ binary }),
		(error: unknown) => ({ error }),
	);
	if (guard.failure) throw guard.failure;
	if ('error' in stored) {
		// The caller tells the network from the binary store: only the network's cut is truncation.
		if (!isConnectionError(stored.error)) throw stored.error;
		const expected = transferLength ?? recordSize;
		throw new TruncatedDownloadError(expected !== undefined ? guard.received : undefined, expected, (stored.error as Error).message);
	}
	// prepareBinaryData may derive the name from a path-like value; keep the one chosen here.
	stored.binary.fileName = fileName;
	return stored.binary;
}

export function truncatedDownloadApiError(
	ctx: TransportContext,
	providerName: string,
	error: TruncatedDownloadError,
	itemIndex: number,
): NodeApiError {
	const detail =
		error.received !== undefined && error.expected !== undefined
			? `${error.received} of ${error.expected} bytes`
			: (error.reason ?? 'connection closed');
	const message = `${providerName}: the file download was cut off (${detail})`;
	return new NodeApiError(ctx.getNode(), { message } as JsonObject, {
		message,
		description: 'The connection closed before the whole file arrived, so nothing was stored. Run the node again.',
		itemIndex,
	});
}

export function oversizedDownloadApiError(
	ctx: TransportContext,
	providerName: string,
	error: OversizedDownloadError,
	itemIndex: number,
): NodeApiError {
	const message = `${providerName}: the file is longer than ${error.bound}`;
	return new NodeApiError(ctx.getNode(), { message } as JsonObject, {
		message,
		description: `The download was stopped after ${error.limit} bytes and nothing was stored. The answer did not match what ${providerName} said of the file, so it was not tried again.`,
		itemIndex,
	});
}

export { OversizedDownloadError, TruncatedDownloadError };
