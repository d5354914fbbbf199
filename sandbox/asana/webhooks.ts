/**
 * Webhooks of the Asana emulator, as Asana documents them (asana_oas.yaml, "Webhooks" and
 * `EventResponse`; developers.asana.com, "Webhooks guide"):
 *
 *  - `POST /webhooks` (`{ data: { resource, target, filters? } }`): before it answers, the
 *    confirmation handshake: a POST to `target` with an `X-Hook-Secret` header, which the target
 *    must answer with 200 or 204 and the same `X-Hook-Secret`; then `201 { data, "X-Hook-Secret" }`
 *    (the spec's 201 carries the secret in the body too). A handshake not answered that way fails
 *    the creation with a 400 and leaves nothing behind.
 *  - `GET /webhooks?workspace=…[&resource=…]` (compact records, `limit`/`offset` pages),
 *    `GET /webhooks/{gid}` (the full record), `DELETE /webhooks/{gid}`.
 *  - Deliveries: when an attachment is added to or removed from a task, project or project brief
 *    (through the API or seeded), every webhook on that resource, and on the projects a task is in
 *    (events bubble up), gets a POST `{ "events": [...] }` signed with `X-Hook-Signature`: the
 *    HMAC-SHA256 (hex) of the body with the webhook's secret. Adding an attachment to a task gives two
 *    events, as Asana's do: the attachment `added` to the task, and the task's story of subtype
 *    `attachment_added`; removing one gives the attachment `removed` from its parent. A webhook's
 *    `filters` (resource_type, resource_subtype, action) let through the events that match any of
 *    them. Events of one webhook within `batchWindowMs` go in one delivery (Asana batches them).
 *  - A delivery not answered with a 2xx within `deliveryTimeoutMs` (Asana: 10 s) is sent again
 *    after each of `retryDelaysMs` (Asana keeps trying for 24 hours, then deletes the webhook; the
 *    emulator gives up after its last delay); a 410 Gone deletes the webhook. The record keeps
 *    `last_success_at`, `last_failure_at`, `last_failure_content`, `delivery_retry_count`.
 *  - Heartbeats: a signed POST with no events (`{"events":[]}`), every `heartbeatIntervalMs`
 *    (Asana: every 8 hours; off by default here), or at once with `sendHeartbeat()`.
 *
 * Asana refuses targets on localhost with a 403; the emulator takes them unless `allowLocalTargets`
 * is false (n8n runs next to it on 127.0.0.1). Test knobs: `holdDeliveries` (deliveries kept until
 * released, then sent at once), `duplicateNextDeliveries` (a delivery
 * sent twice, as Asana's retry of an answer it did not get), `sendRaw` (any body, signed rightly,
 * wrongly or not at all), `idle()` (every delivery and retry done).
 */
import { createHmac, randomBytes } from 'crypto';
import * as http from 'http';

import { jsonReply } from '../common/http';
import { InFlight, postWebhook } from '../common/webhooks';
import type { Reply } from '../common/http';
import { asanaError, optFields } from './api';
import type { Paginator } from './api';
import type { AsanaStore, AttachmentRecord, Parent, User } from './store';

export interface WebhookFilter {
	resource_type?: string;
	resource_subtype?: string;
	action?: string;
	fields?: string[];
}

export interface WebhookRecord {
	gid: string;
	resourceGid: string;
	target: string;
	filters: WebhookFilter[];
	/** The secret of the handshake, which signs every delivery. */
	secret: string;
	active: boolean;
	createdAt: Date;
	lastSuccessAt?: Date;
	lastFailureAt?: Date;
	lastFailureContent?: string;
	deliveryRetryCount: number;
	nextAttemptAfter?: Date;
}

/** One of Asana's events (EventResponse) as a webhook delivers it. */
export interface AsanaEvent {
	user: { gid: string; resource_type: 'user' } | null;
	created_at: string;
	action: string;
	resource: { gid: string; resource_type: string; resource_subtype?: string };
	parent: { gid: string; resource_type: string; resource_subtype?: string } | null;
	change?: Record<string, unknown>;
}

