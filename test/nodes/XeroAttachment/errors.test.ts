/**
 * Bad input stops an item before any request, naming the parameter; Xero's errors arrive as
 * NodeApiErrors with Xero's own message; Continue On Fail keeps items paired; no secret leaks.
 */
import { randomUUID } from 'crypto';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { logsText } from '../../support/n8n-harness';
import { DEFAULT_ACCESS_TOKEN, DEFAULT_REFRESH_TOKEN } from '../../../sandbox/xero/server';
import { CLIENT_SECRET, runXero, useXeroEmulator } from './context';

const server = useXeroEmulator();

const parentId = '4074292c-09b3-456d-84e7-add864c6c39b';
/** No document of any type has this ID: Xero answers 404 for its attachments. */
const unknown = '0b6f2c1e-9d7a-4e3b-8c5f-2a1d0e9f8b7c';
beforeEach(() => {
	server.reset();
	server.addDocument('Invoices', parentId);
});
const pdf = { data: Buffer.from('%PDF-1.4 x'), fileName: 'x.pdf', mimeType: 'application/pdf' };

function expectNoSecrets(text: string): void {
	for (const secret of [DEFAULT_ACCESS_TOKEN, DEFAULT_REFRESH_TOKEN, CLIENT_SECRET]) expect(text).not.toContain(secret);
}

describe('bad input fails before any request, naming the parameter', () => {
	it.each([
		['a parent ID that is not a GUID', { resource: 'invoice', operation: 'getAll', parentId: 'INV-0042', returnAll: true }, /Invalid "Invoice ID": "INV-0042" is not a GUID/],
		['an empty parent ID', { resource: 'contact', operation: 'getAll', parentId: '  ', returnAll: true }, /The parameter "Contact ID" is required/],
		['an organization (from an expression) that is not a GUID', { resource: 'invoice', operation: 'getAll', parentId, returnAll: true, tenantId: { __rl: true, mode: 'id', value: '={{ "Demo Co" }}' } }, /Invalid "Organization": "Demo Co" is not a GUID/],
		['an expression giving an object where a file name belongs', { resource: 'invoice', operation: 'get', parentId, getBy: 'fileName', fileName: '={{ { name: "a.pdf" } }}', binaryPropertyName: 'data', options: { mimeType: 'text/plain' } }, /Invalid "File Name": expected text/],
		['an attachment ID that is not a GUID', { resource: 'quote', operation: 'get', parentId, getBy: 'attachmentId', attachmentId: 'abc', binaryPropertyName: 'data', options: {} }, /Invalid "Attachment ID"/],
		['a file name that is a dot segment', { resource: 'invoice', operation: 'get', parentId, getBy: 'fileName', fileName: '..', binaryPropertyName: 'data', options: { mimeType: 'text/plain' } }, /Invalid "File Name": ".." cannot be used as a name/],
		['a file name with a line break', { resource: 'invoice', operation: 'get', parentId, getBy: 'fileName', fileName: 'a\nb.txt', binaryPropertyName: 'data', options: { mimeType: 'text/plain' } }, /control characters/],
		['a limit of 0', { resource: 'invoice', operation: 'getAll', parentId, returnAll: false, limit: 0 }, /"Limit" must be a whole number/],
	])('%s', async (_name, parameters, message) => {
		const result = await runXero(server, parameters);
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error!.message).toMatch(message);
		expect(server.requests).toHaveLength(0);
	});

	it('a file name over 255 characters is refused', async () => {
		const result = await runXero(
			server,
			{ resource: 'invoice', operation: 'upload', parentId, binaryPropertyName: 'data', fileName: `${'n'.repeat(256)}.pdf`, options: {} },
			{ input: [{ binary: { data: pdf } }] },
		);
		expect(result.error!.message).toMatch(/Invalid "File Name": it is 260 characters long, over the limit of 255/);
		expect(server.requests).toHaveLength(0);
	});
});

