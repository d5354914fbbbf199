/**
 * The JWT Sunshine Conversations accepts instead of Basic auth: HS256, signed with the key's
 * secret, the key ID as `kid` in the header and the key's scope as the `scope` claim.
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

/** `header.payload.signature` for the key. Stateless: a fresh token for each request. */
export function signSunshineJwt(keyId: string, secret: string, scope: SunshineJwtScope = jwtScopeForKey(keyId)): string {
	const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: keyId }));
	const payload = base64url(JSON.stringify({ scope }));
	const signature = base64url(createHmac('sha256', secret).update(`${header}.${payload}`).digest());
	return `${header}.${payload}.${signature}`;
}