/** One POST the emulator sent to a target, and how it was answered. */
export interface Delivery {
	seq: number;
	kind: 'handshake' | 'events' | 'heartbeat' | 'raw';
	webhookGid?: string;
	target: string;
	headers: Record<string, string>;
	body: Buffer;
	/** Deliveries of the same events: 1 the first time, then each retry (or duplicate). */
	attempt: number;
	/** Sent again on purpose, identical (duplicateNextDeliveries). */
	duplicate?: boolean;
	startedAt: Date;
	durationMs?: number;
	status?: number;
	responseHeaders?: http.IncomingHttpHeaders;
	responseBody?: string;
	/** A network failure or the timeout. */
	error?: string;
}

export interface AsanaWebhookOptions {
	/** How long the target has to answer the handshake. Default 10,000 ms. */
	handshakeTimeoutMs?: number;
	/** How long a delivery may take before it counts as failed (Asana: 10 s). Default 10,000 ms. */
	deliveryTimeoutMs?: number;
	/** Waits before each new attempt of a failed delivery. Default [1000, 2000, 4000]. */
	retryDelaysMs?: number[];
	/** Events of one webhook within this window go in one delivery. Default 0: each change its own. */
	batchWindowMs?: number;
	/** Heartbeat of every active webhook this often; 0 (default) none. */
	heartbeatIntervalMs?: number;
	/** Whether targets on localhost / 127.0.0.0/8 / ::1 are taken (Asana: 403). Default true. */
	allowLocalTargets?: boolean;
}

const ACTIONS = ['changed', 'added', 'removed', 'deleted', 'undeleted'];
const GID = /^\d+$/;
/** What `GET /webhooks` may be asked for besides the compact record (the spec's enum). */
const LIST_FIELDS = [
	'active',
	'created_at',
	'delivery_retry_count',
	'failure_deletion_timestamp',
	'filters',
	'filters.action',
	'filters.fields',
	'filters.resource_subtype',
	'last_failure_at',
	'last_failure_content',
	'last_success_at',
	'next_attempt_after',
	'offset',
	'path',
	'resource',
	'resource.name',
	'target',
	'uri',
];
/** Modelled on Asana's answer to a handshake that failed. */
export const HANDSHAKE_FAILED =
	'Could not complete activation handshake with target URL. Please ensure that the receiving server is accepting connections and supports SSL';

export function signBody(secret: string, body: Buffer): string {
	return createHmac('sha256', secret).update(body).digest('hex');
}

function isLocalHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host) || host === '0.0.0.0';
}

export class AsanaWebhooks {
	private readonly hooks = new Map<string, WebhookRecord>();
	readonly deliveries: Delivery[] = [];
	private seq = 0;
	private duplicates = 0;
	/** While set, deliveries wait here before they are sent (holdDeliveries). */
	private held?: { gate: Promise<void>; release: () => void };
	private waitingCount = 0;
	private readonly pending = new InFlight();
	private readonly batches = new Map<string, { events: AsanaEvent[]; timer: NodeJS.Timeout }>();
	private readonly heartbeats = new Map<string, NodeJS.Timeout>();
	/** Retries waiting, and how to end the wait early (reset, close). */
	private readonly timers = new Map<NodeJS.Timeout, () => void>();
	private closed = false;
	readonly options: Required<AsanaWebhookOptions>;

	constructor(
		private readonly store: AsanaStore,
		private readonly user: User,
		private readonly paginator: Paginator,
		options: AsanaWebhookOptions = {},
	) {
		this.options = {
			handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
			deliveryTimeoutMs: options.deliveryTimeoutMs ?? 10_000,
			retryDelaysMs: options.retryDelaysMs ?? [1000, 2000, 4000],
			batchWindowMs: options.batchWindowMs ?? 0,
			heartbeatIntervalMs: options.heartbeatIntervalMs ?? 0,
			allowLocalTargets: options.allowLocalTargets ?? true,
		};
	}

	/* ----------------------------------------------------------------------------------------------
	 * The API
	 * -------------------------------------------------------------------------------------------- */

	private resourceJson(parent: Parent | undefined, gid: string): Record<string, unknown> {
		return parent ? { gid: parent.gid, resource_type: parent.type, name: parent.name } : { gid };
	}

