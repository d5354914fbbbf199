/**
 * Identity side of the Xero emulator: Bearer tokens, tenants, `GET /connections` and a small
 * OAuth2 token endpoint.
 */
import { randomBytes, randomUUID } from 'crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'http';
import { identityDate, sendJson } from './http-util';

export interface Tenant {
	tenantId: string;
	tenantName: string;
}

export interface OAuthClient {
	clientId: string;
	clientSecret: string;
}

export interface IssuedToken {
	access_token: string;
	refresh_token?: string;
	expires_in: number;
	token_type: 'Bearer';
	scope: string;
}

interface TokenState {
	/** ms since epoch; undefined = never expires. */
	expiresAt?: number;
	expired: boolean;
}

export type AuthResult =
	| { ok: true; token: string }
	| { ok: false; status: 401; detail: string; wwwAuthenticate: string }
	| { ok: false; status: 403 };

const DEFAULT_SCOPE = 'openid profile email accounting.attachments offline_access';

export class AuthState {
	private tokens = new Map<string, TokenState>();
	private refreshTokens = new Set<string>();
	readonly authEventId = randomUUID();
	readonly connections: Array<Tenant & { id: string; createdDateUtc: string; updatedDateUtc: string }>;

	constructor(
		private readonly initialAccessTokens: string[],
		private readonly initialRefreshTokens: string[],
		readonly tenants: Tenant[],
		private readonly tokenTtlSeconds: number,
		private readonly client?: OAuthClient,
	) {
		const now = identityDate(new Date());
		this.connections = tenants.map((t) => ({ ...t, id: randomUUID(), createdDateUtc: now, updatedDateUtc: now }));
		this.reset();
	}

	reset(): void {
		this.tokens = new Map(this.initialAccessTokens.map((t) => [t, { expired: false }]));
		this.refreshTokens = new Set(this.initialRefreshTokens);
	}

	/** Mints a new accepted access token (and refresh token), as the token endpoint does. */
	issue(scope = DEFAULT_SCOPE, withRefreshToken = true): IssuedToken {
		const accessToken = `xat_${randomBytes(24).toString('hex')}`;
		this.tokens.set(accessToken, {
			expired: false,
			expiresAt: Date.now() + this.tokenTtlSeconds * 1000,
		});
		const issued: IssuedToken = {
			access_token: accessToken,
			expires_in: this.tokenTtlSeconds,
			token_type: 'Bearer',
			scope,
		};
		if (withRefreshToken) {
			issued.refresh_token = `xrt_${randomBytes(24).toString('hex')}`;
			this.refreshTokens.add(issued.refresh_token);
		}
		return issued;
	}

	/** From now on the token answers 401 `TokenExpired`, like an access token past its 30 minutes. */
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

	/** Bearer check, then (for the accounting API) the `xero-tenant-id` check. */
	check(headers: IncomingHttpHeaders, needTenant: boolean): AuthResult {
		const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
		const state = match ? this.tokens.get(match[1]) : undefined;
		if (!match || !state) {
			return {
				ok: false,
				status: 401,
				detail: 'AuthenticationUnsuccessful',
				wwwAuthenticate: match ? 'Bearer error="invalid_token"' : 'Bearer',
			};
		}
		if (state.expired || (state.expiresAt !== undefined && Date.now() >= state.expiresAt)) {
			const at = new Date(state.expiresAt ?? Date.now()).toISOString();
			return {
				ok: false,
				status: 401,
				detail: `TokenExpired: token expired at ${at}`,
				wwwAuthenticate: `Bearer error="invalid_token", error_description="The token expired at '${at}'"`,
			};
		}
		if (needTenant) {
			const tenantId = String(headers['xero-tenant-id'] ?? '').trim().toLowerCase();
			if (!this.tenants.some((t) => t.tenantId.toLowerCase() === tenantId)) {
				return { ok: false, status: 403 };
			}
		}
		return { ok: true, token: match[1] };
	}

	/** The `POST /identity/connect/token` endpoint (form-encoded body, RFC 6749). */
	tokenEndpoint(res: ServerResponse, headers: IncomingHttpHeaders, body: Buffer | undefined): void {
		const form = new URLSearchParams((body ?? Buffer.alloc(0)).toString('utf8'));
		if (this.client && !this.clientAuthenticated(headers, form)) {
			return sendJson(res, 400, { error: 'invalid_client' });
		}
		const scope = form.get('scope') ?? DEFAULT_SCOPE;
		switch (form.get('grant_type')) {
			case 'refresh_token': {
				// Xero rotates refresh tokens; the old one stays usable for a grace period, so it is kept.
				if (!this.refreshTokens.has(form.get('refresh_token') ?? '')) {
					return sendJson(res, 400, { error: 'invalid_grant' });
				}
				return sendJson(res, 200, this.issue(scope), { 'Cache-Control': 'no-store' });
			}
			case 'authorization_code':
				if (!form.get('code')) return sendJson(res, 400, { error: 'invalid_grant' });
				return sendJson(res, 200, this.issue(scope), { 'Cache-Control': 'no-store' });
			case 'client_credentials':
				return sendJson(res, 200, this.issue(scope, false), { 'Cache-Control': 'no-store' });
			default:
				return sendJson(res, 400, { error: 'unsupported_grant_type' });
		}
	}

	private clientAuthenticated(headers: IncomingHttpHeaders, form: URLSearchParams): boolean {
		let id = form.get('client_id');
		let secret = form.get('client_secret');
		const basic = /^Basic\s+(\S+)$/i.exec(headers.authorization ?? '');
		if (basic) {
			const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
			const colon = decoded.indexOf(':');
			id = decodeURIComponent(decoded.slice(0, colon));
			secret = decodeURIComponent(decoded.slice(colon + 1));
		}
		return id === this.client?.clientId && secret === this.client?.clientSecret;
	}

	/** `GET /connections` per xero-identity.yaml. */
	listConnections(res: ServerResponse, query: URLSearchParams): void {
		const authEventId = query.get('authEventId');
		if (authEventId && authEventId.toLowerCase() !== this.authEventId) return sendJson(res, 200, []);
		sendJson(
			res,
			200,
			this.connections.map((c) => ({
				id: c.id,
				authEventId: this.authEventId,
				tenantId: c.tenantId,
				tenantType: 'ORGANISATION',
				tenantName: c.tenantName,
				createdDateUtc: c.createdDateUtc,
				updatedDateUtc: c.updatedDateUtc,
			})),
		);
	}
}

/** Xero's problem-details bodies for 401 and 403. */
export function sendAuthFailure(res: ServerResponse, result: Exclude<AuthResult, { ok: true }>): void {
	const body = (title: string, detail: string) => ({
		Type: null,
		Title: title,
		Status: result.status,
		Detail: detail,
		Instance: randomUUID(),
		Extensions: {},
	});
	if (result.status === 401) {
		sendJson(res, 401, body('Unauthorized', result.detail), { 'WWW-Authenticate': result.wwwAuthenticate });
	} else {
		sendJson(res, 403, body('Forbidden', 'AuthenticationUnsuccessful'));
	}
}
