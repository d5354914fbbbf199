/**
 * Redirects, followed by the transport itself and never by the HTTP client: n8n's client puts the
 * Authorization back on a redirect to another host, and keeps other headers (a tenant or site ID,
 * a media token) whatever the host. Here a credential goes only to the origin (scheme, host, port)
 * the request was made for:
 * - to the same origin, the next request is the same request (the credential signs it again);
 * - to another origin, only a GET (or HEAD) is followed, as a new request without the credential
 *   and without the request's own headers, to a URL checked like any URL from a provider's answer;
 *   a DELETE, POST or PUT is never replayed there;
 * - a request with a body (an upload, a JSON or form call) is never redirected: it is sent once.
 */
import { originOf, parseUrl, whereOf } from './url-guard';
import type { HttpMethod } from './types';

/** At most this many redirects for one request (browsers allow 20; no provider here needs more than one). */
export const MAX_REDIRECTS = 5;

export interface Hop {
	url: string;
	method: HttpMethod;
	/** Whether the request is signed with the credential. */
	withCredential: boolean;
	/** Whether the request's own headers go along (only to the origin they were made for). */
	withHeaders: boolean;
	/** Whether the URL must pass the checks of a URL from a provider's answer before any connection. */
	checkUrl: boolean;
}

/** A redirect that is not followed, and why (no path or query of either URL in it). */
export class RedirectRefusedError extends Error {
	constructor(
		readonly status: number,
		readonly where: string,
		readonly reason: string,
	) {
		super(`a redirect (${status}) to ${where} was not followed: ${reason}`);
	}
}

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

export function isRedirect(status: number | undefined, location: string | undefined): boolean {
	return status !== undefined && REDIRECT_STATUS.has(status) && typeof location === 'string' && location.trim() !== '';
}

/**
 * The request to send after `current` was answered `status` with `location`, or a
 * RedirectRefusedError. `origin` is the origin of the request as first sent; `hops` counts the
 * redirects so far; `hasBody` whether the request sends a body.
 */
export function nextHop(current: Hop, status: number, location: string, origin: string, hops: number, hasBody: boolean): Hop {
	const parsed = parseUrl(location.trim(), current.url);
	if (!parsed) throw new RedirectRefusedError(status, 'an address that is not a valid URL', 'the Location is not a URL');
	const target = parsed.href;
	const where = whereOf(target);
	if (hops >= MAX_REDIRECTS) throw new RedirectRefusedError(status, where, `more than ${MAX_REDIRECTS} redirects in a row`);
	if (!/^https?:$/.test(parsed.protocol)) throw new RedirectRefusedError(status, where, 'it is not an http(s) URL');
	if (hasBody) throw new RedirectRefusedError(status, where, 'a request with a body (an upload, a form) is not redirected: its body is sent once');
	// 303 turns any request but HEAD into a GET, as 301 and 302 do a POST (what browsers do).
	const method: HttpMethod = status === 303 || ((status === 301 || status === 302) && current.method === 'POST') ? 'GET' : current.method;
	const sameOrigin = originOf(target) === origin;
	if (sameOrigin) return { ...current, url: target, method };
	if (method !== 'GET') {
		throw new RedirectRefusedError(status, where, `a ${method} is not sent to another host than the one it was made for`);
	}
	return { url: target, method, withCredential: false, withHeaders: false, checkUrl: true };
}
