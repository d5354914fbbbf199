/**
 * What the trigger does with a request to its webhook URL: Asana's handshake, or a delivery of
 * events, checked and turned into one item per attachment.
 *
 * Which events: Asana's `EventResponse` (asana_oas.yaml) has `action` (`added`, `removed`,
 * `deleted`, `changed`, `undeleted`), the `resource` acted on (`gid`, `resource_type`,
 * `resource_subtype`) and, for `added`/`removed`, the `parent` it was added to or removed from. A
 * file or link attached to a task or project is an event `action: "added"` on a resource of
 * `resource_type: "attachment"` whose `parent` is that task or project (a webhook on a project
 * also hears of the attachments of its tasks: events bubble up). The `WebhookFilter`
 * `{ resource_type: "attachment", action: "added" }` selects exactly those; Asana also adds a
 * story (`resource_type: "story"`, subtype `attachment_added`) to the task, which the filter
 * leaves out. An attachment taken off is `removed` from its parent; the trigger also takes
 * `deleted` on an attachment for a removal, in case Asana reports a deleted attachment that way,
 * and registers a filter for both.
 *
 * Deliveries are signed: `X-Hook-Signature` is the HMAC-SHA256, in hex, of the raw body with the
 * secret of the handshake. It is checked on the bytes as they arrived (n8n keeps them as
 * `rawBody`), in constant time; a delivery without it, or with another, is refused with 401 and
 * starts nothing. A heartbeat (no events) and events that are not attachments added or removed
 * start nothing either.
 *
 * Duplicates: Asana sends a delivery again when it did not get a 2xx within 10 seconds, and its
 * events carry no ID. An attachment is added once and removed at most once, so "added <gid>" and
 * "removed <gid>" identify an event: the last MAX_REMEMBERED of them are kept, in the process (a
 * duplicate arriving while the first is still being answered) and in the node's static data
 * (survives a restart, seen by every n8n process that loads the workflow), and an event seen
 * before starts nothing. n8n saves static data after each request, the whole object at once, so
 * two deliveries answered at the same time on different processes may each keep only their own
 * keys: then a later duplicate of one of them may start a second execution.
 */
import { createHmac, timingSafeEqual } from 'crypto';
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

/** The trigger's choices in Events. */
export type TriggerEvent = 'added' | 'removed';

/** Event keys remembered, per registration, against duplicates. */
export const MAX_REMEMBERED = 500;

/** The node's static data ("node" scope) the trigger keeps. */
export interface TriggerState extends IDataObject {
	/** The webhook at Asana, and what it was registered with. */
	webhookId?: string;
	hookSecret?: string;
	resource?: string;
	target?: string;
	events?: string[];
	/** Event keys seen last, oldest first. */
	seen?: string[];
}

/** One item of the trigger before execute() fetches its record and file. */
export interface TriggerItem extends IDataObject {
	event: TriggerEvent;
	/** Asana's action as it came (`added`, `removed` or `deleted`). */
	action: string;
	attachment: IDataObject;
	parentId: string | null;
	parent: IDataObject | null;
	user: IDataObject | null;
	createdAt: string | null;
}

/** Which process-wide registration a request or a hook call is about: workflow, node, test or production URL. */
export function registrationKey(workflowId: string | undefined, nodeId: string, test: boolean): string {
	return `${workflowId ?? ''}\u0000${nodeId}\u0000${test ? 'test' : 'production'}`;
}

/* ------------------------------------------------------------------------------------------------
 * The handshake
 * ---------------------------------------------------------------------------------------------- */

/**
 * Registrations under way in this process (create() waiting for Asana's 201), by registration
 * key: the handshake that arrives meanwhile leaves its secret here. n8n keeps the static data of
 * the activation apart from the static data of a request it answers (and saves each as a whole),
 * so a secret put in the static data by the handshake request would be overwritten by the
 * activation's; create() takes it from here (or from the 201, whose body carries it too).
 */
export const handshakes = new Map<string, { secret?: string }>();

/** A plausible X-Hook-Secret: printable, no line breaks (it is echoed in a header), not huge. */
function isSecret(value: unknown): value is string {
	return typeof value === 'string' && value.length > 0 && value.length <= 512 && /^[\x21-\x7e]+$/.test(value);
}

/* ------------------------------------------------------------------------------------------------
 * Duplicates
 * ---------------------------------------------------------------------------------------------- */

/** Event keys seen by this process, per registration key, oldest first (a Map keeps insertion order). */
const seenHere = new Map<string, Map<string, true>>();

function remember(memory: Map<string, true>, key: string): void {
	memory.set(key, true);
	while (memory.size > MAX_REMEMBERED) memory.delete(memory.keys().next().value as string);
}

/* ------------------------------------------------------------------------------------------------
 * A request
 * ---------------------------------------------------------------------------------------------- */

function refuse(ctx: IWebhookFunctions, status: number, message: string): IWebhookResponseData {
	const res = ctx.getResponseObject();
	const body = JSON.stringify({ message });
	res.statusCode = status;
	res.setHeader('Content-Type', 'application/json; charset=utf-8');
	res.setHeader('Content-Length', String(Buffer.byteLength(body)));
	res.end(body);
	return { noWebhookResponse: true };
}

function header(ctx: IWebhookFunctions, name: string): string | undefined {
	const value = ctx.getHeaderData()[name];
	return Array.isArray(value) ? value[0] : value;
}

