/**
 * Bad input stops an item before any request, naming the parameter (or the credential field);
 * Sunshine's errors arrive as NodeApiErrors carrying its `code` and `title`; a refused file type
 * says so; a 401 is final; Continue On Fail keeps items paired; no secret leaks anywhere.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INodeParameters } from 'n8n-workflow';

import { logsText } from '../../support/n8n-harness';
import { DEFAULT_ACCOUNT_KEY, DEFAULT_APP_KEY, SECOND_APP } from '../../../sandbox/sunshine/server';
import { APP_ID, type Authentication, runSunshine, sunshineCredentials, useSunshineEmulator } from './context';

const server = useSunshineEmulator();

const pdf = { data: Buffer.from('%PDF-1.4 x'), fileName: 'x.pdf', mimeType: 'application/pdf' };
const upload = { operation: 'upload', binaryPropertyName: 'data', options: {} };
const withApp = (value: string) => ({ appId: { __rl: true, mode: 'id', value } });

function expectNoSecrets(text: string): void {
	for (const secret of [DEFAULT_APP_KEY.secret, DEFAULT_ACCOUNT_KEY.secret, 'wrong-secret-0451']) expect(text).not.toContain(secret);
	// Neither the Basic header nor a signed JWT may show up.
	expect(text).not.toMatch(/Basic [A-Za-z0-9+/=]{20,}/);
	expect(text).not.toMatch(/eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
}

describe('bad input fails before any request, naming the parameter', () => {
	it.each<[string, INodeParameters, RegExp]>([
		['an app ID (from an expression) with a slash', { ...upload, ...withApp('={{ "5ec4/../other" }}') }, /^Invalid "App": "5ec4\/..\/other" is not an ID/],
		['an app ID (from an expression) that is blank', { operation: 'delete', mediaUrl: 'https://x.test/a.png', ...withApp('={{ "  " }}') }, /^The parameter "App" is required$/],
		['an app ID from an expression that is an object', { operation: 'delete', mediaUrl: 'https://x.test/a.png', ...withApp('={{ { id: 1 } }}') }, /^Invalid "App": expected text/],
		['a media URL that is not a URL', { operation: 'delete', mediaUrl: 'old.png' }, /^Invalid "Media URL": "old.png" is not a URL/],
		['a media URL that is not http(s)', { operation: 'delete', mediaUrl: 'ftp://files.test/a.png' }, /^Invalid "Media URL": "ftp:\/\/files.test\/a.png" is not an http\(s\) URL$/],
		['a media URL (from an expression) that is empty', { operation: 'delete', mediaUrl: '={{ $json.missing }}' }, /^The parameter "Media URL" is required$/],
		['a conversation ID with spaces', { ...upload, options: { conversationId: 'conv 1' } }, /^Invalid "Conversation ID": "conv 1" is not an ID/],
		['no paths', { operation: 'generateMediaToken', paths: [] }, /^The parameter "Paths" is required$/],
		['a path with a line break', { operation: 'generateMediaToken', paths: [`/apps/${APP_ID}\n/x`] }, /^Invalid "Paths": ".*" holds control characters/s],
		['a path that is not text', { operation: 'generateMediaToken', paths: '={{ [{ path: "/apps" }] }}' }, /^Invalid "Paths": expected text for every path/],
		['an empty media token', { operation: 'setCookie', mediaToken: ' ' }, /^The parameter "Media Token" is required$/],
		['a media token that is not a JWT', { operation: 'setCookie', mediaToken: 'not-a-token' }, /^Invalid "Media Token": it is not a media token/],
	])('%s', async (_name, parameters, message) => {
		const result = await runSunshine(server, parameters, { input: [{ binary: { data: pdf } }] });
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error!.message).toMatch(message);
		expect(server.requests).toHaveLength(0);
	});

	it("a static app ID that is not one is caught by n8n's own parameter check", async () => {
		await expect(runSunshine(server, { ...upload, ...withApp('5ec4/../other') }, { input: [{ binary: { data: pdf } }] })).rejects.toThrow(
			/Not a valid app ID/,
		);
		expect(server.requests).toHaveLength(0);
	});

	it('a media token is not echoed in its error message', async () => {
		const result = await runSunshine(server, { operation: 'setCookie', mediaToken: 'secret-ish token value' });
		expect(result.error!.message).not.toContain('secret-ish');
	});

	it('a file over the documented 50 MB is refused, one byte over', async () => {
		const size = 50 * 1024 * 1024 + 1;
		const result = await runSunshine(server, upload, { input: [{ binary: { data: { generate: { size, seed: 5 }, fileName: 'video.mp4', mimeType: 'video/mp4' } } }] });
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error!.message).toBe('The file "video.mp4" is 52428801 bytes, over the 52428800 bytes Sunshine Conversations accepts');
		expect(server.requests).toHaveLength(0);
	}, 120_000);

	it.each<[string, Record<string, string>, RegExp]>([
		['an empty Zendesk subdomain', { region: 'zendesk', subdomain: '', baseUrl: '' }, /^The credential's "Zendesk Subdomain" is empty$/],
		['a Zendesk URL where the subdomain belongs', { region: 'zendesk', subdomain: 'acme.zendesk.com', baseUrl: '' }, /"Zendesk Subdomain" "acme.zendesk.com" is not a subdomain/],
		['an empty custom URL', { region: 'custom', baseUrl: '' }, /^The credential's "Custom URL" is empty$/],
		['a base URL override that is not a URL', { region: 'us', baseUrl: 'api.smooch.io' }, /^The credential's "Base URL Override" is not an http\(s\) URL$/],
	])('a credential with %s', async (_name, fields, message) => {
		const result = await runSunshine(server, { operation: 'delete', mediaUrl: 'https://x.test/a.png' }, { credentials: { ...sunshineCredentials(server), ...fields } });
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error!.message).toMatch(message);
		expect(server.requests).toHaveLength(0);
	});
});

describe("Sunshine's errors carry its code and title", () => {
	it('a refused file type says the file type is not accepted', async () => {
		const result = await runSunshine(server, upload, {
			input: [{ binary: { data: { data: Buffer.from('MZ\x90\x00'), fileName: 'setup.exe', mimeType: 'application/x-msdownload' } } }],
		});
		const error = result.error as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('415');
		expect(error.message).toBe(
			'Sunshine Conversations: The file type is not accepted: Unsupported media type: application/x-msdownload (setup.exe) (unsupported_media_type)',
		);
		expect(error.description).toBe('The service does not accept this file type.');
		expect(server.attachments()).toEqual([]);
	});

	it('an app the account does not have: app_not_found', async () => {
		const result = await runSunshine(server, { operation: 'delete', mediaUrl: 'https://x.test/a.png', ...withApp('0123456789abcdef01234567') }, { key: DEFAULT_ACCOUNT_KEY });
		const error = result.error as NodeApiError;
		expect(error.httpCode).toBe('404');
		expect(error.message).toBe('Sunshine Conversations: App not found (app_not_found)');
	});

	it('removing a file that is not there: not_found', async () => {
		const record = server.seedAttachment(APP_ID, 'gone.png', Buffer.from('x'), 'image/png');
		const mediaUrl = server.mediaUrl(record);
		expect((await runSunshine(server, { operation: 'delete', mediaUrl })).error).toBeUndefined();
		const again = await runSunshine(server, { operation: 'delete', mediaUrl });
		expect((again.error as NodeApiError).message).toBe('Sunshine Conversations: Attachment not found (not_found)');
		expect((again.error as NodeApiError).httpCode).toBe('404');
	});

	it('removing a URL Sunshine did not issue: bad_request with the URL', async () => {
		const result = await runSunshine(server, { operation: 'delete', mediaUrl: 'https://badhost.com/image.png' });
		expect(result.error!.message).toBe('Sunshine Conversations: Unsupported media URL for attachment deletion: https://badhost.com/image.png (bad_request)');
	});

	it('several errors of a 400: the first is the message, the others the description', async () => {
		server.failNext(1, {
			status: 400,
			body: JSON.stringify({ errors: [{ code: 'bad_request', title: 'Invalid paths' }, { code: 'bad_request', title: 'Path too long' }, { title: 'No code here' }] }),
		});
		const result = await runSunshine(server, { operation: 'generateMediaToken', paths: [`/apps/${APP_ID}`] });
		const error = result.error as NodeApiError;
		expect(error.message).toBe('Sunshine Conversations: Invalid paths (bad_request)');
		expect(error.description).toBe('Path too long (bad_request) No code here');
	});

	it('a body that is not Sunshine-shaped falls back to the status', async () => {
		server.failNext(1, { status: 502, body: '<html>Bad Gateway</html>' });
		const result = await runSunshine(server, upload, { input: [{ binary: { data: pdf } }] });
		expect(result.error!.message).toBe('Sunshine Conversations: <html>Bad Gateway</html>');
	});

	it('an app key used on another app: forbidden', async () => {
		const result = await runSunshine(server, { operation: 'generateMediaToken', paths: ['/apps/x'], ...withApp(SECOND_APP.id) });
		expect(result.error!.message).toBe('Sunshine Conversations: The key cannot access this app (forbidden)');
	});

	it.each<Authentication>(['apiKey', 'jwt'])('a wrong secret (%s) is a 401 with no secret in the error, the items or the logs', async (authentication) => {
		const result = await runSunshine(
			server,
			{ operation: 'generateMediaToken', paths: [`/apps/${APP_ID}`] },
			{ authentication, credentials: sunshineCredentials(server, { ...DEFAULT_APP_KEY, secret: 'wrong-secret-0451' }) },
		);
		const error = result.error as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('401');
		expect(error.message).toBe(
			authentication === 'apiKey'
				? 'Sunshine Conversations: Invalid key ID or secret (unauthorized)'
				: 'Sunshine Conversations: Invalid JWT signature (unauthorized)',
		);
		expectNoSecrets(JSON.stringify({ message: error.message, description: error.description, items: result.items }));
		expectNoSecrets(logsText(result.logs));
	});

	it('a 401 on an upload is final: the file is not streamed a second time', async () => {
		const result = await runSunshine(server, upload, {
			input: [{ binary: { data: pdf } }],
			credentials: sunshineCredentials(server, { ...DEFAULT_APP_KEY, secret: 'wrong-secret-0451' }),
		});
		expect((result.error as NodeApiError).httpCode).toBe('401');
		expect(server.requests).toHaveLength(1);
		expectNoSecrets(logsText(result.logs));
	});
});

describe('items', () => {
	it('with Continue On Fail, N items in give N items out, each paired, errors in place', async () => {
		const good = server.mediaUrl(server.seedAttachment(APP_ID, 'a.png', Buffer.from('a'), 'image/png'));
		const result = await runSunshine(
			server,
			{ operation: 'delete', mediaUrl: '={{ $json.url }}' },
			{ continueOnFail: true, input: [{ json: { url: good } }, { json: { url: 'nope' } }, { json: { url: `${server.mediaBaseUrl}/apps/${APP_ID}/X/missing.png` } }] },
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(result.items[0].json).toEqual({ deleted: true });
		expect(result.items[1].json.error).toMatch(/^Invalid "Media URL"/);
		expect(result.items[2].json).toMatchObject({ error: 'Sunshine Conversations: Attachment not found (not_found)', httpCode: '404' });
	});

	it('without Continue On Fail the first failure stops the node with its item index', async () => {
		const result = await runSunshine(
			server,
			{ operation: 'generateMediaToken', paths: '={{ $json.paths }}' },
			{ input: [{ json: { paths: [`/apps/${APP_ID}`] } }, { json: { paths: [] } }] },
		);
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect((result.error as NodeOperationError).context.itemIndex).toBe(1);
		expect(server.requests).toHaveLength(1);
	});
});
