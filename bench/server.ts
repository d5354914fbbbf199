/**
 * The bench's local API server: just the routes the four nodes call (Xero, Asana, Wix, Sunshine
 * Conversations) plus a storage host for download URLs, all on one 127.0.0.1 port, and lean:
 *
 * - downloads are generated on the fly from one deterministic 1 MiB block (never a whole file in
 *   memory); a large file's name carries its size (`bench-<bytes>.pdf`), so any size can be asked
 *   for without state;
 * - uploads (raw bodies or multipart) are hashed (SHA-256) and counted as they arrive, the file
 *   part of a multipart body cut out of the stream with a small hold-back for the closing
 *   boundary; nothing is kept but the digest;
 * - with `limits`, Xero's invoices hold 10 small attachments each and the Xero routes are
 *   rate-limited like Xero (5 concurrent requests, a per-minute budget as a token bucket, 429
 *   with Retry-After beyond either);
 * - with `sandbox` (the bulk bench), every request waits `latencyMs` before it is handled, and
 *   with `vendorLimits` each provider's API has its vendor's published limits in front of it
 *   (sandbox/common/rate-limits.ts: Xero per organization 5 in flight, 60 a minute, 5,000 a
 *   day, 10,000 a minute per app, with X-MinLimit-Remaining, X-DayLimit-Remaining and
 *   X-AppMinLimit-Remaining on every answer; Asana 1,500 a minute, 50 reads and 15 writes in
 *   flight; Wix 200 a minute; Sunshine publishes none, so none), 429 with Retry-After in whole
 *   seconds beyond them. The same 1,000 small files are Xero invoices' attachments, Asana tasks'
 *   and Wix contacts' (see `bulkIds`); their downloads come from a storage path with no limit.
 *
 * The HTTP Request node is pointed at the very same URLs. No authentication is checked.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { VendorLimiter, asanaLimits, wixLimits, xeroLimits, type LimiterStats } from '../sandbox/common/rate-limits';

// ---------------------------------------------------------------------------------------------
// Deterministic content

const BLOCK_SIZE = 1024 * 1024;

/** 1 MiB of pseudo-random bytes: SHA-256 in counter mode over a fixed seed. */
function makeBlock(seed: string, size: number): Buffer {
	const block = Buffer.alloc(size);
	for (let offset = 0, counter = 0; offset < size; counter++) {
		const digest = createHash('sha256').update(`${seed}:${counter}`).digest();
		offset += digest.copy(block, offset);
	}
	return block;
}

export const BLOCK = makeBlock('n8n-nodes-attachments bench', BLOCK_SIZE);

/** Calls `write` with views of the block making up a file of `size` bytes (no copies). */
export function* fileChunks(size: number): Generator<Buffer> {
	for (let left = size; left > 0; left -= BLOCK_SIZE) yield left >= BLOCK_SIZE ? BLOCK : BLOCK.subarray(0, left);
}

const expectedDigests = new Map<number, string>();

/** SHA-256 of the generated file of `size` bytes (computed once per size). */
export function expectedSha256(size: number): string {
	let digest = expectedDigests.get(size);
	if (!digest) {
		const hash = createHash('sha256');
		for (const chunk of fileChunks(size)) hash.update(chunk);
		digest = hash.digest('hex');
		expectedDigests.set(size, digest);
	}
	return digest;
}

/** Name of the generated file of `size` bytes; the server reads the size back from it. */
export const largeFileName = (size: number): string => `bench-${size}.pdf`;
const sizeFromName = (name: string): number | undefined => {
	const match = /^bench-(\d+)\.pdf$/.exec(name);
	return match ? Number(match[1]) : undefined;
};
/** A GUID whose last group holds the size in decimal digits (Xero and Wix IDs must be GUIDs). */
export const sizeGuid = (size: number): string => `00000000-0000-4000-8000-${String(size).padStart(12, '0')}`;
const sizeFromGuid = (guid: string): number | undefined => {
	const match = /^00000000-0000-4000-8000-(\d{12})$/.exec(guid);
	return match ? Number(match[1]) : undefined;
};

