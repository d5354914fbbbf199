/**
 * Upload from text (Source "Text") and Get's Include Text Content, run through n8n's real
 * execution code against the local Xero emulator, in a workflow and as an AI agent's tool runs the
 * node: the bytes and MIME type the emulator received (spec-checked), the errors raised before any
 * request, and the text a download outputs.
 */
import { createHash, randomUUID } from 'crypto';

import { NodeOperationError } from 'n8n-workflow';
import type { INodeParameters } from 'n8n-workflow';

import { binaryStats } from '../../support/n8n-harness';
import { header, runXero, xeroCredentials, useXeroEmulator } from './context';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

const server = useXeroEmulator();
// Xero answers 404 for the attachments of a document it does not have.
beforeEach(() => server.addDocument('Invoices', parentId));

const parentId = randomUUID();
const base = `/api.xro/2.0/Invoices/${parentId}/Attachments`;

describe('Upload from text', () => {
	it('sends the UTF-8 bytes of Text exactly, typed by the file name, named by File Name', async () => {
		const text = 'Notiz – Prüfung\r\n  indented line\n\n😀 trailing spaces   \n';
		const result = await runXero(server, { resource: 'invoice', operation: 'upload', parentId, source: 'text', text, fileName: 'Prüfung notes.md', options: {} });
		expect(result.error).toBeUndefined();
		const [request] = server.requests;
		expect(request.method).toBe('PUT');
		expect(request.url).toBe(`${base}/Pr%C3%BCfung%20notes.md`);
		expect(header(request, 'content-type')).toBe('text/markdown');
		expect(header(request, 'content-length')).toBe(String(Buffer.byteLength(text)));
		expect(request.body!.equals(Buffer.from(text, 'utf8'))).toBe(true);
		const [stored] = server.attachments('Invoices', parentId);
		expect(stored).toMatchObject({ fileName: 'Prüfung notes.md', mimeType: 'text/markdown', size: Buffer.byteLength(text), sha256: sha256(text) });
		expect(result.items[0].json).toMatchObject({ FileName: 'Prüfung notes.md', MimeType: 'text/markdown' });
	});

	it('takes MIME Type as given, and needs no input binary (an agent has none)', async () => {
		const text = 'id,amount\n1,10.50\n';
		const result = await runXero(
			server,
			{ resource: 'invoice', operation: 'upload', parentId, source: 'text', text, fileName: 'export.txt', mimeType: 'text/csv', options: { replace: true } },
			{ asTool: true, input: [{ json: { query: 'upload the export' } }] },
		);
		expect(result.error).toBeUndefined();
		const [request] = server.requests;
		expect(request.method).toBe('POST');
		expect(header(request, 'content-type')).toBe('text/csv');
		expect(request.body!.toString('utf8')).toBe(text);
	});

	it('refuses empty Text, and a missing File Name, before any request', async () => {
		// n8n itself refuses an empty required field; an expression (e.g. an agent's $fromAI) can still come out empty.
		const empty = await runXero(server, { resource: 'invoice', operation: 'upload', parentId, source: 'text', text: '={{ $json.missing ?? "" }}', fileName: 'a.txt', options: {} });
		expect(empty.error).toBeInstanceOf(NodeOperationError);
		expect(empty.error!.message).toBe('The parameter "Text" is empty: there is nothing to upload');
		const unnamed = await runXero(server, { resource: 'invoice', operation: 'upload', parentId, source: 'text', text: 'x', fileName: '={{ " " }}', options: {} });
		expect(unnamed.error!.message).toBe('The parameter "File Name" is required when uploading text');
		expect(server.requests).toHaveLength(0);
	});

	it("refuses a text over Xero's 10 MB before sending it to api.xero.com", async () => {
		const text = 'a'.repeat(10 * 1024 * 1024 + 1);
		const result = await runXero(
			server,
			{ resource: 'invoice', operation: 'upload', parentId, source: 'text', text, fileName: 'big.txt', options: {} },
			// No base URL override: Xero's own host, whose limit applies (nothing is sent, so none is reached).
			{ credentials: { ...xeroCredentials(server), baseUrl: '' } },
		);
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error!.message).toBe('The file "big.txt" is 10485761 bytes, over the 10485760 bytes Xero accepts');
		expect(server.requests).toHaveLength(0);
	});

	it('keeps the File Name of saved binary uploads (the former main field); Options → File Name wins', async () => {
		const input = [{ binary: { data: { data: Buffer.from('%PDF-1.4 x'), fileName: 'scan.pdf', mimeType: 'application/pdf' } } }];
		const legacy = await runXero(server, { resource: 'invoice', operation: 'upload', parentId, binaryPropertyName: 'data', fileName: 'legacy name.pdf', options: {} }, { input });
		expect(legacy.error).toBeUndefined();
		const both = await runXero(
			server,
			{ resource: 'invoice', operation: 'upload', parentId, source: 'binary', binaryPropertyName: 'data', fileName: 'legacy name.pdf', options: { fileName: 'new name.pdf' } },
			{ input },
		);
		expect(both.error).toBeUndefined();
		expect(server.requests.map((request) => request.url)).toEqual([`${base}/legacy%20name.pdf`, `${base}/new%20name.pdf`]);
	});
});

