/**
 * One poll of the Xero Attachment Trigger: which documents changed, which of their attachments
 * are new, and their files, with as few of Xero's 60 calls a minute as that takes.
 *
 * What Xero offers a watcher: no attachment event and no date on an attachment. Attachments hang
 * off documents; a document's list endpoint takes `If-Modified-Since` (all types but Repeating
 * Invoices) and `where=HasAttachments==true` (all but Purchase Orders and Quotes), and its records
 * carry `HasAttachments` (all but Quotes) and `UpdatedDateUTC` (all but Bank Transfers and
 * Repeating Invoices). A document's attachments come from one more call, its file from another.
 *
 * So a poll:
 *  1. lists the documents of the type changed since the last poll (If-Modified-Since: the last
 *     poll's time on Xero's clock, minus a 5-minute overlap), with attachments, oldest change
 *     first, 100 a page: one call when nothing changed;
 *  2. skips those it looked at already at the same change time, and lists the attachments of the
 *     others (one call each);
 *  3. reports each attachment whose ID it has not seen, with its file when Download File is on
 *     (one call each, streamed into n8n's binary store through the shared transport).
 * The first poll instead takes an inventory of the documents that have attachments (500 a page)
 * and reports nothing (unless Options → Include Recent on First Poll asks for the last hours):
 * the older attachments of those documents are not new, and the first time such a document
 * changes the trigger learns its attachments without reporting them.
 *
 * What it can see, then: a file added to a document of the type (by the API, Xero's web app,
 * email-to-bills…) once the document shows a change (Xero's docs do not say that an upload moves
 * `UpdatedDateUTC`; the sandbox's emulator assumes it does, see README), on any document for
 * Bank Transfers (found by If-Modified-Since alone) and on Repeating Invoices the first time one
 * gets attachments (they have no change time: a further file on one that has some is not seen).
 * What it cannot see: an attachment replaced under the same name (Xero keeps its AttachmentID),
 * a deleted one (Xero's API cannot tell), a file added to a document that had attachments before
 * the trigger started if that document has not changed since (its first change is learnt, not
 * reported), and anything on Quotes beyond what a changed quote's attachments show.
 *
 * Bounds: at most MAX_CALLS_PER_POLL calls start in one poll (plus the downloads of the document
 * under way, 10 at most) and none once half the poll's time budget (n8n's getPollBudgetMs) is
 * spent; the rest waits for the next poll, which asks for the same window again. The state is
 * changed only when the poll succeeds.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IBinaryData, IDataObject, IPollFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';

import { DEFAULT_TIMEOUT_MS } from '../../shared/description';
import { sendRequest, validators } from '../../shared/transport';
import type { FullResponse, RequestPlan } from '../../shared/transport';
import { DOWNLOAD_CEILING_BYTES } from '../../shared/transport/bounded';
import { storeDownload } from '../../shared/transport/download';
import { isStream } from '../../shared/transport/errors';
import { withSafeFileNames } from '../../shared/transport/file-name';
import { redact } from '../../shared/transport/redact';
import { knownSecrets } from '../../shared/transport/secrets';
import { XERO_TRIGGER_SCOPES } from '../../../credentials/XeroAttachmentOAuth2Api.credentials';
import { parentTypeByValue } from '../parentTypes';
import type { XeroParentType } from '../parentTypes';
import { XERO_CREDENTIAL_TYPE, xeroProvider } from '../provider';
import { CHANGES_PAGE_SIZE, DOCUMENT_LISTINGS, INVENTORY_PAGE_SIZE, XERO_DEFAULT_PAGE_SIZE } from './documentLists';
import type { DocumentListing } from './documentLists';
import { MAX_INVENTORY, OVERLAP_MS, WorkingState, loadState, saveState, shortId } from './state';
import type { TriggerState } from './state';

/** Calls a poll starts at most (a document's downloads, 10 at most, are finished once begun). */
export const MAX_CALLS_PER_POLL = 30;
/** When n8n gives no poll budget (n8n 1.x): n8n 2.x's default, 5 minutes. */
const DEFAULT_POLL_BUDGET_MS = 5 * 60_000;
/** Documents a manual run ("Fetch Test Event") looks into at most for the newest attachment. */
const MANUAL_DOCUMENTS = 5;

