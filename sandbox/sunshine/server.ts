/**
 * A local, stateful emulator of the Sunshine Conversations API's attachment endpoints on
 * 127.0.0.1, with the app endpoints the node's picker and credential test call, and a media host
 * serving what was uploaded.
 *
 * Contract: /work/shared/specs/sunshine_conversations.yaml (v17.12.1: upload, remove, apps) and
 * sunshine_conversations_v12.8.0_legacy.yaml (media token, cookie). Where the specs are silent it
 * behaves as the API is documented to: `{ errors: [{ code, title }] }` error bodies, Basic auth with
 * a key ID and secret or an HS256 JWT with `kid` and `scope`, app keys limited to their app, the
 * API also under `/sc` (the path Zendesk-hosted accounts use), files up to 50 MB, executables and
 * scripts refused with 415 `unsupported_media_type`.
 *
 * Uploads are parsed as they stream in and written to `storageDir` while hashed, never buffered.
 * Every request is recorded (method, raw URL, headers, body up to 1 MiB, size, sha256); faults
 * (canned replies, dropped connections, truncated media downloads) can be queued.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';

import type { RecordedRequest as CommonRecordedRequest } from '../common/http';
import { newRecord, recordBody, closeServer } from '../common/http';
import { Traffic } from '../common/traffic';
import { MediaTokens, authenticate, mayAccessApp, pathCovers, type SunshineKey } from './auth';
import { BodyRecorder, type Reply, errorReply, httpDate, jsonReply, pumpBody, writeReply } from './http';
import { MultipartParser, formDataBoundary } from './multipart';
import { type AttachmentRecord, AttachmentStore } from './store';
import { SunshineIntegrations, integrationRouteOf } from './integrations';

export { type AttachmentRecord, type SunshineKey };
export { signHs256, decodeJwt, hs256Valid } from './auth';
export type { SunshineIntegration, SunshineWebhook, WebhookDelivery } from './integrations';

export interface AppSettings {
	/** `private`: media downloads need a media token (Bearer or cookie). Default `public`. */
	attachmentsAccess?: 'public' | 'private';
	/** Lifetime of media tokens. Default: the server's `mediaTokenTtlSeconds`. */
	attachmentsTokenExpirationSeconds?: number;
}

export interface SunshineApp {
	id: string;
	displayName: string;
	settings?: AppSettings;
}

export type RecordedRequest = CommonRecordedRequest;

export interface FaultResponse {
	status: number;
	/** An array sends the header several times (e.g. Set-Cookie). */
	headers?: Record<string, string | string[]>;
	body?: string;
}

export interface SunshineServerOptions {
	/** 0 (default) = a random free port. */
	port?: number;
	/** Default: DEFAULT_APP and SECOND_APP. */
	apps?: SunshineApp[];
	/** Default: DEFAULT_APP_KEY (for DEFAULT_APP) and DEFAULT_ACCOUNT_KEY. */
	keys?: SunshineKey[];
	/** Where file bodies go. Default: a fresh temp dir, removed by close(). */
	storageDir?: string;
	/** Larger uploads get 413. Default 50 MB, as documented. */
	maxAttachmentBytes?: number;
	/** Serve the v12.8.0 media token and cookie calls. Default true; false answers 404 like newer API versions. */
	legacyMediaEndpoints?: boolean;
	/** Lifetime of media tokens unless the app says otherwise. Default 7200 (two hours, as documented). */
	mediaTokenTtlSeconds?: number;
	/** Webhook deliveries: retries after a 5xx or no answer (default 2) and the wait before each (ms, default 250). */
	webhookRetries?: number;
	webhookRetryDelayMs?: number;
}

