/**
 * The one place requests leave the package: signed by n8n (`httpRequestWithAuthentication`, so
 * OAuth2 tokens are refreshed), retried on rate limits and transient faults with backoff that
 * honours Retry-After, each attempt with a freshly opened body, and failures turned into
 * NodeApiErrors carrying the provider's message.
 */
import { NodeOperationError, sleep } from 'n8n-workflow';

import { DEFAULT_TIMEOUT_MS } from '../description';
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { TruncatedDownloadError, truncatedDownloadApiError } from './download';
import { TRANSIENT_NETWORK_CODES, discardBody, isConnectionError, readFailureBody, toHttpFailure, toNodeApiError } from './errors';
import type { HttpFailure } from './errors';
import { pacedRequest, pacerFor, renewalText } from './pacing';
import type { Lease } from './pacing';
import { DEFAULT_BACKOFF, backoffDelay, parseRetryAfter } from './retry-after';
import type { BackoffPolicy } from './retry-after';
import type { HttpMethod, ProviderSpec, TransportContext } from './types';

export interface RequestPlan {
	method: HttpMethod;
	url: string;
	qs?: IDataObject;
	headers?: Record<string, string>;
	/** Opens a fresh body for each attempt (streams cannot be rewound). */
	body?: () => Promise<unknown>;
	/** The response is a file: hand it over as a stream instead of parsing it. */
	streamResponse?: boolean;
	/** Whether repeating the request is harmless (see OperationSpec.idempotent). */
	idempotent: boolean;
	/** Send without the credential (pre-signed URLs must not get the API token). */
	anonymous?: boolean;
	credentialType: string;
	/** How long a silent connection is waited for, in ms (default DEFAULT_TIMEOUT_MS). */
	timeoutMs?: number;
	/** Closes what `body` opened, after an attempt that failed (see UploadSource.release). */
	releaseBody?: () => void;
	/** See OperationSpec.missingOnRetryMeansDone. */
	missingOnRetryMeansDone?: boolean;
	/** See OperationSpec.target. */
	target?: string;
	/** See OperationSpec.notFound, resolved for the item. */
	notFound?: { message: string; description: string };
}

export interface FullResponse {
	statusCode: number;
	headers: Record<string, string | undefined>;
	body: unknown;
}

/** Whether n8n may have renewed the credential after a 401 (see ProviderSpec.credentialRefresh). */
function canRefreshCredential(provider: ProviderSpec, credentialType: string): boolean {
	const refresh = provider.credentialRefresh;
	return typeof refresh === 'function' ? refresh(credentialType) : refresh !== false;
}

const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

function isSingleUse(body: unknown): boolean {
	return typeof body === 'object' && body !== null && typeof (body as { pipe?: unknown }).pipe === 'function';
}

/** Whether this failure may be retried, and why not when it may not. */
function retryable(failure: HttpFailure, plan: RequestPlan): boolean {
	if (failure.statusCode === 429) return true; // rejected before any work was done
	if (failure.statusCode !== undefined) return plan.idempotent && RETRYABLE_STATUS.has(failure.statusCode);
	if (failure.code === 'ECONNREFUSED') return true; // nothing reached the server
	return plan.idempotent && failure.code !== undefined && TRANSIENT_NETWORK_CODES.has(failure.code);
}

/** Whether the server may have acted on a request that failed this way (not a refusal before any work). */
function mayHaveActed(failure: HttpFailure): boolean {
	if (failure.statusCode !== undefined) return failure.statusCode >= 500;
	return failure.code !== 'ECONNREFUSED';
}

function describeTarget(url: string): string {
	// The query of a pre-signed URL is a secret: log the origin and path only.
	const queryStart = url.indexOf('?');
	return queryStart === -1 ? url : url.slice(0, queryStart);
}

