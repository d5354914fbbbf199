/**
 * A local, stateful emulator of the Asana API for the Asana Attachment node, on 127.0.0.1 only:
 *
 *  - `/api/1.0`: `GET /users/me`, `GET /workspaces`, `GET /workspaces/{gid}/typeahead`,
 *    `GET|POST /attachments`, `GET|DELETE /attachments/{gid}`, with Asana's envelopes, `opt_fields`,
 *    `limit`/`offset` pagination (`next_page.offset`) and `{ errors: [{ message, help }] }` errors;
 *    Bearer personal access tokens and OAuth tokens ("Not Authorized" otherwise);
 *  - uploads as Asana takes them: multipart/form-data with `parent` and a `file` part (streamed to
 *    disk while hashed, never held; names read as described in ./asana/multipart.ts) or
 *    `resource_subtype=external` with `url` and `name`; files over 100 MiB refused;
 *  - `download_url`s that are short-lived pre-signed URLs of a second host (own port): refused with
 *    an `Authorization` header, once expired or with a wrong signature, in S3's XML shape;
 *  - `GET|POST /webhooks`, `GET|DELETE /webhooks/{gid}` with the `X-Hook-Secret` handshake, and
 *    signed deliveries of the events of attachments added and removed, heartbeats and retries
 *    (./asana/webhooks.ts; `webhooks` below);
 *  - `GET /-/oauth_authorize` (approves at once) and `POST /-/oauth_token`;
 *  - faults: `failNext` (any status/body, optionally only for a method/path), `rateLimitNext`
 *    (Asana's 429 with Retry-After), `failNextDownload`, `truncateNextDownload`,
 *    `expireNextDownloadUrls`, `expireToken`/`revokeToken`;
 *  - every request recorded raw (method, target, headers, body up to 1 MiB, size, sha256, and the
 *    multipart parts as parsed), API and file host apart.
 *
 * Contract: /work/shared/specs/asana_oas.yaml. Messages the spec and Asana's docs give are used
 * verbatim ("Not Authorized", "<param>: Missing input", the 429 text); the others are modelled on them.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { IncomingMessage, ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';

import { API_PREFIX, AsanaApi, RATE_LIMIT_MESSAGE, asanaError, optFields } from './api';
import { AsanaAuth, type IssuedToken, type OAuthClient, type TokenKind } from './auth';
import { FileHost, s3Error } from './files';
import { MultipartParser, multipartBoundary, type PartSink } from './multipart';
import { AsanaWebhooks, type AsanaWebhookOptions } from './webhooks';
import {
	AsanaStore,
	DEFAULT_PROJECT,
	DEFAULT_TASK,
	DEFAULT_USER,
	DEFAULT_WORKSPACE,
	SECOND_TASK,
	type AttachmentRecord,
	type Parent,
	type User,
	type Workspace,
} from './store';
import { insertInArrivalOrder, newRecord, recordBody, KEEP_BODY_LIMIT, consumeBody, jsonReply, textReply, writeReply, TEXT_TYPE, type Reply, type RecordedRequest as CommonRecordedRequest, closeServer } from '../common/http';
import { Traffic } from '../common/traffic';

export { DEFAULT_PROJECT, DEFAULT_TASK, DEFAULT_USER, DEFAULT_WORKSPACE, SECOND_TASK, RATE_LIMIT_MESSAGE };
export type { AttachmentRecord, IssuedToken, OAuthClient, Parent, User, Workspace };
export type { AsanaEvent, AsanaWebhookOptions, AsanaWebhooks, Delivery, WebhookFilter, WebhookRecord } from './webhooks';

export const DEFAULT_PERSONAL_ACCESS_TOKEN = '2/1209000000000001/1209000000009999:0f3c8e2a9b7d4c15a6e8f0b2d4c6a8e0';
export const DEFAULT_OAUTH_ACCESS_TOKEN = '2/1209000000000001/oauth:7d1e5b3a9c2f4e6081a3c5e7f9b1d3a5';
export const DEFAULT_REFRESH_TOKEN = '2/1209000000000001/refresh:4b6d8f0a2c4e6a8b0d2f4a6c8e0b2d4f';
export const MAX_FILE_BYTES = 100 * 1024 * 1024;

export interface MultipartPartRecord {
	name?: string;
	/** The file name as the emulator read it, and the raw `filename` / `filename*` parameters. */
	fileName?: string;
	rawFileName?: string;
	rawFileNameStar?: string;
	contentType?: string;
	/** Size and sha256 of the part's content. */
	size: number;
	sha256: string;
	/** Text fields: the value (UTF-8). */
	value?: string;
}