	/** The full record (WebhookResponse); timestamps only once they exist (the spec types them as strings). */
	json(hook: WebhookRecord): Record<string, unknown> {
		const out: Record<string, unknown> = {
			gid: hook.gid,
			resource_type: 'webhook',
			active: hook.active,
			resource: this.resourceJson(this.store.parent(hook.resourceGid), hook.resourceGid),
			target: hook.target,
			created_at: hook.createdAt.toISOString(),
			delivery_retry_count: hook.deliveryRetryCount,
			filters: hook.filters.map((filter) => ({ ...filter })),
		};
		if (hook.lastSuccessAt) out.last_success_at = hook.lastSuccessAt.toISOString();
		if (hook.lastFailureAt) out.last_failure_at = hook.lastFailureAt.toISOString();
		if (hook.lastFailureContent !== undefined) out.last_failure_content = hook.lastFailureContent;
		if (hook.nextAttemptAfter) out.next_attempt_after = hook.nextAttemptAfter.toISOString();
		return out;
	}

	private compactJson(hook: WebhookRecord, fields: string[] | undefined): Record<string, unknown> {
		const full = this.json(hook);
		const out: Record<string, unknown> = { gid: hook.gid, resource_type: 'webhook', active: hook.active, resource: full.resource, target: hook.target };
		for (const field of fields ?? []) {
			const top = field.split('.')[0];
			if (top in full && !(top in out)) out[top] = full[top];
		}
		return out;
	}

	private parseFilters(value: unknown): WebhookFilter[] | Reply {
		if (value === undefined) return [];
		if (!Array.isArray(value)) return asanaError(400, 'filters: Not an array');
		const filters: WebhookFilter[] = [];
		for (const [index, raw] of value.entries()) {
			if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return asanaError(400, `filters[${index}]: Not an object`);
			const filter = raw as Record<string, unknown>;
			const out: WebhookFilter = {};
			for (const key of ['resource_type', 'resource_subtype', 'action'] as const) {
				if (filter[key] === undefined) continue;
				if (typeof filter[key] !== 'string') return asanaError(400, `filters[${index}].${key}: Not a string`);
				out[key] = filter[key] as string;
			}
			if (out.action !== undefined && !ACTIONS.includes(out.action)) return asanaError(400, `filters[${index}].action: Not a valid value: ${out.action}`);
			if (filter.fields !== undefined) {
				if (!Array.isArray(filter.fields) || filter.fields.some((field) => typeof field !== 'string')) return asanaError(400, `filters[${index}].fields: Not an array of strings`);
				if (out.action !== 'changed') return asanaError(400, `filters[${index}].fields: Can only be used with the action "changed"`);
				out.fields = [...(filter.fields as string[])];
			}
			filters.push(out);
		}
		return filters;
	}

	/** POST /webhooks: checks the request, does the handshake, then answers 201. */
	async create(body: Buffer | undefined, contentType: string | undefined, query: URLSearchParams): Promise<Reply> {
		if (!/^application\/json\b/i.test(contentType ?? '')) return asanaError(400, 'Request body must be JSON (Content-Type: application/json)');
		let parsed: unknown;
		try {
			parsed = JSON.parse((body ?? Buffer.alloc(0)).toString('utf8'));
		} catch {
			return asanaError(400, 'Could not parse request data, invalid JSON');
		}
		const data = (parsed as { data?: unknown } | null)?.data;
		if (!data || typeof data !== 'object' || Array.isArray(data)) return asanaError(400, 'data: Missing input');
		const { resource, target, filters: rawFilters } = data as Record<string, unknown>;
		if (resource === undefined || resource === '') return asanaError(400, 'resource: Missing input');
		if (typeof resource !== 'string' || !GID.test(resource)) return asanaError(400, `resource: Not a recognized ID: ${String(resource)}`);
		const parent = this.store.parent(resource);
		if (!parent) return asanaError(404, `resource: Unknown object: ${resource}`);
		if (parent.type === 'project_brief') return asanaError(400, `resource: Webhooks cannot be established on a project_brief: ${resource}`);
		if (target === undefined || target === '') return asanaError(400, 'target: Missing input');
		let url: URL | undefined;
		try {
			url = typeof target === 'string' ? new URL(target) : undefined;
		} catch {
			url = undefined;
		}
		if (!url || !/^https?:$/.test(url.protocol)) return asanaError(400, `target: Not a valid URL: ${String(target)}`);
		if (!this.options.allowLocalTargets && isLocalHost(url.hostname)) return asanaError(403, `target: Invalid hostname: ${url.hostname}`);
		const filters = this.parseFilters(rawFilters);
		if (!Array.isArray(filters)) return filters;

		const secret = randomBytes(32).toString('hex');
		const handshake = await this.send({ kind: 'handshake', target: target as string, headers: { 'X-Hook-Secret': secret }, body: Buffer.alloc(0), attempt: 1 }, this.options.handshakeTimeoutMs);
		const echoed = handshake.responseHeaders?.['x-hook-secret'];
		const confirmed = (handshake.status === 200 || handshake.status === 204) && echoed === secret;
		if (!confirmed || this.closed) return asanaError(400, HANDSHAKE_FAILED);

		const hook: WebhookRecord = {
			gid: this.store.newGid(),
			resourceGid: parent.gid,
			target: target as string,
			filters,
			secret,
			active: true,
			createdAt: new Date(),
			deliveryRetryCount: 0,
		};
		this.hooks.set(hook.gid, hook);
		this.startHeartbeat(hook);
		const fields = optFields(query);
		return jsonReply(201, { data: fields ? this.compactJson(hook, fields) : this.json(hook), 'X-Hook-Secret': secret });
	}

