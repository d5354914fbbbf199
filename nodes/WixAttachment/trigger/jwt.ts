/**
 * Verifying a webhook from Wix: the request's whole body is a JWT signed by Wix with the app's
 * private key (RS256); it is genuine when the app's public key verifies its signature, and in
 * date when its `exp` has not passed. The algorithm is RS256 whatever the token's header says:
 * a header naming HS256 or `none` (which would let a forger pick how "verification" works) is
 * refused before anything else.
 */
import { createPublicKey, verify } from 'crypto';
import type { KeyObject } from 'crypto';

/** Clocks differ: a token is taken as expired this many seconds after its `exp`. */
export const CLOCK_LEEWAY_SECONDS = 60;

export type JwtCheck = { ok: true; payload: Record<string, unknown> } | { ok: false; reason: string };

function decodeJson(part: string): Record<string, unknown> | undefined {
	if (!/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
	try {
		const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
		return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/**
 * The key as a PEM the way Wix shows it, or pasted without its line breaks, or only its base64
 * body (SPKI): all are read. A `problem` when the text is no RSA public key (a configuration
 * error of the credential, not a forged delivery).
 */
export function readPublicKey(text: unknown): { key: KeyObject } | { problem: string } {
	const raw = typeof text === 'string' ? text.trim() : '';
	if (!raw) return { problem: 'The credential\'s "Public Key" is empty' };
	const pem = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(raw);
	const label = pem ? pem[1] : 'PUBLIC KEY';
	const body = (pem ? pem[2] : raw).replace(/\\n/g, '').replace(/\s+/g, '');
	if (!/^[A-Za-z0-9+/]+=*$/.test(body) || (label !== 'PUBLIC KEY' && label !== 'RSA PUBLIC KEY')) {
		return { problem: 'The credential\'s "Public Key" is not a public key (expected the PEM Wix shows: -----BEGIN PUBLIC KEY----- …)' };
	}
	const lines = body.match(/.{1,64}/g) ?? [];
	let key: KeyObject;
	try {
		key = createPublicKey(`-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`);
	} catch (error) {
		return { problem: `The credential's "Public Key" is not a public key: ${(error as Error).message}` };
	}
	return key.asymmetricKeyType === 'rsa' ? { key } : { problem: `The credential's "Public Key" is a ${key.asymmetricKeyType} key, not the RSA key Wix signs with` };
}

/** Whether `token` is a JWT Wix signed with the key, in date; its payload when it is. */
export function verifyWixJwt(token: string, key: KeyObject, nowSeconds = Date.now() / 1000): JwtCheck {
	const parts = token.trim().split('.');
	if (parts.length !== 3) return { ok: false, reason: 'the body is not a JWT' };
	const header = decodeJson(parts[0]);
	const payload = decodeJson(parts[1]);
	if (!header || !payload || !/^[A-Za-z0-9_-]+$/.test(parts[2])) return { ok: false, reason: 'the body is not a JWT' };
	if (header.alg !== 'RS256') return { ok: false, reason: `the JWT is not signed with RS256 (its header says ${JSON.stringify(header.alg)})` };
	const signed = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2], 'base64url'));
	if (!signed) return { ok: false, reason: 'the JWT\'s signature does not verify with the public key' };
	if (typeof payload.exp === 'number' && payload.exp + CLOCK_LEEWAY_SECONDS < nowSeconds) {
		return { ok: false, reason: `the JWT expired at ${new Date(payload.exp * 1000).toISOString()}` };
	}
	if (typeof payload.iat === 'number' && payload.iat - CLOCK_LEEWAY_SECONDS > nowSeconds) {
		return { ok: false, reason: `the JWT was issued in the future (${new Date(payload.iat * 1000).toISOString()})` };
	}
	return { ok: true, payload };
}