export interface RecordedRequest extends CommonRecordedRequest {
	/** The parts of a multipart/form-data body, as parsed while it streamed in. */
	multipart?: { parts: MultipartPartRecord[]; errors: string[] };
}

export interface AsanaServerOptions {
	/** 0 (default) = a random free port. */
	port?: number;
	/** Port of the file host serving `download_url`s; 0 (default) = a random free port. */
	filesPort?: number;
	/** Accepted personal access tokens. Default [DEFAULT_PERSONAL_ACCESS_TOKEN]. */
	personalAccessTokens?: string[];
	/** Accepted OAuth access tokens (never expire). Default [DEFAULT_OAUTH_ACCESS_TOKEN]. */
	oauthAccessTokens?: string[];
	/** Refresh tokens the token endpoint accepts. Default [DEFAULT_REFRESH_TOKEN]. */
	refreshTokens?: string[];
	/** When set, the token endpoint checks client credentials (body fields or Basic header). */
	oauthClient?: OAuthClient;
	/** Lifetime of tokens the token endpoint issues. Default 3600, as Asana's. */
	issuedTokenTtlSeconds?: number;
	/** Lifetime of `download_url`s. Default 120 (Asana: "may only be valid for two minutes"). */
	downloadUrlTtlSeconds?: number;
	/** What the Content-Disposition of downloads names: the file (default), its storage key, or no header at all. */
	downloadDisposition?: 'fileName' | 'storageKey' | 'none';
	/** Largest file accepted. Default 100 MiB. */
	maxFileBytes?: number;
	/** The workspace, project (with brief) and two tasks of the DEFAULT_* constants. Default true. */
	seedDemoData?: boolean;
	user?: User;
	/** Where file bodies go. Default: a fresh temp dir, removed by close(). */
	storageDir?: string;
	/** Handshake and delivery timeouts, retries, batching, heartbeats (see ./asana/webhooks.ts). */
	webhooks?: AsanaWebhookOptions;
}

export interface FaultResponse {
	status: number;
	headers?: Record<string, string>;
	body?: string;
}

/** Which requests a fault is for (all when absent). `path` is matched against the raw path. */
export interface FaultMatch {
	method?: string;
	path?: string | RegExp;
}

export interface AsanaServer {
	/** http://127.0.0.1:PORT */
	url: string;
	/** url + '/api/1.0' */
	apiBaseUrl: string;
	/** http://127.0.0.1:FILES_PORT, the host of download URLs */
	filesUrl: string;
	/** url + '/-/oauth_token' */
	tokenUrl: string;
	/** url + '/-/oauth_authorize' */
	authorizeUrl: string;
	storageDir: string;
	user: User;
	/** Every request of the API host (OAuth endpoints included), in arrival order, once its body is in. */
	requests: RecordedRequest[];
	/** Arrivals and answers in order, in-flight counts, and knobs: holds, extra headers, vendor-like limits (see common/traffic.ts). */
	traffic: Traffic;
	/** The same, of the file host. */
	fileTraffic: Traffic;
	/** Every request of the file host. */
	fileRequests: RecordedRequest[];
	/** Back to the initial state: demo data only, no attachments, requests, faults or issued tokens. */
	reset(): void;
	close(): Promise<void>;
	addWorkspace(name: string): Workspace;
	addProject(name: string, options?: { workspaceGid?: string }): Parent;
	addTask(name: string, options?: { projectGid?: string; workspaceGid?: string }): Parent;
	/** A parent by gid (task, project or project brief). */
	parent(gid: string): Parent | undefined;
	seedAttachment(parentGid: string, name: string, content: Buffer | { filePath: string }, mimeType: string): AttachmentRecord;
	seedLink(parentGid: string, name: string, url: string): AttachmentRecord;
	attachments(parentGid: string): AttachmentRecord[];
	attachment(gid: string): AttachmentRecord | undefined;
	/** A fresh pre-signed download URL of a file attachment. */
	downloadUrl(record: AttachmentRecord): string;
	/** The next `count` matching API requests get this response (after their body is drained). */
	failNext(count: number, response: FaultResponse, match?: FaultMatch): void;
	/** The next `count` matching API requests get Asana's 429 with `Retry-After: seconds`. */
	rateLimitNext(count: number, retryAfterSeconds: number, match?: FaultMatch): void;
	/** The next `count` requests of the file host get this response. */
	failNextDownload(count: number, response: FaultResponse): void;
	/** The next download sends the full Content-Length, then only this many bytes, then drops the socket. */
	truncateNextDownload(bytesToSend: number): void;
	/** The next `count` download URLs handed out are already expired. */
	expireNextDownloadUrls(count: number): void;
	/** Mints an accepted OAuth access token, as the token endpoint would. */
	issueToken(withRefreshToken?: boolean): IssuedToken;
	/** The token now gets 401. */
	expireToken(token: string): void;
	revokeToken(token: string): void;
	acceptedTokens(): string[];
	/** The webhooks, their deliveries (handshakes included) and knobs: heartbeats, raw and duplicate deliveries, idle(). */
	webhooks: AsanaWebhooks;
}