export interface TriggerConfig {
	type: XeroParentType;
	listing: DocumentListing;
	tenantId: string;
	filter: string;
	download: boolean;
	binaryProperty: string;
	firstPollHours: number;
	timeoutMs: number;
}

function readConfig(ctx: IPollFunctions): TriggerConfig {
	const node = ctx.getNode();
	const value = ctx.getNodeParameter('documentType', 'invoice') as string;
	const type = parentTypeByValue(value);
	const listing = DOCUMENT_LISTINGS[value];
	if (!type || !listing) throw new NodeOperationError(node, `Unknown document type "${value}"`);
	const tenantId = String(ctx.getNodeParameter('tenantId', '', { extractValue: true }) ?? '').trim();
	if (!tenantId) throw new NodeOperationError(node, 'The parameter "Organization" is required');
	const tenantProblem = validators.guid(tenantId);
	if (tenantProblem) throw new NodeOperationError(node, `Invalid "Organization": ${tenantProblem}`);
	const filter = listing.where ? String(ctx.getNodeParameter('filter', '') ?? '').trim() : '';
	if (/[\r\n]/.test(filter)) throw new NodeOperationError(node, 'Invalid "Filter": line breaks are not allowed');
	const download = ctx.getNodeParameter('downloadFile', true) as boolean;
	const binaryProperty = download ? String(ctx.getNodeParameter('binaryPropertyName', 'data') ?? '').trim() || 'data' : 'data';
	const firstPollHours = Number(ctx.getNodeParameter('options.firstPollHours', 0) ?? 0);
	if (!Number.isFinite(firstPollHours) || firstPollHours < 0) {
		throw new NodeOperationError(node, 'Invalid "Include Recent on First Poll (Hours)": it must be 0 or more');
	}
	const timeoutMs = Number(ctx.getNodeParameter('options.timeout', DEFAULT_TIMEOUT_MS) ?? DEFAULT_TIMEOUT_MS);
	return { type, listing, tenantId, filter, download, binaryProperty, firstPollHours, timeoutMs };
}

/** `/Date(1573755038314+0000)/` (Xero's JSON dates), or an ISO time; undefined when unreadable. */
export function parseXeroDate(value: unknown): number | undefined {
	if (typeof value !== 'string') return undefined;
	const ms = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(value.trim());
	if (ms) return Number(ms[1]);
	const time = Date.parse(value);
	return Number.isNaN(time) ? undefined : time;
}

