/**
 * The media side of the Wix emulator, a host of its own as on Wix (upload.wixmp.com,
 * static.wixstatic.com): one-time upload URLs taking `PUT ?filename=` with the file as body,
 * and signed, expiring file links. Neither takes a Wix credential: the URL is the authorization,
 * and, like the storage services behind Wix, a request that also carries an `Authorization`
 * header is refused.
 */
import * as fs from 'fs';
import type { IncomingMessage, ServerResponse } from 'http';
import type { MediaLinks } from './api';
import { type ConsumedBody, type Reply, applicationError, jsonReply, reply } from './http';
import type { AttachmentRecord, WixStore } from './store';
import { sendTruncated } from '../common/files';

const TEXT_TYPE = 'text/plain; charset=utf-8';

export type MediaRoute =
	| { kind: 'upload'; token: string }
	| { kind: 'file'; mediaId: string }
	| { kind: 'error'; reply: Reply };

/** Reads the body (optionally into a file) and records the request; call it exactly once. */
export type Drain = (filePath?: string, maxBytes?: number) => Promise<ConsumedBody>;

export function parseMediaRoute(method: string, rawPath: string, query: URLSearchParams): MediaRoute {
	const notFound: MediaRoute = { kind: 'error', reply: reply(404, TEXT_TYPE, 'Not Found') };
	const upload = /^\/_ah\/upload\/([A-Za-z0-9_-]+)\/?$/.exec(rawPath);
	const token = upload?.[1] ?? (rawPath === '/upload' ? query.get('upload_token') ?? undefined : undefined);
	if (token !== undefined) {
		if (method !== 'PUT') return { kind: 'error', reply: reply(405, TEXT_TYPE, 'Method Not Allowed', { Allow: 'PUT' }) };
		return { kind: 'upload', token };
	}
	const media = /^\/media\/([^/]+)(?:\/.*)?$/.exec(rawPath);
	if (media) {
		if (method !== 'GET' && method !== 'HEAD') return { kind: 'error', reply: reply(405, TEXT_TYPE, 'Method Not Allowed', { Allow: 'GET, HEAD' }) };
		try {
			return { kind: 'file', mediaId: decodeURIComponent(media[1]) };
		} catch {
			return notFound;
		}
	}
	return notFound;
}

export interface MediaOptions {
	/** Refuse requests that carry an `Authorization` header (default true, as signed storage URLs do). */
	rejectAuthorization: boolean;
	maxBytes: number;
	/** Serve every file with this Content-Type instead of its own. */
	contentType?: string;
	/** Send `Content-Disposition: inline; filename="<media ID>"` (storage names, not the user's). */
	sendContentDisposition: boolean;
}