interface PendingFault {
	response: FaultResponse;
	match?: FaultMatch;
}

function faultReply(fault: FaultResponse): Reply {
	const headers = { ...(fault.headers ?? {}) };
	const body = fault.body ?? '';
	const hasType = Object.keys(headers).some((key) => key.toLowerCase() === 'content-type');
	const type = hasType || !body ? undefined : /^\s*[[{]/.test(body) ? 'application/json; charset=UTF-8' : /^\s*</.test(body) ? 'application/xml' : TEXT_TYPE;
	return textReply(fault.status, type, body, headers);
}

function matches(match: FaultMatch | undefined, method: string, rawPath: string): boolean {
	if (!match) return true;
	if (match.method && match.method.toUpperCase() !== method) return false;
	if (match.path === undefined) return true;
	return typeof match.path === 'string' ? match.path === rawPath : match.path.test(rawPath);
}

const TEXT_FIELD_LIMIT = 64 * 1024;

interface UploadedFile {
	tempPath: string;
	fileName?: string;
	contentType?: string;
	size: number;
	sha256: string;
	tooLarge: boolean;
	writeError?: Error;
}

/** A sink writing a file part to disk with backpressure, hashing it, stopping at `maxBytes`. */
function fileSink(tempPath: string, maxBytes: number, done: (file: Omit<UploadedFile, 'fileName' | 'contentType'>) => void): PartSink {
	const out = fs.createWriteStream(tempPath);
	const hash = createHash('sha256');
	let size = 0;
	let tooLarge = false;
	let writeError: Error | undefined;
	out.on('error', (error) => (writeError = error));
	return {
		async write(chunk) {
			size += chunk.length;
			hash.update(chunk);
			if (size > maxBytes) tooLarge = true;
			if (tooLarge || writeError) return;
			if (!out.write(chunk)) {
				await new Promise<void>((resolve) => {
					const done = () => {
						out.off('drain', done).off('close', done);
						resolve();
					};
					out.on('drain', done).on('close', done);
				});
			}
		},
		async end() {
			await new Promise<void>((resolve) => {
				out.once('close', resolve);
				out.end();
			});
			done({ tempPath, size, sha256: hash.digest('hex'), tooLarge, writeError });
		},
	};
}

function hashingSink(onEnd: (size: number, sha256: string, text?: string) => void, keepText: boolean): PartSink {
	const hash = createHash('sha256');
	let size = 0;
	const kept: Buffer[] = [];
	return {
		write(chunk) {
			size += chunk.length;
			hash.update(chunk);
			if (keepText && size <= TEXT_FIELD_LIMIT) kept.push(chunk);
		},
		end() {
			onEnd(size, hash.digest('hex'), keepText ? Buffer.concat(kept).toString('utf8') : undefined);
		},
	};
}

export async function startAsanaServer(opts: AsanaServerOptions = {}): Promise<AsanaServer> {
	const ownsDir = !opts.storageDir;
	const storageDir = opts.storageDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'asana-emulator-'));
	fs.mkdirSync(storageDir, { recursive: true });
	const user = opts.user ?? DEFAULT_USER;
	const store = new AsanaStore(storageDir, user, opts.seedDemoData ?? true);
	const auth = new AsanaAuth(
		opts.personalAccessTokens ?? [DEFAULT_PERSONAL_ACCESS_TOKEN],
		opts.oauthAccessTokens ?? [DEFAULT_OAUTH_ACCESS_TOKEN],
		opts.refreshTokens ?? [DEFAULT_REFRESH_TOKEN],
		user,
		opts.issuedTokenTtlSeconds ?? 3600,
		opts.oauthClient,
	);
	const files = new FileHost(opts.downloadUrlTtlSeconds ?? 120, opts.downloadDisposition ?? 'fileName');
	const maxFileBytes = opts.maxFileBytes ?? MAX_FILE_BYTES;
	const requests: RecordedRequest[] = [];
	const fileRequests: RecordedRequest[] = [];
	const faults: PendingFault[] = [];
	const downloadFaults: FaultResponse[] = [];
	const truncations: number[] = [];
	let seq = 0;
	// Assigned once the ports, and so the URLs, are known.
	// eslint-disable-next-line prefer-const
	let api: AsanaApi | undefined;
	// eslint-disable-next-line prefer-const
	let webhooks: AsanaWebhooks | undefined;


	/** Reads a body to its end (recording it); call once per request. */
	async function drain(req: IncomingMessage, record: RecordedRequest, into: RecordedRequest[]): Promise<Buffer | undefined> {
		const body = await consumeBody(req);
		recordBody(into, record, body);
		return body.body;
	}

	interface ReceivedForm {
		fields: Record<string, string>;
		file?: UploadedFile;
		errors: string[];
		/** Removes the uploaded file unless it was kept as an attachment. */
		discard(): void;
	}

	/**
	 * Reads a multipart/form-data body as it streams in (the `file` part to disk), recording the
	 * raw body and its parts; undefined when the client went away first.
	 */
	async function receiveForm(req: IncomingMessage, record: RecordedRequest, boundary: string): Promise<ReceivedForm | undefined> {
		const fields: Record<string, string> = {};
		const partRecords: MultipartPartRecord[] = [];
		let file: UploadedFile | undefined;
		const tempPaths: string[] = [];
		const parser = new MultipartParser(boundary, (part) => {
			const partRecord: MultipartPartRecord = {
				name: part.name,
				fileName: part.fileName,
				rawFileName: part.rawFileName,
				rawFileNameStar: part.rawFileNameStar,
				contentType: part.contentType,
				size: 0,
				sha256: '',
			};
			partRecords.push(partRecord);
			const isFile = part.rawFileName !== undefined || part.rawFileNameStar !== undefined;
			if (isFile && part.name === 'file' && tempPaths.length === 0) {
				const tempPath = store.tempPath();
				tempPaths.push(tempPath);
				return fileSink(tempPath, maxFileBytes, (written) => {
					Object.assign(partRecord, { size: written.size, sha256: written.sha256 });
					file = { ...written, fileName: part.fileName, contentType: part.contentType };
				});
			}
			return hashingSink((size, sha256, text) => {
				Object.assign(partRecord, { size, sha256 });
				if (text !== undefined) {
					partRecord.value = text;
					if (part.name && !(part.name in fields)) fields[part.name] = text;
				}
			}, !isFile);
		});

		const raw = createHash('sha256');
		let size = 0;
		let kept: Buffer[] | undefined = [];
		let aborted = false;
		try {
			for await (const chunk of req as AsyncIterable<Buffer>) {
				size += chunk.length;
				raw.update(chunk);
				if (kept) {
					if (size <= KEEP_BODY_LIMIT) kept.push(chunk);
					else kept = undefined;
				}
				await parser.write(chunk);
			}
		} catch {
			aborted = true;
		}
		await parser.end();
		Object.assign(record, {
			body: kept ? Buffer.concat(kept) : undefined,
			bodySize: size,
			bodySha256: raw.digest('hex'),
			multipart: { parts: partRecords, errors: [...parser.errors] },
		});
		if (aborted || !req.complete) record.aborted = true;
		insertInArrivalOrder(requests, record);
		const discard = () => {
			// A file kept as an attachment was moved away already.
			for (const tempPath of tempPaths) fs.rmSync(tempPath, { force: true });
		};
		if (record.aborted) {
			discard();
			return undefined;
		}
		return { fields, file, errors: parser.errors, discard };
	}

	/** Reads any body: multipart ones part by part, others plainly. */
	async function receive(req: IncomingMessage, record: RecordedRequest): Promise<ReceivedForm | undefined> {
		const boundary = multipartBoundary(req.headers['content-type']);
		if (boundary) return await receiveForm(req, record, boundary);
		await drain(req, record, requests);
		return undefined;
	}

	/** POST /attachments: a file (multipart `file`) or an external link, on a task, project or brief. */
	function createAttachment(form: ReceivedForm | undefined, tokenKind: TokenKind, query: URLSearchParams): Reply {
		if (!form) return asanaError(400, 'Request body must be multipart/form-data with a boundary');
		if (form.errors.length) return asanaError(400, `Could not parse the multipart/form-data body: ${form.errors[0]}`);
		const { fields, file } = form;
		const parent = api!.findParent('parent', fields.parent ?? null);
		if (!('gid' in parent)) return parent;
		const subtype = fields.resource_subtype ?? 'asana';
		const fieldsAsked = optFields(query);
		const answer = (created: AttachmentRecord) => jsonReply(200, { data: api!.attachmentJson(created, fieldsAsked ?? 'compact') });
		const connect = fields.connect_to_app;
		if (connect !== undefined && connect !== 'true' && connect !== 'false') return asanaError(400, `connect_to_app: Not a boolean: ${connect}`);
		if (subtype === 'external') {
			if (!fields.url) return asanaError(400, 'url: Missing input');
			if (!fields.name) return asanaError(400, 'name: Missing input');
			let valid = false;
			try {
				valid = /^https?:$/.test(new URL(fields.url).protocol);
			} catch {
				valid = false;
			}
			if (!valid) return asanaError(400, `url: Not a valid URL: ${fields.url}`);
			if (connect === 'true' && tokenKind !== 'oauth') {
				return asanaError(400, 'connect_to_app: Can only be set when the request is authenticated with an OAuth token');
			}
			return answer(store.addLink(parent.gid, fields.name, fields.url, connect === 'true'));
		}
		if (subtype !== 'asana') return asanaError(400, `resource_subtype: Not a valid value: ${subtype}`);
		if (connect !== undefined) return asanaError(400, 'connect_to_app: Only applies to external attachments');
		if (!file) return asanaError(400, 'file: Missing input');
		if (file.tooLarge) return asanaError(413, `file: The file is larger than the ${Math.round(maxFileBytes / 1024 / 1024)}MB limit`);
		if (file.writeError) return asanaError(500, 'Server Error');
		if (file.size === 0) return asanaError(400, 'file: The file is empty');
		if (!file.fileName) return asanaError(400, 'file: Missing file name');
		const mimeType = (file.contentType ?? '').split(';')[0].trim() || 'application/octet-stream';
		return answer(store.addFile(parent.gid, file.fileName, { tempPath: file.tempPath, mimeType, size: file.size, sha256: file.sha256 }));
	}

	async function handleApi(req: IncomingMessage, res: ServerResponse, record: RecordedRequest): Promise<void> {
		const method = record.method;
		const form = await receive(req, record);
		if (record.aborted) return;
		try {
			const faultIndex = faults.findIndex((fault) => matches(fault.match, method, record.path));
			if (faultIndex >= 0) {
				const [fault] = faults.splice(faultIndex, 1);
				return writeReply(res, faultReply(fault.response));
			}
			const checked = auth.check(req.headers);
			if (!checked.ok) return writeReply(res, asanaError(401, 'Not Authorized'));
			const segments = record.path.slice(API_PREFIX.length).split('/').filter(Boolean);
			// The second segment is always an ID (`me` for users): the handlers check its form.
			const route = `${method} ${segments.map((segment, i) => (i === 1 ? '{}' : segment)).join('/')}`;
			const a = api!;
			const query = record.query;
			let reply: Reply;
			switch (route) {
				case 'GET users/{}':
					reply = segments[1] === 'me' || segments[1] === user.gid ? a.me() : asanaError(404, `user: Unknown object: ${segments[1]}`);
					break;
				case 'GET workspaces':
					reply = a.workspaces(query);
					break;
				case 'GET workspaces/{}/typeahead':
					reply = a.typeahead(segments[1], query);
					break;
				case 'GET attachments':
					reply = a.listAttachments(query);
					break;
				case 'POST attachments':
					reply = createAttachment(form, checked.kind, query);
					break;
				case 'GET attachments/{}':
					reply = a.getAttachment(segments[1], query);
					break;
				case 'DELETE attachments/{}':
					reply = a.deleteAttachment(segments[1]);
					break;
				case 'GET webhooks':
					reply = webhooks!.list(query);
					break;
				case 'POST webhooks':
					reply = await webhooks!.create(record.body, req.headers['content-type'], query);
					break;
				case 'GET webhooks/{}':
					reply = webhooks!.get(segments[1]);
					break;
				case 'DELETE webhooks/{}':
					reply = webhooks!.delete(segments[1]);
					break;
				default:
					reply = asanaError(404, 'No matching route for request');
			}
			writeReply(res, reply);
		} finally {
			form?.discard();
		}
	}

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const record = newRecord(req, ++seq);
		let recorded = false;
		try {
			if (record.path === API_PREFIX || record.path.startsWith(`${API_PREFIX}/`)) {
				recorded = true;
				return await handleApi(req, res, record);
			}
			recorded = true;
			const body = await drain(req, record, requests);
			if (record.path === '/-/oauth_token' && record.method === 'POST') return auth.tokenEndpoint(res, req.headers, body);
			if (record.path === '/-/oauth_authorize' && record.method === 'GET') return auth.authorize(res, record.query);
			if (record.path === '/app/asana/-/get_asset' && record.method === 'GET') {
				// The web app's permanent link: signed-in users are sent on to the file.
				const target = store.attachment(record.query.get('asset_id') ?? '');
				if (!auth.check(req.headers).ok || !target?.filePath) return writeReply(res, textReply(403, TEXT_TYPE, 'Forbidden'));
				res.writeHead(302, { Location: files.mint(target), 'Content-Length': '0' });
				return void res.end();
			}
			writeReply(res, textReply(404, TEXT_TYPE, 'Not Found'));
		} catch (error) {
			if (!recorded) insertInArrivalOrder(requests, record);
			if (res.headersSent) res.destroy();
			else writeReply(res, asanaError(500, `Server Error (${String(error)})`));
		}
	}

	async function handleFiles(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const record = newRecord(req, ++seq);
		try {
			await drain(req, record, fileRequests);
			const fault = downloadFaults.shift();
			if (fault) return writeReply(res, faultReply(fault));
			if (record.method !== 'GET' && record.method !== 'HEAD') {
				return writeReply(res, s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.'));
			}
			const verified = files.verify(req, record.path, record.query);
			if (!verified.ok) return writeReply(res, verified.reply);
			const attachment = store.attachment(verified.gid);
			files.serve(res, attachment, record.method === 'HEAD', attachment ? truncations.shift() : undefined);
		} catch (error) {
			if (res.headersSent) res.destroy();
			else writeReply(res, s3Error(500, 'InternalError', `We encountered an internal error. Please try again. (${String(error)})`));
		}
	}

	const listen = async (server: http.Server, port: number): Promise<string> => {
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => resolve());
		});
		return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	};
	const traffic = new Traffic();
	const fileTraffic = new Traffic();
	const apiServer = http.createServer(traffic.wrap((req, res) => void handle(req, res)));
	const filesServer = http.createServer(fileTraffic.wrap((req, res) => void handleFiles(req, res)));
	const url = await listen(apiServer, opts.port ?? 0);
	let filesUrl: string;
	try {
		filesUrl = await listen(filesServer, opts.filesPort ?? 0);
	} catch (error) {
		apiServer.close();
		throw error;
	}
	files.baseUrl = filesUrl;
	api = new AsanaApi(store, files, url + API_PREFIX, url);
	webhooks = new AsanaWebhooks(store, user, api.paginator, opts.webhooks);
	store.onAttachmentChange = (action, record) => webhooks!.attachmentChanged(action, record);

	return {
		url,
		apiBaseUrl: url + API_PREFIX,
		filesUrl,
		tokenUrl: `${url}/-/oauth_token`,
		authorizeUrl: `${url}/-/oauth_authorize`,
		storageDir,
		user,
		requests,
		fileRequests,
		traffic,
		fileTraffic,
		reset() {
			traffic.reset();
			fileTraffic.reset();
			requests.length = 0;
			fileRequests.length = 0;
			seq = 0;
			faults.length = 0;
			downloadFaults.length = 0;
			truncations.length = 0;
			files.expireNext = 0;
			webhooks!.reset();
			store.reset();
			auth.reset();
		},
		async close() {
			webhooks!.close();
			await Promise.all([closeServer(apiServer), closeServer(filesServer)]);
			store.reset();
			if (ownsDir) fs.rmSync(storageDir, { recursive: true, force: true });
		},
		addWorkspace: (name) => ({ ...store.addWorkspace(name) }),
		addProject: (name, options) => ({ ...store.addProject(name, options) }),
		addTask: (name, options) => ({ ...store.addTask(name, options) }),
		parent: (gid) => {
			const found = store.parent(gid);
			return found && { ...found };
		},
		seedAttachment: (parentGid, name, content, mimeType) => ({ ...store.seedFile(parentGid, name, content, mimeType) }),
		seedLink: (parentGid, name, link) => {
			if (!store.parent(parentGid)) throw new RangeError(`Unknown parent ${parentGid}`);
			return { ...store.addLink(parentGid, name, link) };
		},
		attachments: (parentGid) => store.attachmentsOf(parentGid).map((record) => ({ ...record })),
		attachment: (gid) => {
			const found = store.attachment(gid);
			return found && { ...found };
		},
		downloadUrl: (record) => files.mint(record),
		failNext(count, response, match) {
			for (let i = 0; i < count; i++) faults.push({ response, match });
		},
		rateLimitNext(count, retryAfterSeconds, match) {
			const body = JSON.stringify({ errors: [{ message: RATE_LIMIT_MESSAGE }] });
			for (let i = 0; i < count; i++) {
				faults.push({
					response: { status: 429, headers: { 'Retry-After': String(retryAfterSeconds), 'Content-Type': 'application/json; charset=UTF-8' }, body },
					match,
				});
			}
		},
		failNextDownload(count, response) {
			for (let i = 0; i < count; i++) downloadFaults.push(response);
		},
		truncateNextDownload(bytesToSend) {
			truncations.push(bytesToSend);
		},
		expireNextDownloadUrls(count) {
			files.expireNext += count;
		},
		issueToken: (withRefreshToken) => auth.issue(withRefreshToken ?? true),
		expireToken: (token) => auth.expire(token),
		revokeToken: (token) => auth.revoke(token),
		acceptedTokens: () => auth.acceptedTokens(),
		webhooks,
	};
}