	/** GET /webhooks: the webhooks of a workspace, those of one resource with `resource`. */
	list(query: URLSearchParams): Reply {
		const workspace = query.get('workspace');
		if (workspace === null || workspace === '') return asanaError(400, 'workspace: Missing input');
		if (!GID.test(workspace)) return asanaError(400, `workspace: Not a recognized ID: ${workspace}`);
		if (!this.store.workspaces.has(workspace)) return asanaError(404, `workspace: Unknown object: ${workspace}`);
		const resource = query.get('resource');
		if (resource !== null && !GID.test(resource)) return asanaError(400, `resource: Not a recognized ID: ${resource}`);
		const fields = optFields(query);
		const unknown = (fields ?? []).filter((field) => !LIST_FIELDS.includes(field));
		if (unknown.length) return asanaError(400, `opt_fields: Not a valid field: ${unknown.join(', ')}`);
		const hooks = [...this.hooks.values()].filter(
			(hook) => this.store.parent(hook.resourceGid)?.workspaceGid === workspace && (resource === null || hook.resourceGid === resource),
		);
		return this.paginator.page(hooks, query, `webhooks:${workspace}:${resource ?? ''}`, '/webhooks', (hook) => this.compactJson(hook, fields));
	}

	get(gid: string): Reply {
		if (!GID.test(gid)) return asanaError(400, `webhook: Not a recognized ID: ${gid}`);
		const hook = this.hooks.get(gid);
		return hook ? jsonReply(200, { data: this.json(hook) }) : asanaError(404, `webhook: Unknown object: ${gid}`);
	}

	delete(gid: string): Reply {
		if (!GID.test(gid)) return asanaError(400, `webhook: Not a recognized ID: ${gid}`);
		if (!this.hooks.has(gid)) return asanaError(404, `webhook: Unknown object: ${gid}`);
		this.remove(gid);
		return jsonReply(200, { data: {} });
	}

	private remove(gid: string): void {
		this.hooks.delete(gid);
		const beat = this.heartbeats.get(gid);
		if (beat) clearInterval(beat);
		this.heartbeats.delete(gid);
		const batch = this.batches.get(gid);
		if (batch) clearTimeout(batch.timer);
		this.batches.delete(gid);
	}

	/* ----------------------------------------------------------------------------------------------
	 * Events and deliveries
	 * -------------------------------------------------------------------------------------------- */

	private compactParent(parent: Parent): { gid: string; resource_type: string; resource_subtype?: string } {
		return parent.type === 'task' ? { gid: parent.gid, resource_type: 'task', resource_subtype: 'default_task' } : { gid: parent.gid, resource_type: parent.type };
	}

	/** The events Asana makes of an attachment added to or removed from its parent. */
	eventsFor(action: 'added' | 'removed', record: AttachmentRecord): AsanaEvent[] {
		const parent = this.store.parent(record.parentGid);
		if (!parent) return [];
		const base = { user: { gid: this.user.gid, resource_type: 'user' as const }, created_at: new Date().toISOString() };
		const events: AsanaEvent[] = [
			{ ...base, action, resource: { gid: record.gid, resource_type: 'attachment', resource_subtype: record.resourceSubtype }, parent: this.compactParent(parent) },
		];
		if (action === 'added' && parent.type === 'task') {
			events.push({ ...base, action: 'added', resource: { gid: this.store.newGid(), resource_type: 'story', resource_subtype: 'attachment_added' }, parent: this.compactParent(parent) });
		}
		return events;
	}

