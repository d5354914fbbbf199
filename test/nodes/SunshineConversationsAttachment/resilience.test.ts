/**
 * What is Sunshine's own in retrying: Set Cookie is signed with the media token, not the
 * credential, on every attempt, and keeps each of several cookies whole. Which calls are repeated
 * (a 429 every call; a 5xx or a dropped connection remove, media token and cookie, never an
 * upload) is proven under faults in test/faults/sunshine; retries, Retry-After and the 5-attempt
 * limit for every node in test/transport.
 */
import { APP_ID, runSunshine, useSunshineEmulator } from './context';

const server = useSunshineEmulator();

const tooMany = { status: 429, headers: { 'Retry-After': '1' }, body: JSON.stringify({ errors: [{ code: 'too_many_requests', title: 'Too Many Requests' }] }) };

it('a cookie request is retried after a 429, signed with the media token both times', async () => {
	server.failNext(1, { ...tooMany, headers: { 'Retry-After': '0' } });
	const mediaToken = server.issueMediaToken(APP_ID, `/apps/${APP_ID}`);
	const result = await runSunshine(server, { operation: 'setCookie', mediaToken });
	expect(result.error).toBeUndefined();
	expect(server.requests).toHaveLength(2);
	expect(server.requests.every((request) => request.headers.authorization === `Bearer ${mediaToken}`)).toBe(true);
});

it('Set Cookie keeps each cookie whole when several come, commas in their dates included', async () => {
	server.failNext(1, {
		status: 200,
		headers: {
			'Set-Cookie': ['a=1; Path=/media/apps/x; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly', 'b=2; Path=/media; Secure'],
		},
		body: '{}',
	});
	const mediaToken = server.issueMediaToken(APP_ID, `/apps/${APP_ID}`);
	const result = await runSunshine(server, { operation: 'setCookie', mediaToken });
	expect(result.error).toBeUndefined();
	expect(result.items[0].json).toEqual({
		cookies: ['a=1; Path=/media/apps/x; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly', 'b=2; Path=/media; Secure'],
		cookie: 'a=1; b=2',
	});
});
