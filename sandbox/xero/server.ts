/**
 * A local, stateful emulator of the Xero Accounting API's attachment endpoints (all 11 parent
 * types), Xero identity's `GET /connections` and a tiny OAuth2 token endpoint, on 127.0.0.1.
 *
 * Contract: /work/shared/specs/xero_accounting.yaml and xero-identity.yaml. Where the spec is
 * silent it follows the real API: XML unless `Accept` asks for JSON, case-insensitive paths and
 * query names, 404 with a plain text body for unknown routes, documents and attachments (a
 * document exists once added with addDocument() or seeded with an attachment), problem-details
 * bodies for 401/403, the `Error` shape for 400, at most 10 attachments per record.
 *
 * File bodies are streamed to `storageDir` while hashed, never buffered, so large uploads can be
 * measured in the same process.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { IncomingMessage, ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import type { RecordedRequest as CommonRecordedRequest } from '../common/http';
import { bodyReader, closeServer, newRecord } from '../common/http';
import { Traffic } from '../common/traffic';
import { ACCOUNTING_PREFIX, Accounting, type AccountingRoute, type Drain, parseAccountingRoute } from './accounting';
import { AuthState, type IssuedToken, type OAuthClient, sendAuthFailure, type Tenant } from './auth';
import { jsonReply, notFoundReply, type Reply, textReply, TEXT_TYPE, writeReply } from './http-util';
import { type AttachmentRecord, AttachmentStore, canonicalParentType, PARENT_TYPES, type ParentType } from './storage';
import { DocumentStore, parseDocumentListRoute, type XeroDocument } from './documents';

export { PARENT_TYPES, type AttachmentRecord, type ParentType, type Tenant, type IssuedToken, type XeroDocument };

export type RecordedRequest = CommonRecordedRequest;

export interface XeroServerOptions {
	/** 0 (default) = a random free port. */
	port?: number;
	/** Accepted Bearer tokens (they never expire). Default ['test-access-token']. */
	accessTokens?: string[];
	/** Refresh tokens the token endpoint accepts. Default ['test-refresh-token']. */
	refreshTokens?: string[];
	/** Default: one demo organisation, DEFAULT_TENANT. */
	tenants?: Tenant[];
	/** Where file bodies go. Default: a fresh temp dir, removed by close(). */
	storageDir?: string;
	/** Default true. */
	sendContentDisposition?: boolean;
	/** Serve POST /identity/connect/token (and /connect/token). Default true. */
	tokenEndpoint?: boolean;
	/** When set, the token endpoint checks client credentials (Basic header or form fields). */
	oauthClient?: OAuthClient;
	/** Lifetime of tokens issued by the token endpoint / issueToken(). Default 1800 (Xero's). */
	issuedTokenTtlSeconds?: number;
	/** Format when `Accept` names neither JSON nor XML. Default 'xml', as the real API. */
	defaultFormat?: 'xml' | 'json';
	/** Xero allows 10 per record. Default 10. */
	maxAttachmentsPerParent?: number;
	/** Larger uploads get 413. Default unlimited (the real API caps at 10 MB; tests need more). */
	maxAttachmentBytes?: number;
	/** `ProviderName` of the response envelopes. */
	providerName?: string;
	/**
	 * Whether adding or replacing an attachment moves its document's modification time (what
	 * `If-Modified-Since` filters on). Default true; see xero/documents.ts.
	 */
	attachmentsTouchDocuments?: boolean;
}

export interface FaultResponse {
	status: number;
	headers?: Record<string, string>;
	body?: string;
}

export interface XeroServer {
	/** http://127.0.0.1:PORT */
	url: string;
	/** url + '/api.xro/2.0' */
	accountingBaseUrl: string;
	/** url + '/identity/connect/token' (when enabled) */
	tokenUrl: string;
	storageDir: string;
	tenants: Tenant[];
	/**
	 * Every request, faulted and failed ones too, in arrival order; a request appears once its body
	 * has been fully received (or the client went away).
	 */
	requests: RecordedRequest[];
	/** Arrivals and answers in order, in-flight counts, and knobs: holds, extra headers, vendor-like limits (see common/traffic.ts). */
	traffic: Traffic;
	/** Back to the initial state: no documents, attachments, requests, faults, idempotency keys or issued tokens. */
	reset(): void;
	close(): Promise<void>;
	/**
	 * Adds a document (an invoice, a contact, …) to the organisation. Xero answers 404 for the
	 * attachments of a document it does not have (listing, download, upload); seeding an
	 * attachment adds its document too.
	 */
	addDocument(parentType: string, parentId: string): void;
	seedAttachment(
		parentType: string,
		parentId: string,
		fileName: string,
		content: Buffer | { filePath: string },
		mimeType: string,
		options?: { includeOnline?: boolean },
	): AttachmentRecord;
	attachments(parentType: string, parentId: string): AttachmentRecord[];
	/** The `Url` the listing gives for a record. */
	downloadUrl(record: AttachmentRecord): string;
	/** The next `count` accounting requests get this response (after their body is drained). */
	failNext(count: number, response: FaultResponse): void;
	/** The next download sends the right Content-Length, then only this many bytes, then drops the socket. */
	truncateNextDownload(bytesToSend: number): void;
	/** Mints an accepted access token (with a refresh token) as the token endpoint would. */
	issueToken(scope?: string): IssuedToken;
	/** The token now gets 401 `TokenExpired`. */
	expireToken(token: string): void;
	revokeToken(token: string): void;
	acceptedTokens(): string[];
	/**
	 * A document of a type (a fresh ID unless given; the existing one if it exists), as `GET /{Type}`
	 * lists it, last changed now or `at`.
	 */
	seedDocument(parentType: string, id?: string, fields?: Record<string, unknown>, at?: Date): XeroDocument;
	/** An edit of a document that is not about attachments: its modification time moves. */
	editDocument(parentType: string, id: string, fields?: Record<string, unknown>): XeroDocument;
	documents(parentType: string): XeroDocument[];
	/** Changes `attachmentsTouchDocuments` while the server runs. */
	setAttachmentsTouchDocuments(value: boolean): void;
}

