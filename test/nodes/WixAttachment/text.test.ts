/**
 * Upload from text (Source "Text") and Get's Include Text Content, run through n8n's real
 * execution code against the local Wix emulator (the announce call spec-checked), in a workflow and
 * as an AI agent's tool runs the node.
 */
import { createHash } from 'crypto';

import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INodeParameters } from 'n8n-workflow';

import { CONTACT_ID, header, runWix, useWixEmulator } from './context';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const byId = (value: string) => ({ __rl: true, mode: 'id', value });

const server = useWixEmulator({ maxAttachmentBytes: 64 });

const upload = (parameters: INodeParameters): INodeParameters => ({ operation: 'upload', contactId: CONTACT_ID, source: 'text', options: {}, ...parameters });

describe('Upload from text', () => {
	it('announces the text file (name, type from the extension), then PUTs its UTF-8 bytes exactly', async () => {
		const text = 'name,city\nAda,Zürich\n';
		const result = await runWix(server, upload({ text, fileName: 'contacts – März.csv' }));
		expect(result.error).toBeUndefined();
		const [announce, put] = server.requests;
		expect(JSON.parse(announce.body!.toString('utf8'))).toEqual({ contactId: CONTACT_ID, fileName: 'contacts – März.csv', mimeType: 'text/csv' });
		expect(header(put, 'content-type')).toBe('text/csv');
		expect(header(put, 'content-length')).toBe(String(Buffer.byteLength(text)));
		expect(put.body!.equals(Buffer.from(text, 'utf8'))).toBe(true);
		expect(server.attachments(CONTACT_ID)[0]).toMatchObject({ fileName: 'contacts – März.csv', mimeType: 'text/csv', sha256: sha256(text) });
	});

	it('uses MIME Type as given (Options → MIME Type is for binary files only), as a tool', async () => {
		const result = await runWix(server, upload({ text: 'a;b\n', fileName: 'export.txt', mimeType: 'text/csv', options: { mimeType: 'application/pdf' } }), { asTool: true });
		expect(result.error).toBeUndefined();
		expect(JSON.parse(server.requests[0].body!.toString('utf8'))).toMatchObject({ fileName: 'export.txt', mimeType: 'text/csv' });
	});

	it('refuses empty Text, and a type Wix does not take, before any request', async () => {
		const empty = await runWix(server, upload({ text: '={{ "" }}', fileName: 'a.csv' }));
		expect(empty.error).toBeInstanceOf(NodeOperationError);
		expect(empty.error!.message).toBe('The parameter "Text" is empty: there is nothing to upload');
		const plain = await runWix(server, upload({ text: 'hello', fileName: 'hello.txt' }));
		expect(plain.error!.message).toMatch(/^Invalid "MIME Type": Wix does not accept "text\/plain" files as contact attachments/);
		expect(server.requests).toHaveLength(0);
	});

	it("reports Wix's refusal of a text over its size limit (the node knows no documented limit)", async () => {
		const result = await runWix(server, upload({ text: 'x,'.repeat(40), fileName: 'big.csv' }));
		expect(result.error).toBeInstanceOf(NodeApiError);
		expect((result.error as NodeApiError).httpCode).toBe('413');
		expect(server.attachments(CONTACT_ID)).toHaveLength(0);
	});
});

describe('Get with Include Text Content', () => {
	const get = (attachmentId: string, options: INodeParameters = {}): INodeParameters => ({
		operation: 'get',
		contactId: CONTACT_ID,
		attachmentId: byId(attachmentId),
		download: true,
		binaryPropertyName: 'data',
		options,
	});

	it('outputs a CSV as text; a PDF gets none; a cut text says so', async () => {
		const csv = server.seedAttachment(CONTACT_ID, 'amounts.csv', Buffer.from('a,b\n1,2\n'), 'text/csv');
		const pdf = server.seedAttachment(CONTACT_ID, 'form.pdf', Buffer.from('%PDF-1.4 \x00\xfe'), 'application/pdf');
		const text = await runWix(server, get(csv.id, { includeTextContent: true }));
		expect(text.error).toBeUndefined();
		expect(text.items[0].json).toMatchObject({ id: csv.id, fileName: 'amounts.csv', textContent: 'a,b\n1,2\n', textContentTruncated: false });
		const binary = await runWix(server, get(pdf.id, { includeTextContent: true }));
		expect(binary.items[0].json).not.toHaveProperty('textContent');
		const cut = await runWix(server, get(csv.id, { includeTextContent: true, textContentMaxBytes: 4 }));
		expect(cut.items[0].json).toMatchObject({ textContent: 'a,b\n', textContentTruncated: true });
	});

	it('is off by default in a workflow and on by default as a tool', async () => {
		const csv = server.seedAttachment(CONTACT_ID, 'amounts.csv', Buffer.from('a,b\n'), 'text/csv');
		const workflow = await runWix(server, get(csv.id));
		expect(workflow.items[0].json).not.toHaveProperty('textContent');
		const tool = await runWix(server, get(csv.id), { asTool: true });
		expect(tool.items[0].json).toMatchObject({ textContent: 'a,b\n', textContentTruncated: false });
	});
});