/** If-Modified-Since as Xero documents it (a UTC time), to the second below: asking for a little more is harmless. */
export function modifiedSinceHeader(ms: number): string {
	return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** The error as n8n shows a node's errors: the transport's own, or one made of what was thrown. */
function nodeError(ctx: IPollFunctions, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(ctx.getNode(), error as Error);
}

/** Why a poll failed, as n8n 2.x's poll scheduler reads it (`failure` on the error): wait, or ask the user to act. */
function classify(error: NodeApiError | NodeOperationError): void {
	if (!(error instanceof NodeApiError)) return;
	const status = Number(error.httpCode);
	const failure =
		status === 401 ? { cause: 'credential-invalid' } :
		status === 403 || status === 404 ? { cause: 'configuration-invalid' } :
		status === 429 ? { cause: 'rate-limited' } :
		status >= 500 || !status ? { cause: 'temporarily-unavailable' } :
		undefined;
	if (failure && !(error as { failure?: unknown }).failure) (error as { failure?: unknown }).failure = failure;
}

interface ListedPage {
	records: IDataObject[];
	/** Xero's clock when it answered (its Date header), else this machine's. */
	serverTime: number;
	/** Whether another page may follow. */
	more: boolean;
}

/** The calls of one poll, counted, each through the shared transport. */
class XeroCalls {
	calls = 0;
	private readonly started = Date.now();
	private readonly budgetMs: number;

	constructor(
		private readonly ctx: IPollFunctions,
		private readonly config: TriggerConfig,
		private readonly apiBase: string,
	) {
		const budget = (ctx as { getPollBudgetMs?: () => number }).getPollBudgetMs?.();
		this.budgetMs = typeof budget === 'number' && budget > 0 ? budget : DEFAULT_POLL_BUDGET_MS;
	}

	/** Whether another document or page may be started in this poll. */
	mayStart(): boolean {
		return this.calls < MAX_CALLS_PER_POLL && Date.now() - this.started < this.budgetMs / 2;
	}

	private plan(url: string, qs: IDataObject = {}, headers: Record<string, string> = {}, streamResponse = false): RequestPlan {
		return {
			method: 'GET',
			url,
			qs,
			headers: { 'xero-tenant-id': this.config.tenantId, ...headers },
			idempotent: true,
			credentialType: XERO_CREDENTIAL_TYPE,
			timeoutMs: this.config.timeoutMs,
			streamResponse,
		};
	}

	private answer(response: FullResponse, what: string): IDataObject {
		const body = response.body;
		if (body && typeof body === 'object' && !Buffer.isBuffer(body)) return body as IDataObject;
		const message = `Xero sent an answer to ${what} that is not JSON`;
		throw new NodeApiError(this.ctx.getNode(), { message } as JsonObject, {
			message,
			description: `HTTP ${response.statusCode}, ${response.headers['content-type'] ?? 'no content type'}. Check the credential's Base URL Override.`,
			httpCode: String(response.statusCode),
		});
	}

	/** One page of the type's list. */
	async listDocuments(query: { where?: string; order?: string; page?: number; pageSize?: number }, modifiedSince?: number): Promise<ListedPage> {
		const { type, listing } = this.config;
		const qs: IDataObject = {};
		if (query.where && listing.where) qs.where = query.where;
		if (query.order) qs.order = query.order;
		const pageSize = listing.paging === 'pageSize' ? (query.pageSize ?? CHANGES_PAGE_SIZE) : XERO_DEFAULT_PAGE_SIZE;
		if (listing.paging !== 'none') qs.page = query.page ?? 1;
		if (listing.paging === 'pageSize') qs.pageSize = pageSize;
		const headers: Record<string, string> = {};
		if (modifiedSince !== undefined && listing.modifiedSince) headers['If-Modified-Since'] = modifiedSinceHeader(modifiedSince);
		this.calls++;
		let response: FullResponse;
		try {
			response = await sendRequest<FullResponse>(this.ctx, xeroProvider, this.plan(`${this.apiBase}/${type.path}`, qs, headers), 0);
		} catch (error) {
			throw this.explainListError(error);
		}
		const body = this.answer(response, `the list of ${type.name.toLowerCase()}s`);
		const list = body[type.path];
		if (!Array.isArray(list)) {
			const message = `Xero's list of ${type.name.toLowerCase()}s has no "${type.path}"`;
			throw new NodeApiError(this.ctx.getNode(), { message } as JsonObject, { message, description: 'The answer did not have the shape Xero documents.' });
		}
		const records = list.filter((record): record is IDataObject => !!record && typeof record === 'object');
		const pagination = body.pagination as { page?: number; pageCount?: number } | undefined;
		const more =
			listing.paging === 'none'
				? false
				: typeof pagination?.pageCount === 'number' && typeof pagination.page === 'number'
					? pagination.page < pagination.pageCount
					: records.length >= pageSize;
		const date = Date.parse(response.headers.date ?? '');
		return { records, serverTime: Number.isNaN(date) ? Date.now() : date, more };
	}

	/** A refused list names the read scope the credential needs for it. */
	private explainListError(caught: unknown): NodeApiError | NodeOperationError {
		const error = nodeError(this.ctx, caught);
		if (!(error instanceof NodeApiError)) return error;
		const status = Number(error.httpCode);
		if (status === 401 || status === 403) {
			const { scope, documents } = XERO_TRIGGER_SCOPES[this.config.listing.scopeGroup];
			error.description = [
				`Listing ${this.config.type.name.toLowerCase()}s needs Xero's read scope ${scope}: in the credential, Trigger Documents must include "${documents}", then Reconnect (the connection keeps the scopes it was granted). Check too that the Organization is connected.`,
				error.description,
			]
				.filter(Boolean)
				.join(' ');
		}
		return error;
	}

	/** The attachments of a document; none when Xero no longer knows it (404). */
	async listAttachments(documentId: string): Promise<IDataObject[]> {
		this.calls++;
		const url = `${this.apiBase}/${this.config.type.path}/${encodeURIComponent(documentId)}/Attachments`;
		let response: FullResponse;
		try {
			response = await sendRequest<FullResponse>(this.ctx, xeroProvider, this.plan(url), 0);
		} catch (error) {
			if (error instanceof NodeApiError && error.httpCode === '404') return [];
			throw nodeError(this.ctx, error);
		}
		const attachments = this.answer(response, "a document's attachment list").Attachments;
		// Only attachments with a GUID ID: it becomes a path segment of the download (see idOf).
		return Array.isArray(attachments)
			? attachments.filter((a): a is IDataObject => !!a && typeof a === 'object' && typeof a.AttachmentID === 'string' && validators.isGuid(a.AttachmentID))
			: [];
	}

	/** The file of an attachment, streamed into n8n's binary store; undefined when Xero no longer has it (404). */
	async download(documentId: string, attachment: IDataObject): Promise<IBinaryData | undefined> {
		this.calls++;
		const { type } = this.config;
		const url = `${this.apiBase}/${type.path}/${encodeURIComponent(documentId)}/Attachments/${encodeURIComponent(String(attachment.AttachmentID))}`;
		const mimeType = String(attachment.MimeType ?? '') || 'application/octet-stream';
		const limit = xeroProvider.downloadLimit?.(this.apiBase) ?? {
			maxBytes: DOWNLOAD_CEILING_BYTES,
			description: `the largest file this node downloads (${DOWNLOAD_CEILING_BYTES} bytes)`,
		};
		const fallback = {
			fileName: typeof attachment.FileName === 'string' ? attachment.FileName : undefined,
			mimeType,
			size: typeof attachment.ContentLength === 'number' ? attachment.ContentLength : undefined,
		};
		// Xero wants the file's MIME type in a `contentType` header to hand the file out.
		const plan = this.plan(url, {}, { contentType: mimeType }, true);
		try {
			return await sendRequest(this.ctx, xeroProvider, plan, 0, async (response) => {
				if (!isStream(response.body)) throw new Error('Expected a file in the response');
				return await storeDownload(this.ctx, response.body, response.headers, fallback, limit);
			});
		} catch (error) {
			if (error instanceof NodeApiError && error.httpCode === '404') return undefined;
			throw nodeError(this.ctx, error);
		}
	}
}

/** `HasAttachments==true`, and the user's filter, as one `where`. */
function whereOf(config: TriggerConfig): string | undefined {
	if (!config.listing.where) return undefined;
	return config.filter ? `HasAttachments==true AND (${config.filter})` : 'HasAttachments==true';
}

/**
 * A document's ID as Xero gives it: a GUID, or nothing. The IDs of Xero's answers become path
 * segments of the next calls (with the credential), so anything else (`..`, a slash) is not taken.
 */
function idOf(config: TriggerConfig, record: IDataObject): string | undefined {
	const id = record[config.type.idField];
	return typeof id === 'string' && validators.isGuid(id) ? id : undefined;
}

function changeOf(config: TriggerConfig, record: IDataObject): number | undefined {
	return config.listing.changeField ? parseXeroDate(record[config.listing.changeField]) : undefined;
}

/** False only when the record says it has none (Quotes never say). */
function mayHaveAttachments(config: TriggerConfig, record: IDataObject): boolean {
	return !(config.listing.hasAttachments && record.HasAttachments === false);
}

/** The items of a document's new attachments, with their files when asked for. */
async function itemsFor(
	xero: XeroCalls,
	config: TriggerConfig,
	record: IDataObject,
	documentId: string,
	attachments: IDataObject[],
): Promise<INodeExecutionData[]> {
	const items: INodeExecutionData[] = [];
	for (const attachment of attachments) {
		const json: IDataObject = {
			...attachment,
			documentType: config.type.value,
			documentId,
			[config.type.idField]: documentId,
			document: record,
		};
		if (!config.download) {
			items.push({ json });
			continue;
		}
		const binary = await xero.download(documentId, attachment);
		// Gone between the list and the download: nothing to hand over.
		if (binary) items.push({ json, binary: { [config.binaryProperty]: binary } });
	}
	return items;
}

/** Records and errors cleared of the credential's secrets, file names made base names (as the action node's outputs). */
async function protect(ctx: IPollFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const secrets = await knownSecrets(ctx, XERO_CREDENTIAL_TYPE, true);
	for (const item of items) {
		item.json = redact(item.json, secrets);
		if (item.binary) item.json = withSafeFileNames(item.json, xeroProvider.fileNameFields ?? []);
	}
	return items;
}

/**
 * The first poll: which documents have attachments now (their attachments are not new), page by
 * page, over several polls if it takes more calls than one poll may make. Returns true once done.
 */
async function takeInventory(xero: XeroCalls, config: TriggerConfig, state: TriggerState): Promise<boolean> {
	const progress = (state.inventory ??= { page: 1, ids: [], overflow: false });
	const lookBackMs = config.firstPollHours * 3_600_000;
	for (;;) {
		if (!xero.mayStart()) return false;
		const page = await xero.listDocuments({ where: whereOf(config), page: progress.page, pageSize: INVENTORY_PAGE_SIZE });
		progress.startedAt ??= page.serverTime;
		for (const record of page.records) {
			const id = idOf(config, record);
			if (!id || !mayHaveAttachments(config, record)) continue;
			// Changed within the look-back: left out, so that its attachments are reported.
			const change = changeOf(config, record);
			if (lookBackMs > 0 && change !== undefined && change >= progress.startedAt - lookBackMs) continue;
			if (progress.ids.length < MAX_INVENTORY) progress.ids.push(shortId(id));
			else progress.overflow = true;
		}
		if (!page.more) break;
		progress.page++;
	}
	state.hadAttachments = progress.ids;
	state.inventoryComplete = !progress.overflow;
	state.since = progress.startedAt! - lookBackMs;
	state.inventory = undefined;
	return true;
}

/**
 * Looks at one changed document: its attachments, and the items of those not seen. A document
 * that had attachments when the trigger started is learnt (its attachments remembered, none
 * reported) the first time it changes.
 */
async function handleDocument(
	xero: XeroCalls,
	config: TriggerConfig,
	work: WorkingState,
	record: IDataObject,
	id: string,
): Promise<INodeExecutionData[]> {
	const key = shortId(id);
	const attachments = await xero.listAttachments(id);
	const known = work.hadAttachments.delete(key);
	const fresh = known ? [] : attachments.filter((attachment) => !work.seen.has(shortId(attachment.AttachmentID)));
	const items = await itemsFor(xero, config, record, id, fresh);
	for (const attachment of attachments) work.seen.add(shortId(attachment.AttachmentID));
	return items;
}

/** The changes since the last poll. Returns the items and whether every change was handled. */
async function findChanges(xero: XeroCalls, config: TriggerConfig, work: WorkingState): Promise<{ items: INodeExecutionData[]; complete: boolean; serverTime?: number }> {
	const { listing } = config;
	const since = work.state.since!;
	const items: INodeExecutionData[] = [];
	let serverTime: number | undefined;
	for (let page = 1; ; page++) {
		if (!xero.mayStart()) return { items, complete: false, serverTime };
		const listed = await xero.listDocuments(
			{ where: whereOf(config), order: listing.changeField ? `${listing.changeField} ASC` : undefined, page, pageSize: CHANGES_PAGE_SIZE },
			since - OVERLAP_MS,
		);
		serverTime ??= listed.serverTime;
		for (const record of listed.records) {
			const id = idOf(config, record);
			if (!id) continue;
			const key = shortId(id);
			const change = changeOf(config, record);
			if (!mayHaveAttachments(config, record)) {
				// None now: any file added later is new, whatever it had before.
				work.hadAttachments.delete(key);
				if (change !== undefined) work.marks.set(key, change);
				continue;
			}
			if (!listing.modifiedSince) {
				// No change time and no If-Modified-Since (Repeating Invoices): a document is looked
				// at when it first shows attachments, then no more.
				if (work.marks.has(key) || work.hadAttachments.has(key)) continue;
			} else if (change !== undefined && work.marks.get(key) === change) {
				continue;
			}
			if (!xero.mayStart()) return { items, complete: false, serverTime };
			items.push(...(await handleDocument(xero, config, work, record, id)));
			// Bank Transfers show no change time: every poll that Xero lists one in looks at it again.
			if (!listing.modifiedSince) work.marks.set(key, 0);
			else if (change !== undefined) work.marks.set(key, change);
		}
		if (!listed.more) return { items, complete: true, serverTime };
	}
}

/** A manual run ("Fetch Test Event", "Execute step"): the newest attachment, so that the user sees one. The state is left alone. */
async function newestAttachment(ctx: IPollFunctions, xero: XeroCalls, config: TriggerConfig): Promise<INodeExecutionData[]> {
	const { listing, type } = config;
	const listed = await xero.listDocuments({
		where: whereOf(config),
		order: listing.changeField ? `${listing.changeField} DESC` : undefined,
		page: 1,
		// Xero picks the documents with attachments where it can (`where`): the first is the one.
		pageSize: listing.where ? 1 : CHANGES_PAGE_SIZE,
	});
	for (const record of listed.records.filter((r) => mayHaveAttachments(config, r)).slice(0, MANUAL_DOCUMENTS)) {
		const id = idOf(config, record);
		if (!id) continue;
		const attachments = await xero.listAttachments(id);
		// Xero lists a document's attachments in the order they were added: the last is the newest.
		if (attachments.length) return await itemsFor(xero, config, record, id, attachments.slice(-1));
	}
	const kind = type.name.toLowerCase();
	throw new NodeOperationError(ctx.getNode(), `No ${kind} with attachments found`, {
		description: `Attach a file to a ${kind} in Xero${config.filter ? ' that matches the Filter' : ''}, then fetch a test event again.`,
	});
}

export async function pollXeroAttachments(ctx: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const config = readConfig(ctx);
	const apiBase = await xeroProvider.baseUrl(ctx, XERO_CREDENTIAL_TYPE);
	const xero = new XeroCalls(ctx, config, apiBase);
	try {
		if (ctx.getMode() === 'manual') return [await protect(ctx, await newestAttachment(ctx, xero, config))];

		const staticData = ctx.getWorkflowStaticData('node');
		const state = loadState(staticData, [config.tenantId.toLowerCase(), config.type.value, config.filter].join('|'));
		const items: INodeExecutionData[] = [];
		if (state.since === undefined) {
			const done = await takeInventory(xero, config, state);
			if (!done || config.firstPollHours === 0) {
				saveState(staticData, state);
				ctx.logger.debug('Xero Attachment Trigger: inventory', { calls: xero.calls, done, documents: state.inventory?.ids.length ?? state.hadAttachments.length });
				return null;
			}
		}
		const work = new WorkingState(state);
		const found = await findChanges(xero, config, work);
		items.push(...found.items);
		const next = work.finish(found.complete ? (found.serverTime ?? state.since!) - OVERLAP_MS : undefined);
		if (found.complete && found.serverTime !== undefined) next.since = Math.max(found.serverTime, state.since!);
		saveState(staticData, next);
		ctx.logger.debug('Xero Attachment Trigger: poll', { calls: xero.calls, items: items.length, complete: found.complete });
		return items.length ? [await protect(ctx, items)] : null;
	} catch (error) {
		const failed = nodeError(ctx, error);
		classify(failed);
		throw failed;
	}
}
