/**
 * Identity side of the Xero emulator: Bearer tokens, tenants, `GET /connections` and a small
 * OAuth2 token endpoint.
 */
import { randomBytes, randomUUID } from 'crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'http';

import { BearerTokens, clientAuthenticated } from '../common/tokens';
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

export type AuthResult =
	| { ok: true; token: string }
	| { ok: false; status: 401; detail: string; wwwAuthenticate: string }
	| { ok: false; status: 403 };

const DEFAULT_SCOPE = 'openid profile email accounting.attachments offline_access';

export class AuthState extends BearerTokens<'access'> {
	readonly authEventId = randomUUID();
	readonly connections: Array<Tenant & { id: string; createdDateUtc: string; updatedDateUtc: string }>;

	constructor(
		accessTokens: string[],
		refreshTokens: string[],
		readonly tenants: Tenant[],
		tokenTtlSeconds: number,
		private readonly client?: OAuthClient,
	) {
		super(
			accessTokens.map((token) => [token, 'access'] as const),
			refreshTokens,
			tokenTtlSeconds,
		);
		const now = identityDate(new Date());
		this.connections = tenants.map((t) => ({ ...t, id: randomUUID(), createdDateUtc: now, updatedDateUtc: now }));
	}

	reset(): void {
		this.resetTokens();
	}

	/** Mints a new accepted access token (and refresh token), as the token endpoint does. */
	issue(scope = DEFAULT_SCOPE, withRefreshToken = true): IssuedToken {
		const accessToken = `xat_${randomBytes(24).toString('hex')}`;
		const issued: IssuedToken = {
			access_token: accessToken,
			expires_in: this.tokenTtlSeconds,
			token_type: 'Bearer',
			scope,
		};
		if (withRefreshToken) issued.refresh_token = `xrt_${randomBytes(24).toString('hex')}`;
		this.mint(accessToken, 'access', issued.refresh_token);
		return issued;
	}

	/** Bearer check, then (for the accounting API) the `xero-tenant-id` check. */
	check(headers: IncomingHttpHeaders, needTenant: boolean): AuthResult {
		const { token, state } = this.bearer(headers);
		if (!token || !state) {
			return {
				ok: false,
				status: 401,
				detail: 'AuthenticationUnsuccessful',
				wwwAuthenticate: token ? 'Bearer error="invalid_token"' : 'Bearer',
			};
		}
		if (BearerTokens.isExpired(state)) {
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
		return { ok: true, token };
	}

	/** The `POST /identity/connect/token` endpoint (form-encoded body, RFC 6749). */
	tokenEndpoint(res: ServerResponse, headers: IncomingHttpHeaders, body: Buffer | undefined): void {
		const form = new URLSearchParams((body ?? Buffer.alloc(0)).toString('utf8'));
		if (this.client && !clientAuthenticated(headers, form, this.client)) {
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
