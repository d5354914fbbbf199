/**
 * The storage side of the Asana emulator: `download_url`s are short-lived pre-signed URLs of a
 * separate host (its own port on 127.0.0.1), checked the way S3 checks them: a signature over the
 * path and the expiry in the query, no second credential allowed (a request that also carries an
 * `Authorization` header is refused), and S3's XML errors.
 */
import { createHmac, randomBytes, randomUUID } from 'crypto';
import * as fs from 'fs';
import type { IncomingMessage, ServerResponse } from 'http';

import { textReply, writeReply } from '../common/http';
import { contentDisposition } from '../xero/http-util';
import type { Reply } from '../common/http';
import type { AttachmentRecord } from './store';
import { sendTruncated } from '../common/files';

export const FILES_PREFIX = '/asana-emulator-files';

function amzDate(date: Date): string {
	return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function parseAmzDate(value: string): number | undefined {
	const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
	if (!match) return undefined;
	return Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5], +match[6]);
}

/** S3's error document. */
export function s3Error(status: number, code: string, message: string, extra: Record<string, string> = {}): Reply {
	const fields = Object.entries(extra)
		.map(([key, value]) => `<${key}>${value}</${key}>`)
		.join('');
	const xml =
		'<?xml version="1.0" encoding="UTF-8"?>\n' +
		`<Error><Code>${code}</Code><Message>${message}</Message>${fields}<RequestId>${randomBytes(8).toString('hex').toUpperCase()}</RequestId>` +
		`<HostId>${randomBytes(24).toString('base64')}</HostId></Error>`;
	return textReply(status, 'application/xml', xml);
}

export type Verified = { ok: true; gid: string } | { ok: false; reply: Reply };

export class FileHost {
	private readonly secret = randomBytes(32);
	/** Set once the host listens. */
	baseUrl = '';
	/** The next this many URLs are minted already expired. */
	expireNext = 0;

	constructor(
		private readonly ttlSeconds: number,
		/** What the Content-Disposition of a download names: the file, its storage key, or no header. */
		private readonly disposition: 'fileName' | 'storageKey' | 'none' = 'fileName',
	) {}

	/** The object key of an attachment's bytes (unguessable, like Asana's). */
	private key(gid: string): string {
		return createHmac('sha256', this.secret).update(`key:${gid}`).digest('hex').slice(0, 32);
	}

	private sign(path: string, date: string, expires: string): string {
		return createHmac('sha256', this.secret).update(`${path}\n${date}\n${expires}`).digest('hex');
	}

	/** A fresh pre-signed URL of the record's bytes, valid `ttlSeconds` from now. */
	mint(record: AttachmentRecord): string {
		const expired = this.expireNext > 0;
		if (expired) this.expireNext--;
		const issued = new Date(Date.now() - (expired ? (this.ttlSeconds + 5) * 1000 : 0));
		const path = `${FILES_PREFIX}/assets/${record.gid}/${this.key(record.gid)}`;
		const date = amzDate(issued);
		const expires = String(this.ttlSeconds);
		const query = new URLSearchParams({
			'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
			'X-Amz-Credential': `ASIAEMULATOR/${date.slice(0, 8)}/us-east-1/s3/aws4_request`,
			'X-Amz-Date': date,
			'X-Amz-Expires': expires,
			'X-Amz-SignedHeaders': 'host',
			'X-Amz-Signature': this.sign(path, date, expires),
		});
		return `${this.baseUrl}${path}?${query.toString()}`;
	}

	/** Checks a request of the host as S3 checks a pre-signed URL. */
	verify(req: IncomingMessage, rawPath: string, query: URLSearchParams): Verified {
		const match = new RegExp(`^${FILES_PREFIX}/assets/(\\d+)/([0-9a-f]{32})$`).exec(rawPath);
		if (!match || match[2] !== this.key(match[1])) return { ok: false, reply: s3Error(404, 'NoSuchKey', 'The specified key does not exist.') };
		const signature = query.get('X-Amz-Signature');
		if (req.headers.authorization !== undefined && query.get('X-Amz-Algorithm')) {
			return {
				ok: false,
				reply: s3Error(
					400,
					'InvalidArgument',
					'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
					{ ArgumentName: 'Authorization', ArgumentValue: 'Bearer ***' },
				),
			};
		}
		const date = query.get('X-Amz-Date') ?? '';
		const expires = query.get('X-Amz-Expires') ?? '';
		const issuedAt = parseAmzDate(date);
		if (!signature || issuedAt === undefined || !/^\d+$/.test(expires)) {
			return { ok: false, reply: s3Error(403, 'AccessDenied', 'Access Denied') };
		}
		if (signature !== this.sign(rawPath, date, expires)) {
			return {
				ok: false,
				reply: s3Error(
					403,
					'SignatureDoesNotMatch',
					'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
				),
			};
		}
		const expiresAt = issuedAt + Number(expires) * 1000;
		if (Date.now() > expiresAt) {
			return {
				ok: false,
				reply: s3Error(403, 'AccessDenied', 'Request has expired', {
					'X-Amz-Expires': expires,
					Expires: new Date(expiresAt).toISOString(),
					ServerTime: new Date().toISOString(),
				}),
			};
		}
		return { ok: true, gid: match[1] };
	}

	/**
	 * Streams the file. With `truncateAt`, sends the full Content-Length but only that many bytes,
	 * then drops the connection.
	 */
	serve(res: ServerResponse, record: AttachmentRecord | undefined, head: boolean, truncateAt: number | undefined): void {
		let fd: number | undefined;
		try {
			if (record?.filePath) fd = fs.openSync(record.filePath, 'r');
		} catch {
			fd = undefined;
		}
		if (!record || fd === undefined) return writeReply(res, s3Error(404, 'NoSuchKey', 'The specified key does not exist.'));
		const headers: Record<string, string> = {
			'Content-Type': record.mimeType ?? 'application/octet-stream',
			'Content-Length': String(record.size ?? 0),
			ETag: `"${(record.sha256 ?? '').slice(0, 32)}"`,
			'Last-Modified': record.createdAt.toUTCString(),
			'x-amz-request-id': randomUUID(),
		};
		if (this.disposition === 'fileName') headers['Content-Disposition'] = contentDisposition(record.name);
		if (this.disposition === 'storageKey') headers['Content-Disposition'] = contentDisposition(this.key(record.gid));
		res.writeHead(200, headers);
		if (head) {
			fs.closeSync(fd);
			res.end();
			return;
		}
		if (truncateAt === undefined) {
			const stream = fs.createReadStream('', { fd });
			stream.pipe(res);
			stream.on('error', () => res.destroy());
			res.on('close', () => stream.destroy());
			return;
		}
		void sendTruncated(res, fd, Math.max(0, Math.min(truncateAt, record.size ?? 0)));
	}
}