	/** The webhooks that hear of a change on `parentGid`: on it, and on the projects a task is in. */
	private listeners(parentGid: string): WebhookRecord[] {
		const parent = this.store.parent(parentGid);
		const resources = new Set([parentGid, ...(parent?.type === 'task' || parent?.type === 'project_brief' ? parent.projectGids : [])]);
		return [...this.hooks.values()].filter((hook) => hook.active && resources.has(hook.resourceGid));
	}

	private passes(hook: WebhookRecord, event: AsanaEvent): boolean {
		if (hook.filters.length === 0) return true;
		return hook.filters.some(
			(filter) =>
				(filter.resource_type === undefined || filter.resource_type === event.resource.resource_type) &&
				(filter.resource_subtype === undefined || filter.resource_subtype === event.resource.resource_subtype) &&
				(filter.action === undefined || filter.action === event.action),
		);
	}

	/** An attachment was added to or removed from its parent (the store tells). */
	attachmentChanged(action: 'added' | 'removed', record: AttachmentRecord): void {
		if (this.closed) return;
		const events = this.eventsFor(action, record);
		for (const hook of this.listeners(record.parentGid)) {
			const passing = events.filter((event) => this.passes(hook, event));
			if (passing.length) this.queue(hook, passing);
		}
	}

	private queue(hook: WebhookRecord, events: AsanaEvent[]): void {
		if (this.options.batchWindowMs <= 0) return void this.track(this.deliverEvents(hook.gid, events, 'events'));
		const batch = this.batches.get(hook.gid);
		if (batch) return void batch.events.push(...events);
		const timer = setTimeout(() => {
			const due = this.batches.get(hook.gid);
			this.batches.delete(hook.gid);
			if (due) this.track(this.deliverEvents(hook.gid, due.events, 'events'));
		}, this.options.batchWindowMs);
		this.batches.set(hook.gid, { events: [...events], timer });
	}

	private track<T>(promise: Promise<T>): Promise<T> {
		return this.pending.track(promise);
	}

	private signedHeaders(secret: string, body: Buffer): Record<string, string> {
		return { 'Content-Type': 'application/json; charset=utf-8', 'X-Hook-Signature': signBody(secret, body) };
	}

	/** Delivers a batch, retrying as Asana does until a 2xx, a 410 (webhook deleted) or the last delay. */
	private async deliverEvents(gid: string, events: AsanaEvent[], kind: 'events' | 'heartbeat'): Promise<Delivery[]> {
		const hook = this.hooks.get(gid);
		if (!hook) return [];
		const body = Buffer.from(JSON.stringify({ events }));
		const headers = this.signedHeaders(hook.secret, body);
		const sent: Delivery[] = [];
		const duplicate = kind === 'events' && this.duplicates > 0 ? (this.duplicates--, true) : false;
		for (let attempt = 1; ; attempt++) {
			if (this.held) {
				this.waitingCount++;
				await this.held.gate.finally(() => this.waitingCount--);
			}
			if (this.closed || !this.hooks.has(gid)) return sent;
			const delivery = await this.send({ kind, webhookGid: gid, target: hook.target, headers, body, attempt }, this.options.deliveryTimeoutMs);
			sent.push(delivery);
			const ok = delivery.status !== undefined && delivery.status >= 200 && delivery.status < 300;
			if (ok) {
				hook.lastSuccessAt = new Date();
				hook.deliveryRetryCount = 0;
				hook.nextAttemptAfter = undefined;
				if (duplicate) sent.push(await this.send({ kind, webhookGid: gid, target: hook.target, headers, body, attempt: attempt + 1, duplicate: true }, this.options.deliveryTimeoutMs));
				return sent;
			}
			hook.lastFailureAt = new Date();
			hook.lastFailureContent = delivery.error ?? `${delivery.status} ${(delivery.responseBody ?? '').slice(0, 200)}`.trim();
			if (delivery.status === 410) {
				this.remove(gid);
				return sent;
			}
			const wait = this.options.retryDelaysMs[attempt - 1];
			if (wait === undefined) return sent;
			hook.deliveryRetryCount++;
			hook.nextAttemptAfter = new Date(Date.now() + wait);
			await new Promise<void>((resolve) => {
				const timer = setTimeout(() => {
					this.timers.delete(timer);
					resolve();
				}, wait);
				this.timers.set(timer, resolve);
			});
		}
	}