export interface SunshineServer {
	/** http://127.0.0.1:PORT (the API at /v2/…, like api.smooch.io) */
	url: string;
	/** url + '/sc' (the API as a Zendesk subdomain serves it) */
	zendeskUrl: string;
	/** url + '/media': where media URLs point */
	mediaBaseUrl: string;
	storageDir: string;
	apps: SunshineApp[];
	keys: SunshineKey[];
	/** Every request, faulted and failed ones too, in arrival order, once its body was read. */
	requests: RecordedRequest[];
	/** Arrivals and answers in order, in-flight counts, and knobs: holds, extra headers, vendor-like limits (see common/traffic.ts). */
	traffic: Traffic;
	/** Back to the initial state: no attachments, requests, faults; app settings as started. */
	reset(): void;
	close(): Promise<void>;
	/** The stored attachments (of one app), oldest first. */
	attachments(appId?: string): AttachmentRecord[];
	seedAttachment(appId: string, fileName: string, content: Buffer, mediaType: string, options?: { conversationId?: string }): AttachmentRecord;
	mediaUrl(record: AttachmentRecord): string;
	/** The next `count` API requests get this response (after their body was read). */
	failNext(count: number, response: FaultResponse): void;
	/** The next `count` API requests are read, then their connection is destroyed without an answer. */
	dropNext(count: number): void;
	/** The next media download sends the right Content-Length, then only this many bytes, then drops. */
	truncateNextMedia(bytesToSend: number): void;
	/** Mints a media token as the token endpoint would. */
	issueMediaToken(appId: string, tokenPath: string, ttlSeconds?: number): string;
	setAppSettings(appId: string, settings: AppSettings): void;
	/** Custom integrations, posted messages and the webhook deliveries they caused (sunshine/integrations.ts). */
	integrations: SunshineIntegrations;
}

export const DEFAULT_APP: SunshineApp = { id: '6620f0c1a6b4e2001d7c3f10', displayName: 'Support Messaging' };
export const SECOND_APP: SunshineApp = { id: '6620f0c1a6b4e2001d7c3f99', displayName: 'Billing Bot' };
export const DEFAULT_APP_KEY: SunshineKey = {
	id: 'app_6620f0c9a6b4e2001d7c3f2a',
	secret: 'sentinel-app-secret-Xq7vT2pL9sK4wR8m',
	scope: 'app',
	appId: DEFAULT_APP.id,
};
export const DEFAULT_ACCOUNT_KEY: SunshineKey = {
	id: 'act_6620f0d2a6b4e2001d7c3f3b',
	secret: 'sentinel-account-secret-Hn3cZ6yB1fG5jD0e',
	scope: 'account',
};
export const SUNSHINE_MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
/** Name of the cookie the cookie endpoint sets and private media accept. */
export const MEDIA_COOKIE = 'sunshine-media-token';

/** File types the emulator refuses with 415, as the file validation guide refuses executables and scripts. */
const REFUSED_EXTENSIONS = new Set(['exe', 'bat', 'cmd', 'com', 'msi', 'scr', 'vbs', 'ps1', 'sh', 'jar', 'dll', 'apk', 'dmg']);
const REFUSED_TYPES = new Set([
	'application/x-msdownload',
	'application/x-msdos-program',
	'application/vnd.microsoft.portable-executable',
	'application/x-executable',
	'application/x-sh',
	'application/x-bat',
	'application/java-archive',
	'application/vnd.android.package-archive',
]);

type Route =
	| { kind: 'listApps' }
	| { kind: 'getApp'; appId: string }
	| { kind: 'upload' | 'remove' | 'token' | 'cookie'; appId: string }
	| { kind: 'media'; mediaPath: string }
	| { kind: 'methodNotAllowed'; allow: string }
	| { kind: 'notFound'; api: boolean };

function decodeSegment(segment: string): string | undefined {
	try {
		return decodeURIComponent(segment);
	} catch {
		return undefined;
	}
}

/** A media path with each segment in one canonical encoding (encodeURIComponent). */
function canonicalMediaPath(rawPath: string): string | undefined {
	const segments = rawPath.split('/').map(decodeSegment);
	if (segments.some((segment) => segment === undefined)) return undefined;
	return (segments as string[]).map((segment) => encodeURIComponent(segment)).join('/');
}

