/**
 * Pacing: the requests of one run of a node share what the provider allows.
 *
 * - A 429 (or any Retry-After on a retried answer) pauses every request of the run that goes to
 *   the same lane (the provider, and for Xero the organization; for Xero's app-wide minute, every
 *   organization), not only the one that got it; after the pause one request (the probe) goes
 *   first, and the others follow once it was answered.
 * - A Retry-After longer than the node waits, or a budget the provider reports spent that renews
 *   only in hours (Xero's daily limit), fails the lane's next requests at once, saying when it
 *   renews (a spent budget once the answers in flight, which may say more is left, are in).
 * - Budgets a provider announces in its answers (Xero's X-MinLimit-Remaining and its kin) slow the
 *   lane down before a 429: a request waits until the calls that used the budget have aged out.
 * - The requests of a lane go in the order they asked.
 *
 * Calls in flight are not counted here. An item's requests go one after another, so a run never
 * has more requests in flight than Options → Concurrency, whose maximum for each operation is
 * within the provider's limit on the calls that operation makes (Asana: 50 reads, 15 writes;
 * Xero: 5 calls), as test/unit/in-flight-limits.test.ts checks.
 *
 * The state lives in a WeakMap keyed by the node's execute context, so it belongs to one run of
 * one node: two workflows (or two runs of one) never wait for each other, nothing is process-wide,
 * and it is gone with the run. A wait ends when its time is up or when something changes (a
 * request sent, answered or given up, a pause, a block), never by polling; it is abortable on every
 * n8n line (wait.ts), so no timer outlives it, and a cancelled execution stops waiting.
 *
 * Time comes from a Clock: in n8n the real one (Date.now and wait.ts), in the unit tests
 * (test/unit/pacer.test.ts) a fake one that moves only when the test says.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { JsonObject } from 'n8n-workflow';

import { RollingBudget } from './rolling-budget';
import type { ProviderSpec, TransportContext } from './types';
import { abortableSleep } from './wait';

export { RollingBudget };

/** Where pacing reads the time and waits. */
export interface Clock {
	now(): number;
	/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
	sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** Date.now, and n8n's abortable sleep (wait.ts). */
export const realClock: Clock = { now: () => Date.now(), sleep: abortableSleep };

/** What pacing needs to know of a request. */
export interface PacedRequest {
	method: string;
	url: string;
	headers?: Record<string, string>;
	/** Sent without the credential: a pre-signed URL of a storage host, paced apart from the API. */
	anonymous?: boolean;
	credentialType: string;
}

/** A budget the provider reports in a response header, counted over a rolling window. */
export interface HeaderBudget {
	/** The header, in lower case, e.g. `x-minlimit-remaining`. */
	header: string;
	/** In words, for logs: "minute limit". */
	name: string;
	/** The rolling window the provider counts calls over. */
	windowMs: number;
	/** Per lane (e.g. per organization), or shared by every lane of the provider (an app-wide limit). */
	scope: 'lane' | 'provider';
	/**
	 * A budget that renews only in hours (a daily limit): once spent, requests fail at once with this
	 * error, saying when it renews. Without it, requests wait until calls age out of the window.
	 */
	failWhenSpent?: (renewsAt: number, now: number) => { message: string; description: string };
}

/** The provider's limits, as far as one run of a node can respect them. */
export interface PacingSpec {
	/**
	 * What the provider counts its limits per, beyond the credential, e.g. Xero's organization
	 * (the `xero-tenant-id` header). Requests of different lanes never wait for each other.
	 */
	lane?(request: PacedRequest): string | undefined;
	budgets?: HeaderBudget[];
	/** Whether a 429 concerns every lane of the provider (e.g. Xero's app-wide minute limit). */
	providerWide429?(headers: Record<string, string | undefined>): boolean;
}

function parseRemaining(value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	const trimmed = value.split(',')[0].trim();
	return /^-?\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}

interface Blocked {
	until: number;
	error: (itemIndex: number) => Error;
}

/** The requests of one run that share limits: a provider's API (per credential, or per organization), or one storage host. */
class Lane {
	pausedUntil = 0;
	/**
	 * After a pause one request, the probe, goes first: `next` until it is sent, then its number
	 * until it is answered with anything but a 429; the others wait for that answer.
	 */
	probe?: 'next' | number;
	blocked?: Blocked;
	/** The requests waiting for their turn, in the order they asked. */
	readonly queue: object[] = [];
	constructor(
		readonly name: string,
		/** A storage host's (pre-signed URLs), not the provider's API. */
		readonly storage: boolean,
	) {}