// The many-small-files sandbox: invoices × attachments, each a few KiB.
export const SMALL = { invoices: 100, perInvoice: 10 };
export const invoiceId = (i: number): string => `11111111-0000-4000-8000-${String(i).padStart(12, '0')}`;
const smallAttachmentId = (i: number, j: number): string => `22222222-0000-4000-8000-${String(i * 100 + j).padStart(12, '0')}`;
const smallFileName = (i: number, j: number): string => `invoice-${i}-page-${j}.pdf`;
/** The parent of small file set `i` (0–99 unless useSmallSets) and its attachment `j` (0–9), as each provider names them. */
export const bulkIds = {
	xeroInvoice: invoiceId,
	asanaTask: (i: number): string => `12${String(i).padStart(14, '0')}`,
	asanaAttachment: (i: number, j: number): string => `13${String(i * 100 + j).padStart(14, '0')}`,
	wixContact: (i: number): string => `33333333-0000-4000-8000-${String(i).padStart(12, '0')}`,
	wixAttachment: (i: number, j: number): string => smallAttachmentId(i, j),
};
const indexFromAsanaTask = (gid: string) => (/^12(\d{14})$/.test(gid) ? Number(gid.slice(2)) : undefined);
const smallFromAsanaGid = (gid: string) => (/^13(\d{14})$/.test(gid) ? smallAt(Math.floor(Number(gid.slice(2)) / 100), Number(gid.slice(2)) % 100) : undefined);
const indexFromWixContact = (id: string) => (/^33333333-0000-4000-8000-(\d{12})$/.test(id) ? Number(id.slice(24)) : undefined);
function smallAt(i: number, j: number): SmallFile | undefined {
	return smallFileSet().get(smallAttachmentId(i, j));
}

export interface SmallFile {
	/** Its set (0–99: the invoice, task or contact) and place in it (0–9). */
	i: number;
	j: number;
	invoice: string;
	attachmentId: string;
	fileName: string;
	content: Buffer;
	sha256: string;
}
let smallFiles: Map<string, SmallFile> | undefined;
let smallSets: number = SMALL.invoices;
/** A bulk run larger than the 1,000 files (a job long enough for a per-minute budget to bind): this many sets of 10. */
export function useSmallSets(count: number): void {
	if (count === smallSets) return;
	smallSets = count;
	smallFiles = undefined;
}
/** The small attachments (1,000 unless useSmallSets says otherwise), by attachment ID (made once). */
export function smallFileSet(): Map<string, SmallFile> {
	if (smallFiles) return smallFiles;
	smallFiles = new Map();
	for (let i = 0; i < smallSets; i++) {
		for (let j = 0; j < SMALL.perInvoice; j++) {
			const size = 1024 + ((i * 7919 + j * 104729) % (15 * 1024)); // 1 to 16 KiB
			const content = makeBlock(`small ${i} ${j}`, size);
			const file: SmallFile = {
				i,
				j,
				invoice: invoiceId(i),
				attachmentId: smallAttachmentId(i, j),
				fileName: smallFileName(i, j),
				content,
				sha256: createHash('sha256').update(content).digest('hex'),
			};
			smallFiles.set(file.attachmentId, file);
		}
	}
	return smallFiles;
}

// ---------------------------------------------------------------------------------------------
// Streaming I/O

async function sendFile(res: ServerResponse, size: number, fileName: string): Promise<void> {
	res.writeHead(200, {
		'Content-Type': 'application/pdf',
		'Content-Length': String(size),
		'Content-Disposition': `attachment; filename="${fileName}"`,
	});
	const closed = once(res, 'close');
	for (const chunk of fileChunks(size)) {
		if (res.destroyed) return;
		if (!res.write(chunk)) await Promise.race([once(res, 'drain'), closed]);
	}
	res.end();
}