describe('Get with Include Text Content', () => {
	const get = (attachmentId: string, options: INodeParameters = {}): INodeParameters => ({
		resource: 'invoice',
		operation: 'get',
		parentId,
		getBy: 'attachmentId',
		attachmentId,
		binaryPropertyName: 'data',
		options,
	});

	it('outputs a text file as text, next to the binary', async () => {
		const content = 'name;amount\nÄrger;1\n';
		const record = server.seedAttachment('Invoices', parentId, 'amounts.csv', Buffer.from(content), 'text/csv');
		const result = await runXero(server, get(record.attachmentId, { includeTextContent: true }));
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ FileName: 'amounts.csv', textContent: content, textContentTruncated: false });
		expect(await binaryStats(result.items[0].binary!.data)).toEqual({ size: Buffer.byteLength(content), sha256: sha256(content) });
	});

	it('is off by default in a workflow, on by default as a tool, and off as a tool when set off', async () => {
		const record = server.seedAttachment('Invoices', parentId, 'note.txt', Buffer.from('hello'), 'text/plain');
		const workflow = await runXero(server, get(record.attachmentId));
		expect(workflow.items[0].json.textContent).toBeUndefined();
		const tool = await runXero(server, get(record.attachmentId), { asTool: true });
		expect(tool.items[0].json).toMatchObject({ textContent: 'hello', textContentTruncated: false });
		const off = await runXero(server, get(record.attachmentId, { includeTextContent: false }), { asTool: true });
		expect(off.items[0].json.textContent).toBeUndefined();
	});

	it('gives no text for a binary file, nor for a "text" file that is not UTF-8', async () => {
		const pdf = server.seedAttachment('Invoices', parentId, 'scan.pdf', Buffer.from('%PDF-1.4 \x00\x01'), 'application/pdf');
		const latin1 = server.seedAttachment('Invoices', parentId, 'legacy.txt', Buffer.from([0x66, 0xfc, 0x72]), 'text/plain');
		for (const record of [pdf, latin1]) {
			const result = await runXero(server, get(record.attachmentId, { includeTextContent: true }));
			expect(result.error).toBeUndefined();
			expect(result.items[0].json).not.toHaveProperty('textContent');
			expect(result.items[0].json).not.toHaveProperty('textContentTruncated');
			expect(result.items[0].binary!.data).toBeDefined();
		}
	});

	it('cuts a text over the limit at a character boundary and says so', async () => {
		// "é" is two bytes: a limit of 6 falls inside the fourth one.
		const record = server.seedAttachment('Invoices', parentId, 'long.txt', Buffer.from('aéééé'), 'text/plain');
		const result = await runXero(server, get(record.attachmentId, { includeTextContent: true, textContentMaxBytes: 6 }));
		expect(result.items[0].json).toMatchObject({ textContent: 'aéé', textContentTruncated: true });
		const exact = await runXero(server, get(record.attachmentId, { includeTextContent: true, textContentMaxBytes: 9 }));
		expect(exact.items[0].json).toMatchObject({ textContent: 'aéééé', textContentTruncated: false });
	});

	it('refuses a limit that is not a whole number of at least 1, before any request', async () => {
		const result = await runXero(server, get(randomUUID(), { includeTextContent: true, textContentMaxBytes: 0, mimeType: 'text/plain' }));
		expect(result.error!.message).toBe('Invalid "Text Content Limit (Bytes)": expected a whole number of at least 1, got 0');
		expect(server.requests).toHaveLength(0);
	});
});