describe("Xero's errors", () => {
	it("carry Xero's message and every validation error", async () => {
		server.failNext(1, {
			status: 400,
			body: JSON.stringify({
				ErrorNumber: 10,
				Type: 'ValidationException',
				Message: 'A validation exception occurred',
				Elements: [{ ValidationErrors: [{ Message: 'The document is locked for editing' }] }],
			}),
		});
		const result = await runXero(
			server,
			{ resource: 'invoice', operation: 'upload', parentId, binaryPropertyName: 'data', options: {} },
			{ input: [{ binary: { data: pdf } }] },
		);
		expect(result.error).toBeInstanceOf(NodeApiError);
		const error = result.error as NodeApiError;
		expect(error.message).toBe('Xero: A validation exception occurred');
		expect(error.description).toContain('The document is locked for editing');
		expect(error.httpCode).toBe('400');
		expect(server.requests).toHaveLength(1);
	});

	it('a file Xero does not have gives its 404 text, naming the file and the document parameters', async () => {
		const result = await runXero(server, {
			resource: 'invoice',
			operation: 'get',
			parentId,
			getBy: 'fileName',
			fileName: 'missing.pdf',
			binaryPropertyName: 'data',
			options: { mimeType: 'application/pdf' },
		});
		const error = result.error as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('404');
		expect(error.message).toBe(`Xero found no attachment "missing.pdf" on invoice ${parentId} — check "File Name" and "Invoice ID"`);
		expect(error.description).toMatch(/^Xero answers the same when the invoice does not exist in the Organization\. .* Xero: The resource you're looking for cannot be found\./);
	});
});

describe('a document Xero does not have (its 404): a NodeApiError naming the parameter to check', () => {
	function expectDocumentNotFound(error: Error | undefined, kind: string, parameter: string): void {
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).httpCode).toBe('404');
		expect(error!.message).toBe(`No Xero ${kind} with ID ${unknown} — check "${parameter}"`);
		expect((error as NodeApiError).description).toMatch(
			new RegExp(`^Xero has no ${kind} with this ID in the chosen Organization: check the ${parameter} .* and that the Organization is the one the ${kind} belongs to\\. Xero: The resource you're looking for cannot be found\\.`),
		);
	}

	it('Get Many', async () => {
		const result = await runXero(server, { resource: 'account', operation: 'getAll', parentId: unknown, returnAll: true });
		expectDocumentNotFound(result.error, 'account', 'Account ID');
		expect(server.requests).toHaveLength(1);
	});

	it('Get by file name (its listing finds no document, rather than no attachment)', async () => {
		const result = await runXero(server, { resource: 'invoice', operation: 'get', parentId: unknown, getBy: 'fileName', fileName: 'receipt.pdf', binaryPropertyName: 'data', options: {} });
		expectDocumentNotFound(result.error, 'invoice', 'Invoice ID');
		expect(server.requests).toHaveLength(1);
	});

	it('Get with a MIME type given (no listing): names the attachment and the document parameters', async () => {
		const result = await runXero(server, {
			resource: 'creditNote',
			operation: 'get',
			parentId: unknown,
			getBy: 'attachmentId',
			attachmentId: randomUUID(),
			binaryPropertyName: 'data',
			options: { mimeType: 'application/pdf' },
		});
		expect(result.error).toBeInstanceOf(NodeApiError);
		expect(result.error!.message).toMatch(new RegExp(`^Xero found no attachment "[0-9a-f-]{36}" on credit note ${unknown} — check "Attachment ID" and "Credit Note ID"$`));
	});

	it('Upload: nothing is stored', async () => {
		const result = await runXero(
			server,
			{ resource: 'bankTransaction', operation: 'upload', parentId: unknown, binaryPropertyName: 'data', options: {} },
			{ input: [{ binary: { data: pdf } }] },
		);
		expectDocumentNotFound(result.error, 'bank transaction', 'Bank Transaction ID');
		expect(server.attachments('BankTransactions', unknown)).toEqual([]);
		expect(server.requests).toHaveLength(1);
	});

	it('a document without attachments gives no items, and a hint', async () => {
		server.addDocument('Accounts', unknown);
		const result = await runXero(server, { resource: 'account', operation: 'getAll', parentId: unknown, returnAll: true });
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([]);
		expect(result.run.data.resultData.runData['Node Under Test'][0].hints).toEqual([
			{ message: `Xero listed no attachments for account ${unknown}: the account has none.`, location: 'outputPane' },
		]);
	});
});

describe('other errors', () => {
	it('an attachment ID not on the document says which files it has', async () => {
		server.seedAttachment('Invoices', parentId, 'one.pdf', Buffer.from('1'), 'application/pdf');
		const result = await runXero(server, {
			resource: 'invoice',
			operation: 'get',
			parentId,
			getBy: 'attachmentId',
			attachmentId: randomUUID(),
			binaryPropertyName: 'data',
			options: {},
		});
		expect(result.error!.message).toMatch(/^No attachment with ID ".*" on this document$/);
		expect((result.error as NodeOperationError).description).toContain('"one.pdf"');
	});

	it('a revoked token is an authorization error that names no secret, in the error or the logs', async () => {
		server.revokeToken(DEFAULT_ACCESS_TOKEN);
		server.revokeToken(DEFAULT_REFRESH_TOKEN);
		const result = await runXero(server, { resource: 'invoice', operation: 'getAll', parentId, returnAll: true });
		const error = result.error as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expectNoSecrets(JSON.stringify({ message: error.message, description: error.description, items: result.items }));
		expectNoSecrets(logsText(result.logs));
	});
});

describe('items', () => {
	it('with Continue On Fail, N items in give N items out, each paired, errors in place', async () => {
		server.seedAttachment('Invoices', parentId, 'a.pdf', Buffer.from('A'), 'application/pdf');
		const result = await runXero(
			server,
			{ resource: 'invoice', operation: 'getAll', parentId: '={{ $json.parent }}', returnAll: true },
			{
				continueOnFail: true,
				input: [{ json: { parent: parentId } }, { json: { parent: 'not-a-guid' } }, { json: { parent: unknown } }],
			},
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(result.items[0].json.FileName).toBe('a.pdf');
		expect(result.items[1].json.error).toMatch(/Invalid "Invoice ID"/);
		expect(result.items[2].json).toMatchObject({ error: `No Xero invoice with ID ${unknown} — check "Invoice ID"`, httpCode: '404' });
	});

	it('without Continue On Fail the first failure stops the node with its item index', async () => {
		const result = await runXero(
			server,
			{ resource: 'invoice', operation: 'getAll', parentId: '={{ $json.parent }}', returnAll: true },
			{ input: [{ json: { parent: parentId } }, { json: { parent: 'nope' } }] },
		);
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect((result.error as NodeOperationError).context.itemIndex).toBe(1);
	});
});