export interface ReceivedUpload {
	route: string;
	bytes: number;
	sha256: string;
	/** From the first byte of the request to its last. */
	ms: number;
}

/** Hashes a raw body as it arrives. */
async function receiveRaw(req: IncomingMessage): Promise<{ bytes: number; sha256: string }> {
	const hash = createHash('sha256');
	let bytes = 0;
	for await (const chunk of req as AsyncIterable<Buffer>) {
		hash.update(chunk);
		bytes += chunk.length;
	}
	return { bytes, sha256: hash.digest('hex') };
}

/**
 * Hashes the file part of a multipart body as it arrives (the part whose headers name a
 * `filename`, which must be the last part, as both form-data writers put it); returns its text
 * fields too. Only the headers before the file and the last bytes (the closing boundary) are held.
 */
async function receiveMultipart(req: IncomingMessage): Promise<{ bytes: number; sha256: string; fields: Record<string, string> }> {
	const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.headers['content-type'] ?? '');
	if (!boundary) throw new Error('multipart body without a boundary');
	const closing = Buffer.from(`\r\n--${boundary[1] ?? boundary[2]}--`);
	const hold = closing.length + 2; // "--\r\n" may follow
	const hash = createHash('sha256');
	let head: Buffer | undefined = Buffer.alloc(0);
	let tail = Buffer.alloc(0);
	let bytes = 0;
	const fields: Record<string, string> = {};
	for await (const chunk of req as AsyncIterable<Buffer>) {
		let data = chunk;
		if (head) {
			head = Buffer.concat([head, data]);
			const text = head.toString('latin1');
			const fileHeader = /Content-Disposition:[^\r\n]*filename[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n/i.exec(text);
			if (!fileHeader) {
				if (head.length > 1024 * 1024) throw new Error('no file part in the first MiB');
				continue;
			}
			for (const match of text.slice(0, fileHeader.index).matchAll(/name="([^"]*)"\r\n\r\n([^\r]*)\r\n/g)) fields[match[1]] = match[2];
			data = head.subarray(fileHeader.index + fileHeader[0].length);
			head = undefined;
		}
		// Everything but the last `hold` bytes is file content.
		const joined = tail.length ? Buffer.concat([tail, data]) : data;
		const cut = Math.max(0, joined.length - hold);
		if (cut > 0) {
			hash.update(joined.subarray(0, cut));
			bytes += cut;
		}
		tail = Buffer.from(joined.subarray(cut));
	}
	// The tail is the end of the file (if any) + the closing boundary (+ CRLF).
	const end = tail.lastIndexOf(closing);
	if (head || end < 0) throw new Error('multipart body without its closing boundary');
	hash.update(tail.subarray(0, end));
	bytes += end;
	return { bytes, sha256: hash.digest('hex'), fields };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
	const chunks: Buffer[] = [];
	for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
	const text = Buffer.concat(chunks).toString('utf8');
	return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	const text = JSON.stringify(body);
	res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
	res.end(text);
}

// ---------------------------------------------------------------------------------------------
// Rate limits (the many-small-files sandbox)

export interface RateLimits {
	/** Most requests in flight at once; more get 429. */
	maxConcurrent: number;
	/** Requests allowed per minute (the bucket refills at this rate). */
	perMinute: number;
	/** Bucket size: requests that may go at once after a pause. */
	burst: number;
}

export interface RateStats {
	requests: number;
	accepted: number;
	rejected429: number;
	rejectedConcurrency: number;
	maxInFlight: number;
	firstAt?: number;
	lastAt?: number;
	retryAfterSent: string[];
}

