/**
 * Identity side of the Wix emulator: API keys (raw in `Authorization`, with `wix-site-id`),
 * Wix apps exchanging app ID + secret + instance ID for expiring access tokens at
 * `POST /oauth2/token`, and the checks of every API call.
 */
import { randomBytes } from 'crypto';
import type { IncomingHttpHeaders } from 'http';
import { type Reply, applicationError, jsonReply } from './http';

export interface WixApiKey {
	key: string;
	/** The site the key's calls reach (`wix-site-id` must name it). */
	siteId: string;
}

export interface WixAppInstance {
	instanceId: string;
	siteId: string;
}

export interface WixApp {
	appId: string;
	appSecret: string;
	/** The sites the app is installed on. */
	instances: WixAppInstance[];
}

/** The body of a successful Create Access Token call. */
export interface IssuedToken {
	access_token: string;
	token_type: 'Bearer';
	expires_in: number;
}

interface TokenState {
	appId: string;
	instanceId: string;
	siteId: string;
	/** ms since epoch. */
	expiresAt: number;
	expired: boolean;
}

export type AuthResult = { ok: true; siteId: string; identity: 'apiKey' | 'app' } | { ok: false; reply: Reply };

const unauthenticated = (description: string): AuthResult => ({
	ok: false,
	reply: applicationError(401, 'UNAUTHENTICATED', 'UNAUTHENTICATED', description),
});

export class AuthState {
	private tokens = new Map<string, TokenState>();
	/** Bodies of the token endpoint's requests, parsed (what the client sent). */
	readonly tokenRequests: Array<Record<string, unknown>> = [];

	constructor(
		readonly apiKeys: WixApiKey[],
		readonly apps: WixApp[],
		private readonly tokenTtlSeconds: number,
	) {}

	reset(): void {
		this.tokens.clear();
		this.tokenRequests.length = 0;
	}

	/** Mints an access token for an app instance, as the token endpoint does. */
	issue(appId: string, instanceId: string): IssuedToken {
		const app = this.apps.find((candidate) => candidate.appId === appId);
		const instance = app?.instances.find((candidate) => candidate.instanceId === instanceId);
		if (!app || !instance) throw new RangeError(`No app ${appId} installed on instance ${instanceId}`);
		const accessToken = `OauthNG.JWS.${randomBytes(24).toString('base64url')}`;
		this.tokens.set(accessToken, {
			appId,
			instanceId,
			siteId: instance.siteId,
			expiresAt: Date.now() + this.tokenTtlSeconds * 1000,
			expired: false,
		});
		return { access_token: accessToken, token_type: 'Bearer', expires_in: this.tokenTtlSeconds };
	}

	/** From now on the token gets 401, as one past its 4 hours. */
	expire(token: string): void {
		const state = this.tokens.get(token);
		if (state) state.expired = true;
	}

	expireAll(): void {
		for (const state of this.tokens.values()) state.expired = true;
	}

	revoke(token: string): void {
		this.tokens.delete(token);
	}

	/** Tokens that are still accepted. */
	acceptedTokens(): string[] {
		const now = Date.now();
		return [...this.tokens.entries()].filter(([, s]) => !s.expired && s.expiresAt > now).map(([token]) => token);
	}

	/** `POST /oauth2/token`: JSON body, grant type client_credentials (Create Access Token). */
	tokenEndpoint(headers: IncomingHttpHeaders, body: Buffer | undefined): Reply {
		const error = (status: number, code: string, description: string) =>
			jsonReply(status, { error: code, error_description: description }, { 'Cache-Control': 'no-store' });
		let parsed: Record<string, unknown>;
		try {
			if (!/^application\/json\b/i.test(String(headers['content-type'] ?? ''))) throw new Error('not JSON');
			const value: unknown = JSON.parse((body ?? Buffer.alloc(0)).toString('utf8'));
			if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
			parsed = value as Record<string, unknown>;
		} catch {
			this.tokenRequests.push({});
			return error(400, 'invalid_request', 'The body must be a JSON object');
		}
		this.tokenRequests.push(parsed);
		if (parsed.grant_type !== 'client_credentials') {
			return error(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
		}
		const app = this.apps.find((candidate) => candidate.appId === parsed.client_id);
		if (!app || app.appSecret !== parsed.client_secret) {
			return error(401, 'invalid_client', 'Unknown app ID or wrong app secret');
		}
		const instance = app.instances.find((candidate) => candidate.instanceId === parsed.instance_id);
		if (!instance) return error(400, 'invalid_grant', 'The app is not installed on an instance with this ID');
		return jsonReply(200, this.issue(app.appId, instance.instanceId), { 'Cache-Control': 'no-store' });
	}

	/**
	 * An API call's credential: a raw API key with the `wix-site-id` of its site, or a raw app
	 * access token. Wix REST takes no "Bearer" prefix.
	 */
	check(headers: IncomingHttpHeaders): AuthResult {
		const authorization = String(headers.authorization ?? '').trim();
		if (!authorization) return unauthenticated('The Authorization header is missing');
		if (/^Bearer\s/i.test(authorization)) {
			return unauthenticated('Send the token or API key as it is, without "Bearer"');
		}
		const key = this.apiKeys.find((candidate) => candidate.key === authorization);
		if (key) {
			const siteId = String(headers['wix-site-id'] ?? '').trim();
			if (!siteId) return unauthenticated('Calls to site-level APIs with an API key need the wix-site-id header');
			if (siteId.toLowerCase() !== key.siteId.toLowerCase()) {
				return { ok: false, reply: applicationError(403, 'PERMISSION_DENIED', 'PERMISSION_DENIED', 'The API key has no access to this site') };
			}
			return { ok: true, siteId: key.siteId, identity: 'apiKey' };
		}
		const token = this.tokens.get(authorization);
		if (!token) return unauthenticated('Invalid API key or access token');
		if (token.expired || Date.now() >= token.expiresAt) return unauthenticated('The access token has expired');
		return { ok: true, siteId: token.siteId, identity: 'app' };
	}
}
