/**
 * Upload from text (Source "Text"), Get with Include Text Content, and what an AI agent's tool
 * call gets (no pre-signed download_url), run through n8n's real execution code against the local
 * Asana emulator; every API request is checked against Asana's spec.
 */
import { createHash } from 'crypto';

import { NodeOperationError } from 'n8n-workflow';
import type { INodeParameters } from 'n8n-workflow';

import { DEFAULT_PROJECT, DEFAULT_TASK } from '../../../sandbox/asana/server';
import { locator, runAsana, targets, useAsanaEmulator } from './context';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

const server = useAsanaEmulator();

const upload = (parameters: INodeParameters): INodeParameters => ({ operation: 'upload', parent: locator(DEFAULT_TASK.gid), source: 'text', options: {}, ...parameters });

describe('Upload from text', () => {
	it('sends the text as the multipart file part, byte for byte, typed by the file name', async () => {
		const text = '{\n  "summary": "Vertrag geprüft ✓",\n  "open": [1, 2]\n}\n';
		const result = await runAsana(server, upload({ text, fileName: 'review – März.json' }));
		expect(result.error).toBeUndefined();
		expect(targets(server.requests)).toEqual(['POST /api/1.0/attachments']);
		const file = server.requests[0].multipart!.parts.find((part) => part.name === 'file')!;
		expect(file).toMatchObject({ fileName: 'review – März.json', contentType: 'application/json', size: Buffer.byteLength(text), sha256: sha256(text) });
		const [stored] = server.attachments(DEFAULT_TASK.gid);
		expect(stored).toMatchObject({ name: 'review – März.json', mimeType: 'application/json', sha256: sha256(text), resourceSubtype: 'asana' });
		expect(result.items[0].json).toMatchObject({ gid: stored.gid, name: 'review – März.json' });
	});

	it('takes MIME Type as given, to a project, as a tool (no input binary)', async () => {
		const text = '# Minutes\n\n- one\n- two\n';
		const result = await runAsana(server, upload({ parent: locator(DEFAULT_PROJECT.gid), text, fileName: 'minutes', mimeType: 'text/markdown' }), { asTool: true });
		expect(result.error).toBeUndefined();
		const [stored] = server.attachments(DEFAULT_PROJECT.gid);
		expect(stored).toMatchObject({ name: 'minutes', mimeType: 'text/markdown', size: Buffer.byteLength(text), sha256: sha256(text) });
	});

	it('refuses empty Text and a missing File Name before any request', async () => {
		const empty = await runAsana(server, upload({ text: '={{ "" }}', fileName: 'a.txt' }));
		expect(empty.error).toBeInstanceOf(NodeOperationError);
		expect(empty.error!.message).toBe('The parameter "Text" is empty: there is nothing to upload');
		const unnamed = await runAsana(server, upload({ text: 'x', fileName: '={{ "" }}' }));
		expect(unnamed.error!.message).toBe('The parameter "File Name" is required when uploading text');
		expect(server.requests).toHaveLength(0);
	});

	it('keeps Options → File Name of saved binary uploads (no Source parameter)', async () => {
		const result = await runAsana(
			server,
			{ operation: 'upload', parent: locator(DEFAULT_TASK.gid), binaryPropertyName: 'data', options: { fileName: 'renamed.pdf' } },
			{ input: [{ binary: { data: { data: Buffer.from('%PDF-1.4'), fileName: 'scan.pdf', mimeType: 'application/pdf' } } }] },
		);
		expect(result.error).toBeUndefined();
		expect(server.attachments(DEFAULT_TASK.gid)[0]).toMatchObject({ name: 'renamed.pdf', mimeType: 'application/pdf' });
	});
});

describe('Get with Include Text Content, and as a tool', () => {
	const get = (gid: string, options: INodeParameters = {}): INodeParameters => ({ operation: 'get', attachmentId: gid, download: true, binaryPropertyName: 'data', options });

	it('outputs the text of a text file; none for a binary file; a cut text says so', async () => {
		const note = server.seedAttachment(DEFAULT_TASK.gid, 'notes.md', Buffer.from('# Notes\nÜberblick\n'), 'text/markdown');
		const pdf = server.seedAttachment(DEFAULT_TASK.gid, 'contract.pdf', Buffer.from('%PDF-1.7 \x00\xff'), 'application/pdf');
		const text = await runAsana(server, get(note.gid, { includeTextContent: true }));
		expect(text.error).toBeUndefined();
		expect(text.items[0].json).toMatchObject({ gid: note.gid, name: 'notes.md', textContent: '# Notes\nÜberblick\n', textContentTruncated: false });
		const binary = await runAsana(server, get(pdf.gid, { includeTextContent: true }));
		expect(binary.items[0].json).not.toHaveProperty('textContent');
		expect(binary.items[0].binary!.data).toMatchObject({ fileName: 'contract.pdf' });
		const cut = await runAsana(server, get(note.gid, { includeTextContent: true, textContentMaxBytes: 8 }));
		expect(cut.items[0].json).toMatchObject({ textContent: '# Notes\n', textContentTruncated: true });
	});

	it('in a workflow: no text unless asked, and the record keeps its download_url', async () => {
		const note = server.seedAttachment(DEFAULT_TASK.gid, 'notes.txt', Buffer.from('hello'), 'text/plain');
		const result = await runAsana(server, get(note.gid));
		expect(result.items[0].json).not.toHaveProperty('textContent');
		expect(String(result.items[0].json.download_url)).toMatch(new RegExp(`^${server.filesUrl}/`));
	});

	it('as a tool: the text by default, and no pre-signed download_url in Get, Get Many or Upload', async () => {
		const note = server.seedAttachment(DEFAULT_TASK.gid, 'notes.txt', Buffer.from('hello agent'), 'text/plain');
		const got = await runAsana(server, get(note.gid), { asTool: true });
		expect(got.error).toBeUndefined();
		expect(got.items[0].json).toMatchObject({ gid: note.gid, name: 'notes.txt', textContent: 'hello agent', textContentTruncated: false });
		// The file was fetched from the pre-signed URL, which the output does not carry.
		expect(server.fileRequests).toHaveLength(1);
		const record = await runAsana(server, { operation: 'get', attachmentId: note.gid, download: false, options: {} }, { asTool: true });
		const listed = await runAsana(
			server,
			{ operation: 'getAll', parent: locator(DEFAULT_TASK.gid), returnAll: true, options: { fields: ['name', 'download_url', 'view_url'] } },
			{ asTool: true },
		);
		const uploaded = await runAsana(server, upload({ text: 'x', fileName: 'x.txt', options: { fields: ['name', 'download_url'] } }), { asTool: true });
		for (const result of [got, record, listed, uploaded]) {
			expect(result.error).toBeUndefined();
			for (const item of result.items) {
				expect(item.json).not.toHaveProperty('download_url');
				expect(JSON.stringify(item.json)).not.toContain('X-Amz-Signature');
			}
		}
		expect(listed.items.map((item) => item.json.name)).toEqual(['notes.txt']);
		expect(record.items[0].json).toMatchObject({ gid: note.gid, name: 'notes.txt' });
	});
});