/** The request's body as it arrived (n8n reads it into `rawBody` before it parses JSON). */
async function rawBodyOf(ctx: IWebhookFunctions): Promise<Buffer | undefined> {
	const req = ctx.getRequestObject() as unknown as { rawBody?: unknown; readRawBody?: () => Promise<void> };
	if (!Buffer.isBuffer(req.rawBody) && typeof req.readRawBody === 'function') await req.readRawBody();
	return Buffer.isBuffer(req.rawBody) ? req.rawBody : undefined;
}

/** Whether `signature` is the hex HMAC-SHA256 of `body` with `secret`, compared in constant time. */
export function signatureMatches(secret: string, body: Buffer, signature: string | undefined): boolean {
	if (typeof signature !== 'string' || !/^[0-9a-fA-F]{64}$/.test(signature.trim())) return false;
	const expected = createHmac('sha256', secret).update(body).digest();
	return timingSafeEqual(expected, Buffer.from(signature.trim(), 'hex'));
}

function compact(value: unknown): IDataObject | null {
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : null;
}

/** The event as an item, if it is an attachment added or removed that the trigger listens for. */
function toItem(event: unknown, wanted: readonly TriggerEvent[]): TriggerItem | undefined {
	const e = compact(event);
	const resource = compact(e?.resource);
	if (!e || !resource || resource.resource_type !== 'attachment' || typeof resource.gid !== 'string' || !/^\d+$/.test(resource.gid)) return undefined;
	const action = typeof e.action === 'string' ? e.action : '';
	const kind: TriggerEvent | undefined = action === 'added' ? 'added' : action === 'removed' || action === 'deleted' ? 'removed' : undefined;
	if (!kind || !wanted.includes(kind)) return undefined;
	const parent = compact(e.parent);
	return {
		event: kind,
		action,
		attachment: resource,
		parentId: typeof parent?.gid === 'string' ? parent.gid : null,
		parent,
		user: compact(e.user),
		createdAt: typeof e.created_at === 'string' ? e.created_at : null,
	};
}

/**
 * The trigger's webhook(): answers the handshake (echoing `X-Hook-Secret`), refuses what is not
 * signed with the secret, and starts the workflow with one item per attachment event not seen
 * before; nothing for a heartbeat, other events or duplicates.
 */
export async function receive(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const node = ctx.getNode();
	const test = ctx.getMode() === 'manual';
	const key = registrationKey(ctx.getWorkflow().id, node.id, test);

	const handshakeSecret = header(ctx, 'x-hook-secret');
	if (handshakeSecret !== undefined) {
		if (!isSecret(handshakeSecret)) return refuse(ctx, 400, 'Malformed X-Hook-Secret');
		// Answered whatever process registers (with webhook processes, another may); only a
		// registration under way in this one takes the secret, and nothing is stored from here.
		const pending = handshakes.get(key);
		if (pending) pending.secret = handshakeSecret;
		ctx.logger.debug(`Asana Attachment Trigger: handshake answered${pending ? '' : ' (no registration of this node under way in this process)'}`);
		const res = ctx.getResponseObject();
		res.statusCode = 200;
		res.setHeader('X-Hook-Secret', handshakeSecret);
		res.setHeader('Content-Length', '0');
		res.end();
		return { noWebhookResponse: true };
	}

	const state = ctx.getWorkflowStaticData('node') as TriggerState;
	const secret = state.hookSecret;
	if (typeof secret !== 'string' || secret === '') {
		ctx.logger.warn('Asana Attachment Trigger: a delivery arrived but the node holds no webhook secret; it was refused. Deactivate and activate the workflow to register the webhook anew.');
		return refuse(ctx, 401, 'No webhook is registered for this node');
	}
	const body = await rawBodyOf(ctx);
	if (!body || !signatureMatches(secret, body, header(ctx, 'x-hook-signature'))) {
		ctx.logger.warn('Asana Attachment Trigger: refused a delivery whose X-Hook-Signature is missing or wrong');
		return refuse(ctx, 401, 'Invalid or missing X-Hook-Signature');
	}
	let events: unknown;
	try {
		events = (JSON.parse(body.toString('utf8')) as { events?: unknown }).events;
	} catch {
		events = undefined;
	}
	if (!Array.isArray(events)) return refuse(ctx, 400, 'Expected a JSON body with an "events" array');

	const wanted = (ctx.getNodeParameter('events', ['added']) as TriggerEvent[]) ?? ['added'];
	let memory = seenHere.get(key);
	if (!memory) seenHere.set(key, (memory = new Map()));
	const stored = Array.isArray(state.seen) ? state.seen.filter((entry): entry is string => typeof entry === 'string') : [];
	const storedSet = new Set(stored);
	// From here to the end of the loop nothing awaits: two deliveries of one event cannot interleave.
	const items: TriggerItem[] = [];
	for (const event of events) {
		const item = toItem(event, wanted);
		if (!item) continue;
		const eventKey = `${item.event}:${String(item.attachment.gid)}`;
		if (memory.has(eventKey) || storedSet.has(eventKey)) continue;
		remember(memory, eventKey);
		storedSet.add(eventKey);
		stored.push(eventKey);
		items.push(item);
	}
	if (items.length === 0) return {};
	state.seen = stored.slice(-MAX_REMEMBERED);
	return { workflowData: [items.map((json) => ({ json }))] };
}
