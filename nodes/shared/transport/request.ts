/**
 * The one place requests leave the package: signed by n8n (`httpRequestWithAuthentication`, so
 * OAuth2 tokens are refreshed), retried on rate limits and transient faults with backoff that
 * honours Retry-After, each attempt with a freshly opened body, and failures turned into
 * NodeApiErrors carrying the provider's message. Every answer is read with a bound (bounded.ts);
 * redirects are followed here, never by the HTTP client, so that a credential stays with its
 * origin (redirects.ts); URLs from a provider's answers are checked before any connection
 * (url-guard.ts).
 */
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';
import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, IDataObject, IExecuteFunctions, IHttpRequestOptions, JsonObject } from 'n8n-workflow';

import { DEFAULT_TIMEOUT_MS } from './constants';
import { normaliseHeaders } from './headers';
import { BodyTooLargeError, JSON_BODY_LIMIT_BYTES, endWhenIdle, readBoundedText } from './bounded';
import { OversizedDownloadError, TruncatedDownloadError, oversizedDownloadApiError, truncatedDownloadApiError } from './download';
import { TRANSIENT_NETWORK_CODES, discardBody, isConnectionError, isStream, readFailureBody, toHttpFailure, toNodeApiError } from './errors';
import type { HttpFailure } from './errors';
import { pacedRequest, pacerFor, renewalText } from './pacing';
import type { Lease } from './pacing';
import { RedirectRefusedError, isRedirect, nextHop } from './redirects';
import type { Hop } from './redirects';
import { DEFAULT_BACKOFF, backoffDelay, parseRetryAfter } from './retry-after';
import type { BackoffPolicy } from './retry-after';
import type { HttpMethod, ProviderSpec, TransportContext } from './types';
import { canRefreshCredential, isOAuth2Credential, knownSecrets, oauth2SigningData, observedHelpers, signingCredential } from './secrets';
import { abortableSleep } from './wait';
import { RefusedUrlError, checkProviderUrl, originOf } from './url-guard';
import type { UrlPolicy } from './url-guard';

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
	/** See OperationSpec.notFound, for the item: given what the service said. */
	notFound?: (said: string) => { message: string; description: string };
	/**
	 * Whether `url` came from a provider's answer (a download or upload URL): it is checked
	 * (url-guard.ts) before any connection.
	 */
	providerUrl?: boolean;
	/** What a URL from a provider's answer may reach besides public https hosts (see UrlPolicy). */
	urlPolicy?: UrlPolicy;
}

export interface FullResponse {
	statusCode: number;
	headers: Record<string, string | undefined>;
	body: unknown;
	/** The URL that answered: the plan's, or the last redirect's. */
	url?: string;
}


const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

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

/**
 * `signal`, joined with the execution's cancel signal, and a context that hands it to n8n: n8n's
 * `httpRequestWithAuthentication` replaces a request's abort signal with the execution's
 * (`getExecutionCancelSignal`), so the context it is called on answers with the joined one. The
 * context is the node's own (its prototype), with only that method (and `helpers`, and the
 * OAuth2 credential n8n's signing reads through `getCredentials`, when given) in front.
 */
function withAbortSignal(
	ctx: TransportContext,
	signal: AbortSignal,
	helpers?: TransportContext['helpers'],
	oauth2?: { credentialType: string; data: ICredentialDataDecryptedObject },
): { ctx: TransportContext; signal: AbortSignal } {
	const cancellable = ctx as TransportContext & { getExecutionCancelSignal?: () => AbortSignal | undefined };
	const execution = typeof cancellable.getExecutionCancelSignal === 'function' ? cancellable.getExecutionCancelSignal() : undefined;
	const joined = execution ? AbortSignal.any([execution, signal]) : signal;
	const properties: PropertyDescriptorMap = {};
	if (typeof cancellable.getExecutionCancelSignal === 'function') properties.getExecutionCancelSignal = { value: () => joined };
	if (helpers) properties.helpers = { value: helpers };
	if (oauth2) {
		const getCredentials = ctx.getCredentials.bind(ctx) as (type: string, ...rest: unknown[]) => Promise<unknown>;
		properties.getCredentials = { value: async (type: string, ...rest: unknown[]) => (type === oauth2.credentialType ? oauth2.data : await getCredentials(type, ...rest)) };
	}
	return { ctx: Object.keys(properties).length ? (Object.create(ctx, properties) as TransportContext) : ctx, signal: joined };
}