	/** No request starts before `until`; then one goes first (see `probe`). */
	pause(until: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, until);
		this.probe = 'next';
	}
}

/** A budget as one lane's requests count against it. */
interface LaneBudget {
	spec: HeaderBudget;
	budget: RollingBudget;
}

/** Why the request at the head of a lane waits, and at most how long (none: until something changes). */
interface Hold {
	reason: string;
	ms?: number;
}

/** Behind another request of the lane: its turn comes when that one goes or gives up. */
const QUEUED: Hold = { reason: 'the requests before it in the lane' };

/** What a request holds while it is in flight. */
export interface Lease {
	/** The answer's status and headers arrived. */
	answered(statusCode: number | undefined, headers: Record<string, string | undefined>): void;
	/** The attempt is over; always called, once. */
	release(): void;
}

function formatWait(ms: number): string {
	const minutes = Math.round(ms / 60_000);
	if (ms < 90_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
	if (minutes < 90) return `${minutes} min`;
	return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "in about 3 h 10 min (at 2026-…Z)" */
export function renewalText(at: number, now: number = Date.now()): string {
	return `in about ${formatWait(Math.max(0, at - now))} (at ${new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z')})`;
}

/** The pacing of one provider in one run of a node. */
export class ProviderPacer {
	private readonly lanes = new Map<string, Lane>();
	private readonly budgets = new Map<string, RollingBudget>();
	private seq = 0;
	/** Until when a provider-wide 429 pauses the API's lanes, those opened meanwhile too. */
	private providerPausedUntil = 0;
	/** Waits to end when anything changes: a request sent, answered or done, a pause, a block. */
	private waiters: Array<() => void> = [];

	constructor(
		private readonly ctx: TransportContext,
		private readonly provider: ProviderSpec,
		private readonly clock: Clock = realClock,
	) {}

	private get spec(): PacingSpec {
		return this.provider.pacing ?? {};
	}

	private laneOf(request: PacedRequest): Lane {
		let name: string;
		if (request.anonymous) {
			// A pre-signed URL's host (storage) has limits of its own, if any.
			const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(request.url)?.[0] ?? request.url;
			name = `storage ${origin.toLowerCase()}`;
		} else {
			const key = this.spec.lane?.(request);
			name = key ? `${request.credentialType} ${key}` : request.credentialType;
		}
		let lane = this.lanes.get(name);
		if (!lane) {
			this.lanes.set(name, (lane = new Lane(name, !!request.anonymous)));
			if (!lane.storage && this.providerPausedUntil > this.clock.now()) lane.pause(this.providerPausedUntil);
		}
		return lane;
	}

	private budgetsOf(request: PacedRequest, lane: Lane): LaneBudget[] {
		if (request.anonymous) return [];
		return (this.spec.budgets ?? []).map((spec) => {
			const key = `${spec.header} ${spec.scope === 'lane' ? lane.name : request.credentialType}`;
			let budget = this.budgets.get(key);
			if (!budget) this.budgets.set(key, (budget = new RollingBudget(spec, () => this.clock.now())));
			return { spec, budget };
		});
	}

	private notify(): void {
		const waiters = this.waiters;
		this.waiters = [];
		for (const wake of waiters) wake();
	}

	/**
	 * Waits until the request may be sent: its turn in the lane, no pause, the probe answered,
	 * budget left. Throws when the lane is blocked, a budget that fails when spent is spent, or the
	 * execution is cancelled.
	 */
	async acquire(request: PacedRequest, itemIndex: number): Promise<Lease> {
		const lane = this.laneOf(request);
		const budgets = this.budgetsOf(request, lane);
		// Nothing paces the lane (no budget, no one waiting, no pause, block or probe under way): it goes at once.
		if (budgets.length === 0 && lane.queue.length === 0 && this.unhindered(lane)) return this.lease(lane, budgets);
		const ticket = {};
		lane.queue.push(ticket);
		try {
			await this.waitForTurn(lane, budgets, ticket, itemIndex);
			return this.lease(lane, budgets);
		} finally {
			lane.queue.splice(lane.queue.indexOf(ticket), 1);
			this.notify();
		}
	}

	private async waitForTurn(lane: Lane, budgets: LaneBudget[], ticket: object, itemIndex: number): Promise<void> {
		const cancel = (this.ctx as { getExecutionCancelSignal?: () => AbortSignal | undefined }).getExecutionCancelSignal?.();
		let logged: string | undefined;
		for (;;) {
			const now = this.clock.now();
			const refusal = this.refusal(lane, budgets, now, itemIndex);
			if (refusal) throw refusal;
			const hold = lane.queue[0] === ticket ? this.holdOf(lane, budgets, now) : QUEUED;
			if (!hold) return;
			if (hold !== QUEUED && hold.reason !== logged) {
				logged = hold.reason;
				this.ctx.logger.debug(`Waiting for ${hold.reason}`, { lane: lane.name, itemIndex });
			}
			await this.wait(hold.ms, cancel);
		}
	}

	/** Whether a lane without budgets lets a request go now: not blocked, not paused, no probe awaiting its answer. */
	private unhindered(lane: Lane): boolean {
		if (!lane.blocked && lane.pausedUntil === 0 && lane.probe === undefined) return true;
		const now = this.clock.now();
		return !(lane.blocked && now < lane.blocked.until) && !(lane.pausedUntil > now) && typeof lane.probe !== 'number';
	}

	/** Why the request must not be sent at all: the lane is blocked, or a budget that fails when spent is spent. */
	private refusal(lane: Lane, budgets: LaneBudget[], now: number, itemIndex: number): Error | undefined {
		if (lane.blocked && now < lane.blocked.until) return lane.blocked.error(itemIndex);
		for (const { spec, budget } of budgets) {
			if (spec.failWhenSpent && budget.allowance() <= 0 && budget.inFlight === 0) {
				const text = spec.failWhenSpent(budget.nextRelease() ?? now + spec.windowMs, now);
				return new NodeOperationError(this.ctx.getNode(), text.message, { itemIndex, description: text.description });
			}
		}
		return undefined;
	}

	/** What the request at the head of the lane waits for, if anything. */
	private holdOf(lane: Lane, budgets: LaneBudget[], now: number): Hold | undefined {
		if (lane.pausedUntil > now) {
			const ms = lane.pausedUntil - now;
			return { reason: `a pause the provider asked for (${ms} ms)`, ms };
		}
		if (typeof lane.probe === 'number') return { reason: 'the answer to the first request after a pause' };
		return this.budgetHold(budgets, now);
	}

	/**
	 * The first report of every budget; room in those that wait when spent (for the longest of
	 * their waits); the answers in flight of one that fails when spent (they say what is left).
	 */
	private budgetHold(budgets: LaneBudget[], now: number): Hold | undefined {
		const name = this.provider.displayName;
		let hold: Hold | undefined;
		for (const { spec, budget } of budgets) {
			if (budget.awaitingFirstReport) {
				hold = { reason: `the first answer of ${name}, which says what is left of its ${spec.name}`, ms: hold?.ms };
			} else if (spec.failWhenSpent && budget.allowance() <= 0) {
				hold = { reason: `the answers in flight, which say whether ${name}'s ${spec.name} is used up`, ms: hold?.ms };
			} else if (budget.allowance() <= 0) {
				const release = budget.nextRelease();
				const ms = release === undefined ? undefined : Math.max(1, release - now);
				hold = {
					reason: `${name}'s ${spec.name} (${spec.header}: none left)${ms === undefined ? '' : `, ${ms} ms`}`,
					ms: ms === undefined ? hold?.ms : Math.max(hold?.ms ?? 0, ms),
				};
			}
		}
		return hold;
	}

	/** Waits `ms` (none: no longer than until something changes), or until the execution is cancelled (throws). */
	private async wait(ms: number | undefined, cancel: AbortSignal | undefined): Promise<void> {
		if (cancel?.aborted) throw this.cancelled();
		const done = new AbortController();
		const stop = () => done.abort();
		cancel?.addEventListener('abort', stop, { once: true });
		const woken = new Promise<void>((resolve) => {
			this.waiters.push(resolve);
			done.signal.addEventListener('abort', () => resolve(), { once: true });
		});
		try {
			await Promise.race(ms === undefined ? [woken] : [woken, this.clock.sleep(ms, done.signal).catch(() => undefined)]);
		} finally {
			done.abort();
			cancel?.removeEventListener('abort', stop);
		}
		if (cancel?.aborted) throw this.cancelled();
	}

	private cancelled(): NodeOperationError {
		return new NodeOperationError(this.ctx.getNode(), 'The execution was cancelled');
	}

	/** The request goes: it counts against its budgets, and is the probe if one is due, until released. */
	private lease(lane: Lane, budgets: LaneBudget[]): Lease {
		const seq = ++this.seq;
		if (lane.probe === 'next') lane.probe = seq;
		const entries = budgets.map(({ spec, budget }) => ({ spec, budget, entry: budget.start(seq) }));
		let released = false;
		return {
			answered: (statusCode, headers) => {
				for (const { spec, budget, entry } of entries) {
					const remaining = parseRemaining(headers[spec.header]);
					if (remaining !== undefined) budget.observe(entry, remaining);
					else budget.finish(entry, statusCode !== undefined);
				}
				// An answer that is not a 429 ends the probing (a failed connection is no answer: see release).
				if (lane.probe === seq && statusCode !== undefined && statusCode !== 429) lane.probe = undefined;
				this.notify();
			},
			release: () => {
				if (released) return;
				released = true;
				// A probe that got no answer (the network failed): the next request probes instead.
				if (lane.probe === seq) lane.probe = 'next';
				for (const { budget, entry } of entries) budget.finish(entry);
				this.notify();
			},
		};
	}

	/** A 429 or a Retry-After: no request of the lane (of the provider, if it says so) starts for `ms`. */
	pause(request: PacedRequest, ms: number, headers: Record<string, string | undefined>): void {
		const until = this.clock.now() + ms;
		if (!request.anonymous && this.spec.providerWide429?.(headers)) {
			this.providerPausedUntil = Math.max(this.providerPausedUntil, until);
			for (const lane of this.lanes.values()) if (!lane.storage) lane.pause(until);
		} else {
			this.laneOf(request).pause(until);
		}
		this.notify();
	}

	/**
	 * The provider asked for a wait longer than the node waits: the lane's requests fail at once
	 * until then, with the same error, instead of each being sent to get the same answer.
	 */
	block(request: PacedRequest, ms: number, error: NodeApiError): void {
		const until = this.clock.now() + ms;
		const { message, description, httpCode } = error;
		const node = this.ctx.getNode();
		this.laneOf(request).blocked = {
			until,
			error: (itemIndex) =>
				new NodeApiError(node, { message } as JsonObject, {
					message,
					description: `${description ?? ''} The request was not sent: an earlier one got this answer ${renewalText(until, this.clock.now())}.`.trim(),
					httpCode: httpCode ?? '429',
					itemIndex,
				}),
		};
		this.notify();
	}
}

const runs = new WeakMap<object, Map<string, ProviderPacer>>();

/** The pacer of `provider` in the run `ctx` belongs to (one per execute context, see above). */
export function pacerFor(ctx: TransportContext, provider: ProviderSpec, clock: Clock = realClock): ProviderPacer {
	let pacers = runs.get(ctx);
	if (!pacers) runs.set(ctx, (pacers = new Map()));
	let pacer = pacers.get(provider.displayName);
	if (!pacer) pacers.set(provider.displayName, (pacer = new ProviderPacer(ctx, provider, clock)));
	return pacer;
}

/** The request's identity for pacing, from what `sendRequest` sends. */
export function pacedRequest(plan: { method: string; url: string; headers?: Record<string, string>; anonymous?: boolean; credentialType: string }): PacedRequest {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(plan.headers ?? {})) headers[name.toLowerCase()] = value;
	return { method: plan.method, url: plan.url, headers, anonymous: plan.anonymous, credentialType: plan.credentialType };
}
