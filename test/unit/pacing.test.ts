/**
 * The arithmetic of pacing, on a fake clock: what is left of a budget the provider reports
 * (RollingBudget, nodes/shared/transport/pacing.ts), and the sandbox's rolling windows that
 * answer 429 (sandbox/common/rate-limits.ts).
 */
import { RollingBudget, renewalText } from '../../nodes/shared/transport/pacing';
import { SlidingWindow, VendorLimiter, xeroLimits } from '../../sandbox/common/rate-limits';

function clock(start = 1_000_000) {
	let now = start;
	return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('RollingBudget', () => {
	it('knows nothing, and limits nothing, before the first report', () => {
		const time = clock();
		const budget = new RollingBudget({ windowMs: 60_000 }, time.now);
		expect(budget.allowance()).toBe(Infinity);
		const first = budget.start(1);
		expect(budget.awaitingFirstReport).toBe(true);
		budget.finish(first, true);
		expect(budget.awaitingFirstReport).toBe(false);
	});

	it('counts what was sent since the report against what it said was left', () => {
		const time = clock();
		const budget = new RollingBudget({ windowMs: 60_000 }, time.now);
		const a = budget.start(1);
		const b = budget.start(2);
		time.advance(100);
		budget.observe(a, 3);
		// b was in flight when the report was made: it may not be in it, so it counts.
		expect(budget.allowance()).toBe(2);
		budget.start(3);
		budget.start(4);
		expect(budget.allowance()).toBe(0);
		budget.observe(b, 2); // a later request's answer: the newer count
		// a was sent with b and may have been counted after it: conservatively it still counts.
		expect(budget.allowance()).toBe(-1);
	});

	it('ignores an older count that arrives after a newer one', () => {
		const time = clock();
		const budget = new RollingBudget({ windowMs: 60_000 }, time.now);
		const a = budget.start(1);
		const b = budget.start(2);
		time.advance(50);
		budget.observe(b, 0);
		budget.observe(a, 5);
		expect(budget.allowance()).toBeLessThanOrEqual(0);
	});

	it('frees a place one window after each answer, and says when', () => {
		const time = clock();
		const budget = new RollingBudget({ windowMs: 60_000 }, time.now);
		const a = budget.start(1);
		time.advance(100);
		budget.observe(a, 1);
		const b = budget.start(2);
		time.advance(100);
		budget.observe(b, 0);
		expect(budget.allowance()).toBe(0);
		// a was answered at 100 ms, b at 200 ms: a's place frees at 60.1 s.
		expect(budget.nextRelease()).toBe(1_000_000 + 100 + 60_000);
		time.advance(60_000 - 200 + 100 - 1);
		expect(budget.allowance()).toBe(0);
		time.advance(1);
		expect(budget.allowance()).toBe(1);
		time.advance(100);
		expect(budget.allowance()).toBe(2);
	});

	it('lets one request find out what is left once a whole window has passed since the report', () => {
		const time = clock();
		const budget = new RollingBudget({ windowMs: 60_000 }, time.now);
		const a = budget.start(1);
		budget.observe(a, 0);
		// Someone else spent the budget: nothing of ours ages out, but the report itself does.
		expect(budget.nextRelease()).toBe(1_000_000 + 60_000);
		time.advance(60_000);
		expect(budget.allowance()).toBeGreaterThanOrEqual(1);
		budget.start(2);
		expect(budget.allowance()).toBeLessThanOrEqual(0);
	});

	it('writes when a limit renews in plain words', () => {
		expect(renewalText(Date.UTC(2026, 0, 2, 3, 4, 5), Date.UTC(2026, 0, 1, 15, 0, 0))).toBe('in about 12 h 4 min (at 2026-01-02T03:04:05Z)');
		expect(renewalText(30_000, 0)).toBe('in about 30 s (at 1970-01-01T00:00:30Z)');
	});
});

describe('the sandbox\'s limits', () => {
	it('never accept more than the limit in any window, and say how long until a place frees', () => {
		const time = clock();
		const window = new SlidingWindow(2, 60_000, time.now);
		window.take();
		time.advance(10_000);
		window.take();
		expect(window.remaining()).toBe(0);
		expect(window.waitMs()).toBe(50_000);
		time.advance(50_000);
		expect(window.remaining()).toBe(1);
	});

	it('answer Xero\'s way: remaining headers, 429 with whole-second Retry-After and the problem; a rejected call counts for nothing', () => {
		const time = clock();
		const limiter = new VendorLimiter(xeroLimits({ perMinute: 2, concurrent: 1 }), time.now);
		const first = limiter.admit('GET');
		expect(first).toMatchObject({ ok: true, headers: { 'X-MinLimit-Remaining': '1', 'X-DayLimit-Remaining': '4999', 'X-AppMinLimit-Remaining': '9999' } });
		expect(limiter.admit('GET')).toMatchObject({ ok: false, limit: 'concurrent', headers: { 'X-Rate-Limit-Problem': 'concurrent', 'Retry-After': '1' } });
		if (first.ok) first.done();
		const second = limiter.admit('GET');
		if (second.ok) second.done();
		time.advance(1500);
		expect(limiter.admit('GET')).toMatchObject({ ok: false, limit: 'minute', headers: { 'Retry-After': '59', 'X-MinLimit-Remaining': '0' } });
		expect(limiter.stats).toMatchObject({ requests: 4, accepted: 2, rejected: 2, rejectedBy: { concurrent: 1, minute: 1 } });
	});
});
