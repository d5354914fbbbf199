/**
 * Pacing: the requests of one run of a node share what the provider allows.
 *
 * - A 429 (or any Retry-After on a retried answer) pauses every request of the run that goes to
 *   the same lane (the provider, and for Xero the organization), not only the one that got it;
 *   after the pause one request goes first, and the others follow once it was answered.
 * - A Retry-After longer than the node waits, or a budget the provider reports spent that renews
 *   only in hours (Xero's daily limit), fails the lane's next requests at once, saying when it renews.
 * - Budgets a provider announces in its answers (Xero's X-MinLimit-Remaining and its kin) slow the
 *   lane down before a 429: a request waits until the calls that used the budget have aged out.
 *
 * Calls in flight are not counted here. An item's requests go one after another, so a run never
 * has more requests in flight than Options → Concurrency, whose maximum for each operation is
 * within the provider's limit on the calls that operation makes (Asana: 50 reads, 15 writes;
 * Xero: 5 calls), as test/unit/in-flight-limits.test.ts checks.
 *
 * The state lives in a WeakMap keyed by the node's execute context, so it belongs to one run of
 * one node: two workflows (or two runs of one) never wait for each other, nothing is process-wide,
 * and it is gone with the run. Waiting is abortable on every n8n line (wait.ts), so no
 * timer outlives a wait, and a cancelled execution stops waiting.
 *
 * Time comes from a Clock: in n8n the real one (Date.now and wait.ts), in the unit tests a fake
 * one that moves only when the test says.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { JsonObject } from 'n8n-workflow';

import type { ProviderSpec, TransportContext } from './types';
import { abortableSleep } from './wait';

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
	/** When nothing is left: wait until calls age out, or fail at once (a daily limit). */
	whenSpent: 'wait' | 'fail';
	/** The error of a request not sent because the budget is spent (`fail` only). */
	spentError?: (renewsAt: number) => { message: string; description: string };
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

/** One request to the provider's API, as far as a budget is concerned. */
interface Entry {
	seq: number;
	startedAt: number;
	/** When its answer arrived (or the attempt ended without one). */
	doneAt?: number;
}

interface Report {
	remaining: number;
	/** When it arrived. */
	at: number;
	/** Of the request it answered. */
	seq: number;
	startedAt: number;
}

/**
 * What is left of a budget counted over a rolling window, from the provider's latest report and
 * the requests sent since. Conservative: a request that may have been counted after the report
 * is taken as counted, and a request frees its place only one window after its answer (the
 * provider counted it before it answered). Calls of other clients are known only through reports.
 */
export class RollingBudget {
	private entries: Entry[] = [];
	private report?: Report;
	/** An answer came without the header: this provider (or a proxy before it) does not report it. */
	private unreported = false;

	constructor(
		readonly spec: Pick<HeaderBudget, 'windowMs'>,
		private readonly now: () => number = Date.now,
	) {}

	/** Records a request being sent. */
	start(seq: number): Entry {
		const entry: Entry = { seq, startedAt: this.now() };
		this.entries.push(entry);
		return entry;
	}

	/** The answer to `entry` said `remaining` calls are left. */
	observe(entry: Entry, remaining: number): void {
		const now = this.now();
		entry.doneAt ??= now;
		// Answers may arrive out of order: the one to the latest request sent is the newest count.
		if (!this.report || entry.seq > this.report.seq) {
			this.report = { remaining, at: now, seq: entry.seq, startedAt: entry.startedAt };
			// Whatever was answered a whole window before this report is neither in it nor counted against it.
			const horizon = now - this.spec.windowMs;
			this.entries = this.entries.filter((e) => e.doneAt === undefined || e.doneAt > horizon || e === entry);
		}
	}

	/** The attempt of `entry` is over (answered or not). */
	finish(entry: Entry, answeredWithoutReport = false): void {
		entry.doneAt ??= this.now();
		if (answeredWithoutReport) this.unreported = true;
	}

	/**
	 * Whether a request must wait for the first report: until one arrives, nothing is known of
	 * what is left (another workflow may have spent most of it), so one request goes alone and
	 * the others follow its answer. A provider that answers without the header is not held.
	 */
	get awaitingFirstReport(): boolean {
		return this.report === undefined && !this.unreported && this.inFlight > 0;
	}

