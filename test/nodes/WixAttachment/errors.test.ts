/**
 * Bad input stops an item before any request, naming the parameter; Wix's errors arrive as
 * NodeApiErrors with Wix's own message and details; Continue On Fail keeps items paired; no
 * secret leaks.
 */
import { randomUUID } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INodeParameters } from 'n8n-workflow';

import { logsText } from '../../support/n8n-harness';
import { CONTACT_ID, SECRETS, apiKeyCredentials, runWix, useWixEmulator } from './context';

const server = useWixEmulator();

const pdf = { data: Buffer.from('%PDF-1.4 x'), fileName: 'x.pdf', mimeType: 'application/pdf' };
const upload = (options: INodeParameters = {}, binary: Record<string, unknown> = pdf) =>
	runWix(
		server,
		{ operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data', options },
		{ input: [{ binary: { data: binary as typeof pdf } }] },
	);
const byId = (value: string) => ({ __rl: true, mode: 'id', value });

function expectNoSecrets(text: string): void {
	for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('bad input fails before any request, naming the parameter', () => {
	it.each([
		['a contact ID that is not a GUID', { operation: 'getAll', contactId: 'ada@example.com', returnAll: true }, /^Invalid "Contact ID": "ada@example.com" is not a GUID/],
		['an empty contact ID', { operation: 'getAll', contactId: '  ', returnAll: true }, /^The parameter "Contact ID" is required$/],
		['an attachment ID (from an expression) that is not a GUID', { operation: 'get', contactId: CONTACT_ID, attachmentId: byId('={{ "cv.pdf" }}') }, /^Invalid "Attachment ID": "cv.pdf" is not a GUID/],
		['an attachment ID (from an expression) that is empty', { operation: 'delete', contactId: CONTACT_ID, attachmentId: { __rl: true, mode: 'list', value: '={{ "" }}' } }, /^The parameter "Attachment ID" is required$/],
		['a contact ID given as an object by an expression', { operation: 'getAll', contactId: '={{ { id: 1 } }}', returnAll: true }, /^Invalid "Contact ID": expected text/],
		['a limit of 0', { operation: 'getAll', contactId: CONTACT_ID, returnAll: false, limit: 0 }, /"Limit" must be a whole number/],
	])('%s', async (_name, parameters, message) => {
		const result = await runWix(server, parameters);
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error!.message).toMatch(message);
		expect(server.requests).toHaveLength(0);
	});

	it.each([
		['a typed attachment ID that is not a GUID', byId('cv.pdf'), 'Not a valid attachment ID (a GUID)'],
		['no attachment picked', { __rl: true, mode: 'list', value: '' }, 'Parameter "Attachment" is required.'],
	])('%s is an issue n8n shows before running', async (_name, attachmentId, issue) => {
		await expect(runWix(server, { operation: 'get', contactId: CONTACT_ID, attachmentId })).rejects.toThrow(issue);
		expect(server.requests).toHaveLength(0);
	});

	it.each([
		['application/zip', 'archive.zip'],
		['application/octet-stream', 'unknown.bin'],
		['image/webp', 'photo.webp'],
		['image/svg+xml', 'logo.svg'],
		['image/tiff', 'scan.tiff'],
		['text/plain', 'notes.txt'],
	])('a file of type %s, which Wix does not take', async (mimeType, fileName) => {
		const result = await upload({}, { data: Buffer.from('x'), fileName, mimeType });
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error!.message).toBe(
			`Invalid "MIME Type": Wix does not accept "${mimeType}" files as contact attachments. It takes PDF, CSV, Word, Excel and ` +
				'PowerPoint documents and images (except TIFF, SVG, BMP, WebP, icons and a few rare formats). ' +
				'If the file is of one of these types but was not recognised, set Options → MIME Type.',
		);
		expect(server.requests).toHaveLength(0);
	});

	it('a MIME type set in Options that Wix does not take', async () => {
		const result = await upload({ mimeType: 'application/x-msdownload' });
		expect(result.error!.message).toMatch(/^Invalid "MIME Type": Wix does not accept "application\/x-msdownload"/);
		expect(server.requests).toHaveLength(0);
	});

	it('a file name over 260 characters', async () => {
		const result = await upload({ fileName: `${'n'.repeat(257)}.pdf` });
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error!.message).toBe('Invalid "File Name": it is 261 characters long, over the limit of 260');
		expect(server.requests).toHaveLength(0);
	});

	it('a file name of exactly 260 characters is sent', async () => {
		const fileName = `${'n'.repeat(256)}.pdf`;
		const result = await upload({ fileName });
		expect(result.error).toBeUndefined();
		expect(server.attachments(CONTACT_ID)[0].fileName).toBe(fileName);
	});

	it('a file name with a line break', async () => {
		const result = await upload({ fileName: 'a\nb.pdf' });
		expect(result.error!.message).toMatch(/^Invalid "File Name": control characters/);
		expect(server.requests).toHaveLength(0);
	});

});