export const DEFAULT_ACCESS_TOKEN = 'test-access-token';
export const DEFAULT_REFRESH_TOKEN = 'test-refresh-token';
export const DEFAULT_TENANT: Tenant = {
	tenantId: 'fe79f7dd-b6d4-4a92-ba7b-538af6289c58',
	tenantName: 'Demo Company (Global)',
};

function faultReply(fault: FaultResponse): Reply {
	const headers = { ...(fault.headers ?? {}) };
	const body = fault.body ?? '';
	const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
	const type = hasType || !body ? undefined : /^\s*[[{]/.test(body) ? 'application/json; charset=utf-8' : TEXT_TYPE;
	return textReply(fault.status, type, body, headers);
}

function requireType(parentType: string): ParentType {
	const type = canonicalParentType(parentType);
	if (!type) throw new RangeError(`Unknown parent type "${parentType}"; use one of ${PARENT_TYPES.join(', ')}`);
	return type;
}

export async function startXeroServer(opts: XeroServerOptions = {}): Promise<XeroServer> {
	const ownsDir = !opts.storageDir;
	const storageDir = opts.storageDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'xero-emulator-'));
	fs.mkdirSync(storageDir, { recursive: true });
	const store = new AttachmentStore(storageDir, opts.maxAttachmentsPerParent ?? 10);
	const documents = new DocumentStore({
		attachmentsTouchDocuments: opts.attachmentsTouchDocuments ?? true,
		providerName: opts.providerName ?? 'Xero Emulator',
		defaultFormat: opts.defaultFormat ?? 'xml',
	});
	const tenants = opts.tenants ?? [DEFAULT_TENANT];
	const auth = new AuthState(
		opts.accessTokens ?? [DEFAULT_ACCESS_TOKEN],
		opts.refreshTokens ?? [DEFAULT_REFRESH_TOKEN],
		tenants,
		opts.issuedTokenTtlSeconds ?? 1800,
		opts.oauthClient,
	);
	const tokenEndpoint = opts.tokenEndpoint ?? true;
	const requests: RecordedRequest[] = [];
	const faults: FaultResponse[] = [];
	const truncations: number[] = [];
	/** `METHOD target tenant key` → the first successful reply (undefined: process anew). */
	const idempotent = new Map<string, Promise<Reply | undefined>>();
	let seq = 0;
	// Assigned once the listening port, and so the base URL, is known.
	// eslint-disable-next-line prefer-const
	let accounting: Accounting | undefined;

	async function handleAccounting(
		req: IncomingMessage,
		res: ServerResponse,
		route: AccountingRoute,
		query: URLSearchParams,
		drain: Drain,
	): Promise<void> {
		const fault = faults.shift();
		if (fault) {
			await drain();
			return writeReply(res, faultReply(fault));
		}
		const authResult = auth.check(req.headers, true);
		if (!authResult.ok) {
			await drain();
			return sendAuthFailure(res, authResult);
		}
		if (route.kind === 'error') {
			await drain();
			return writeReply(res, route.reply);
		}
		const api = accounting!;
		if (route.kind === 'list') {
			await drain();
			return writeReply(res, api.list(req, route));
		}
		if (req.method === 'GET' || req.method === 'HEAD') {
			await drain();
			const reply = api.download(res, route, () => truncations.shift());
			return reply && writeReply(res, reply);
		}
		const key = String(req.headers['idempotency-key'] ?? '');
		const cacheKey = `${req.method} ${req.url} ${String(req.headers['xero-tenant-id']).toLowerCase()} ${key}`;
		const previous = key ? await idempotent.get(cacheKey) : undefined;
		if (previous) {
			await drain();
			return writeReply(res, previous);
		}
		const attempt = api.upload(req, route, query, drain);
		if (key) idempotent.set(cacheKey, attempt.then((r) => (r && r.status < 300 ? r : undefined), () => undefined));
		const reply = await attempt;
		if (reply && reply.status < 300) documents.attachmentChanged(route.type, route.parentId);
		if (reply) writeReply(res, reply);
	}

	/** `GET /api.xro/2.0/{Type}`: faults and auth as for the attachment routes, then the list. */
	async function handleDocumentList(
		req: IncomingMessage,
		res: ServerResponse,
		route: NonNullable<ReturnType<typeof parseDocumentListRoute>>,
		query: URLSearchParams,
		drain: Drain,
	): Promise<void> {
		await drain();
		const fault = faults.shift();
		if (fault) return writeReply(res, faultReply(fault));
		const authResult = auth.check(req.headers, true);
		if (!authResult.ok) return sendAuthFailure(res, authResult);
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			return writeReply(res, jsonReply(405, { Message: `The emulator lists documents only (GET), not ${req.method}.` }, { Allow: 'GET' }));
		}
		writeReply(res, documents.listReply(req, route, query));
	}

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const record = newRecord(req, ++seq);
		const { path: rawPath, query } = record;
		const body = bodyReader(req, record, requests);
		const drain: Drain = body.drain;
		res.setHeader('Xero-Correlation-Id', randomUUID());
		try {
			const listRoute = parseDocumentListRoute(rawPath);
			if (listRoute) return await handleDocumentList(req, res, listRoute, query, drain);
			const route = parseAccountingRoute(record.method, rawPath);
			if (route) return await handleAccounting(req, res, route, query, drain);
			const lower = rawPath.toLowerCase();
			if (lower === '/connections' && (record.method === 'GET' || record.method === 'HEAD')) {
				await drain();
				const authResult = auth.check(req.headers, false);
				return authResult.ok ? auth.listConnections(res, query) : sendAuthFailure(res, authResult);
			}
			if (tokenEndpoint && (lower === '/identity/connect/token' || lower === '/connect/token') && record.method === 'POST') {
				const body = await drain();
				return auth.tokenEndpoint(res, req.headers, body.body);
			}
			await drain();
			writeReply(res, notFoundReply());
		} catch (error) {
			body.keepUnread();
			if (res.headersSent) res.destroy();
			else writeReply(res, jsonReply(500, { Message: 'An error has occurred.', Detail: String(error) }));
		}
	}

	const traffic = new Traffic();
	const server = http.createServer(traffic.wrap((req, res) => void handle(req, res)));
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
	});
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const accountingBaseUrl = url + ACCOUNTING_PREFIX;
	accounting = new Accounting(store, accountingBaseUrl, {
		defaultFormat: opts.defaultFormat ?? 'xml',
		sendContentDisposition: opts.sendContentDisposition ?? true,
		maxAttachmentBytes: opts.maxAttachmentBytes ?? Number.POSITIVE_INFINITY,
		providerName: opts.providerName ?? 'Xero Emulator',
	});
	const api = accounting;

	return {
		url,
		accountingBaseUrl,
		tokenUrl: `${url}/identity/connect/token`,
		storageDir,
		tenants,
		requests,
		traffic,
		reset() {
			traffic.reset();
			requests.length = 0;
			seq = 0;
			faults.length = 0;
			truncations.length = 0;
			idempotent.clear();
			store.clear();
			documents.clear();
			auth.reset();
		},
		async close() {
			await closeServer(server);
			store.clear();
			if (ownsDir) fs.rmSync(storageDir, { recursive: true, force: true });
		},
		addDocument(parentType, parentId) {
			// One document, seen by both its attachment routes and its type's list.
			const type = requireType(parentType);
			store.addDocument(type, parentId);
			documents.ensure(type, parentId);
		},
		seedAttachment(parentType, parentId, fileName, content, mimeType, options) {
			const type = requireType(parentType);
			const record = { ...store.seed(type, parentId, fileName, content, mimeType, options?.includeOnline) };
			documents.attachmentChanged(type, parentId);
			return record;
		},
		attachments(parentType, parentId) {
			return store.list(requireType(parentType), parentId).map((r) => ({ ...r }));
		},
		downloadUrl: (record) => api.url(record),
		failNext(count, response) {
			for (let i = 0; i < count; i++) faults.push(response);
		},
		truncateNextDownload(bytesToSend) {
			truncations.push(bytesToSend);
		},
		issueToken: (scope) => auth.issue(scope),
		expireToken: (token) => auth.expire(token),
		revokeToken: (token) => auth.revoke(token),
		acceptedTokens: () => auth.acceptedTokens(),
		seedDocument(parentType, id, fields, at) {
			const document = documents.ensure(requireType(parentType), id, fields, at);
			store.addDocument(document.type, document.id);
			return { ...document };
		},
		editDocument: (parentType, id, fields) => ({ ...documents.edit(requireType(parentType), id, fields) }),
		documents: (parentType) => documents.list(requireType(parentType)).map((document) => ({ ...document })),
		setAttachmentsTouchDocuments: (value) => documents.setAttachmentsTouchDocuments(value),
	};
}
