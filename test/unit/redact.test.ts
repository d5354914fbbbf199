/** Redaction of a secret in every form a server may echo it in (nodes/shared/transport/redact.ts). */
import { REDACTED, credentialSecrets, redact, secretForms } from '../../nodes/shared/transport/redact';

const SECRET = 'sk_live_9fQ2+xZ/7Lw=Tb';

const html = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const hexEntities = (text: string) => [...text].map((c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`).join('');

describe('redact', () => {
	it.each([
		['as it is', SECRET],
		['upper-cased', SECRET.toUpperCase()],
		['lower-cased', SECRET.toLowerCase()],
		['URL-encoded', encodeURIComponent(SECRET)],
		['every byte percent-encoded, upper case', [...Buffer.from(SECRET)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('')],
		['form-encoded', new URLSearchParams({ v: SECRET }).toString().slice(2)],
		['JSON-escaped', JSON.stringify(SECRET).slice(1, -1).replace(/\//g, '\\/')],
		['HTML-escaped', html(SECRET)],
		['as hexadecimal entities', hexEntities(SECRET)],
		['hex', Buffer.from(SECRET).toString('hex')],
		['upper-case hex', Buffer.from(SECRET).toString('hex').toUpperCase()],
		['base64', Buffer.from(SECRET).toString('base64')],
		['base64url', Buffer.from(SECRET).toString('base64url')],
		['base64 inside a Basic header', Buffer.from(`key_123:${SECRET}`).toString('base64')],
		['base64 one byte in', Buffer.from(`x${SECRET}y`).toString('base64')],
		['base64 two bytes in', Buffer.from(`xy${SECRET}`).toString('base64')],
		['base64 of a JSON echo', Buffer.from(JSON.stringify({ headers: { authorization: `Bearer ${SECRET}` } })).toString('base64')],
	])('blanks the secret %s', (_form, echoed) => {
		const body = { message: `Unauthorized: you sent ${echoed} which is wrong`, nested: [{ [`key ${echoed}`]: echoed }] };
		const redacted = JSON.stringify(redact(body, [SECRET]));
		expect(redacted).toContain(REDACTED);
		expect(redacted.toLowerCase()).not.toContain(echoed.toLowerCase());
		// Nothing of the secret's distinctive middle is left in any form.
		for (const form of secretForms(SECRET)) expect(redacted.toLowerCase()).not.toContain(form.toLowerCase());
	});

	it('leaves text without the secret as it was, and values that are not text', () => {
		const body = { message: 'Not found', count: 3, ok: true, list: ['a', null] };
		expect(redact(body, [SECRET])).toEqual(body);
	});

	it('does nothing without secrets, and ignores secrets too short to tell from words', () => {
		expect(redact({ a: 'password' }, [])).toEqual({ a: 'password' });
		expect(redact({ a: 'the key is abc' }, ['abc'])).toEqual({ a: 'the key is abc' });
	});
});

describe('credentialSecrets', () => {
	it('finds the values of secret fields at any depth, and nothing else', () => {
		const data = {
			apiKey: 'IST.key-of-wix-1234',
			siteId: '5ae1c2b8-0c43-4e36-b0c7-1f7d2a9e6b31',
			baseUrl: 'http://127.0.0.1:4030',
			clientSecret: 'client-secret-value',
			oauthTokenData: { access_token: 'access-token-value', refresh_token: 'refresh-token-value', token_type: 'bearer' },
			secret: 'short',
		};
		expect(credentialSecrets(data).sort()).toEqual(['IST.key-of-wix-1234', 'access-token-value', 'client-secret-value', 'refresh-token-value']);
	});
});
