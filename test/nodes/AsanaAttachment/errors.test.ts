/**
 * Bad input stops an item before any request, naming the parameter; Asana's errors arrive as
 * NodeApiErrors with Asana's own `errors[].message`; Continue On Fail keeps items paired; no secret
 * shows in errors, outputs or logs.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { logsText } from '../../support/n8n-harness';
import { DEFAULT_PERSONAL_ACCESS_TOKEN, DEFAULT_PROJECT, DEFAULT_TASK } from '../../../sandbox/asana/server';
import { SECRETS, locator, runAsana, useAsanaEmulator } from './context';

const server = useAsanaEmulator();

const pdf = { data: Buffer.from('%PDF-1.4 x'), fileName: 'x.pdf', mimeType: 'application/pdf' };
const link = (overrides: Record<string, unknown>) => ({
	operation: 'upload',
	parent: locator(DEFAULT_TASK.gid),
	source: 'link',
	url: 'https://example.com/a.pdf',
	name: 'A',
	options: {},
	...overrides,
});

function expectNoSecrets(text: string): void {
	for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('bad input fails before any request, naming the parameter', () => {
	it.each([
		['a parent (from an expression) that is neither an ID nor a URL', { operation: 'getAll', parent: locator('={{ "TASK-42" }}'), returnAll: true }, /^Invalid "Parent": "TASK-42" is neither an Asana ID \(digits only\) nor the URL of an Asana task or project$/],
		['an empty parent', { operation: 'getAll', parent: locator('={{ "  " }}'), returnAll: true }, /^The parameter "Parent" is required$/],
		['a URL of another site', { operation: 'getAll', parent: locator('={{ "https://trello.com/c/1234/5678" }}', 'url'), returnAll: true }, /^Invalid "Parent": "https:\/\/trello.com\/c\/1234\/5678" is not an Asana URL/],
		['an Asana URL naming no task or project', { operation: 'upload', parent: locator('https://app.asana.com/0/inbox/1209000000000001', 'url'), source: 'link', url: 'https://example.com', name: 'x', options: {} }, /^Invalid "Parent": ".*" is not the URL of an Asana task or project/],
		['an attachment ID that is not a gid', { operation: 'get', attachmentId: 'att-1', options: {} }, /^Invalid "Attachment ID": "att-1" is not an Asana ID \(expected digits only/],
		['an empty attachment ID on delete', { operation: 'delete', attachmentId: '={{ "" }}' }, /^The parameter "Attachment ID" is required$/],
		['an expression giving an object as attachment ID', { operation: 'delete', attachmentId: '={{ { gid: "1" } }}' }, /^Invalid "Attachment ID": expected text/],
		['a limit of 0', { operation: 'getAll', parent: locator(DEFAULT_TASK.gid), returnAll: false, limit: 0 }, /"Limit" must be a whole number/],
		['an unknown field from an expression', { operation: 'get', attachmentId: '1209000000000042', options: { fields: '={{ "name,filesize" }}' } }, /^Invalid "Fields": unknown field\(s\) "filesize"/],
		['a link that is not http(s)', link({ url: 'ftp://example.com/a.pdf' }), /^Invalid "URL": "ftp:\/\/example.com\/a.pdf" is not an http\(s\) URL$/],
		['a link with white space', link({ url: 'https://example.com/a b.pdf' }), /^Invalid "URL": .* contains white space$/],
		['a link without a name', link({ name: ' ' }), /^The parameter "Name" is required$/],
		['a link name with a line break', link({ name: 'a\nb' }), /^Invalid "Name": control characters/],
		['Connect to App with a personal access token', link({ options: { connectToApp: true } }), /^The option "Connect to App" needs the Asana Attachment OAuth2 API credential/],
	])('%s', async (_name, parameters, message) => {
		const result = await runAsana(server, parameters);
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error!.message).toMatch(message);
		expect(server.requests).toHaveLength(0);
	});

	it("n8n itself refuses a parent ID or URL that fails the locator's own check", async () => {
		await expect(runAsana(server, { operation: 'getAll', parent: locator('TASK-42'), returnAll: true })).rejects.toThrow(
			/has issues:\s+- Not an Asana ID \(digits only\)/,
		);
		await expect(
			runAsana(server, { operation: 'getAll', parent: locator('https://trello.com/c/1234', 'url'), returnAll: true }),
		).rejects.toThrow(/has issues:\s+- Not the URL of an Asana task or project/);
		expect(server.requests).toHaveLength(0);
	});

	it("a file over Asana's 100 MB limit is refused, naming its size", async () => {
		const size = 100 * 1024 * 1024 + 1;
		const result = await runAsana(
			server,
			{ operation: 'upload', parent: locator(DEFAULT_TASK.gid), source: 'binary', binaryPropertyName: 'data', options: {} },
			{ input: [{ binary: { data: { generate: { size, seed: 5 }, fileName: 'huge.mov', mimeType: 'video/quicktime' } } }] },
		);
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error!.message).toBe('The file "huge.mov" is 104857601 bytes, over the 104857600 bytes Asana accepts');
		expect(server.requests).toHaveLength(0);

		const bigger = await runAsana(
			server,
			{ operation: 'upload', parent: locator(DEFAULT_TASK.gid), source: 'binary', binaryPropertyName: 'data', options: {} },
			{ input: [{ binary: { data: { generate: { size: 120 * 1024 * 1024, seed: 6 }, fileName: 'bigger.mov', mimeType: 'video/quicktime' } } }] },
		);
		expect(bigger.error!.message).toBe('The file "bigger.mov" is 120.0 MB, over the 100.0 MB Asana accepts');
		expect(server.requests).toHaveLength(0);
	}, 120_000);
});

describe("Asana's errors", () => {
	it("carry every errors[].message, with Asana's help in the description", async () => {
		server.failNext(1, {
			status: 400,
			body: JSON.stringify({
				errors: [
					{ message: 'parent: Not a recognized ID: 0', help: 'For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors' },
					{ message: 'file: Missing input' },
				],
			}),
		});
		const result = await runAsana(
			server,
			{ operation: 'upload', parent: locator(DEFAULT_TASK.gid), source: 'binary', binaryPropertyName: 'data', options: {} },
			{ input: [{ binary: { data: pdf } }] },
		);
		expect(result.error).toBeInstanceOf(NodeApiError);
		const error = result.error as NodeApiError;
		expect(error.message).toBe('Asana: parent: Not a recognized ID: 0; file: Missing input');
		expect(error.description).toContain('https://developers.asana.com/docs/errors');
		expect(error.httpCode).toBe('400');
		expect(server.requests).toHaveLength(1);
	});

	it('an attachment Asana does not know gives its 404 message', async () => {
		const result = await runAsana(server, { operation: 'get', attachmentId: '1209000000999999', options: {} });
		const error = result.error as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('404');
		expect(error.message).toBe('Asana has no attachment with ID "1209000000999999"');
		expect(error.description).toMatch(/^Check the Attachment: .* Asana: attachment: Unknown object: 1209000000999999\./);
		expect(server.requests).toHaveLength(1);
	});

	it('deleting an attachment Asana does not know says so', async () => {
		const result = await runAsana(server, { operation: 'delete', attachmentId: '1209000000999998' });
		expect(result.error!.message).toBe('Asana has no attachment with ID "1209000000999998"');
	});

	it.each([
		['Get Many', { operation: 'getAll', returnAll: true, options: {} }, undefined],
		['Upload of a file', { operation: 'upload', source: 'binary', binaryPropertyName: 'data', options: {} }, { binary: { data: pdf } }],
		['Upload of a text', { operation: 'upload', source: 'text', text: '# Notes', fileName: 'notes.md', options: {} }, undefined],
		['Upload of a link', link({}), undefined],
	] as const)('a parent Asana does not know (%s): its 404, naming the Parent to check', async (_name, parameters, item) => {
		const result = await runAsana(server, { ...parameters, parent: locator('1209000000888888') }, item ? { input: [item] } : {});
		const error = result.error as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('404');
		expect(error.message).toBe('Asana has no task, project or project brief with ID "1209000000888888" — check "Parent"');
		expect(error.description).toMatch(/^Check the Parent: .* Asana: parent: Unknown object: 1209000000888888\./);
		expect(server.requests).toHaveLength(1);
	});

	it('a parent without attachments gives no items, and a hint saying what to check', async () => {
		const task = server.addTask('Nothing attached');
		const result = await runAsana(server, { operation: 'getAll', parent: locator(task.gid), returnAll: true, options: {} });
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([]);
		const [hint] = result.run.data.resultData.runData['Node Under Test'][0].hints ?? [];
		expect(hint).toMatchObject({ location: 'outputPane', message: expect.stringMatching(/^Asana listed no attachments for this parent\. If you expected some, check the Parent/) });
	});

	it('a 403 carries the message and the scope hint', async () => {
		server.failNext(1, { status: 403, body: JSON.stringify({ errors: [{ message: 'You do not have access to this attachment.' }] }) });
		const result = await runAsana(server, { operation: 'delete', attachmentId: '1209000000000042' });
		const error = result.error as NodeApiError;
		expect(error.message).toBe('Asana: You do not have access to this attachment.');
		expect(error.description).toMatch(/scopes/);
	});

	it("a 500 carries Asana's error phrase", async () => {
		server.failNext(5, {
			status: 500,
			headers: { 'Retry-After': '0' },
			body: JSON.stringify({ errors: [{ message: 'Server Error', phrase: '6 sad squid snuggle softly' }] }),
		});
		const result = await runAsana(server, { operation: 'get', attachmentId: '1209000000000042', options: {} });
		const error = result.error as NodeApiError;
		expect(error.message).toBe('Asana: Server Error');
		expect(error.description).toContain('"6 sad squid snuggle softly"');
		expect(server.requests).toHaveLength(5);
	});

	it('a revoked token is "Not Authorized" and names no secret, in the error, the output or the logs', async () => {
		server.revokeToken(DEFAULT_PERSONAL_ACCESS_TOKEN);
		const result = await runAsana(server, { operation: 'getAll', parent: locator(DEFAULT_TASK.gid), returnAll: true, options: {} });
		const error = result.error as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Asana: Not Authorized');
		expect(error.httpCode).toBe('401');
		expectNoSecrets(JSON.stringify({ message: error.message, description: error.description, items: result.items }));
		expectNoSecrets(logsText(result.logs));
	});

	it('a revoked personal access token fails an upload at once: no second copy of the file is sent', async () => {
		server.revokeToken(DEFAULT_PERSONAL_ACCESS_TOKEN);
		const result = await runAsana(
			server,
			{ operation: 'upload', parent: locator(DEFAULT_TASK.gid), source: 'binary', binaryPropertyName: 'data', options: {} },
			{ input: [{ binary: { data: pdf } }] },
		);
		expect((result.error as NodeApiError).message).toBe('Asana: Not Authorized');
		expect(server.requests).toHaveLength(1);
	});

	it('an external link has no file to download, and says so', async () => {
		const record = server.seedLink(DEFAULT_PROJECT.gid, 'Design brief', 'https://docs.example.com/brief');
		const result = await runAsana(server, { operation: 'get', attachmentId: record.gid, download: true, binaryPropertyName: 'data', options: {} });
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error!.message).toBe(
			`Attachment ${record.gid} "Design brief" is an external link (https://docs.example.com/brief): it has no file to download`,
		);
		expect((result.error as NodeOperationError).description).toMatch(/Turn off "Download File"/);
		expect(server.fileRequests).toHaveLength(0);
	});
});

describe('items', () => {
	it('with Continue On Fail, N items in give N items out, each paired, errors in place', async () => {
		const record = server.seedAttachment(DEFAULT_TASK.gid, 'a.txt', Buffer.from('A'), 'text/plain');
		const result = await runAsana(
			server,
			{ operation: 'get', attachmentId: '={{ $json.id }}', options: {} },
			{ continueOnFail: true, input: [{ json: { id: record.gid } }, { json: { id: 'nope' } }, { json: { id: '1209000000777777' } }] },
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(result.items[0].json.name).toBe('a.txt');
		expect(result.items[1].json.error).toMatch(/^Invalid "Attachment ID"/);
		expect(result.items[2].json).toMatchObject({ error: 'Asana has no attachment with ID "1209000000777777"', httpCode: '404' });
		expect(server.requests).toHaveLength(2);
	});

	it('without Continue On Fail the first failure stops the node with its item index', async () => {
		const record = server.seedAttachment(DEFAULT_TASK.gid, 'a.txt', Buffer.from('A'), 'text/plain');
		const result = await runAsana(
			server,
			{ operation: 'get', attachmentId: '={{ $json.id }}', options: {} },
			{ input: [{ json: { id: record.gid } }, { json: { id: 'nope' } }] },
		);
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect((result.error as NodeOperationError).context.itemIndex).toBe(1);
	});
});
