/**
 * Who may call the Sunshine emulator: API keys as Basic auth (key ID and secret) or as HS256 JWTs
 * (`kid` = key ID, `scope` claim = the key's scope), and the media tokens the emulator itself
 * signs for private attachments.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'crypto';
import type { IncomingHttpHeaders } from 'http';

import { type Reply, errorReply } from './http';

export interface SunshineKey {
	/** `app_…` for app keys, `act_…` / `svc_…` for account and service account keys. */
	id: string;
	secret: string;
	scope: 'app' | 'account';
	/** The app an app key belongs to. */
	appId?: string;
}

export interface DecodedJwt {
	header: Record<string, unknown>;
	payload: Record<string, unknown>;
}

export type AuthOutcome =
	| { ok: true; key: SunshineKey; method: 'basic' | 'jwt'; jwt?: DecodedJwt }
	| { ok: false; reply: Reply };

function base64url(value: string | Buffer): string {
	return Buffer.from(value).toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

function decodePart(part: string): Record<string, unknown> | undefined {
	if (!/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
	try {
		const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
		return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/** Signs `payload` with HS256 (the emulator's media tokens, and handy for tests). */
export function signHs256(payload: Record<string, unknown>, secret: string, kid?: string): string {
	const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', ...(kid ? { kid } : {}) }));
	const body = base64url(JSON.stringify(payload));
	return `${header}.${body}.${base64url(createHmac('sha256', secret).update(`${header}.${body}`).digest())}`;
}

/** The token's parts, when it has the shape of a JWT. */
export function decodeJwt(token: string): (DecodedJwt & { signingInput: string; signature: string }) | undefined {
	const parts = token.split('.');
	if (parts.length !== 3) return undefined;
	const header = decodePart(parts[0]);
	const payload = decodePart(parts[1]);
	if (!header || !payload || !/^[A-Za-z0-9_-]*$/.test(parts[2])) return undefined;
	return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: parts[2] };
}

export function hs256Valid(signingInput: string, signature: string, secret: string): boolean {
	const expected = Buffer.from(base64url(createHmac('sha256', secret).update(signingInput).digest()));
	const given = Buffer.from(signature);
	return expected.length === given.length && timingSafeEqual(expected, given);
}

const unauthorized = (title: string): AuthOutcome => ({ ok: false, reply: errorReply(401, 'unauthorized', title) });

/** Checks the Authorization header against the known keys. */
export function authenticate(headers: IncomingHttpHeaders, keys: SunshineKey[]): AuthOutcome {
	const authorization = headers.authorization ?? '';
	const basic = /^Basic\s+(\S+)\s*$/i.exec(authorization);
	if (basic) {
		const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		const key = colon > 0 ? keys.find((candidate) => candidate.id === decoded.slice(0, colon)) : undefined;
		const secret = Buffer.from(colon > 0 ? decoded.slice(colon + 1) : '');
		if (!key || secret.length !== Buffer.byteLength(key.secret) || !timingSafeEqual(secret, Buffer.from(key.secret))) {
			return unauthorized('Invalid key ID or secret');
		}
		return { ok: true, key, method: 'basic' };
	}
	const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
	if (!bearer) return unauthorized('Authorization is required');
	const jwt = decodeJwt(bearer[1]);
	if (!jwt) return unauthorized('Invalid JWT');
	if (jwt.header.alg !== 'HS256') return unauthorized('Invalid JWT header. Unsupported algorithm (alg)');
	if (typeof jwt.header.kid !== 'string' || !jwt.header.kid) return unauthorized('Invalid JWT header. Missing key id (kid)');
	const key = keys.find((candidate) => candidate.id === jwt.header.kid);
	if (!key) return unauthorized('Invalid JWT header. Unknown key id (kid)');
	if (!hs256Valid(jwt.signingInput, jwt.signature, key.secret)) return unauthorized('Invalid JWT signature');
	if (jwt.payload.scope === undefined) return unauthorized('Invalid JWT body. Missing scope');
	if (jwt.payload.scope !== key.scope) return unauthorized(`Invalid JWT body. Scope must be "${key.scope}" for this key`);
	if (typeof jwt.payload.exp === 'number' && jwt.payload.exp * 1000 <= Date.now()) return unauthorized('JWT has expired');
	return { ok: true, key, method: 'jwt', jwt: { header: jwt.header, payload: jwt.payload } };
}

/** Whether the key may act on the app: account keys on every app, app keys on their own. */
export function mayAccessApp(key: SunshineKey, appId: string): boolean {
	return key.scope === 'account' || key.appId === appId;
}

/** The emulator's media tokens: HS256 with a secret made at start, `path`, `app`, `iat`, `exp`. */
export class MediaTokens {
	readonly secret = randomBytes(32).toString('hex');

	issue(appId: string, path: string, ttlSeconds: number): string {
		const now = Math.floor(Date.now() / 1000);
		return signHs256({ path, app: appId, iat: now, exp: now + ttlSeconds }, this.secret, 'media');
	}

	/** The token's claims when it is one of ours and still valid. */
	verify(token: string): { path: string; app: string; exp: number } | undefined {
		const jwt = decodeJwt(token);
		if (!jwt || jwt.header.kid !== 'media' || !hs256Valid(jwt.signingInput, jwt.signature, this.secret)) return undefined;
		const { path, app, exp } = jwt.payload;
		if (typeof path !== 'string' || typeof app !== 'string' || typeof exp !== 'number') return undefined;
		if (exp * 1000 <= Date.now()) return undefined;
		return { path, app, exp };
	}
}

/** Whether `path` is `prefix` or lies under it (segment-wise: /apps/a does not cover /apps/ab). */
export function pathCovers(prefix: string, path: string): boolean {
	const base = prefix.replace(/\/+$/, '');
	return path === base || path.startsWith(`${base}/`);
}