/** How a request is signed: the credential the run read (see signingCredential), or n8n's own OAuth2 read, watched. */
interface Signing {
	credential?: ICredentialsDecrypted;
	oauth2: boolean;
}

/** What URLs from answers may reach: the plan's policy, or by default the host of the API it calls. */
function urlPolicyOf(plan: RequestPlan): UrlPolicy {
	if (plan.urlPolicy) return plan.urlPolicy;
	return plan.providerUrl ? {} : { trustedHost: new URL(plan.url).hostname };
}

/**
 * An answer with an error status, made into an error the way the HTTP client makes one (its
 * `response`, a `request` whose destroy closes the connection, and the `config` it was sent with),
 * for the answers the transport reads itself (see readsStatuses).
 */
class StatusAnswer extends Error {
	constructor(
		readonly response: { status: number; headers: unknown; data: unknown },
		readonly request: { destroy: () => void },
		readonly config: { headers: unknown; auth: unknown },
	) {
		super(`Request failed with status code ${response.status}`);
	}
}

/**
 * Whether errors of this n8n line keep their cause: n8n 2.x's do, so the HTTP error n8n's client
 * throws (body, headers) reaches the transport inside n8n's NodeApiError; n8n 1.x's drop it (a
 * class field `cause` set after the constructor), leaving no provider message, Retry-After or day
 * limit to read.
 */
let causeKept: boolean | undefined;
function errorsKeepTheirCause(ctx: TransportContext): boolean {
	if (causeKept === undefined) {
		const probe = new Error('probe');
		causeKept = new NodeOperationError(ctx.getNode(), probe).cause === probe;
	}
	return causeKept;
}

/**
 * Whether the transport reads the answer's status itself (`ignoreHttpStatusErrors`) instead of
 * letting n8n's client throw on errors. Always for a credential n8n does not renew (a 401 is
 * final: it is not sent again). For one n8n renews (OAuth2, a token made by preAuthentication),
 * n8n must see the 401 itself to renew it: where errors keep their cause (2.x) n8n's client
 * throws; on 1.x the answer is read here, and after a 401 the request goes once more the way n8n
 * renews it (`renewing`; see sendRequest).
 */
function readsStatuses(ctx: TransportContext, provider: ProviderSpec, plan: RequestPlan, renewing: boolean): boolean {
	if (plan.anonymous === true || !canRefreshCredential(provider, plan.credentialType)) return true;
	return !renewing && !errorsKeepTheirCause(ctx);
}