function essence(contentType: string | undefined): string {
	return String(contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** The Media Manager's file descriptor, which the upload endpoint answers with. */
function fileDescriptor(record: AttachmentRecord, links: MediaLinks): Record<string, unknown> {
	const { url } = links.link(record.mediaId);
	const media =
		record.attachmentType === 'IMAGE'
			? { image: { image: { id: record.mediaId, url, height: record.height, width: record.width, filename: record.fileName, sizeInBytes: String(record.size) } } }
			: { document: { id: record.mediaId, url, filename: record.fileName, sizeInBytes: String(record.size) } };
	return {
		file: {
			id: record.mediaId,
			displayName: record.fileName,
			url,
			hash: record.md5,
			sizeInBytes: String(record.size),
			private: true,
			mediaType: record.attachmentType === 'IMAGE' ? 'IMAGE' : 'DOCUMENT',
			media,
			operationStatus: 'READY',
			labels: [],
			createdDate: record.createdDate.toISOString(),
			updatedDate: record.createdDate.toISOString(),
			state: 'OK',
		},
	};
}

export class MediaHost {
	constructor(
		private readonly store: WixStore,
		private readonly links: MediaLinks,
		private readonly options: MediaOptions,
	) {}

	/** `PUT {uploadUrl}?filename=…` with the file as body and its MIME type as Content-Type. */
	async upload(req: IncomingMessage, token: string, query: URLSearchParams, drain: Drain): Promise<Reply | undefined> {
		const pending = this.store.pendingUpload(token);
		let problem: Reply | undefined;
		const contentType = essence(req.headers['content-type']);
		const filename = query.get('filename');
		if (!pending) {
			problem = applicationError(404, 'NOT_FOUND', 'Upload URL not found');
		} else if (pending.used) {
			problem = applicationError(403, 'PERMISSION_DENIED', 'The upload URL was used already');
		} else if (Date.now() >= pending.expiresAt) {
			problem = applicationError(403, 'PERMISSION_DENIED', 'The upload URL has expired');
		} else if (this.options.rejectAuthorization && req.headers.authorization !== undefined) {
			problem = applicationError(400, 'INVALID_ARGUMENT', 'The upload URL carries its own authorization: send no Authorization header');
		} else if (!contentType) {
			problem = applicationError(400, 'INVALID_ARGUMENT', 'The Content-Type header is missing');
		} else if (contentType !== pending.mimeType) {
			problem = applicationError(400, 'INVALID_ARGUMENT', `Content-Type "${contentType}" does not match the announced mime type "${pending.mimeType}"`);
		} else if (filename !== null && filename !== pending.fileName) {
			problem = applicationError(400, 'INVALID_ARGUMENT', `filename "${filename}" does not match the announced file name "${pending.fileName}"`);
		} else if (Number(req.headers['content-length'] ?? 0) > this.options.maxBytes) {
			problem = applicationError(413, 'PAYLOAD_TOO_LARGE', 'The file is too large');
		}
		if (problem || !pending) {
			await drain();
			return problem;
		}
		const tempPath = this.store.tempPath();
		const body = await drain(tempPath, this.options.maxBytes);
		if (body.aborted) return undefined;
		if (body.writeError) return applicationError(500, 'INTERNAL', 'The file could not be stored');
		if (body.tooLarge) return applicationError(413, 'PAYLOAD_TOO_LARGE', 'The file is too large');
		if (body.size === 0) {
			fs.rmSync(tempPath, { force: true });
			return applicationError(400, 'INVALID_ARGUMENT', 'The file is empty');
		}
		if (pending.used) {
			// Another request with the same URL finished first.
			fs.rmSync(tempPath, { force: true });
			return applicationError(403, 'PERMISSION_DENIED', 'The upload URL was used already');
		}
		pending.used = true;
		const record = this.store.commit(pending.contactId, pending.fileName, pending.mimeType, {
			tempPath,
			size: body.size,
			sha256: body.sha256,
			md5: body.md5,
		});
		return jsonReply(200, fileDescriptor(record, this.links));
	}

	/**
	 * Streams a file behind a signed link. With a truncation, sends the full Content-Length but
	 * only that many bytes, then destroys the socket. Returns a Reply when there is nothing to stream.
	 */
	download(req: IncomingMessage, res: ServerResponse, mediaId: string, query: URLSearchParams, truncateAt: () => number | undefined): Reply | undefined {
		const record = this.store.byMedia(mediaId);
		if (!record) return reply(404, TEXT_TYPE, 'Not Found');
		const signature = this.links.verify(mediaId, query);
		if (signature === 'invalid') return reply(403, TEXT_TYPE, 'Forbidden: the link is not valid');
		if (signature === 'expired') return reply(403, TEXT_TYPE, 'Forbidden: the link has expired');
		if (this.options.rejectAuthorization && req.headers.authorization !== undefined) {
			return reply(400, TEXT_TYPE, 'Bad Request: signed links take no Authorization header');
		}
		let fd: number;
		try {
			fd = fs.openSync(record.filePath, 'r');
		} catch {
			return reply(404, TEXT_TYPE, 'Not Found');
		}
		const headers: Record<string, string> = {
			'Content-Type': this.options.contentType ?? record.mimeType,
			'Content-Length': String(record.size),
			ETag: `"${record.md5}"`,
			'Cache-Control': 'private, max-age=0',
		};
		if (this.options.sendContentDisposition) headers['Content-Disposition'] = `inline; filename="${record.mediaId}"`;
		res.writeHead(200, headers);
		if (req.method === 'HEAD') {
			fs.closeSync(fd);
			res.end();
			return undefined;
		}
		const cut = truncateAt();
		if (cut === undefined) {
			const stream = fs.createReadStream('', { fd });
			stream.pipe(res);
			stream.on('error', () => res.destroy());
			res.on('close', () => stream.destroy());
			return undefined;
		}
		void sendTruncated(res, fd, Math.max(0, Math.min(cut, record.size)));
		return undefined;
	}
}
