/**
 * Storing a response stream as an n8n binary without holding it: the stream goes straight into
 * `prepareBinaryData`, and the stored size is checked against what the server announced, so a
 * cut-off transfer is an error rather than a shorter file.
 */
import { BINARY_ENCODING, NodeApiError } from 'n8n-workflow';
import type { IBinaryData, IExecuteFunctions, JsonObject } from 'n8n-workflow';

import { fileNameFromContentDisposition, mimeTypeFromContentType } from './content-disposition';
import { isConnectionError } from './errors';
import type { BinaryStream, TransportContext } from './types';

export interface DownloadFallback {
	fileName?: string;
	mimeType?: string;
	/** Size the API reported elsewhere (e.g. in a listing), checked when no Content-Length came. */
	size?: number;
	/**
	 * Whether `fileName` and `mimeType` win over the response headers: the API's own record is
	 * the truth when the file comes from a storage host that names files by storage ID.
	 */
	authoritative?: boolean;
}

const GENERIC_TYPES = new Set(['application/octet-stream', 'binary/octet-stream', 'application/binary']);

export function pickFileName(headers: Record<string, string | undefined>, fallback: DownloadFallback): string {
	if (fallback.authoritative && fallback.fileName) return fallback.fileName;
	return fileNameFromContentDisposition(headers['content-disposition']) ?? fallback.fileName ?? 'file';
}

export function pickMimeType(headers: Record<string, string | undefined>, fallback: DownloadFallback): string {
	if (fallback.authoritative && fallback.mimeType) return fallback.mimeType;
	const announced = mimeTypeFromContentType(headers['content-type']);
	if (announced && !(GENERIC_TYPES.has(announced) && fallback.mimeType)) return announced;
	return fallback.mimeType ?? announced ?? 'application/octet-stream';
}

async function storedSize(ctx: IExecuteFunctions, binary: IBinaryData): Promise<number> {
	if (binary.id) return (await ctx.helpers.getBinaryMetadata(binary.id)).fileSize;
	return Buffer.byteLength(binary.data, BINARY_ENCODING);
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

/**
 * Counts the bytes n8n's binary store takes from `body`, to say how far a broken transfer got,
 * without changing how the stream flows. A `data` listener would start the flow before the store
 * reads (bytes lost), and pausing first breaks the stores that read with `data`/`end` listeners
 * (database, in-memory): an explicitly paused stream is not resumed by a listener, so they waited
 * for bytes that never came. Every way of reading (pipe, `data`, `read()`, async iteration) emits
 * `data` for each chunk, so counting at `emit` sees them all and adds no listener.
 */
function countBytesRead(body: BinaryStream): { readonly received: number } {
	const counter = { received: 0 };
	const emit = body.emit.bind(body) as (event: string | symbol, ...args: unknown[]) => boolean;
	body.emit = ((event: string | symbol, ...args: unknown[]) => {
		if (event === 'data') counter.received += (args[0] as Buffer | string).length;
		return emit(event, ...args);
	}) as typeof body.emit;
	return counter;
}

/** Streams the body into n8n's binary store; throws TruncatedDownloadError on a short body. */
export async function storeDownload(
	ctx: IExecuteFunctions,
	body: BinaryStream,
	headers: Record<string, string | undefined>,
	fallback: DownloadFallback,
): Promise<IBinaryData> {
	const fileName = pickFileName(headers, fallback);
	const mimeType = pickMimeType(headers, fallback);
	const announced = headers['content-length'] !== undefined ? Number(headers['content-length']) : fallback.size;
	const counted = countBytesRead(body);
	const stored = await ctx.helpers.prepareBinaryData(body, fileName, mimeType).then(
		(binary) => ({ binary }),
		(error: unknown) => ({ error }),
	);
	if ('error' in stored) {
		// The caller tells the network from the binary store: only the network's cut is truncation.
		if (!isConnectionError(stored.error)) return await Promise.reject(stored.error);
		const expected = announced !== undefined && Number.isFinite(announced) ? announced : undefined;
		return await Promise.reject(
			new TruncatedDownloadError(expected !== undefined ? counted.received : undefined, expected, (stored.error as Error).message),
		);
	}
	const binary = stored.binary;
	// prepareBinaryData may derive the name from a path-like value; keep the server's name.
	binary.fileName = fileName;
	if (announced !== undefined && Number.isFinite(announced)) {
		const received = await storedSize(ctx, binary);
		if (received !== announced) throw new TruncatedDownloadError(received, announced);
	}
	return binary;
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