class TokenBucket {
	private tokens: number;
	private last = Date.now();
	constructor(private readonly ratePerMs: number, private readonly capacity: number) {
		this.tokens = capacity;
	}
	private refill(now: number): void {
		this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.ratePerMs);
		this.last = now;
	}
	/** Takes a token, or says how many ms until one is there. */
	take(now = Date.now()): { ok: true } | { ok: false; waitMs: number } {
		this.refill(now);
		if (this.tokens >= 1) {
			this.tokens -= 1;
			return { ok: true };
		}
		return { ok: false, waitMs: (1 - this.tokens) / this.ratePerMs };
	}
}

// ---------------------------------------------------------------------------------------------
// The server

/** The bulk bench's sandbox: latency on every request, and the vendors' limits. */
export interface SandboxOptions {
	latencyMs: number;
	vendorLimits: boolean;
}

export type SandboxProvider = 'xero' | 'asana' | 'wix' | 'sunshine' | 'storage';

/** What the sandbox saw, per provider (storage: the pre-signed download and upload hosts). */
export interface SandboxStats {
	requests: number;
	/** 429s the vendor limits answered. */
	rejected429: number;
	maxInFlight: number;
	inFlight: number;
}

export interface BenchServer {
	url: string;
	uploads: ReceivedUpload[];
	/** Small-file downloads served (200), by attachment ID. */
	smallServed: Map<string, number>;
	rate: RateStats;
	/** Per provider, since the last `resetSandbox` (bulk bench). */
	sandbox: Record<SandboxProvider, SandboxStats>;
	/** The vendor limiters' own counts (Xero: per organization), since the last `resetSandbox`. */
	limiterStats(): Record<string, LimiterStats>;
	/** A fresh account for every provider: limits, counts and recorded uploads start again. */
	resetSandbox(): void;
	close(): Promise<void>;
}