	private async send(delivery: Omit<Delivery, 'seq' | 'startedAt'>, timeoutMs: number): Promise<Delivery> {
		const record: Delivery = { seq: ++this.seq, startedAt: new Date(), ...delivery };
		this.deliveries.push(record);
		const answer = await postWebhook(record.target, record.headers, record.body, timeoutMs);
		Object.assign(record, { status: answer.status, responseHeaders: answer.headers, responseBody: answer.body, error: answer.error, durationMs: answer.durationMs });
		return record;
	}

	private startHeartbeat(hook: WebhookRecord): void {
		if (this.options.heartbeatIntervalMs <= 0) return;
		const timer = setInterval(() => void this.track(this.deliverEvents(hook.gid, [], 'heartbeat')), this.options.heartbeatIntervalMs);
		timer.unref();
		this.heartbeats.set(hook.gid, timer);
	}

	/* ----------------------------------------------------------------------------------------------
	 * For tests
	 * -------------------------------------------------------------------------------------------- */

	/** Copies of the webhooks that exist. */
	all(): WebhookRecord[] {
		return [...this.hooks.values()].map((hook) => ({ ...hook, filters: hook.filters.map((filter) => ({ ...filter })) }));
	}

	/** A heartbeat now, to one webhook or to every one. */
	async sendHeartbeat(gid?: string): Promise<Delivery[]> {
		const gids = gid ? [gid] : [...this.hooks.keys()];
		const sent = await Promise.all(gids.map((one) => this.track(this.deliverEvents(one, [], 'heartbeat'))));
		return sent.flat();
	}

	/**
	 * Deliveries wait until the returned function is called, then all go at once (e.g. 50 uploads'
	 * deliveries sent together rather than as each upload ends).
	 */
	holdDeliveries(): () => void {
		let open!: () => void;
		const gate = new Promise<void>((resolve) => (open = resolve));
		const held = {
			gate,
			release: () => {
				if (this.held === held) this.held = undefined;
				open();
			},
		};
		this.held = held;
		return held.release;
	}

	/** Deliveries waiting for holdDeliveries' release. */
	get waiting(): number {
		return this.waitingCount;
	}

	/** The next `count` event deliveries are each sent a second time, identical, once answered. */
	duplicateNextDeliveries(count: number): void {
		this.duplicates += count;
	}

	/**
	 * Any body to a webhook's target, once: signed with its secret (default), with another secret,
	 * with a given signature, or unsigned.
	 */
	async sendRaw(gid: string, body: Buffer | object, options: { sign?: 'valid' | 'none' | { secret: string } | { signature: string }; headers?: Record<string, string> } = {}): Promise<Delivery> {
		const hook = this.hooks.get(gid);
		if (!hook) throw new RangeError(`no webhook ${gid}`);
		const bytes = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
		const sign = options.sign ?? 'valid';
		const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8', ...(options.headers ?? {}) };
		if (sign === 'valid') headers['X-Hook-Signature'] = signBody(hook.secret, bytes);
		else if (sign !== 'none' && 'secret' in sign) headers['X-Hook-Signature'] = signBody(sign.secret, bytes);
		else if (sign !== 'none') headers['X-Hook-Signature'] = sign.signature;
		return await this.track(this.send({ kind: 'raw', webhookGid: gid, target: hook.target, headers, body: bytes, attempt: 1 }, this.options.deliveryTimeoutMs));
	}

	/** Resolves once no delivery, retry or batch is under way. */
	async idle(): Promise<void> {
		while (this.pending.size > 0 || this.batches.size > 0) {
			if (this.pending.size > 0) await this.pending.settle();
			else await new Promise((resolve) => setTimeout(resolve, Math.max(5, this.options.batchWindowMs)));
		}
	}

	reset(): void {
		this.held?.release();
		for (const gid of [...this.hooks.keys()]) this.remove(gid);
		// A retry waiting ends now: its webhook is gone, so it stops.
		for (const [timer, resolve] of this.timers) {
			clearTimeout(timer);
			resolve();
		}
		this.timers.clear();
		this.deliveries.length = 0;
		this.duplicates = 0;
		this.seq = 0;
	}

	close(): void {
		this.closed = true;
		this.reset();
	}
}
