/**
 * A local, stateful emulator of Wix's Contact Attachments API (V4), on 127.0.0.1: the REST
 * gateway (`https://www.wixapis.com`: attachments, List Contacts, `POST /oauth2/token`) and,
 * on a port of its own, the media host the API's URLs point at (one-time upload URLs, signed
 * and expiring file links).
 *
 * Contract: /work/shared/specs/wix_contact_attachments.yaml. Where it is silent the emulator
 * follows Wix's documentation: errors as `{ message, details: { applicationError |
 * validationError } }`, API keys raw in `Authorization` with `wix-site-id`, app tokens raw in
 * `Authorization` and valid 4 hours, `PUT {uploadUrl}?filename=` with the file's type as
 * Content-Type, the supported MIME types and 1–260 character file names, pages of at most 100.
 *
 * Every request is recorded (method, raw URL, headers, body up to 1 MiB, size, sha256). File
 * bodies are streamed to `storageDir` while hashed, never buffered.
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
import { ContactsApi, MediaLinks, parseApiRoute, toWixAttachment } from './api';
import { AuthState, type IssuedToken, type WixApiKey, type WixApp } from './auth';
import { type Reply, jsonReply, reply, writeReply } from './http';
import { type Drain, MediaHost, parseMediaRoute } from './media';
import { type AttachmentRecord, type PendingUpload, type WixContact, WixStore } from './store';
import { WixWebhooks } from './webhooks';

export type { AttachmentRecord, IssuedToken, PendingUpload, WixApiKey, WixApp, WixContact };
export { ATTACHMENT_CREATED, ATTACHMENT_DELETED } from './webhooks';
export type { WixDelivery, WixSubscription } from './webhooks';

export interface RecordedRequest extends CommonRecordedRequest {
	/** Which listener got it: the REST gateway or the media host. */
	host: 'api' | 'media';
}

/** Where an injected fault strikes. */
export type FaultTarget = 'api' | 'token' | 'upload' | 'download';

export interface FaultResponse {
	status: number;
	headers?: Record<string, string>;
	body?: string;
}

export interface WixServerOptions {
	/** Port of the REST gateway; 0 (default) = a random free port. */
	port?: number;
	/** Port of the media host; 0 (default) = a random free port. */
	mediaPort?: number;
	/** Serve the media routes on the gateway's port too, and point URLs there (one port to expose). */
	mediaOnApiPort?: boolean;
	/** Default: [DEFAULT_API_KEY on DEFAULT_SITE_ID]. */
	apiKeys?: WixApiKey[];
	/** Default: [DEFAULT_APP], installed on DEFAULT_SITE_ID as DEFAULT_INSTANCE_ID. */
	apps?: WixApp[];
	/** Lifetime of app access tokens. Default 14400 (Wix's 4 hours). */
	tokenTtlSeconds?: number;
	/** Default: [DEFAULT_CONTACT] on DEFAULT_SITE_ID. */
	contacts?: Array<Omit<WixContact, 'createdDate'>>;
	/** Any GUID is taken as a contact of the caller's site. Default false (404 Contact not found). */
	autoCreateContacts?: boolean;
	/** Where file bodies go. Default: a fresh temp dir, removed by close(). */
	storageDir?: string;
	/** Larger uploads get 413. Default unlimited (the tests need large files). */
	maxAttachmentBytes?: number;
	/** Give `total` in paging metadata. Default true; false answers `tooManyToCount: true`. */
	countTotals?: boolean;
	/** Lifetime of upload URLs. Default 3600. */
	uploadUrlTtlSeconds?: number;
	/** Lifetime of file links (`urlExpirationDate`). Default 3600. */
	mediaUrlTtlSeconds?: number;
	/** Upload URLs of the form `/upload?upload_token=…` instead of `/_ah/upload/…/`. */
	uploadTokenInQuery?: boolean;
	/** Refuse media requests that carry `Authorization`. Default true. */
	rejectAuthorizationOnMedia?: boolean;
	/** Serve every file with this Content-Type (default: the file's own). */
	mediaContentType?: string;
	/** Name files by media ID in Content-Disposition. Default true. */
	mediaContentDisposition?: boolean;
	/** Webhook deliveries: retries after a non-2xx answer (default 2), the wait (ms), the JWTs' lifetime (s). */
	webhookRetries?: number;
	webhookRetryDelayMs?: number;
	webhookTokenTtlSeconds?: number;
}

