/**
 * Turning what a failed request threw into a clear NodeApiError that carries the provider's own
 * message, and nothing of the request (its headers hold the credential).
 */
import { NodeApiError } from 'n8n-workflow';
import type { IDataObject, JsonObject } from 'n8n-workflow';

import { normaliseHeaders } from './headers';
import { redact, sentCredentials } from './redact';
import type { BinaryStream, ProviderError, ProviderSpec, TransportContext } from './types';

/** Network failures after which the server may or may not have acted on the request. */
export const TRANSIENT_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'ESOCKETTIMEDOUT',
	'ERR_STREAM_PREMATURE_CLOSE',
	'EAI_AGAIN',
]);

/** Whether `error` is the network giving way (a reset, a timeout, a body that stopped short). */
export function isConnectionError(error: unknown): boolean {
	const { code, message } = (error ?? {}) as { code?: string; message?: string };
	return (code !== undefined && TRANSIENT_NETWORK_CODES.has(code)) || message === 'aborted';
}

/** What we know of a failed exchange, from an HTTP status or from the network. */
export interface HttpFailure {
	statusCode?: number;
	headers: Record<string, string | undefined>;
	/** Parsed JSON, text, or a stream still to read (downloads). */
	body?: unknown;
	/** Network error code such as ECONNRESET, ETIMEDOUT, ECONNABORTED. */
	code?: string;
	message: string;
	/** What the request's Authorization carried, blanked out of whatever the provider echoes back. */
	secrets?: string[];
	/**
	 * Closes the connection of the failed request (its body may be endless or silent; the HTTP
	 * client's own abort no longer reaches a request it has settled).
	 */
	close?: () => void;
}

interface ErrorLike {
	message?: string;
	code?: string;
	cause?: unknown;
	httpCode?: string | null;
	response?: { status?: number; headers?: Record<string, unknown>; data?: unknown };
	/** The HTTP client's request (axios puts it on its errors). */
	request?: { destroy?: (error?: Error) => void };
}

/**
 * n8n wraps the HTTP client's error in a NodeApiError (OAuth2 requests sometimes throw it bare);
 * the response, when there was one, sits on the client's error.
 */
export function toHttpFailure(error: unknown): HttpFailure {
	const seen = new Set<unknown>();
	let current = error as ErrorLike | undefined;
	while (current && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		if (current.response && typeof current.response === 'object') {
			const status = current.response.status;
			if (status !== undefined && status < 300) {
				// A success status whose body broke off on the way: the network failed, not the call.
				return {
					headers: normaliseHeaders(current.response.headers),
					code: current.code && TRANSIENT_NETWORK_CODES.has(current.code) ? current.code : 'ERR_STREAM_PREMATURE_CLOSE',
					message: current.message ?? 'The answer broke off',
				};
			}
			const request = current.request;
			return {
				statusCode: current.response.status,
				headers: normaliseHeaders(current.response.headers),
				body: current.response.data,
				code: current.code,
				message: current.message ?? 'Request failed',
				secrets: sentCredentials(error),
				close: typeof request?.destroy === 'function' ? () => request.destroy!() : undefined,
			};
		}
		if (typeof current.code === 'string' && /^E[A-Z_]+$/.test(current.code)) {
			return { headers: {}, code: current.code, message: current.message ?? current.code };
		}
		current = current.cause as ErrorLike | undefined;
	}
	const base = error as ErrorLike | undefined;
	const statusCode = base?.httpCode ? Number(base.httpCode) : undefined;
	return { statusCode: Number.isFinite(statusCode) ? statusCode : undefined, headers: {}, message: base?.message ?? String(error) };
}

export function isStream(value: unknown): value is BinaryStream {
	return typeof value === 'object' && value !== null && typeof (value as { pipe?: unknown }).pipe === 'function';
}

const ERROR_BODY_LIMIT = 64 * 1024;

/** Reads at most 64 KiB of an error body: enough for any message, bounded for any server. */
async function readSmallStream(stream: BinaryStream): Promise<string> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of stream) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
		chunks.push(buffer);
		size += buffer.length;
		if (size >= ERROR_BODY_LIMIT) {
			stream.destroy();
			break;
		}
	}
	return Buffer.concat(chunks).toString('utf8').slice(0, ERROR_BODY_LIMIT);
}

/** Error bodies of streamed requests arrive as streams; read them (they are small) and parse. */
export async function readFailureBody(ctx: TransportContext, failure: HttpFailure): Promise<HttpFailure> {
	let body = failure.body;
	if (isStream(body)) {
		try {
			body = await readSmallStream(body);
		} catch {
			body = undefined;
		}
	}
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	if (typeof body === 'string') {
		try {
			body = JSON.parse(body);
		} catch {
			// Not JSON: keep the text, providers sometimes answer in plain text.
		}
	}
	return { ...failure, body };
}

