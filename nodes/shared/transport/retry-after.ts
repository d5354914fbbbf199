/**
 * How long to wait before the next attempt: the server's Retry-After when it gives one (seconds
 * or an HTTP date), otherwise capped exponential backoff with full jitter.
 */

export interface BackoffPolicy {
	/** Attempts in all, the first one included. */
	maxAttempts: number;
	/** First backoff step in milliseconds. */
	baseDelayMs: number;
	/** Upper bound of any single computed backoff. */
	maxDelayMs: number;
	/** A Retry-After longer than this is not waited for: the request fails instead. */
	maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
	maxAttempts: 5,
	baseDelayMs: 500,
	maxDelayMs: 20_000,
	maxRetryAfterMs: 120_000,
};

/** Milliseconds to wait according to a Retry-After header value, or undefined if it is unusable. */
export function parseRetryAfter(value: string | undefined | null, now: number = Date.now()): number | undefined {
	if (value === undefined || value === null) return undefined;
	const trimmed = String(value).trim();
	if (trimmed === '') return undefined;
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(parseFloat(trimmed) * 1000);
	// Only the HTTP date formats: a bare number-like string must not become a date.
	if (!/[a-z]/i.test(trimmed)) return undefined;
	const date = Date.parse(trimmed);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

/**
 * Delay before attempt number `attempt + 1` (attempt counts from 1).
 * `random` is injectable so tests can pin the jitter.
 */
export function backoffDelay(
	attempt: number,
	policy: BackoffPolicy,
	random: () => number = Math.random,
): number {
	const exponential = policy.baseDelayMs * 2 ** (attempt - 1);
	const capped = Math.min(policy.maxDelayMs, exponential);
	// Full jitter keeps many workflows that failed together from retrying together.
	return Math.round(capped / 2 + (random() * capped) / 2);
}