export interface WixServer {
	/** The REST gateway, http://127.0.0.1:PORT: what "Base URL Override" takes. */
	url: string;
	/** The media host, http://127.0.0.1:PORT (the gateway's own URL with mediaOnApiPort). */
	mediaUrl: string;
	/** url + '/oauth2/token' */
	tokenUrl: string;
	storageDir: string;
	apiKeys: WixApiKey[];
	apps: WixApp[];
	/** Every request to either host, faulted and failed ones too, in arrival order. */
	requests: RecordedRequest[];
	/** Arrivals and answers in order, in-flight counts of the API host, and knobs: holds, extra headers, vendor-like limits (see common/traffic.ts). */
	traffic: Traffic;
	/** The requests one host received. */
	requestsTo(host: 'api' | 'media'): RecordedRequest[];
	/** The parsed JSON bodies the token endpoint received (`{}` for unreadable ones). */
	tokenRequests: Array<Record<string, unknown>>;
	/** Back to the initial state: contacts as started, no attachments, uploads, requests, faults or tokens. */
	reset(): void;
	close(): Promise<void>;
	addContact(contact?: { id?: string; siteId?: string; firstName?: string; lastName?: string; email?: string }): WixContact;
	contacts(): WixContact[];
	seedAttachment(contactId: string, fileName: string, content: Buffer | { filePath: string }, mimeType: string): AttachmentRecord;
	attachments(contactId: string): AttachmentRecord[];
	/** The attachment as the API returns it (fresh signed links). */
	attachmentJson(record: AttachmentRecord): Record<string, unknown>;
	/** Upload URLs handed out (used or not). */
	pendingUploads(): PendingUpload[];
	/** The next `count` requests to `target` (default the API) get this response, after their body is drained. */
	failNext(count: number, response: FaultResponse, target?: FaultTarget): void;
	/** The next file download sends the right Content-Length, then only this many bytes, then drops the socket. */
	truncateNextDownload(bytesToSend: number): void;
	/** Mints an accepted app access token, as the token endpoint would. */
	issueToken(appId?: string, instanceId?: string): IssuedToken;
	/** The token now gets 401, as one past its 4 hours. */
	expireToken(token: string): void;
	expireAllTokens(): void;
	acceptedTokens(): string[];
	/** The app's webhook subscriptions, the signed events they were sent, and the public key (wix/webhooks.ts). */
	webhooks: WixWebhooks;
}

export const DEFAULT_SITE_ID = '5ae1c2b8-0c43-4e36-b0c7-1f7d2a9e6b31';
export const DEFAULT_API_KEY = 'IST.eyJraWQiOiJQb3pIX2FDMiIsImFsZyI6IlJTMjU2In0.test-api-key';
export const DEFAULT_APP: WixApp = {
	appId: '0b6f3a52-97d4-4c41-a1b5-6c9f0e7d2a18',
	appSecret: 'test-app-secret-7c1e9a',
	instances: [{ instanceId: 'c3d9e2f1-6a7b-4c8d-9e0f-1a2b3c4d5e6f', siteId: DEFAULT_SITE_ID }],
};
export const DEFAULT_INSTANCE_ID = DEFAULT_APP.instances[0].instanceId;
export const DEFAULT_CONTACT: Omit<WixContact, 'createdDate'> = {
	id: '513c1bfc-61b6-427d-a7f8-ceeedb1eb763',
	siteId: DEFAULT_SITE_ID,
	firstName: 'Ada',
	lastName: 'Lovelace',
	email: 'ada@example.com',
};

