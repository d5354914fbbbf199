/**
 * Vendor-like rate limits for the emulators and the bench's sandbox: calls in flight, and budgets
 * counted over rolling windows (never more than `limit` accepted in any `windowMs`), with a 429 and
 * a Retry-After in whole seconds beyond them, as Xero, Asana and Wix answer. Xero's flavour also
 * says on every answer what is left (X-MinLimit-Remaining, X-DayLimit-Remaining,
 * X-AppMinLimit-Remaining) and which limit a 429 is for (X-Rate-Limit-Problem).
 *
 * Rejected calls count against nothing. `now` is injectable for unit tests.
 */

/** Accepted calls of the last `windowMs`, oldest first. */
export class SlidingWindow {
	private readonly accepted: number[] = [];
	constructor(
		readonly limit: number,
		readonly windowMs: number,
		private readonly now: () => number = Date.now,
	) {}

	private expire(now: number): void {
		while (this.accepted.length > 0 && this.accepted[0] + this.windowMs <= now) this.accepted.shift();
	}

	remaining(): number {
		this.expire(this.now());
		return Math.max(0, this.limit - this.accepted.length);
	}

	/** Milliseconds until a place frees (0 when there is one now). */
	waitMs(): number {
		const now = this.now();
		this.expire(now);
		if (this.accepted.length < this.limit) return 0;
		return this.accepted[this.accepted.length - this.limit] + this.windowMs - now;
	}

	take(): void {
		this.accepted.push(this.now());
	}

	clear(): void {
		this.accepted.length = 0;
	}
}

export interface WindowLimit {
	/** e.g. "minute"; Xero's X-Rate-Limit-Problem value of a 429 for it. */
	name: string;
	limit: number;
	windowMs: number;
	/** The response header that says what is left, if the vendor sends one. */
	remainingHeader?: string;
}

export interface VendorLimitsSpec {
	/** Calls in flight at once; a function gives a group and its limit per call (Asana: reads, writes). */
	inFlight?: number | ((method: string) => { group: string; max: number });
	windows?: WindowLimit[];
	/** Name of the 429 header naming the limit hit (Xero: X-Rate-Limit-Problem). */
	problemHeader?: string;
	/** What a 429 for calls in flight says (Xero: "concurrent"). */
	inFlightProblem?: string;
	/** Retry-After of a 429 for calls in flight, in seconds. Default 1. */
	inFlightRetryAfter?: number;
}

export type Admission =
	| { ok: true; headers: Record<string, string>; done(): void }
	| { ok: false; limit: string; retryAfterSeconds: number; headers: Record<string, string> };

export interface LimiterStats {
	requests: number;
	accepted: number;
	rejected: number;
	/** 429s by the limit they were for. */
	rejectedBy: Record<string, number>;
	maxInFlight: number;
	retryAfterSent: number[];
}

/** The limits of one account (a Xero organization, an Asana token, a Wix site). */
export class VendorLimiter {
	private readonly windows: Array<{ spec: WindowLimit; window: SlidingWindow }>;
	private readonly inFlight = new Map<string, number>();
	private total = 0;
	readonly stats: LimiterStats = { requests: 0, accepted: 0, rejected: 0, rejectedBy: {}, maxInFlight: 0, retryAfterSent: [] };

	constructor(
		readonly spec: VendorLimitsSpec,
		now: () => number = Date.now,
	) {
		this.windows = (spec.windows ?? []).map((window) => ({ spec: window, window: new SlidingWindow(window.limit, window.windowMs, now) }));
	}

	private remainingHeaders(): Record<string, string> {
		const headers: Record<string, string> = {};
		for (const { spec, window } of this.windows) if (spec.remainingHeader) headers[spec.remainingHeader] = String(window.remaining());
		return headers;
	}

