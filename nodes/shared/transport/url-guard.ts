/**
 * URLs that come from a provider's answer (a download or upload URL, a redirect's Location) are
 * checked before any connection: http(s) without a user name or password, https unless they are
 * on the host the credential points at, and never an address a public service cannot have
 * (addresses.ts). A host name is resolved first, every address it has checked, and the request
 * then goes to the checked address itself, so a DNS answer that changes between the check and
 * the connection (DNS rebinding) changes nothing.
 *
 * Names are resolved through n8n's own egress filter (`getSecureEgressFilter`, n8n 2.x), which
 * also applies n8n's SSRF protection where the instance turns it on. n8n 1.x gives nodes no
 * resolver (and the verification rules allow nodes no `dns`): there a host name passes on the
 * checks of its form, and an address written out is checked as above.
 */
import { isIpLiteral, nonPublicReason } from './addresses';

export interface UrlPolicy {
	/**
	 * Host name of the API base the credential points at: the provider's own host, or a sandbox
	 * or proxy the user chose as Base URL Override. URLs on it are as trusted as the API.
	 */
	trustedHost?: string;
	/**
	 * Whether any host may be reached, over http too: for a URL the user gave and allowed onto
	 * their own network (Source "URL" with "Allow Internal Addresses"), never for one a provider gave.
	 */
	allowNonPublic?: boolean;
}

/** Where a request is to go, once its URL passed the checks. */
export interface CheckedUrl {
	/** The URL to send to: the one given, or with the checked address in place of the host name. */
	sendUrl: string;
	/** With an address in place of the name: the Host header and TLS server name of the original. */
	hostHeader?: string;
	servername?: string;
}

/** A URL from a provider's answer that is not fetched, and why. */
export class RefusedUrlError extends Error {
	constructor(
		/** `host:port` (or less) of the URL: never its path or query, which may hold a signature. */
		readonly where: string,
		readonly reason: string,
	) {
		super(`${where} is ${reason}`);
	}
}

interface LookupAddress {
	address: string;
	family: number;
}
type Lookup = (
	hostname: string,
	options: { all: true },
	callback: (error: Error | null, addresses: LookupAddress[] | string, family?: number) => void,
) => void;

/** The part of a node's context this needs (n8n 2.x's egress filter, when there is one). */
export interface ResolverContext {
	helpers: object;
}

/** n8n's resolver for nodes, or undefined where n8n has none (1.x). */
function resolverOf(ctx: ResolverContext): Lookup | undefined {
	const helpers = ctx.helpers as { getSecureEgressFilter?: (policy?: string) => { createSecureLookup?: () => unknown } };
	if (typeof helpers.getSecureEgressFilter !== 'function') return undefined;
	const lookup = helpers.getSecureEgressFilter('safe')?.createSecureLookup?.();
	return typeof lookup === 'function' ? (lookup as Lookup) : undefined;
}

async function resolve(lookup: Lookup, hostname: string): Promise<LookupAddress[]> {
	return await new Promise((done, fail) =>
		lookup(hostname, { all: true }, (error, addresses) => {
			if (error) fail(error);
			else done(Array.isArray(addresses) ? addresses : [{ address: String(addresses), family: String(addresses).includes(':') ? 6 : 4 }]);
		}),
	);
}

/** Names that are never a public service's, whatever they resolve to. */
function localNameReason(hostname: string): string | undefined {
	if (!hostname.includes('.')) return 'a name without a domain (it resolves only inside a network)';
	if (/(^|\.)(localhost|local|internal|home\.arpa)\.?$/i.test(hostname)) return 'a local network name';
	return undefined;
}

/** `raw` (relative to `base`) as a URL, or undefined when it is not one. */
export function parseUrl(raw: string, base?: string): URL | undefined {
	try {
		return new URL(raw, base);
	} catch {
		return undefined;
	}
}

function describe(url: URL): string {
	return url.host || url.protocol;
}

/** The URL's host without IPv6 brackets, lower-cased. */
function bareHost(url: URL): string {
	return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/**
 * Checks `raw` as a URL a provider handed out; throws RefusedUrlError when it may not be fetched,
 * otherwise says where to send the request.
 */
export async function checkProviderUrl(ctx: ResolverContext, raw: string, policy: UrlPolicy): Promise<CheckedUrl> {
	const url = parseUrl(raw);
	if (!url) throw new RefusedUrlError('the address given', 'not a valid URL');
	if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RefusedUrlError(describe(url), `not an http(s) URL (${url.protocol})`);
	if (url.username || url.password) throw new RefusedUrlError(describe(url), 'a URL with a user name or password in it');
	const host = bareHost(url);
	if (policy.allowNonPublic) return { sendUrl: url.href };
	if (policy.trustedHost && host === policy.trustedHost.replace(/^\[|\]$/g, '').toLowerCase()) return { sendUrl: url.href };
	if (url.protocol !== 'https:') throw new RefusedUrlError(describe(url), 'not https (only the credential\'s own host may be reached over plain http)');
	if (isIpLiteral(host)) {
		const reason = nonPublicReason(host);
		if (reason) throw new RefusedUrlError(describe(url), reason);
		return { sendUrl: url.href };
	}
	const localReason = localNameReason(host);
	if (localReason) throw new RefusedUrlError(describe(url), localReason);
	const lookup = resolverOf(ctx);
	if (!lookup) return { sendUrl: url.href };
	const addresses = await resolve(lookup, host).catch((error: Error) => error);
	if (addresses instanceof Error) {
		throw new RefusedUrlError(describe(url), `a host that could not be resolved or is not allowed (${addresses.message})`);
	}
	if (addresses.length === 0) throw new RefusedUrlError(describe(url), 'a host with no address');
	for (const { address } of addresses) {
		const reason = nonPublicReason(address);
		if (reason) throw new RefusedUrlError(describe(url), `a name for ${reason}`);
	}
	const { address, family } = addresses[0];
	const pinned = new URL(url.href);
	pinned.hostname = family === 6 || address.includes(':') ? `[${address}]` : address;
	return { sendUrl: pinned.href, hostHeader: url.host, servername: url.hostname };
}

/** `scheme://host:port` of a URL (the port always written), for telling one origin from another. */
export function originOf(raw: string): string {
	const url = new URL(raw);
	const port = url.port || (url.protocol === 'https:' ? '443' : url.protocol === 'http:' ? '80' : '');
	return `${url.protocol}//${bareHost(url)}:${port}`;
}

/** `host:port` of a URL for messages: no path, no query (a signature may be in it), no user info. */
export function whereOf(raw: string): string {
	const url = parseUrl(raw);
	return url ? describe(url) : 'an address that is not a valid URL';
}