/** One request of an attempt: the first, or the next after a redirect. */
async function sendHop(ctx: TransportContext, plan: RequestPlan, hop: Hop, first: boolean, readStatuses: boolean, signing: Signing): Promise<FullResponse> {
	const checked = hop.checkUrl ? await checkProviderUrl(ctx, hop.url, urlPolicyOf(plan)) : undefined;
	const headers: Record<string, string> = hop.withHeaders ? { ...(plan.headers ?? {}) } : {};
	if (plan.streamResponse) {
		// Files arrive as they are stored: a compressed answer would be decoded and no longer
		// match its Content-Length (bounded.ts says what happens when a server compresses anyway).
		headers['Accept-Encoding'] = 'identity';
	} else if (!Object.keys(headers).some((name) => name.toLowerCase() === 'accept')) {
		headers.Accept = 'application/json';
	}
	if (checked?.hostHeader) headers.Host = checked.hostHeader;
	const options: IHttpRequestOptions = {
		method: hop.method,
		url: checked?.sendUrl ?? hop.url,
		// A redirect's Location carries its own query.
		qs: first ? plan.qs : undefined,
		headers,
		returnFullResponse: true,
		// Every answer is read here, with a bound, from a stream.
		encoding: 'stream',
		json: false,
		// Redirects are followed by sendOnce, which decides what goes where.
		disableFollowRedirect: true,
		sendCredentialsOnCrossOriginRedirect: false,
		// A socket idle this long is dead (axios sets it as the socket's inactivity timeout, so a
		// large transfer that keeps moving is not cut).
		timeout: plan.timeoutMs ?? DEFAULT_TIMEOUT_MS,
	};
	// n8n 1.x neither declares nor needs it: its URLs are never pinned (url-guard.ts).
	if (checked?.servername) (options as IHttpRequestOptions & { agentOptions?: { servername: string } }).agentOptions = { servername: checked.servername };
	// Aborts the request when its answer goes silent (endWhenIdle), or when the execution is cancelled.
	const silence = new AbortController();
	// n8n signs an OAuth2 request with the credential as it reads it: the transport sees what it sends (secrets.ts).
	const observed = hop.withCredential && signing.oauth2 ? observedHelpers(ctx, plan.credentialType) : undefined;
	// ...from a recent read of the run's, not a load and decryption of its own for every request.
	const oauth2Data = observed ? await oauth2SigningData(ctx, plan.credentialType) : undefined;
	const signed = withAbortSignal(ctx, silence.signal, observed?.helpers, oauth2Data ? { credentialType: plan.credentialType, data: oauth2Data } : undefined);
	options.abortSignal = signed.signal;
	const abort = () => silence.abort();
	if (plan.body) options.body = (await plan.body()) as IHttpRequestOptions['body'];
	const statusesHere = readStatuses || !hop.withCredential;
	if (statusesHere) options.ignoreHttpStatusErrors = true;
	const sent = await (hop.withCredential
		? ctx.helpers.httpRequestWithAuthentication.call(
				signed.ctx as IExecuteFunctions,
				plan.credentialType,
				options,
				// The run's one read of the credential: n8n neither loads nor decrypts it again.
				signing.credential ? { credentialsDecrypted: signing.credential } : undefined,
			)
		: ctx.helpers.httpRequest(options)
	).then(
		(answer: { statusCode: number; headers: unknown; body: unknown }) => ({ answer }),
		(error: unknown) => ({ error }),
	);
	observed?.done();
	if ('error' in sent) {
		// An error answer's body is read later (readFailureBody): it may not go silent either.
		const failure = toHttpFailure(sent.error);
		if (isStream(failure.body)) endWhenIdle(failure.body, options.timeout!, () => failure.close?.());
		throw sent.error;
	}
	const response = sent.answer;
	if (statusesHere && (response.statusCode < 200 || response.statusCode >= 300)) {
		if (isStream(response.body)) endWhenIdle(response.body, options.timeout!, abort);
		// What the request carried (n8n's authenticate adds the credential to these options) is
		// blanked out of the error body like a thrown error's (redact.ts sentCredentials).
		const sent = { headers: options.headers, auth: options.auth };
		throw new StatusAnswer({ status: response.statusCode, headers: response.headers, data: response.body }, { destroy: abort }, sent);
	}
	const result: FullResponse = { statusCode: response.statusCode, headers: normaliseHeaders(response.headers), body: response.body, url: hop.url };
	if (isStream(result.body)) {
		endWhenIdle(result.body, options.timeout!, abort);
		if (!plan.streamResponse) result.body = parseAnswer(await readBoundedText(result.body, JSON_BODY_LIMIT_BYTES));
	}
	return result;
}