function faultReply(fault: FaultResponse): Reply {
	const headers = { ...(fault.headers ?? {}) };
	const body = fault.body ?? '';
	const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
	const type = hasType || !body ? undefined : /^\s*[[{]/.test(body) ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8';
	return reply(fault.status, type, body, headers);
}

async function listen(server: http.Server, port: number): Promise<string> {
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve());
	});
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function startWixServer(opts: WixServerOptions = {}): Promise<WixServer> {
	const ownsDir = !opts.storageDir;
	const storageDir = opts.storageDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'wix-emulator-'));
	fs.mkdirSync(storageDir, { recursive: true });
	const apiKeys = opts.apiKeys ?? [{ key: DEFAULT_API_KEY, siteId: DEFAULT_SITE_ID }];
	const apps = opts.apps ?? [DEFAULT_APP];
	const initialContacts: WixContact[] = (opts.contacts ?? [DEFAULT_CONTACT]).map((c) => ({
		...c,
		id: c.id.toLowerCase(),
		createdDate: new Date(),
	}));
	const store = new WixStore(storageDir);
	store.resetContacts(initialContacts);
	const webhooks = new WixWebhooks({ appId: apps[0].appId, retries: opts.webhookRetries, retryDelayMs: opts.webhookRetryDelayMs, tokenTtlSeconds: opts.webhookTokenTtlSeconds });
	const auth = new AuthState(apiKeys, apps, opts.tokenTtlSeconds ?? 14400);
	const requests: RecordedRequest[] = [];
	const faults: Record<FaultTarget, FaultResponse[]> = { api: [], token: [], upload: [], download: [] };
	const truncations: number[] = [];
	let seq = 0;
	// Known once both listeners have their ports.
	let mediaUrl = '';
	const links = new MediaLinks(() => mediaUrl, () => opts.mediaUrlTtlSeconds ?? 3600);
	const api = new ContactsApi(store, links, () => mediaUrl, {
		countTotals: opts.countTotals ?? true,
		autoCreateContacts: opts.autoCreateContacts ?? false,
		uploadUrlTtlSeconds: opts.uploadUrlTtlSeconds ?? 3600,
		uploadTokenInQuery: opts.uploadTokenInQuery ?? false,
	});
	store.onChange = (change, record) => {
		const siteId = store.contact(record.contactId)?.siteId.toLowerCase();
		const instance = apps.flatMap((app) => app.instances).find((candidate) => candidate.siteId.toLowerCase() === siteId);
		webhooks.emit(change, instance?.instanceId ?? '', toWixAttachment(record, links) as Record<string, unknown>);
	};
	const media = new MediaHost(store, links, {
		rejectAuthorization: opts.rejectAuthorizationOnMedia ?? true,
		maxBytes: opts.maxAttachmentBytes ?? Number.POSITIVE_INFINITY,
		contentType: opts.mediaContentType,
		sendContentDisposition: opts.mediaContentDisposition ?? true,
	});

	async function handleApi(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, drain: Drain): Promise<void> {
		const route = parseApiRoute(record.method, record.path);
		const fault = faults[route.kind === 'token' ? 'token' : 'api'].shift();
		if (fault) {
			await drain();
			return writeReply(res, faultReply(fault));
		}
		if (route.kind === 'token') {
			const body = await drain();
			return writeReply(res, auth.tokenEndpoint(req.headers, body.body));
		}
		const body = await drain();
		if (route.kind === 'error') return writeReply(res, route.reply);
		const identity = auth.check(req.headers);
		if (!identity.ok) return writeReply(res, identity.reply);
		const site = identity.siteId;
		switch (route.kind) {
			case 'listContacts':
				return writeReply(res, api.listContacts(site, record.query));
			case 'queryContacts':
				return writeReply(res, api.queryContacts(req, site, body.body));
			case 'listAttachments':
				return writeReply(res, api.listAttachments(site, route.contactId, record.query));
			case 'getAttachment':
				return writeReply(res, api.getAttachment(site, route.contactId, route.attachmentId));
			case 'deleteAttachment':
				return writeReply(res, api.deleteAttachment(site, route.contactId, route.attachmentId));
			case 'uploadUrl':
				return writeReply(res, api.uploadUrl(req, site, route.contactId, body.body));
		}
	}

	async function handleMedia(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, drain: Drain): Promise<boolean> {
		const route = parseMediaRoute(record.method, record.path, record.query);
		if (route.kind === 'error') {
			if (opts.mediaOnApiPort && record.host === 'api') return false;
			await drain();
			writeReply(res, route.reply);
			return true;
		}
		const fault = faults[route.kind === 'upload' ? 'upload' : 'download'].shift();
		if (fault) {
			await drain();
			writeReply(res, faultReply(fault));
			return true;
		}
		if (route.kind === 'upload') {
			const result = await media.upload(req, route.token, record.query, drain);
			if (result) writeReply(res, result);
			return true;
		}
		await drain();
		const result = media.download(req, res, route.mediaId, record.query, () => truncations.shift());
		if (result) writeReply(res, result);
		return true;
	}

	function listener(host: 'api' | 'media') {
		return (req: IncomingMessage, res: ServerResponse) => {
			void (async () => {
				const record: RecordedRequest = { ...newRecord(req, ++seq), host };
				const body = bodyReader(req, record, requests);
				const drain: Drain = body.drain;
				res.setHeader('x-wix-request-id', randomUUID());
				try {
					if (host === 'media') {
						await handleMedia(req, res, record, drain);
						return;
					}
					if (opts.mediaOnApiPort && (await handleMedia(req, res, record, drain))) return;
					await handleApi(req, res, record, drain);
				} catch (error) {
					body.keepUnread();
					if (res.headersSent) res.destroy();
					else writeReply(res, jsonReply(500, { message: 'Internal error', details: {}, debug: String(error) }));
				}
			})();
		};
	}

	const traffic = new Traffic();
	const apiServer = http.createServer(traffic.wrap(listener('api')));
	const url = await listen(apiServer, opts.port ?? 0);
	let mediaServer: http.Server | undefined;
	if (opts.mediaOnApiPort) {
		mediaUrl = url;
	} else {
		mediaServer = http.createServer(listener('media'));
		mediaUrl = await listen(mediaServer, opts.mediaPort ?? 0);
	}

	return {
		url,
		mediaUrl,
		tokenUrl: `${url}/oauth2/token`,
		storageDir,
		apiKeys,
		apps,
		requests,
		requestsTo: (host) => requests.filter((r) => r.host === host),
		tokenRequests: auth.tokenRequests,
		traffic,
		reset() {
			traffic.reset();
			requests.length = 0;
			seq = 0;
			for (const list of Object.values(faults)) list.length = 0;
			truncations.length = 0;
			store.clear();
			store.resetContacts(initialContacts);
			auth.reset();
			webhooks.reset();
		},
		async close() {
			await Promise.all([closeServer(apiServer), ...(mediaServer ? [closeServer(mediaServer)] : [])]);
			store.clear();
			if (ownsDir) fs.rmSync(storageDir, { recursive: true, force: true });
		},
		addContact: (contact = {}) => store.addContact({ siteId: DEFAULT_SITE_ID, ...contact }),
		contacts: () => store.contacts(),
		seedAttachment: (contactId, fileName, content, mimeType) => ({ ...store.seed(contactId, fileName, content, mimeType) }),
		attachments: (contactId) => store.list(contactId).map((r) => ({ ...r })),
		attachmentJson: (record) => toWixAttachment(record, links),
		pendingUploads: () => store.pendingUploads(),
		failNext(count, response, target = 'api') {
			for (let i = 0; i < count; i++) faults[target].push(response);
		},
		truncateNextDownload(bytesToSend) {
			truncations.push(bytesToSend);
		},
		issueToken: (appId = apps[0].appId, instanceId = apps[0].instances[0].instanceId) => auth.issue(appId, instanceId),
		expireToken: (token) => auth.expire(token),
		expireAllTokens: () => auth.expireAll(),
		acceptedTokens: () => auth.acceptedTokens(),
		webhooks,
	};
}