describe("Wix's errors", () => {
	it('an attachment Wix does not have: 404 with its message and code', async () => {
		const result = await runWix(server, { operation: 'get', contactId: CONTACT_ID, attachmentId: byId(randomUUID()) });
		const error = result.error as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/^Wix found no attachment "[0-9a-f-]{36}" on contact "513c1bfc-61b6-427d-a7f8-ceeedb1eb763" — check "Attachment"$/);
		expect(error.httpCode).toBe('404');
		expect(error.description).toMatch(/^Check the Contact and the Attachment: .* Wix: Attachment not found\. NOT_FOUND /);
	});

	it.each([
		['Get Many', { operation: 'getAll', returnAll: true }, undefined],
		['Get', { operation: 'get', attachmentId: byId(randomUUID()) }, undefined],
		['Delete', { operation: 'delete', attachmentId: byId(randomUUID()) }, undefined],
		['Upload', { operation: 'upload', binaryPropertyName: 'data', options: {} }, { binary: { data: pdf } }],
	] as const)('a contact Wix does not have (%s): its 404, naming the Contact to check', async (_name, parameters, item) => {
		const contactId = randomUUID();
		const result = await runWix(server, { ...parameters, contactId }, item ? { input: [item] } : {});
		const error = result.error as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('404');
		expect(error.message).toBe(`Wix found no contact with ID "${contactId}" — check "Contact"`);
		expect(error.description).toMatch(/^Check the Contact: .* Wix: Contact not found\. NOT_FOUND: Contact [0-9a-f-]{36} not found/);
		expect(server.requests).toHaveLength(1);
	});

	it('a contact without attachments gives no items, and a hint that says so', async () => {
		const result = await runWix(server, { operation: 'getAll', contactId: CONTACT_ID, returnAll: true });
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([]);
		expect(result.run.data.resultData.runData['Node Under Test'][0].hints).toEqual([{ message: 'The contact has no attachments.', location: 'outputPane' }]);
	});

	it('a validation error lists every field violation', async () => {
		server.failNext(1, {
			status: 400,
			body: JSON.stringify({
				message: 'INVALID_ARGUMENT: "mimeType" must not be empty',
				details: {
					validationError: {
						fieldViolations: [
							{ field: 'mimeType', description: 'must not be empty', violatedRule: 'REQUIRED_FIELD' },
							{ field: 'fileName', violatedRule: 'MAX_LENGTH' },
						],
					},
				},
			}),
		});
		const result = await upload();
		const error = result.error as NodeApiError;
		expect(error.message).toBe('Wix: INVALID_ARGUMENT: "mimeType" must not be empty');
		expect(error.description).toBe('mimeType: must not be empty fileName: MAX_LENGTH');
		expect(error.httpCode).toBe('400');
		expect(server.requests).toHaveLength(1);
		expect(server.requestsTo('media')).toHaveLength(0);
	});

	it('a permission error (403) with an application error', async () => {
		server.failNext(1, {
			status: 403,
			body: JSON.stringify({ message: '', details: { applicationError: { code: 'PERMISSION_DENIED', description: 'Missing scope MANAGE-CONTACT-ATTACHMENTS' } } }),
		});
		const result = await runWix(server, { operation: 'delete', contactId: CONTACT_ID, attachmentId: byId(randomUUID()) });
		const error = result.error as NodeApiError;
		expect(error.message).toBe('Wix: Missing scope MANAGE-CONTACT-ATTACHMENTS');
		expect(error.description).toMatch(/^PERMISSION_DENIED The credential is not allowed/);
	});

	it('a system error with an empty body says the status', async () => {
		server.failNext(5, { status: 500, headers: { 'Retry-After': '0' } });
		const result = await runWix(server, { operation: 'getAll', contactId: CONTACT_ID, returnAll: true });
		expect(result.error!.message).toBe('Wix answered 500');
		expect(server.requests).toHaveLength(5);
	});

	it('a refused upload (the upload URL says why) stores nothing', async () => {
		server.failNext(1, { status: 400, body: JSON.stringify({ message: 'File type does not match its content' }) }, 'upload');
		const result = await upload();
		expect(result.error!.message).toBe('Wix: File type does not match its content');
		expect(server.requestsTo('media')).toHaveLength(1);
		expect(server.attachments(CONTACT_ID)).toEqual([]);
	});

	it('an upload URL that cannot be reached says it is the URL Wix returned, not the credential', async () => {
		// A port with nothing listening, and a gateway that hands it out as the upload URL.
		const closed = http.createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const deadPort = (closed.address() as AddressInfo).port;
		await new Promise((resolve) => closed.close(resolve));
		const gateway = http.createServer((_req, res) => {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ uploadUrl: `http://127.0.0.1:${deadPort}/_ah/upload/token/` }));
		});
		await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
		try {
			const { port } = gateway.address() as AddressInfo;
			const result = await runWix(
				server,
				{ operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data' },
				{ input: [{ binary: { data: pdf } }], credentials: { ...apiKeyCredentials(server), baseUrl: `http://127.0.0.1:${port}` } },
			);
			expect(result.error).toBeInstanceOf(NodeApiError);
			expect(result.error!.message).toBe('Could not reach the upload URL Wix returned (connection refused)');
			const description = (result.error as NodeApiError).description ?? '';
			expect(description).toContain("That address came from Wix's own answer, not from the credential");
			expect(description).not.toMatch(/Check the base URL or region of the credential/);
		} finally {
			await new Promise((resolve) => gateway.close(resolve));
		}
	});

	describe('with an emulator started with { mediaUrlTtlSeconds: -1 }', () => {
		const stale = useWixEmulator({ mediaUrlTtlSeconds: -1 });

		it('an expired file link is a clear error', async () => {
			const record = stale.seedAttachment(CONTACT_ID, 'old.pdf', Buffer.from('%PDF old'), 'application/pdf');
			const result = await runWix(stale, { operation: 'get', contactId: CONTACT_ID, attachmentId: byId(record.id), download: true });
			expect(result.error).toBeInstanceOf(NodeApiError);
			expect(result.error!.message).toBe('Wix: Forbidden: the link has expired');
			expect(result.items).toEqual([]);
		});
	});

	it('a wrong API key is an authentication error that names no secret, in the error, output or logs', async () => {
		const result = await runWix(server, { operation: 'getAll', contactId: CONTACT_ID, returnAll: true }, { credentials: apiKeyCredentials(server, 'IST.wrong-key') });
		const error = result.error as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('401');
		expect(error.message).toBe('Wix: UNAUTHENTICATED');
		expect(error.description).toMatch(/^UNAUTHENTICATED: Invalid API key or access token Check the credential/);
		expectNoSecrets(JSON.stringify({ message: error.message, description: error.description, items: result.items }));
		expectNoSecrets(logsText(result.logs));
	});

	it('an API key with another site’s ID is refused (403)', async () => {
		const result = await runWix(
			server,
			{ operation: 'getAll', contactId: CONTACT_ID, returnAll: true },
			{ credentials: { ...apiKeyCredentials(server), siteId: randomUUID() } },
		);
		expect((result.error as NodeApiError).httpCode).toBe('403');
		expect(result.error!.message).toBe('Wix: PERMISSION_DENIED');
	});
});