	get inFlight(): number {
		return this.entries.filter((e) => e.doneAt === undefined).length;
	}

	private counted(entry: Entry, report: Report): boolean {
		// The report's own request, and any answered before that request was sent, are in its count.
		return entry.seq === report.seq || (entry.doneAt !== undefined && entry.doneAt <= report.startedAt);
	}

	/** How many more requests may be sent now. */
	allowance(): number {
		const report = this.report;
		if (!report) return Infinity;
		const now = this.now();
		const window = this.spec.windowMs;
		let allowance = report.remaining;
		for (const entry of this.entries) {
			const counted = this.counted(entry, report);
			if (!counted) allowance--;
			const agedOut = entry.doneAt !== undefined && entry.doneAt + window <= now;
			// A counted request frees a place only if it was surely still in the window when the report was made.
			if (agedOut && (!counted || entry.startedAt + window > report.at)) allowance++;
		}
		// A window after the report, all it counted has aged out: one request may find out what is left.
		if (report.at + window <= now && this.inFlight === 0) allowance = Math.max(allowance, 1);
		return allowance;
	}

	/** The next time the allowance grows by itself (a request ages out), if any. */
	nextRelease(): number | undefined {
		const report = this.report;
		if (!report) return undefined;
		const now = this.now();
		const window = this.spec.windowMs;
		let next = report.at + window > now ? report.at + window : undefined;
		for (const entry of this.entries) {
			if (entry.doneAt === undefined || entry.doneAt + window <= now) continue;
			const counted = this.counted(entry, report);
			if (counted && entry.startedAt + window <= report.at) continue;
			next = next === undefined ? entry.doneAt + window : Math.min(next, entry.doneAt + window);
		}
		return next;
	}
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
	/** After a 429: one request (the probe) goes first, the others once it was answered otherwise. */
	probing = false;
	probeSeq?: number;
	blocked?: Blocked;
	readonly queue: object[] = [];
	constructor(readonly name: string) {}
}

/** What a request holds while it is in flight. */
export interface Lease {
	/** The answer's status and headers arrived. */
	answered(statusCode: number | undefined, headers: Record<string, string | undefined>): void;
	/** The attempt is over; always called, once. */
	release(): void;
}