/**
 * Drops the body of a failed request we are not going to read: its connection is closed (a body
 * may be endless), or, when the client gave no handle on it, the body is left to drain.
 */
export function discardBody(failure: HttpFailure): void {
	if (!isStream(failure.body)) return;
	if (!failure.close) return void failure.body.resume();
	failure.close();
	// Ends the body too (its watchers stop): it is not going to be read.
	failure.body.destroy();
}

const STATUS_HINTS: Record<number, string> = {
	401: 'Check the credential: the token may have expired or been revoked.',
	403: 'The credential is not allowed to do this: check its scopes and the organization or workspace selected.',
	404: 'Check the IDs and names used: the record or file was not found.',
	413: 'The file is larger than the service accepts.',
	415: 'The service does not accept this file type.',
	429: 'The service is rate limiting requests; try again later or lower the number of items per run.',
};

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT']);
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/** What went wrong on the network, in words, when no HTTP status came back. */
function networkMessage(
	providerName: string,
	failure: HttpFailure,
	timeoutMs: number | undefined,
	target: string | undefined,
): { message: string; description?: string } {
	const code = failure.code ?? '';
	// A URL the provider handed out (an upload or download URL) is not the credential's to fix.
	const subject = target ?? providerName;
	const Subject = subject.charAt(0).toUpperCase() + subject.slice(1);
	const where = target
		? `That address came from ${providerName}'s own answer, not from the credential, so the credential's base URL or region is not the cause. Try again later; if it keeps failing, check that n8n can reach that host (proxy, firewall, DNS).`
		: 'Check the base URL or region of the credential.';
	if (TIMEOUT_CODES.has(code) || /timeout/i.test(failure.message)) {
		const limit = timeoutMs !== undefined ? ` in ${timeoutMs} ms` : '';
		return {
			message: `${Subject} did not respond${limit} (timeout)`,
			description: 'The server sent nothing for longer than the node\'s Timeout option allows. Try again later, or raise Options > Timeout.',
		};
	}
	// No error code in the messages: n8n swaps a message naming one for a generic sentence.
	if (DROPPED_CODES.has(code) || failure.message === 'aborted' || /socket hang up/i.test(failure.message)) {
		return { message: `${Subject} closed the connection before answering` };
	}
	if (code === 'ECONNREFUSED') {
		return {
			message: target ? `Could not reach ${target} (connection refused)` : `Could not connect to ${providerName} (connection refused)`,
			description: where,
		};
	}
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
		return {
			message: target
				? `Could not reach ${target}: its host name did not resolve`
				: `Could not find the ${providerName} server (its name did not resolve)`,
			description: where,
		};
	}
	return { message: `Could not reach ${subject}: ${failure.message}`, ...(target ? { description: where } : {}) };
}

export interface FailureContext {
	/** The timeout the request had, to say so when it ran out. */
	timeoutMs?: number;
	/** Attempts made, said in the error when more than one. */
	attempts?: number;
	/** What was called when it is not the API at the credential's address (see OperationSpec.target). */
	target?: string;
}

/** A NodeApiError with the provider's message and the HTTP status, and no request details. */
export function toNodeApiError(
	ctx: TransportContext,
	provider: ProviderSpec,
	failure: HttpFailure,
	itemIndex: number,
	context: FailureContext = {},
): NodeApiError {
	// Some servers echo the request's headers in their errors; n8n stores and logs this error.
	failure = { ...failure, body: redact(failure.body, failure.secrets ?? []) };
	const status = failure.statusCode;
	const parsed: ProviderError = status !== undefined ? { ...provider.parseError(failure.body, status) } : {};
	let message: string;
	if (parsed.message) {
		message = `${provider.displayName}: ${parsed.message}`;
	} else if (status !== undefined) {
		const text =
			typeof failure.body === 'string' && failure.body.trim() !== '' && failure.body.length < 300 ? `: ${failure.body.trim()}` : '';
		message = `${provider.displayName} answered ${status}${text}`;
	} else {
		const network = networkMessage(provider.displayName, failure, context.timeoutMs, context.target);
		message = network.message;
		if (network.description) parsed.details = [...(parsed.details ?? []), network.description];
	}
	const descriptionParts = [...(parsed.details ?? [])];
	if (status !== undefined && STATUS_HINTS[status]) descriptionParts.push(STATUS_HINTS[status]);
	if (context.attempts !== undefined && context.attempts > 1) descriptionParts.push(`Gave up after ${context.attempts} attempts.`);
	const errorResponse: IDataObject = { message, httpCode: status ?? null };
	if (failure.body !== undefined && !isStream(failure.body)) errorResponse.body = failure.body as IDataObject;
	return new NodeApiError(ctx.getNode(), errorResponse as JsonObject, {
		message,
		description: descriptionParts.length ? descriptionParts.join(' ') : undefined,
		httpCode: status !== undefined ? String(status) : undefined,
		itemIndex,
	});
}