function routeOf(method: string, rawPath: string): Route {
	if (rawPath.startsWith('/media/')) {
		const mediaPath = canonicalMediaPath(rawPath.slice('/media'.length));
		if (!mediaPath) return { kind: 'notFound', api: false };
		return method === 'GET' || method === 'HEAD' ? { kind: 'media', mediaPath } : { kind: 'methodNotAllowed', allow: 'GET, HEAD' };
	}
	const apiPath = rawPath.startsWith('/sc/') ? rawPath.slice('/sc'.length) : rawPath;
	const segments = apiPath.split('/');
	if (segments[0] !== '' || segments[1] !== 'v2' || segments[2] !== 'apps') return { kind: 'notFound', api: segments[1] === 'v2' };
	const is = (allowed: string) => method === allowed;
	const notAllowed = (allow: string): Route => ({ kind: 'methodNotAllowed', allow });
	if (segments.length === 3) return is('GET') ? { kind: 'listApps' } : notAllowed('GET, POST');
	const appId = decodeSegment(segments[3]);
	if (!appId) return { kind: 'notFound', api: true };
	if (segments.length === 4) return is('GET') ? { kind: 'getApp', appId } : notAllowed('GET, PATCH, DELETE');
	if (segments[4] !== 'attachments') return { kind: 'notFound', api: true };
	if (segments.length === 5) return is('POST') ? { kind: 'upload', appId } : notAllowed('POST');
	if (segments.length === 6) {
		if (segments[5] === 'remove') return is('POST') ? { kind: 'remove', appId } : notAllowed('POST');
		if (segments[5] === 'token') return is('POST') ? { kind: 'token', appId } : notAllowed('POST');
		if (segments[5] === 'cookie') return is('GET') ? { kind: 'cookie', appId } : notAllowed('GET');
	}
	return { kind: 'notFound', api: true };
}