/**
 * Standalone (sandboxes, manual tries): `npx tsx sandbox/asana/server.ts`. Ports come from
 * ASANA_EMULATOR_PORT and ASANA_EMULATOR_FILES_PORT (default: free ones); prints what a
 * credential needs, as JSON, and runs until interrupted.
 */
if (require.main === module) {
	void (async () => {
		const server = await startAsanaServer({
			port: Number(process.env.ASANA_EMULATOR_PORT ?? 0),
			filesPort: Number(process.env.ASANA_EMULATOR_FILES_PORT ?? 0),
		});
		console.log(
			JSON.stringify(
				{
					baseUrlOverride: server.url,
					apiBaseUrl: server.apiBaseUrl,
					filesUrl: server.filesUrl,
					personalAccessToken: DEFAULT_PERSONAL_ACCESS_TOKEN,
					oauth2: { authUrl: server.authorizeUrl, accessTokenUrl: server.tokenUrl, anyClientId: true },
					workspace: DEFAULT_WORKSPACE,
					project: DEFAULT_PROJECT,
					tasks: [DEFAULT_TASK, SECOND_TASK],
				},
				null,
				2,
			),
		);
		const stop = () => void server.close().then(() => process.exit(0));
		process.once('SIGINT', stop);
		process.once('SIGTERM', stop);
	})();
}