function normaliseHeaders(headers: unknown): Record<string, string | undefined> {
	const result: Record<string, string | undefined> = {};
	for (const [key, value] of Object.entries((headers as Record<string, unknown>) ?? {})) {
		const name = key.toLowerCase();
		// Cookies may hold commas (Expires=Mon, 01 Jan …): keep them apart with a line break, which
		// no header value can contain.
		const separator = name === 'set-cookie' ? '\n' : ', ';
		result[name] = Array.isArray(value) ? value.join(separator) : value === undefined ? undefined : String(value);
	}
	return result;
}

async function sendOnce(ctx: TransportContext, plan: RequestPlan): Promise<FullResponse> {
	const options: IHttpRequestOptions = {
		method: plan.method,
		url: plan.url,
		qs: plan.qs,
		headers: { ...(plan.headers ?? {}) },
		returnFullResponse: true,
		json: !plan.streamResponse,
		// A socket idle this long is dead (axios sets it as the socket's inactivity timeout, so a
		// large transfer that keeps moving is not cut).
		timeout: plan.timeoutMs ?? DEFAULT_TIMEOUT_MS,
	};
	if (plan.streamResponse) options.encoding = 'stream';
	if (plan.body) {
		options.body = (await plan.body()) as IHttpRequestOptions['body'];
		// The redirect follower keeps every chunk of a request body so it could resend it: with
		// a streamed file that is the whole file in memory. No upload endpoint redirects.
		options.disableFollowRedirect = true;
	}
	const response = (plan.anonymous
		? await ctx.helpers.httpRequest(options)
		: await ctx.helpers.httpRequestWithAuthentication.call(
				ctx as IExecuteFunctions,
				plan.credentialType,
				options,
			)) as {
		statusCode: number;
		headers: unknown;
		body: unknown;
	};
	return { statusCode: response.statusCode, headers: normaliseHeaders(response.headers), body: response.body };
}

type AttemptOutcome<T> =
	| { value: T }
	| { error?: unknown; truncated?: TruncatedDownloadError; storeError?: Error };

/**
 * One attempt; never throws, so the retry loop decides what each kind of failure means. The
 * lease hears of the answer's status and headers as soon as they are there (rate-limit budgets).
 */
async function attemptOnce<T>(
	ctx: TransportContext,
	plan: RequestPlan,
	consume: ((response: FullResponse) => Promise<T>) | undefined,
	lease: Lease,
): Promise<AttemptOutcome<T>> {
	let response: FullResponse;
	try {
		response = await sendOnce(ctx, plan);
	} catch (error) {
		const failure = toHttpFailure(error);
		lease.answered(failure.statusCode, failure.headers);
		return { error };
	}
	lease.answered(response.statusCode, response.headers);
	if (!consume) return { value: response as T };
	try {
		return { value: await consume(response) };
	} catch (error) {
		// The status was fine but the body broke off on its way into the binary store.
		if (error instanceof TruncatedDownloadError) return { truncated: error };
		if (isConnectionError(error)) {
			return { truncated: new TruncatedDownloadError(undefined, undefined, (error as Error).message) };
		}
		return { storeError: error as Error };
	}
}

/**
 * Sends `plan`, retrying as the policy allows. `consume` runs inside the attempt, so a download
 * cut off half-way is retried like any other dropped connection when the call is idempotent.
 */
