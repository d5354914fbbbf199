/** The arithmetic of pacing.ts's budgets (Xero's X-MinLimit-Remaining and its kin), apart from any waiting. */

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
		readonly spec: { windowMs: number },
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