/** JSON when it is JSON, else the text as it came (expectJson decides whether text is an error). */
function parseAnswer(text: string): unknown {
	if (text.trim() === '') return text;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

/**
 * Sends the plan, following redirects as redirects.ts allows; throws what the last request threw
 * (a redirect that is not followed: RedirectRefusedError).
 */
async function sendOnce(ctx: TransportContext, plan: RequestPlan, readStatuses: boolean, signing: Signing): Promise<FullResponse> {
	const origin = originOf(plan.url);
	let hop: Hop = { url: plan.url, method: plan.method, withCredential: !plan.anonymous, withHeaders: true, checkUrl: plan.providerUrl === true };
	for (let redirects = 0; ; redirects++) {
		const sent = await sendHop(ctx, plan, hop, redirects === 0, readStatuses, signing).then(
			(response) => ({ response }),
			(error: unknown) => ({ error }),
		);
		if ('response' in sent) return sent.response;
		const failure = toHttpFailure(sent.error);
		const location = failure.headers.location;
		if (!isRedirect(failure.statusCode, location)) throw sent.error;
		discardBody(failure);
		plan.releaseBody?.();
		hop = nextHop(hop, failure.statusCode!, location!, origin, redirects, plan.body !== undefined);
	}
}

/** A refusal of redirects.ts, url-guard.ts or bounded.ts in `error` or its causes. */
function refusalIn(error: unknown): Error | undefined {
	const seen = new Set<unknown>();
	for (let current = error; current instanceof Error && !seen.has(current); current = (current as { cause?: unknown }).cause) {
		seen.add(current);
		if (current instanceof RedirectRefusedError || current instanceof RefusedUrlError || current instanceof BodyTooLargeError) return current;
	}
	return undefined;
}

/** The error of an answer or URL the transport refused: never retried, nothing of the request's secrets in it. */
function refusalError(ctx: TransportContext, provider: ProviderSpec, plan: RequestPlan, error: Error, itemIndex: number): NodeApiError {
	const name = provider.displayName;
	if (error instanceof OversizedDownloadError) return oversizedDownloadApiError(ctx, name, error, itemIndex);
	let message: string;
	let description: string;
	if (error instanceof RedirectRefusedError) {
		message = `${name} answered with a redirect to ${error.where}, which was not followed`;
		description =
			`Redirect ${error.status}: ${error.reason}. A credential is sent only to the origin it was made for, and a request is sent elsewhere only as a plain GET without it. ` +
			`If ${name} moved, check the credential's base URL; otherwise the answer did not come from ${name} (a proxy in between, or a compromised host).`;
	} else if (error instanceof RefusedUrlError) {
		const subject = plan.target ?? `an address ${name} gave`;
		message = `${name}: ${subject} leads to ${error.where}, ${error.reason}, so it was not fetched`;
		description =
			`Files are fetched only from public https hosts, or from the host the credential points at (its Base URL Override, for sandboxes and proxies). ` +
			`An address like this one reaches this machine's own network, not ${name}'s storage.`;
	} else {
		message = `${name} sent an answer larger than any answer of this kind should be`;
		description = `${error.message}. Nothing of it was kept.`;
	}
	return new NodeApiError(ctx.getNode(), { message } as JsonObject, { message, description, itemIndex });
}

type AttemptOutcome<T> =
	| { value: T }
	| { error?: unknown; truncated?: TruncatedDownloadError; storeError?: Error; refused?: Error };

/**
 * One attempt; never throws, so the retry loop decides what each kind of failure means. The
 * lease hears of the answer's status and headers as soon as they are there (rate-limit budgets).
 */
async function attemptOnce<T>(
	ctx: TransportContext,
	plan: RequestPlan,
	consume: ((response: FullResponse) => Promise<T>) | undefined,
	lease: Lease,
	readStatuses: boolean,
	signing: Signing,
): Promise<AttemptOutcome<T>> {
	let response: FullResponse;
	try {
		response = await sendOnce(ctx, plan, readStatuses, signing);
	} catch (error) {
		// Not the network failing: an answer or URL this transport will not follow or read (n8n
		// wraps what a credential's own request threw: look through the causes).
		const refused = refusalIn(error);
		if (refused) return { refused };
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
		if (error instanceof OversizedDownloadError) return { refused: error };
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
	// The credential's secrets as the run starts: a provider may echo a token n8n replaces later.
	await knownSecrets(ctx, plan.credentialType);
	const signing: Signing = plan.anonymous
		? { oauth2: false }
		: { credential: await signingCredential(ctx, provider, plan.credentialType), oauth2: isOAuth2Credential(provider, plan.credentialType) };
	let refreshedAfter401 = false;
	let renewing = false;
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
								sentSingleUseBody = isStream(body) || sentSingleUseBody;
								return body;
							}
						: undefined,
				},
				consume,
				lease,
				readsStatuses(ctx, provider, plan, renewing),
				signing,
			);
		} finally {
			lease.release();
		}
		if ('value' in outcome) return outcome.value;
		plan.releaseBody?.();

		let failure: HttpFailure;
		if (outcome.refused) {
			throw refusalError(ctx, provider, plan, outcome.refused, itemIndex);
		}
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
			discardBody(failure);
			ctx.logger.debug('A repeated request found its target gone: the earlier attempt did it', {
				target: describeTarget(plan.url),
				attempt,
			});
			return { statusCode: 404, headers: failure.headers, body: undefined } as T;
		}

		// A 401 n8n did not see (n8n 1.x, readsStatuses): the request goes once more the way n8n
		// renews the credential on a 401 (and then resends it itself, but for a streamed body: below).
		if (failure.statusCode === 401 && !renewing && readsStatuses(ctx, provider, plan, false) && !plan.anonymous && canRefreshCredential(provider, plan.credentialType)) {
			renewing = true;
			discardBody(failure);
			ctx.logger.debug('Sending the request again for n8n to renew the credential', { target: describeTarget(plan.url) });
			continue;
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
			discardBody(failure);
			ctx.logger.debug('Resending a streamed request after the credential was refreshed', {
				target: describeTarget(plan.url),
			});
			continue;
		}

		if (!retryable(failure, plan) || attempt >= policy.maxAttempts) {
			const read = await readFailureBody(ctx, { ...failure, secrets: [...(failure.secrets ?? []), ...(await knownSecrets(ctx, plan.credentialType, true))] });
			const error = toNodeApiError(ctx, provider, read, itemIndex, {
				timeoutMs: plan.timeoutMs ?? DEFAULT_TIMEOUT_MS,
				attempts: attempt,
				target: plan.target,
			});
			if (failure.statusCode === 404 && plan.notFound) {
				const said = error.message;
				const notFound = plan.notFound(said);
				error.message = notFound.message;
				error.description = [notFound.description, `${said}.`, error.description].filter(Boolean).join(' ');
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
			const failed = await readFailureBody(ctx, { ...failure, secrets: [...(failure.secrets ?? []), ...(await knownSecrets(ctx, plan.credentialType, true))] });
			const error = toNodeApiError(ctx, provider, failed, itemIndex, { target: plan.target });
			error.description = `${provider.displayName} asks to wait ${Math.round(retryAfter / 1000)} s before the next request, longer than this node waits. It accepts requests again ${renewalText(Date.now() + retryAfter)}. ${error.description ?? ''}`.trim();
			// The run's other requests to the same place would get the same answer: they fail at once.
			pacer.block(paced, retryAfter, error);
			throw error;
		}
		discardBody(failure);
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
			// A cancelled execution stops waiting at once (on 1.x too: wait.ts).
			const cancel = (ctx as { getExecutionCancelSignal?: () => AbortSignal | undefined }).getExecutionCancelSignal?.();
			await (cancel ? abortableSleep(delay, cancel) : sleep(delay));
		}
	}
}
