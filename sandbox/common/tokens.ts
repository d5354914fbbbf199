/**
 * The bearer tokens of an emulator with an OAuth2 token endpoint (Asana, Xero): those it was
 * started with, those its token endpoint mints (expiring after the TTL), tokens a test expires or
 * revokes, and the refresh tokens the endpoint accepts.
 */
import type { IncomingHttpHeaders } from 'http';

export interface TokenState<K> {
	kind: K;
	expired: boolean;
	/** ms since epoch; undefined = never expires. */
	expiresAt?: number;
}

export class BearerTokens<K> {
	protected tokens = new Map<string, TokenState<K>>();
	protected refreshTokens = new Set<string>();

	constructor(
		/** The tokens a reset brings back, each of its kind. */
		private readonly initialTokens: ReadonlyArray<readonly [string, K]>,
		private readonly initialRefreshTokens: string[],
		protected readonly tokenTtlSeconds: number,
	) {
		this.resetTokens();
	}

	protected resetTokens(): void {
		this.tokens = new Map(this.initialTokens.map(([token, kind]) => [token, { kind, expired: false }]));
		this.refreshTokens = new Set(this.initialRefreshTokens);
	}

	/** The token of an `Authorization: Bearer …` header and its state (undefined when unknown). */
	protected bearer(headers: IncomingHttpHeaders): { token?: string; state?: TokenState<K> } {
		const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
		return match ? { token: match[1], state: this.tokens.get(match[1]) } : {};
	}

	/** Whether a token's time is up (expired by a test, or past its TTL). */
	protected static isExpired(state: TokenState<unknown>): boolean {
		return state.expired || (state.expiresAt !== undefined && Date.now() >= state.expiresAt);
	}

	/** Records a minted access token (valid for the TTL) and, when given, its refresh token. */
	protected mint(accessToken: string, kind: K, refreshToken?: string): void {
		this.tokens.set(accessToken, { kind, expired: false, expiresAt: Date.now() + this.tokenTtlSeconds * 1000 });
		if (refreshToken) this.refreshTokens.add(refreshToken);
	}

	/** From now on the token is refused as expired. */
	expire(token: string): void {
		const state = this.tokens.get(token);
		if (state) state.expired = true;
	}

	revoke(token: string): void {
		this.tokens.delete(token);
		this.refreshTokens.delete(token);
	}

	acceptedTokens(): string[] {
		return [...this.tokens.keys()];
	}
}

/**
 * Whether a token request names the registered client (RFC 6749, 2.3.1): `client_id` and
 * `client_secret` in the form, or the same in `Authorization: Basic`, which wins.
 */
export function clientAuthenticated(headers: IncomingHttpHeaders, form: URLSearchParams, client: { clientId: string; clientSecret: string } | undefined): boolean {
	let id = form.get('client_id');
	let secret = form.get('client_secret');
	const basic = /^Basic\s+(\S+)$/i.exec(headers.authorization ?? '');
	if (basic) {
		const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		id = decodeURIComponent(decoded.slice(0, colon));
		secret = decodeURIComponent(decoded.slice(colon + 1));
	}
	return id === client?.clientId && secret === client?.clientSecret;
}