describe('items', () => {
	it('with Continue On Fail, N items in give N items out, each paired, errors in place', async () => {
		server.seedAttachment(CONTACT_ID, 'a.pdf', Buffer.from('A'), 'application/pdf');
		const result = await runWix(
			server,
			{ operation: 'getAll', contactId: '={{ $json.contact }}', returnAll: true },
			{
				continueOnFail: true,
				input: [{ json: { contact: CONTACT_ID } }, { json: { contact: 'not-a-guid' } }, { json: { contact: randomUUID() } }],
			},
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(result.items[0].json.fileName).toBe('a.pdf');
		expect(result.items[1].json.error).toMatch(/^Invalid "Contact ID"/);
		expect(result.items[2].json).toMatchObject({ error: expect.stringMatching(/^Wix found no contact with ID /), httpCode: '404' });
	});

	it('with Continue On Fail, a refused upload is one error item between good ones', async () => {
		const result = await runWix(
			server,
			{ operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data', options: {} },
			{
				continueOnFail: true,
				input: [
					{ binary: { data: { data: '1', fileName: 'one.csv', mimeType: 'text/csv' } } },
					{ binary: { data: { data: '2', fileName: 'two.exe', mimeType: 'application/x-msdownload' } } },
					{ binary: { data: { data: '3', fileName: 'three.csv', mimeType: 'text/csv' } } },
				],
			},
		);
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(result.items[1].json.error).toMatch(/^Invalid "MIME Type"/);
		// The items run at once: the emulator stores them in the order they arrive.
		expect(server.attachments(CONTACT_ID).map((r) => r.fileName).sort()).toEqual(['one.csv', 'three.csv']);
	});

	it('without Continue On Fail the first failure stops the node with its item index', async () => {
		const result = await runWix(
			server,
			{ operation: 'getAll', contactId: '={{ $json.contact }}', returnAll: true },
			{ input: [{ json: { contact: CONTACT_ID } }, { json: { contact: 'nope' } }] },
		);
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect((result.error as NodeOperationError).context.itemIndex).toBe(1);
	});
});
