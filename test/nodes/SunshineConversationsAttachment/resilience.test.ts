/**
 * Retries as the emulator saw them, attempt by attempt: a 429 is retried for every call (nothing
 * was stored), a 5xx or a dropped connection only for the calls that are safe to repeat (remove,
 * media token, cookie), never for an upload, which could be stored twice.
 */
import { NodeApiError } from 'n8n-workflow';

import { APP_ID, runSunshine, useSunshineEmulator } from './context';

const server = useSunshineEmulator();

const tooMany = { status: 429, headers: { 'Retry-After': '1' }, body: JSON.stringify({ errors: [{ code: 'too_many_requests', title: 'Too Many Requests' }] }) };
const unavailable = { status: 503, headers: { 'Retry-After': '0' }, body: JSON.stringify({ errors: [{ code: 'service_unavailable', title: 'Service Unavailable' }] }) };
const uploadParameters = { operation: 'upload', binaryPropertyName: 'data', options: {} };
const uploadInput = (size: number) => [{ binary: { data: { generate: { size, seed: 9 }, fileName: 'scan.png', mimeType: 'image/png' } } }];
const token = { operation: 'generateMediaToken', paths: [`/apps/${APP_ID}`] };

it('an upload answered 429 waits Retry-After and is sent again in full, and stored once', async () => {
	const size = 1024 * 1024 + 3;
	server.failNext(1, tooMany);
	const result = await runSunshine(server, uploadParameters, { input: uploadInput(size) });
	expect(result.error).toBeUndefined();
	expect(server.requests).toHaveLength(2);
	const [first, second] = server.requests;
	expect(second.receivedAt.getTime() - first.receivedAt.getTime()).toBeGreaterThanOrEqual(950);
	expect(second.bodySize).toBe(first.bodySize);
	expect(second.bodySize).toBeGreaterThan(size);
	expect(server.attachments(APP_ID)).toHaveLength(1);
	expect(server.attachments(APP_ID)[0].size).toBe(size);
	expect(result.items[0].json.mediaUrl).toBe(server.mediaUrl(server.attachments(APP_ID)[0]));
});

it('an upload answered 503 is not repeated: Sunshine may have stored it', async () => {
	server.failNext(1, unavailable);
	const result = await runSunshine(server, uploadParameters, { input: uploadInput(10_000) });
	const error = result.error as NodeApiError;
	expect(error).toBeInstanceOf(NodeApiError);
	expect(error.httpCode).toBe('503');
	expect(error.message).toBe('Sunshine Conversations: Service Unavailable (service_unavailable)');
	expect(error.description).toMatch(/The request was not repeated: Sunshine Conversations may have carried it out already/);
	expect(server.requests).toHaveLength(1);
});

it('an upload whose connection dropped is not repeated', async () => {
	server.dropNext(1);
	const result = await runSunshine(server, uploadParameters, { input: uploadInput(10_000) });
	expect(result.error).toBeInstanceOf(NodeApiError);
	expect(result.error!.message).toMatch(/^Sunshine Conversations closed the connection before answering/);
	expect((result.error as NodeApiError).description).toMatch(/The request was not repeated/);
	expect(server.requests).toHaveLength(1);
	expect(server.attachments()).toEqual([]);
});

it('a media token request is retried after a 503 and a dropped connection, then succeeds', async () => {
	server.failNext(1, unavailable);
	server.dropNext(1);
	const result = await runSunshine(server, token);
	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(1);
	expect(server.requests).toHaveLength(3);
	expect(server.requests.map((request) => request.body?.toString())).toEqual(Array(3).fill(JSON.stringify({ paths: [`/apps/${APP_ID}`] })));
});

it('a delete is retried after a 502, and deletes', async () => {
	const mediaUrl = server.mediaUrl(server.seedAttachment(APP_ID, 'a.png', Buffer.from('a'), 'image/png'));
	server.failNext(1, { status: 502, headers: { 'Retry-After': '0' }, body: 'Bad Gateway' });
	const result = await runSunshine(server, { operation: 'delete', mediaUrl });
	expect(result.error).toBeUndefined();
	expect(result.items[0].json).toEqual({ deleted: true });
	expect(server.requests).toHaveLength(2);
	expect(server.attachments()).toEqual([]);
});

it('a cookie request is retried after a 429', async () => {
	server.failNext(1, { ...tooMany, headers: { 'Retry-After': '0' } });
	const mediaToken = server.issueMediaToken(APP_ID, `/apps/${APP_ID}`);
	const result = await runSunshine(server, { operation: 'setCookie', mediaToken });
	expect(result.error).toBeUndefined();
	expect(server.requests).toHaveLength(2);
	expect(server.requests.every((request) => request.headers.authorization === `Bearer ${mediaToken}`)).toBe(true);
});

it('gives up after 5 attempts with the last error', async () => {
	server.failNext(5, unavailable);
	const result = await runSunshine(server, token);
	expect((result.error as NodeApiError).httpCode).toBe('503');
	expect(server.requests).toHaveLength(5);
});

it('does not wait out a Retry-After longer than two minutes', async () => {
	server.failNext(1, { ...tooMany, headers: { 'Retry-After': '3600' } });
	const result = await runSunshine(server, token);
	const error = result.error as NodeApiError;
	expect(error.message).toBe('Sunshine Conversations: Too Many Requests (too_many_requests)');
	expect(error.description).toMatch(/^Sunshine Conversations asks to wait 3600 s before the next request, longer than this node waits\./);
	expect(server.requests).toHaveLength(1);
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
