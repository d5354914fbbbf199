/**
 * The JWT Sunshine Conversations accepts instead of Basic auth: HS256, signed with the key's
 * secret, the key ID as `kid` in the header and the key's scope as the `scope` claim. Each token
 * carries `iat` and an `exp` a few minutes later (Zendesk's guide offers JWTs for exactly this, an
 * expiry on the credential): one that leaks is worthless soon after, where a token without `exp`
 * would work until the key is rotated.
 */
import { createHmac } from 'crypto';

export type SunshineJwtScope = 'app' | 'account';

/** Account (`act_…`) and service account (`svc_…`) keys sign account-scope tokens; app keys app-scope ones. */
export function jwtScopeForKey(keyId: string): SunshineJwtScope {
	return /^(act|svc)_/i.test(keyId) ? 'account' : 'app';
}

function base64url(value: string | Buffer): string {
	return Buffer.from(value).toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * How long a token is valid, in seconds. Each request gets a fresh one and Sunshine checks it when
 * the request arrives, so a few minutes cover any request and a clock a little off.
 */
export const JWT_LIFETIME_SECONDS = 5 * 60;

/** `header.payload.signature` for the key. Stateless: a fresh token for each request. */
export function signSunshineJwt(
	keyId: string,
	secret: string,
	scope: SunshineJwtScope = jwtScopeForKey(keyId),
	nowMs: number = Date.now(),
): string {
	const iat = Math.floor(nowMs / 1000);
	const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: keyId }));
	const payload = base64url(JSON.stringify({ scope, iat, exp: iat + JWT_LIFETIME_SECONDS }));
	const signature = base64url(createHmac('sha256', secret).update(`${header}.${payload}`).digest());
	return `${header}.${payload}.${signature}`;
}
