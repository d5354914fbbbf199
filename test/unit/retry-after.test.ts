import { DEFAULT_BACKOFF, backoffDelay, parseRetryAfter } from '../../nodes/shared/transport/retry-after';

describe('Retry-After', () => {
	const now = Date.parse('2026-11-22T10:00:00Z');

	it.each([
		['0', 0],
		['1', 1000],
		['30', 30_000],
		[' 2 ', 2000],
		['1.5', 1500],
	])('seconds %j → %d ms', (value, expected) => {
		expect(parseRetryAfter(value, now)).toBe(expected);
	});

	it('reads an HTTP date relative to now', () => {
		expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:07 GMT', now)).toBe(7000);
	});

	it('treats a date in the past as "now"', () => {
		expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0);
	});

	it.each([undefined, null, '', 'soon', '-5', '1e3'])('ignores %j', (value) => {
		expect(parseRetryAfter(value as string, now)).toBeUndefined();
	});
});

describe('backoff', () => {
	const policy = { ...DEFAULT_BACKOFF, baseDelayMs: 100, maxDelayMs: 1000 };

	it('doubles per attempt within the jitter band', () => {
		expect(backoffDelay(1, policy, () => 0)).toBe(50);
		expect(backoffDelay(1, policy, () => 1)).toBe(100);
		expect(backoffDelay(2, policy, () => 1)).toBe(200);
		expect(backoffDelay(3, policy, () => 0)).toBe(200);
	});

	it('is capped', () => {
		expect(backoffDelay(20, policy, () => 1)).toBe(1000);
		expect(backoffDelay(20, policy, () => 0)).toBe(500);
	});
});