export async function sendRequest<T = FullResponse>(
	ctx: TransportContext,
	provider: ProviderSpec,
	plan: RequestPlan,
	itemIndex: number,
	consume?: (response: FullResponse) => Promise<T>,
): Promise<T> {
	const policy: BackoffPolicy = { ...DEFAULT_BACKOFF, ...(provider.backoff ?? {}) };
	// Every request of this run of the node to this provider waits its turn here (see pacing.ts).
	const pacer = pacerFor(ctx, provider);
	const paced = pacedRequest(plan);
	let refreshedAfter401 = false;
	let earlierAttemptMayHaveActed = false;
	for (let attempt = 1; ; attempt++) {
		let sentSingleUseBody = false;
		const lease = await pacer.acquire(paced, itemIndex);
		let outcome: AttemptOutcome<T>;
		try {
			outcome = await attemptOnce(
				ctx,
				{
					...plan,
					body: plan.body
						? async () => {
								const body = await plan.body!();
								sentSingleUseBody = isSingleUse(body) || sentSingleUseBody;
								return body;
							}
						: undefined,
				},
				consume,
				lease,
			);
		} finally {
			lease.release();
		}
		if ('value' in outcome) return outcome.value;
		plan.releaseBody?.();

		let failure: HttpFailure;
		if (outcome.truncated) {
			if (!plan.idempotent || attempt >= policy.maxAttempts) {
				throw truncatedDownloadApiError(ctx, provider.displayName, outcome.truncated, itemIndex);
			}
			failure = { headers: {}, code: 'ERR_STREAM_PREMATURE_CLOSE', message: outcome.truncated.message };
		} else if (outcome.storeError) {
			// Not the network: e.g. the binary store could not write. Retrying would not help.
			throw new NodeOperationError(ctx.getNode(), outcome.storeError, { itemIndex });
		} else {
			failure = toHttpFailure(outcome.error);
		}

		if (failure.statusCode === 404 && plan.missingOnRetryMeansDone && earlierAttemptMayHaveActed && !consume) {
			// The earlier attempt went through and only its answer was lost.
			discardBody(failure.body);
			ctx.logger.debug('A repeated request found its target gone: the earlier attempt did it', {
				target: describeTarget(plan.url),
				attempt,
			});
			return { statusCode: 404, headers: failure.headers, body: undefined } as T;
		}

		// n8n refreshes an expired token on 401 but cannot resend a streamed body; we can.
		if (
			failure.statusCode === 401 &&
			sentSingleUseBody &&
			!refreshedAfter401 &&
			!plan.anonymous &&
			canRefreshCredential(provider, plan.credentialType)
		) {
			refreshedAfter401 = true;
			discardBody(failure.body);
			ctx.logger.debug('Resending a streamed request after the credential was refreshed', {
				target: describeTarget(plan.url),
			});
			continue;
		}

		if (!retryable(failure, plan) || attempt >= policy.maxAttempts) {
			const error = toNodeApiError(ctx, provider, await readFailureBody(ctx, failure), itemIndex, {
				timeoutMs: plan.timeoutMs ?? DEFAULT_TIMEOUT_MS,
				attempts: attempt,
				target: plan.target,
			});
			if (failure.statusCode === 404 && plan.notFound) {
				const said = error.message;
				error.message = plan.notFound.message;
				error.description = [plan.notFound.description, `${said}.`, error.description].filter(Boolean).join(' ');
			}
			if (!plan.idempotent && mayHaveActed(failure)) {
				error.description = [
					error.description,
					`The request was not repeated: ${provider.displayName} may have carried it out already, and sending it again could do it twice (e.g. store the file twice). Check ${provider.displayName} before running the node again.`,
				]
					.filter(Boolean)
					.join(' ');
			}
			throw error;
		}
		const retryAfter = parseRetryAfter(failure.headers['retry-after']);
		if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) {
			const failed = await readFailureBody(ctx, failure);
			const error = toNodeApiError(ctx, provider, failed, itemIndex, { target: plan.target });
			error.description = `${provider.displayName} asks to wait ${Math.round(retryAfter / 1000)} s before the next request, longer than this node waits. It accepts requests again ${renewalText(Date.now() + retryAfter)}. ${error.description ?? ''}`.trim();
			// The run's other requests to the same place would get the same answer: they fail at once.
			pacer.block(paced, retryAfter, error);
			throw error;
		}
		discardBody(failure.body);
		earlierAttemptMayHaveActed ||= mayHaveActed(failure);
		const delay = retryAfter ?? backoffDelay(attempt, policy);
		ctx.logger.debug('Retrying request', {
			target: describeTarget(plan.url),
			status: failure.statusCode,
			code: failure.code,
			attempt,
			delayMs: delay,
		});
		if (failure.statusCode === 429 || retryAfter !== undefined) {
			// A rate limit: every request of the run to this provider waits, not only this one.
			pacer.pause(paced, delay, failure.headers);
		} else {
			await sleep(delay);
		}
	}
}
