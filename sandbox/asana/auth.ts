/**
 * Credentials side of the Asana emulator: personal access tokens and OAuth access tokens (Bearer),
 * and the OAuth endpoints `GET /-/oauth_authorize` (approves at once, for sandboxes) and
 * `POST /-/oauth_token` (authorization_code and refresh_token grants, as Asana answers them:
 * the user in `data`, no new refresh token on a refresh).
 */
import { randomBytes } from 'crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'http';

import { jsonReply, writeReply } from '../common/http';
import { BearerTokens, clientAuthenticated } from '../common/tokens';
import type { User } from './store';

export type TokenKind = 'personalAccessToken' | 'oauth';

export interface OAuthClient {
	clientId: string;
	clientSecret: string;
}

export interface IssuedToken {
	access_token: string;
	token_type: 'bearer';
	expires_in: number;
	refresh_token?: string;
	data: { id: number; gid: string; name: string; email: string };
}

export type AuthCheck = { ok: true; token: string; kind: TokenKind } | { ok: false };

export class AsanaAuth extends BearerTokens<TokenKind> {
	private codes = new Set<string>();

	constructor(
		personalAccessTokens: string[],
		oauthTokens: string[],
		refreshTokens: string[],
		private readonly user: User,
		tokenTtlSeconds: number,
		private readonly client?: OAuthClient,
	) {
		super(
			[...personalAccessTokens.map((token) => [token, 'personalAccessToken'] as const), ...oauthTokens.map((token) => [token, 'oauth'] as const)],
			refreshTokens,
			tokenTtlSeconds,
		);
	}

	reset(): void {
		this.resetTokens();
		this.codes.clear();
	}

	check(headers: IncomingHttpHeaders): AuthCheck {
		const { token, state } = this.bearer(headers);
		if (!token || !state || BearerTokens.isExpired(state)) return { ok: false };
		return { ok: true, token, kind: state.kind };
	}

	/** Mints an OAuth access token (and a refresh token unless asked not to), as the token endpoint does. */
	issue(withRefreshToken = true): IssuedToken {
		const accessToken = `2/${this.user.gid}/${Date.now()}:${randomBytes(16).toString('hex')}`;
		const issued: IssuedToken = {
			access_token: accessToken,
			token_type: 'bearer',
			expires_in: this.tokenTtlSeconds,
			data: { id: Number(this.user.gid), gid: this.user.gid, name: this.user.name, email: this.user.email },
		};
		if (withRefreshToken) issued.refresh_token = `2/${this.user.gid}/${randomBytes(16).toString('hex')}`;
		this.mint(accessToken, 'oauth', issued.refresh_token);
		return issued;
	}

	/** `GET /-/oauth_authorize`: approves at once, redirecting to `redirect_uri` with a code. */
	authorize(res: ServerResponse, query: URLSearchParams): void {
		const redirectUri = query.get('redirect_uri');
		if (query.get('response_type') !== 'code' || !redirectUri || !/^https?:\/\//i.test(redirectUri)) {
			return writeReply(res, jsonReply(400, { error: 'invalid_request', error_description: 'response_type=code and an http(s) redirect_uri are required' }));
		}
		if (this.client && query.get('client_id') !== this.client.clientId) {
			return writeReply(res, jsonReply(400, { error: 'invalid_client', error_description: 'Unknown client_id' }));
		}
		const code = randomBytes(12).toString('hex');
		this.codes.add(code);
		const target = new URL(redirectUri);
		target.searchParams.set('code', code);
		const state = query.get('state');
		if (state !== null) target.searchParams.set('state', state);
		res.writeHead(302, { Location: target.toString(), 'Content-Length': '0' });
		res.end();
	}

	/** `POST /-/oauth_token` (form-encoded, client credentials in the body or a Basic header). */
	tokenEndpoint(res: ServerResponse, headers: IncomingHttpHeaders, body: Buffer | undefined): void {
		const form = new URLSearchParams((body ?? Buffer.alloc(0)).toString('utf8'));
		const fail = (error: string, description: string) =>
			writeReply(res, jsonReply(400, { error, error_description: description }, { 'Cache-Control': 'no-store' }));
		if (this.client && !clientAuthenticated(headers, form, this.client)) return fail('invalid_client', 'The client credentials are not valid');
		const ok = (token: IssuedToken) => writeReply(res, jsonReply(200, token, { 'Cache-Control': 'no-store' }));
		switch (form.get('grant_type')) {
			case 'authorization_code': {
				const code = form.get('code') ?? '';
				if (!this.codes.delete(code)) return fail('invalid_grant', 'The authorization code is not valid');
				return ok(this.issue(true));
			}
			case 'refresh_token':
				// Asana keeps refresh tokens: the answer to a refresh carries none.
				if (!this.refreshTokens.has(form.get('refresh_token') ?? '')) return fail('invalid_grant', 'The refresh token is not valid');
				return ok(this.issue(false));
			default:
				return fail('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
		}
	}
}