/** A wait that has no timer of its own still looks again this often. */
const RECHECK_MS = 1000;

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
		if (!lane) this.lanes.set(name, (lane = new Lane(name)));
		return lane;
	}

	private budgetsOf(request: PacedRequest, lane: Lane): Array<{ spec: HeaderBudget; budget: RollingBudget }> {
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

	/** Waits until `ms` passed (undefined: only a change), something changed, or the execution was cancelled. */
	private async wait(ms: number | undefined, cancel: AbortSignal | undefined): Promise<void> {
		const timer = new AbortController();
		const stop = () => timer.abort();
		cancel?.addEventListener('abort', stop, { once: true });
		const changed = new Promise<void>((resolve) => this.waiters.push(resolve));
		try {
			await Promise.race([this.clock.sleep(Math.max(1, Math.min(ms ?? RECHECK_MS, RECHECK_MS * 60)), timer.signal).catch(() => undefined), changed]);
		} finally {
			timer.abort();
			cancel?.removeEventListener('abort', stop);
		}
		if (cancel?.aborted) throw new NodeOperationError(this.ctx.getNode(), 'The execution was cancelled');
	}

	/**
	 * Waits until the request may be sent: no pause, budget left. Throws when the
	 * lane is blocked or a budget that fails when spent is spent.
	 */
	async acquire(request: PacedRequest, itemIndex: number): Promise<Lease> {
		const lane = this.laneOf(request);
		const budgets = this.budgetsOf(request, lane);
		const cancel = (this.ctx as { getExecutionCancelSignal?: () => AbortSignal | undefined }).getExecutionCancelSignal?.();
		const ticket = {};
		lane.queue.push(ticket);
		let logged: string | undefined;
		try {
			for (;;) {
				const now = this.clock.now();
				if (lane.blocked) {
					if (now < lane.blocked.until) throw lane.blocked.error(itemIndex);
					lane.blocked = undefined;
				}
				for (const { spec, budget } of budgets) {
					if (spec.whenSpent === 'fail' && budget.allowance() <= 0 && budget.inFlight === 0) {
						throw this.spentError(spec, budget, itemIndex);
					}
				}
				let waitMs: number | undefined;
				let reason: string | undefined;
				if (lane.queue[0] !== ticket) {
					reason = 'queue';
				} else if (lane.pausedUntil > now) {
					waitMs = lane.pausedUntil - now;
					reason = `a pause the provider asked for (${waitMs} ms)`;
				} else if (lane.probing && lane.probeSeq !== undefined) {
					reason = 'the answer to the first request after a pause';
				} else {
					for (const { spec, budget } of budgets) {
						if (budget.awaitingFirstReport) {
							reason = `the first answer of ${this.provider.displayName}, which says what is left of its ${spec.name}`;
							continue;
						}
						if (spec.whenSpent !== 'wait' || budget.allowance() > 0) continue;
						const release = budget.nextRelease();
						const ms = release === undefined ? undefined : Math.max(1, release - now);
						waitMs = ms === undefined ? waitMs : Math.max(waitMs ?? 0, ms);
						reason = `${this.provider.displayName}'s ${spec.name} (${spec.header}: none left)${ms === undefined ? '' : `, ${ms} ms`}`;
					}
				}
				if (!reason) break;
				if (reason !== 'queue' && reason !== logged) {
					logged = reason;
					this.ctx.logger.debug(`Waiting for ${reason}`, { lane: lane.name, itemIndex });
				}
				await this.wait(waitMs, cancel);
			}
		} catch (error) {
			lane.queue.splice(lane.queue.indexOf(ticket), 1);
			this.notify();
			const nodeError = error instanceof NodeApiError || error instanceof NodeOperationError ? error : new NodeOperationError(this.ctx.getNode(), error as Error, { itemIndex });
			throw nodeError;
		}
		lane.queue.shift();
		const seq = ++this.seq;
		if (lane.probing) lane.probeSeq = seq;
		const entries = budgets.map(({ spec, budget }) => ({ spec, budget, entry: budget.start(seq) }));
		this.notify();
		let released = false;
		return {
			answered: (statusCode, headers) => {
				for (const { spec, budget, entry } of entries) {
					const remaining = parseRemaining(headers[spec.header]);
					if (remaining !== undefined) budget.observe(entry, remaining);
					else budget.finish(entry, statusCode !== undefined);
				}
				if (lane.probeSeq === seq && statusCode !== 429) {
					lane.probing = false;
					lane.probeSeq = undefined;
				}
				this.notify();
			},
			release: () => {
				if (released) return;
				released = true;
				// A probe that got no answer (the network failed): the next request probes instead.
				if (lane.probeSeq === seq) lane.probeSeq = undefined;
				for (const { budget, entry } of entries) budget.finish(entry);
				this.notify();
			},
		};
	}

	private spentError(spec: HeaderBudget, budget: RollingBudget, itemIndex: number): Error {
		const renewsAt = budget.nextRelease() ?? this.clock.now() + spec.windowMs;
		const text = spec.spentError?.(renewsAt) ?? {
			message: `${this.provider.displayName}'s ${spec.name} is used up`,
			description: `${this.provider.displayName} said no calls are left (${spec.header}: 0). It renews ${renewalText(renewsAt, this.clock.now())} at the latest. The request was not sent.`,
		};
		return new NodeOperationError(this.ctx.getNode(), text.message, { itemIndex, description: text.description });
	}

	/** A 429 or a Retry-After: no request of the lane (of the provider, if it says so) starts for `ms`. */
	pause(request: PacedRequest, ms: number, headers: Record<string, string | undefined>): void {
		const until = this.clock.now() + ms;
		const lanes = !request.anonymous && this.spec.providerWide429?.(headers) ? [...this.lanes.values()].filter((lane) => !lane.name.startsWith('storage ')) : [this.laneOf(request)];
		for (const lane of lanes) {
			lane.pausedUntil = Math.max(lane.pausedUntil, until);
			lane.probing = true;
			lane.probeSeq = undefined;
		}
		this.notify();
	}

	/**
	 * The provider asked for a wait longer than the node waits: the lane's requests fail at once
	 * until then, with the same error, instead of each being sent to get the same answer.
	 */
	block(request: PacedRequest, ms: number, error: NodeApiError): void {
		const lane = this.laneOf(request);
		const until = this.clock.now() + ms;
		const { message, description, httpCode } = error;
		const node = this.ctx.getNode();
		lane.blocked = {
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