	private reject(limit: string, waitMs: number): Admission {
		const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
		this.stats.rejected++;
		this.stats.rejectedBy[limit] = (this.stats.rejectedBy[limit] ?? 0) + 1;
		this.stats.retryAfterSent.push(retryAfterSeconds);
		const headers: Record<string, string> = { ...this.remainingHeaders(), 'Retry-After': String(retryAfterSeconds) };
		if (this.spec.problemHeader) headers[this.spec.problemHeader] = limit;
		return { ok: false, limit, retryAfterSeconds, headers };
	}

	/** Decides a call as it arrives: accepted (call `done` when it is answered) or a 429. */
	admit(method: string): Admission {
		this.stats.requests++;
		const inFlight = this.spec.inFlight;
		const group = typeof inFlight === 'function' ? inFlight(method) : inFlight !== undefined ? { group: 'calls', max: inFlight } : undefined;
		if (group && (this.inFlight.get(group.group) ?? 0) >= group.max) {
			return this.reject(this.spec.inFlightProblem ?? `${group.group} in flight`, (this.spec.inFlightRetryAfter ?? 1) * 1000);
		}
		for (const { spec, window } of this.windows) {
			const wait = window.waitMs();
			if (wait > 0) return this.reject(spec.name, wait);
		}
		for (const { window } of this.windows) window.take();
		this.stats.accepted++;
		this.total++;
		this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.total);
		if (group) this.inFlight.set(group.group, (this.inFlight.get(group.group) ?? 0) + 1);
		let done = false;
		return {
			ok: true,
			headers: this.remainingHeaders(),
			done: () => {
				if (done) return;
				done = true;
				this.total--;
				if (group) this.inFlight.set(group.group, (this.inFlight.get(group.group) ?? 1) - 1);
			},
		};
	}

	reset(): void {
		for (const { window } of this.windows) window.clear();
		this.inFlight.clear();
		this.total = 0;
		Object.assign(this.stats, { requests: 0, accepted: 0, rejected: 0, rejectedBy: {}, maxInFlight: 0, retryAfterSent: [] });
	}
}

/** Xero's limits per organization (developer.xero.com "API limits"), with `overrides` for tests. */
export function xeroLimits(overrides: { concurrent?: number; perMinute?: number; perDay?: number; appPerMinute?: number; minuteMs?: number } = {}): VendorLimitsSpec {
	const minuteMs = overrides.minuteMs ?? 60_000;
	return {
		inFlight: overrides.concurrent ?? 5,
		inFlightProblem: 'concurrent',
		problemHeader: 'X-Rate-Limit-Problem',
		windows: [
			{ name: 'minute', limit: overrides.perMinute ?? 60, windowMs: minuteMs, remainingHeader: 'X-MinLimit-Remaining' },
			{ name: 'day', limit: overrides.perDay ?? 5000, windowMs: 24 * 60 * 60_000, remainingHeader: 'X-DayLimit-Remaining' },
			// Per app across organizations in Xero; one organization here, so one limiter holds it.
			{ name: 'appminute', limit: overrides.appPerMinute ?? 10_000, windowMs: minuteMs, remainingHeader: 'X-AppMinLimit-Remaining' },
		],
	};
}

/** Asana's limits per token (developers.asana.com "Rate limits"): paid plan. */
export function asanaLimits(overrides: { perMinute?: number; reads?: number; writes?: number } = {}): VendorLimitsSpec {
	const reads = overrides.reads ?? 50;
	const writes = overrides.writes ?? 15;
	return {
		inFlight: (method) => (/^(GET|HEAD)$/i.test(method) ? { group: 'reads', max: reads } : { group: 'writes', max: writes }),
		windows: [{ name: 'minute', limit: overrides.perMinute ?? 1500, windowMs: 60_000 }],
	};
}

/** Wix's limit per site (dev.wix.com "Rate limits"): 200 calls a minute. */
export function wixLimits(overrides: { perMinute?: number } = {}): VendorLimitsSpec {
	return { windows: [{ name: 'minute', limit: overrides.perMinute ?? 200, windowMs: 60_000 }] };
}