function faultReply(fault: FaultResponse): Reply {
	const headers = { ...(fault.headers ?? {}) };
	const body = Buffer.from(fault.body ?? '', 'utf8');
	const hasType = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
	if (!hasType && body.length) {
		headers['Content-Type'] = /^\s*[[{]/.test(fault.body ?? '') ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8';
	}
	return { status: fault.status, headers, body };
}

function extensionOf(fileName: string): string {
	const dot = fileName.lastIndexOf('.');
	return dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase();
}

function mediaTypeOf(contentType: string | undefined): string {
	const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
	return /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type : 'application/octet-stream';
}

/** `50 MB` for whole megabytes (as the limit is documented), bytes otherwise. */
function describeSize(bytes: number): string {
	const mb = bytes / (1024 * 1024);
	return Number.isInteger(mb) ? `${mb} MB` : `${bytes} bytes`;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
	for (const part of (header ?? '').split(';')) {
		const eq = part.indexOf('=');
		if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
	}
	return undefined;
}

interface Exchange {
	req: IncomingMessage;
	res: ServerResponse;
	query: URLSearchParams;
	record: RecordedRequest;
	/** Reads the body to its end (through `sink`), records the request; true when the client went away. */
	drain(sink?: (chunk: Buffer) => void | Promise<void>): Promise<boolean>;
}

export async function startSunshineServer(opts: SunshineServerOptions = {}): Promise<SunshineServer> {
	const ownsDir = !opts.storageDir;
	const storageDir = opts.storageDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sunshine-emulator-'));
	fs.mkdirSync(storageDir, { recursive: true });
	const store = new AttachmentStore(storageDir);
	const apps = (opts.apps ?? [DEFAULT_APP, SECOND_APP]).map((app) => ({ ...app, settings: { ...(app.settings ?? {}) } }));
	const initialSettings = new Map(apps.map((app) => [app.id, { ...app.settings }]));
	const keys = opts.keys ?? [DEFAULT_APP_KEY, DEFAULT_ACCOUNT_KEY];
	const maxBytes = opts.maxAttachmentBytes ?? SUNSHINE_MAX_UPLOAD_BYTES;
	const legacy = opts.legacyMediaEndpoints ?? true;
	const defaultTtl = opts.mediaTokenTtlSeconds ?? 7200;
	const mediaTokens = new MediaTokens();
	const requests: RecordedRequest[] = [];
	const faults: Array<{ drop: true } | { drop: false; response: FaultResponse }> = [];
	const truncations: number[] = [];
	let seq = 0;
	let url = '';
	const integrations = new SunshineIntegrations({
		mediaRecord: (given) => (given.startsWith(`${url}/media/`) ? store.findByMediaPath(canonicalMediaPath(new URL(given).pathname.slice('/media'.length)) ?? '') : undefined),
		retries: opts.webhookRetries,
		retryDelayMs: opts.webhookRetryDelayMs,
	});

	const findApp = (appId: string) => apps.find((app) => app.id === appId);
	const appJson = (app: SunshineApp) => ({
		id: app.id,
		displayName: app.displayName,
		settings: {
			multiConvoEnabled: false,
			maskCreditCardNumbers: true,
			useAnimalNames: false,
			echoPostback: false,
			ignoreAutoConversationStart: false,
			appLocalizationEnabled: false,
			attachmentsAccess: app.settings?.attachmentsAccess ?? 'public',
			attachmentsTokenExpirationSeconds: app.settings?.attachmentsTokenExpirationSeconds ?? defaultTtl,
		},
		metadata: null,
	});
	const mediaUrl = (record: AttachmentRecord) => `${url}/media${record.mediaPath}`;

	/** Auth, then access to the app, then the app's existence: the order the API checks them in. */
	function authorizeApp(headers: IncomingHttpHeaders, appId: string): Reply | undefined {
		const auth = authenticate(headers, keys);
		if (!auth.ok) return auth.reply;
		if (!mayAccessApp(auth.key, appId)) return errorReply(403, 'forbidden', 'The key cannot access this app');
		if (!findApp(appId)) return errorReply(404, 'app_not_found', 'App not found');
		return undefined;
	}

	/** The JSON body of a call, or the reply that refuses it. */
	async function readJson(exchange: Exchange): Promise<{ value: Record<string, unknown> } | { reply: Reply }> {
		await exchange.drain();
		const { record, req } = exchange;
		if (!/^application\/json\s*(;|$)/i.test(String(req.headers['content-type'] ?? ''))) {
			return { reply: errorReply(400, 'bad_request', 'Content-Type must be application/json') };
		}
		if (record.bodySize > 1024 * 1024 || !record.body) return { reply: errorReply(413, 'payload_too_large', 'Request body too large') };
		try {
			const value = JSON.parse(record.body.toString('utf8')) as unknown;
			if (typeof value !== 'object' || value === null || Array.isArray(value)) {
				return { reply: errorReply(400, 'bad_request', 'The request body must be a JSON object') };
			}
			return { value: value as Record<string, unknown> };
		} catch {
			return { reply: errorReply(400, 'bad_request', 'Invalid JSON body') };
		}
	}

	function listApps(exchange: Exchange): Reply {
		const auth = authenticate(exchange.req.headers, keys);
		if (!auth.ok) return auth.reply;
		if (auth.key.scope !== 'account') return errorReply(403, 'forbidden', 'Listing apps requires an account or service account key');
		const sizeText = exchange.query.get('page[size]');
		const size = sizeText === null ? 25 : Number(sizeText);
		if (!Number.isInteger(size) || size < 1 || size > 100) return errorReply(400, 'bad_request', 'page[size] must be an integer from 1 to 100');
		const after = exchange.query.get('page[after]');
		let start = 0;
		if (after !== null) {
			const index = apps.findIndex((app) => app.id === after);
			if (index < 0) return errorReply(400, 'bad_request', 'Invalid page[after] cursor');
			start = index + 1;
		}
		const page = apps.slice(start, start + size);
		const hasMore = start + size < apps.length;
		const links: Record<string, string> = {};
		if (hasMore) links.next = `${url}/v2/apps?page[after]=${page[page.length - 1].id}&page[size]=${size}`;
		return jsonReply(200, {
			apps: page.map(appJson),
			meta: { hasMore, afterCursor: page[page.length - 1]?.id, beforeCursor: page[0]?.id },
			links,
		});
	}

	async function upload(exchange: Exchange, appId: string): Promise<Reply | undefined> {
		const { req, query } = exchange;
		const refused = authorizeApp(req.headers, appId);
		const access = query.get('access');
		const purpose = query.get('for');
		const boundary = formDataBoundary(req.headers['content-type']);
		const early =
			refused ??
			(access === null ? errorReply(400, 'bad_request', 'Missing required query parameter: access') : undefined) ??
			(access !== 'public' ? errorReply(400, 'bad_request', `Invalid access "${access}": only public is supported`) : undefined) ??
			(purpose !== null && purpose !== 'message' ? errorReply(400, 'bad_request', `Invalid for "${purpose}": only message is supported`) : undefined) ??
			(!boundary ? errorReply(400, 'bad_request', 'Content-Type must be multipart/form-data with a boundary') : undefined);
		if (early) {
			await exchange.drain();
			return early;
		}

		let source:
			| { tempPath: string; out: fs.WriteStream; hash: ReturnType<typeof createHash>; size: number; fileName: string; contentType?: string; failed?: Error }
			| undefined;
		const parser = new MultipartParser(boundary!, (headers) => {
			if (source || !headers.formData || headers.name !== 'source' || headers.filename === undefined) {
				return { write: () => undefined, end: () => undefined };
			}
			const tempPath = store.tempPath();
			const current = {
				tempPath,
				out: fs.createWriteStream(tempPath),
				hash: createHash('sha256'),
				size: 0,
				fileName: headers.filename,
				contentType: headers.contentType,
				failed: undefined as Error | undefined,
			};
			current.out.on('error', (error) => (current.failed = error));
			source = current;
			return {
				write: async (chunk: Buffer) => {
					current.size += chunk.length;
					current.hash.update(chunk);
					if (current.size > maxBytes || current.failed) return;
					if (!current.out.write(chunk)) await new Promise<void>((resolve) => current.out.once('drain', () => resolve()));
				},
				end: () => undefined,
			};
		});
		const aborted = await exchange.drain(async (chunk) => await parser.write(chunk));
		if (!aborted) await parser.end();
		const file = source as typeof source;
		if (file) await new Promise<void>((resolve) => file.out.end(() => resolve()));
		const discard = () => file && fs.rmSync(file.tempPath, { force: true });
		if (aborted) {
			discard();
			return undefined;
		}
		const problem =
			(parser.error ? errorReply(400, 'bad_request', `Malformed multipart body: ${parser.error}`) : undefined) ??
			(!file ? errorReply(400, 'bad_request', 'Missing file: send it in the multipart field "source"') : undefined) ??
			(file!.failed ? errorReply(500, 'internal_error', 'Could not store the file') : undefined) ??
			(file!.size > maxBytes
				? errorReply(413, 'payload_too_large', `The file exceeds the maximum size of ${describeSize(maxBytes)}`)
				: undefined) ??
			(file!.size === 0 ? errorReply(400, 'bad_request', 'The file is empty') : undefined);
		if (problem) {
			discard();
			return problem;
		}
		const mediaType = mediaTypeOf(file!.contentType);
		if (REFUSED_TYPES.has(mediaType) || REFUSED_EXTENSIONS.has(extensionOf(file!.fileName))) {
			discard();
			return errorReply(415, 'unsupported_media_type', `Unsupported media type: ${mediaType} (${file!.fileName})`);
		}
		const record = store.add({
			appId,
			fileName: file!.fileName,
			mediaType,
			for: purpose ?? undefined,
			conversationId: query.get('conversationId') || undefined,
			tempPath: file!.tempPath,
			size: file!.size,
			sha256: file!.hash.digest('hex'),
		});
		return jsonReply(201, { attachment: { mediaUrl: mediaUrl(record), mediaType: record.mediaType } });
	}

	async function remove(exchange: Exchange, appId: string): Promise<Reply> {
		const refused = authorizeApp(exchange.req.headers, appId);
		const json = await readJson(exchange);
		if (refused) return refused;
		if ('reply' in json) return json.reply;
		const given = json.value.mediaUrl;
		if (typeof given !== 'string' || !given) return errorReply(400, 'bad_request', 'mediaUrl is required');
		let target: URL | undefined;
		try {
			target = new URL(given);
		} catch {
			target = undefined;
		}
		const mediaPath = target && target.origin === new URL(url).origin && target.pathname.startsWith('/media/')
			? canonicalMediaPath(target.pathname.slice('/media'.length))
			: undefined;
		if (!mediaPath) return errorReply(400, 'bad_request', `Unsupported media URL for attachment deletion: ${given}`);
		const record = store.findByMediaPath(mediaPath);
		if (!record || record.appId !== appId) return errorReply(404, 'not_found', 'Attachment not found');
		store.remove(record);
		return jsonReply(200, {});
	}

	async function token(exchange: Exchange, appId: string): Promise<Reply> {
		const refused = authorizeApp(exchange.req.headers, appId);
		const json = await readJson(exchange);
		if (refused) return refused;
		if ('reply' in json) return json.reply;
		const paths = json.value.paths;
		if (!Array.isArray(paths) || paths.length === 0 || paths.some((p) => typeof p !== 'string' || p === '')) {
			return errorReply(400, 'bad_request', 'paths must be a non-empty array of strings');
		}
		const outside = (paths as string[]).find((p) => !pathCovers(`/apps/${appId}`, p));
		if (outside !== undefined) return errorReply(400, 'bad_request', `Path "${outside}" is not within /apps/${appId}`);
		const ttl = findApp(appId)!.settings?.attachmentsTokenExpirationSeconds ?? defaultTtl;
		const tokens: Record<string, string> = {};
		for (const p of paths as string[]) tokens[p] = mediaTokens.issue(appId, p, ttl);
		return jsonReply(200, { tokens });
	}

	async function cookie(exchange: Exchange, appId: string): Promise<Reply> {
		await exchange.drain();
		const bearer = /^Bearer\s+(\S+)\s*$/i.exec(exchange.req.headers.authorization ?? '');
		if (!bearer) return errorReply(401, 'unauthorized', 'Authorization is required');
		const claims = mediaTokens.verify(bearer[1]);
		if (!claims) return errorReply(401, 'unauthorized', 'Invalid media token');
		if (claims.app !== appId) return errorReply(403, 'forbidden', 'The media token is not for this app');
		if (!findApp(appId)) return errorReply(404, 'app_not_found', 'App not found');
		const expires = httpDate(new Date(claims.exp * 1000));
		return jsonReply(200, {}, {
			'Set-Cookie': [`${MEDIA_COOKIE}=${bearer[1]}; Path=/media${claims.path}; Expires=${expires}; HttpOnly; SameSite=Lax`],
		});
	}

	async function media(exchange: Exchange, mediaPath: string): Promise<void> {
		const { req, res } = exchange;
		await exchange.drain();
		const record = store.findByMediaPath(mediaPath);
		const text = (status: number, body: string) =>
			writeReply(res, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: Buffer.from(body) });
		if (!record) return text(404, 'Not Found');
		if (findApp(record.appId)?.settings?.attachmentsAccess === 'private') {
			const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
			const given = bearer ?? cookieValue(req.headers.cookie, MEDIA_COOKIE);
			const claims = given ? mediaTokens.verify(given) : undefined;
			if (!claims || claims.app !== record.appId || !pathCovers(claims.path, record.mediaPath)) return text(403, 'Forbidden');
		}
		res.writeHead(200, { 'Content-Type': record.mediaType, 'Content-Length': String(record.size), 'Cache-Control': 'private, max-age=0' });
		if (req.method === 'HEAD') return void res.end();
		const limit = truncations.shift();
		const stream = fs.createReadStream(record.filePath, limit === undefined ? {} : { start: 0, end: Math.max(0, limit - 1) });
		if (limit === 0) {
			stream.destroy();
			res.destroy();
			return;
		}
		stream.on('error', () => res.destroy());
		if (limit === undefined) return void stream.pipe(res);
		stream.on('data', (chunk) => res.write(chunk));
		stream.on('end', () => res.destroy());
	}

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const record = newRecord(req, ++seq);
		const { path: rawPath, query } = record;
		const recorder = new BodyRecorder();
		let recorded = false;
		const finish = (aborted: boolean) => {
			if (recorded) return;
			recorded = true;
			recordBody(requests, record, { ...recorder.result(), aborted });
		};
		let draining: Promise<boolean> | undefined;
		const exchange: Exchange = {
			req,
			res,
			query,
			record,
			drain: (sink) =>
				(draining ??= pumpBody(req, recorder, sink).then(({ aborted }) => {
					finish(aborted);
					return aborted;
				})),
		};
		try {
			const route = routeOf(record.method, rawPath);
			if (route.kind === 'media') return await media(exchange, route.mediaPath);
			if (route.kind === 'notFound' && !route.api) {
				await exchange.drain();
				return writeReply(res, { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: Buffer.from('Not Found') });
			}
			const fault = faults.shift();
			if (fault) {
				await exchange.drain();
				if (fault.drop) return void res.destroy();
				return writeReply(res, faultReply(fault.response));
			}
			let reply: Reply | undefined;
			const integrationRoute = route.kind === 'notFound' ? integrationRouteOf(record.method, rawPath.replace(/^\/sc\//, '/')) : undefined;
			if (integrationRoute) {
				// Integrations and messages (sunshine/integrations.ts): auth and app first, then the body.
				if (integrationRoute.kind === 'methodNotAllowed') {
					await exchange.drain();
					return writeReply(res, errorReply(405, 'method_not_allowed', 'Method not allowed', { Allow: integrationRoute.allow }));
				}
				const refused = authorizeApp(req.headers, integrationRoute.appId);
				const json = ['createIntegration', 'postMessage'].includes(integrationRoute.kind) ? await readJson(exchange) : (await exchange.drain(), undefined);
				return writeReply(res, refused ?? (json && 'reply' in json ? json.reply : integrations.handle(integrationRoute, json?.value)));
			}
			switch (route.kind) {
				case 'listApps':
					await exchange.drain();
					reply = listApps(exchange);
					break;
				case 'getApp': {
					await exchange.drain();
					reply = authorizeApp(req.headers, route.appId) ?? jsonReply(200, { app: appJson(findApp(route.appId)!) });
					break;
				}
				case 'upload':
					reply = await upload(exchange, route.appId);
					break;
				case 'remove':
					reply = await remove(exchange, route.appId);
					break;
				case 'token':
				case 'cookie':
					if (!legacy) {
						await exchange.drain();
						reply = errorReply(404, 'not_found', 'Resource not found');
					} else {
						reply = route.kind === 'token' ? await token(exchange, route.appId) : await cookie(exchange, route.appId);
					}
					break;
				case 'methodNotAllowed':
					await exchange.drain();
					reply = errorReply(405, 'method_not_allowed', 'Method not allowed', { Allow: route.allow });
					break;
				default:
					await exchange.drain();
					reply = errorReply(404, 'not_found', 'Resource not found');
			}
			if (reply) writeReply(res, reply);
			else res.destroy();
		} catch (error) {
			if (!recorded) {
				finish(true);
				req.resume();
			}
			if (res.headersSent) res.destroy();
			else writeReply(res, errorReply(500, 'internal_error', `Internal server error: ${String(error)}`));
		}
	}

	const traffic = new Traffic();
	const server = http.createServer(traffic.wrap((req, res) => void handle(req, res)));
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
	});
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	return {
		url,
		zendeskUrl: `${url}/sc`,
		mediaBaseUrl: `${url}/media`,
		storageDir,
		apps,
		keys,
		requests,
		traffic,
		reset() {
			traffic.reset();
			requests.length = 0;
			seq = 0;
			faults.length = 0;
			truncations.length = 0;
			store.clear();
			integrations.reset();
			for (const app of apps) app.settings = { ...(initialSettings.get(app.id) ?? {}) };
		},
		async close() {
			await closeServer(server);
			store.clear();
			if (ownsDir) fs.rmSync(storageDir, { recursive: true, force: true });
		},
		attachments: (appId) => store.list(appId).map((record) => ({ ...record })),
		seedAttachment(appId, fileName, content, mediaType, options) {
			if (!findApp(appId)) throw new RangeError(`Unknown app "${appId}"`);
			return { ...store.seed(appId, fileName, content, mediaType, options?.conversationId) };
		},
		mediaUrl,
		failNext(count, response) {
			for (let i = 0; i < count; i++) faults.push({ drop: false, response });
		},
		dropNext(count) {
			for (let i = 0; i < count; i++) faults.push({ drop: true });
		},
		truncateNextMedia(bytesToSend) {
			truncations.push(bytesToSend);
		},
		issueMediaToken(appId, tokenPath, ttlSeconds) {
			return mediaTokens.issue(appId, tokenPath, ttlSeconds ?? findApp(appId)?.settings?.attachmentsTokenExpirationSeconds ?? defaultTtl);
		},
		integrations,
		setAppSettings(appId, settings) {
			const app = findApp(appId);
			if (!app) throw new RangeError(`Unknown app "${appId}"`);
			app.settings = { ...(app.settings ?? {}), ...settings };
		},
	};
}