export async function startBenchServer(options: { limits?: RateLimits; sandbox?: SandboxOptions } = {}): Promise<BenchServer> {
	const uploads: ReceivedUpload[] = [];
	const smallServed = new Map<string, number>();
	const rate: RateStats = { requests: 0, accepted: 0, rejected429: 0, rejectedConcurrency: 0, maxInFlight: 0, retryAfterSent: [] };
	const limits = options.limits;
	const sandbox = options.sandbox;
	/** Whether the small files are served (the many-small-files and the bulk benches). */
	const withSmallFiles = Boolean(limits || sandbox);
	const freshStats = (): Record<SandboxProvider, SandboxStats> => ({
		xero: { requests: 0, rejected429: 0, maxInFlight: 0, inFlight: 0 },
		asana: { requests: 0, rejected429: 0, maxInFlight: 0, inFlight: 0 },
		wix: { requests: 0, rejected429: 0, maxInFlight: 0, inFlight: 0 },
		sunshine: { requests: 0, rejected429: 0, maxInFlight: 0, inFlight: 0 },
		storage: { requests: 0, rejected429: 0, maxInFlight: 0, inFlight: 0 },
	});
	let sandboxStats = freshStats();
	const xeroLimiters = new Map<string, VendorLimiter>();
	let asanaLimiter = new VendorLimiter(asanaLimits());
	let wixLimiter = new VendorLimiter(wixLimits());
	const limiterFor = (provider: SandboxProvider, req: IncomingMessage): VendorLimiter | undefined => {
		if (!sandbox?.vendorLimits) return undefined;
		if (provider === 'xero') {
			const tenant = String(req.headers['xero-tenant-id'] ?? '').toLowerCase();
			let limiter = xeroLimiters.get(tenant);
			if (!limiter) xeroLimiters.set(tenant, (limiter = new VendorLimiter(xeroLimits())));
			return limiter;
		}
		if (provider === 'asana') return asanaLimiter;
		if (provider === 'wix') return wixLimiter;
		return undefined; // Sunshine publishes no limit; the storage hosts have none.
	};
	const bucket = limits ? new TokenBucket(limits.perMinute / 60_000, limits.burst) : undefined;
	let inFlight = 0;
	let base = '';

	const record = async (route: string, receive: () => Promise<{ bytes: number; sha256: string }>) => {
		const started = Date.now();
		const { bytes, sha256 } = await receive();
		const upload = { route, bytes, sha256, ms: Date.now() - started };
		uploads.push(upload);
		return upload;
	};

	async function xero(req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
		// /api.xro/2.0/Invoices/{id}/Attachments[/{key}]
		const [, , , parentId, attachments, key] = parts;
		if (attachments !== 'Attachments') return json(res, 404, { Message: 'not found' });
		if (req.method === 'GET' && key === undefined) {
			const small = [...smallFileSet().values()].filter((file) => file.invoice === parentId);
			const records = withSmallFiles
				? small.map((file) => ({ AttachmentID: file.attachmentId, FileName: file.fileName, Url: `${base}${req.url}/${file.fileName}`, MimeType: 'application/pdf', ContentLength: file.content.length }))
				: [];
			return json(res, 200, { Attachments: records });
		}
		const name = decodeURIComponent(key ?? '');
		if (req.method === 'GET') {
			const small = smallFileSet().get(name) ?? [...smallFileSet().values()].find((file) => file.fileName === name);
			if (small) {
				smallServed.set(small.attachmentId, (smallServed.get(small.attachmentId) ?? 0) + 1);
				res.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Length': String(small.content.length) });
				res.end(small.content);
				return;
			}
			const size = sizeFromName(name) ?? sizeFromGuid(name);
			if (size === undefined) return json(res, 404, { Message: 'The attachment was not found' });
			return await sendFile(res, size, largeFileName(size));
		}
		if (req.method === 'PUT' || req.method === 'POST') {
			const upload = await record('xero', () => receiveRaw(req));
			return json(res, 200, {
				Attachments: [{ AttachmentID: sizeGuid(upload.bytes), FileName: name, Url: `${base}${req.url}`, MimeType: req.headers['content-type'], ContentLength: upload.bytes }],
			});
		}
		json(res, 405, { Message: 'method not allowed' });
	}

	async function asana(req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
		// /api/1.0/attachments[/{gid}]
		const gid = parts[3];
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		if (withSmallFiles && req.method === 'GET' && !gid) {
			// Get Many: one page holds a task's 10 attachments.
			const task = indexFromAsanaTask(url.searchParams.get('parent') ?? '');
			const records = task === undefined ? [] : [...smallFileSet().values()].filter((file) => file.i === task);
			return json(res, 200, {
				data: records.map((file) => ({ gid: bulkIds.asanaAttachment(file.i, file.j), resource_type: 'attachment', name: file.fileName, resource_subtype: 'asana' })),
				next_page: null,
			});
		}
		const small = withSmallFiles && gid ? smallFromAsanaGid(gid) : undefined;
		if (req.method === 'GET' && small) {
			return json(res, 200, {
				data: {
					gid,
					resource_type: 'attachment',
					resource_subtype: 'asana',
					host: 'asana',
					name: small.fileName,
					size: small.content.length,
					download_url: `${base}/storage/small/${small.attachmentId}?X-Amz-Signature=bench`,
					view_url: `${base}/view/${gid}`,
					parent: { gid: bulkIds.asanaTask(small.i), resource_type: 'task', name: `task ${small.i}` },
				},
			});
		}
		if (req.method === 'GET' && gid) {
			const size = Number(gid);
			const name = largeFileName(size);
			return json(res, 200, {
				data: { gid, resource_type: 'attachment', resource_subtype: 'asana', host: 'asana', name, size, download_url: `${base}/storage/${name}`, view_url: `${base}/view/${gid}` },
			});
		}
		if (req.method === 'POST' && !gid) {
			let fields: Record<string, string> = {};
			const upload = await record('asana', async () => {
				const received = await receiveMultipart(req);
				fields = received.fields;
				return received;
			});
			return json(res, 200, { data: { gid: String(upload.bytes), resource_type: 'attachment', name: 'upload', parent: { gid: fields.parent } } });
		}
		json(res, 404, { errors: [{ message: 'not found' }] });
	}

	async function wix(req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
		// /contacts/v4/attachments/{contactId}/{attachmentId | upload-url}
		const [, , , contactId, second] = parts;
		const contact = withSmallFiles ? indexFromWixContact(contactId) : undefined;
		const wixRecord = (file: SmallFile) => ({
			id: bulkIds.wixAttachment(file.i, file.j),
			contactId,
			fileName: file.fileName,
			mimeType: 'application/pdf',
			attachmentType: 'DOCUMENT',
			document: { url: `${base}/storage/small/${file.attachmentId}` },
		});
		if (contact !== undefined && req.method === 'GET' && !second) {
			const records = [...smallFileSet().values()].filter((file) => file.i === contact);
			return json(res, 200, { attachments: records.map(wixRecord), metadata: { count: records.length, offset: 0, total: records.length, tooManyToCount: false } });
		}
		const small = contact !== undefined && second ? smallFileSet().get(second) : undefined;
		if (small && req.method === 'GET') return json(res, 200, { attachment: wixRecord(small) });
		if (req.method === 'POST' && second === 'upload-url') {
			const body = await readJson(req);
			return json(res, 200, { uploadUrl: `${base}/wix-upload/${contactId}?token=bench&name=${encodeURIComponent(String(body.fileName))}` });
		}
		if (req.method === 'GET' && second) {
			const size = sizeFromGuid(second);
			if (size === undefined) return json(res, 404, { message: 'not found' });
			const name = largeFileName(size);
			return json(res, 200, {
				attachment: { id: second, contactId, fileName: name, mimeType: 'application/pdf', attachmentType: 'DOCUMENT', document: { url: `${base}/storage/${name}` } },
			});
		}
		json(res, 404, { message: 'not found' });
	}

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const parts = url.pathname.split('/').slice(1);
		if (url.pathname.startsWith('/api.xro/2.0/')) return await xero(req, res, parts);
		if (url.pathname.startsWith('/api/1.0/attachments')) return await asana(req, res, parts);
		if (url.pathname.startsWith('/contacts/v4/attachments/')) return await wix(req, res, parts);
		if (withSmallFiles && url.pathname.startsWith('/storage/small/') && req.method === 'GET') {
			const small = smallFileSet().get(decodeURIComponent(parts[2] ?? ''));
			if (!small) return json(res, 404, { message: 'not found' });
			smallServed.set(small.attachmentId, (smallServed.get(small.attachmentId) ?? 0) + 1);
			res.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Length': String(small.content.length), 'Content-Disposition': `attachment; filename="${small.fileName}"` });
			res.end(small.content);
			return;
		}
		if (url.pathname.startsWith('/storage/') && req.method === 'GET') {
			const name = decodeURIComponent(parts[1]);
			const size = sizeFromName(name);
			if (size === undefined) return json(res, 404, { message: 'not found' });
			return await sendFile(res, size, name);
		}
		if (url.pathname.startsWith('/wix-upload/') && req.method === 'PUT') {
			const upload = await record('wix', () => receiveRaw(req));
			return json(res, 200, { attachment: { id: sizeGuid(upload.bytes), fileName: url.searchParams.get('filename'), size: upload.bytes } });
		}
		if (/^\/v2\/apps\/[^/]+\/attachments$/.test(url.pathname) && req.method === 'POST') {
			await record('sunshine', () => receiveMultipart(req));
			return json(res, 201, { attachment: { mediaUrl: `${base}/media/${Date.now()}.pdf`, mediaType: 'application/pdf' } });
		}
		json(res, 404, { message: `no route ${req.method} ${url.pathname}` });
	}

	const providerOf = (url: string): SandboxProvider => {
		if (url.startsWith('/api.xro/')) return 'xero';
		if (url.startsWith('/api/1.0/')) return 'asana';
		if (url.startsWith('/contacts/v4/')) return 'wix';
		if (url.startsWith('/v2/apps/')) return 'sunshine';
		return 'storage';
	};
	const tooMany: Record<SandboxProvider, unknown> = {
		xero: { Title: 'Too Many Requests', Detail: 'Rate limit exceeded' },
		asana: { errors: [{ message: "You've made too many requests and hit a rate limit. Please retry after the given amount of time." }] },
		wix: { message: 'Too many requests', details: { applicationError: { code: 'TOO_MANY_REQUESTS' } } },
		sunshine: { errors: [{ code: 'too_many_requests', title: 'Too Many Requests' }] },
		storage: { message: 'Too many requests' },
	};

	/** The bulk bench's sandbox: the vendor's limits decide at arrival, then the latency, then the answer. */
	function sandboxed(req: IncomingMessage, res: ServerResponse, settings: SandboxOptions): void {
		const provider = providerOf(req.url ?? '/');
		const stats = sandboxStats[provider];
		stats.requests++;
		stats.inFlight++;
		stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
		const admission = limiterFor(provider, req)?.admit(req.method ?? 'GET');
		res.once('close', () => {
			stats.inFlight--;
			if (admission?.ok) admission.done();
		});
		const go = () => {
			if (admission && !admission.ok) {
				stats.rejected429++;
				req.resume();
				return json(res, 429, tooMany[provider], admission.headers);
			}
			if (admission?.ok) for (const [name, value] of Object.entries(admission.headers)) res.setHeader(name, value);
			handle(req, res).catch((error: Error) => {
				if (!res.headersSent) json(res, 500, { message: error.message });
				else res.destroy(error);
			});
		};
		if (settings.latencyMs > 0) setTimeout(go, settings.latencyMs);
		else go();
	}

	const server: Server = createServer((req, res) => {
		if (sandbox) return sandboxed(req, res, sandbox);
		const limited = limits && req.url?.startsWith('/api.xro/');
		if (limited) {
			const now = Date.now();
			rate.requests++;
			rate.firstAt ??= now;
			rate.lastAt = now;
			if (inFlight >= limits.maxConcurrent) {
				rate.rejectedConcurrency++;
				return json(res, 429, { Title: 'Too Many Requests', Detail: 'Concurrent request limit exceeded' }, { 'Retry-After': '1', 'X-Rate-Limit-Problem': 'concurrent' });
			}
			const taken = bucket!.take(now);
			if (!taken.ok) {
				rate.rejected429++;
				// Whole seconds, as Xero sends them (see bench/README in the main README).
				const retryAfter = String(Math.max(1, Math.ceil(taken.waitMs / 1000)));
				rate.retryAfterSent.push(retryAfter);
				return json(res, 429, { Title: 'Too Many Requests', Detail: 'Minute limit exceeded' }, { 'Retry-After': retryAfter, 'X-Rate-Limit-Problem': 'minute' });
			}
			rate.accepted++;
			inFlight++;
			rate.maxInFlight = Math.max(rate.maxInFlight, inFlight);
			res.once('close', () => inFlight--);
		}
		handle(req, res).catch((error: Error) => {
			if (!res.headersSent) json(res, 500, { message: error.message });
			else res.destroy(error);
		});
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		url: base,
		uploads,
		smallServed,
		rate,
		get sandbox() {
			return sandboxStats;
		},
		limiterStats: () => {
			const all: Record<string, LimiterStats> = { asana: asanaLimiter.stats, wix: wixLimiter.stats };
			for (const [tenant, limiter] of xeroLimiters) all[`xero ${tenant}`] = limiter.stats;
			return all;
		},
		resetSandbox: () => {
			sandboxStats = freshStats();
			xeroLimiters.clear();
			asanaLimiter = new VendorLimiter(asanaLimits());
			wixLimiter = new VendorLimiter(wixLimits());
			uploads.length = 0;
			smallServed.clear();
		},
		close: async () => {
			server.closeAllConnections();
			server.close();
			await once(server, 'close');
		},
	};
}
