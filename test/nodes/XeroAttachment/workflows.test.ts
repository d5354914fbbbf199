/**
 * The workflow fixtures in ./workflows, one per operation, run as n8n runs a saved workflow:
 * manual trigger, (fixture source,) Xero Attachment node with its saved parameters.
 */
import { createHash } from 'crypto';

import { readBinary } from '../../support/n8n-harness';
import { runXeroWorkflow, useXeroEmulator } from './context';

const parentId = '4074292c-09b3-456d-84e7-add864c6c39b';
const server = useXeroEmulator();
// Xero answers 404 for the attachments of a document it does not have.
beforeEach(() => server.addDocument('Invoices', parentId));

it('get-many.json lists the invoice attachments', async () => {
	server.seedAttachment('Invoices', parentId, 'receipt.pdf', Buffer.from('%PDF'), 'application/pdf');
	const { error, output } = await runXeroWorkflow(server, 'get-many.json');
	expect(error).toBeUndefined();
	expect(output.map((item) => item.json.FileName)).toEqual(['receipt.pdf']);
});

it('get-by-id.json downloads the attachment named by its ID', async () => {
	const record = server.seedAttachment('Invoices', parentId, 'receipt.pdf', Buffer.from('%PDF-1.4 by id'), 'application/pdf');
	const { error, output } = await runXeroWorkflow(server, 'get-by-id.json', { attachmentId: record.attachmentId });
	expect(error).toBeUndefined();
	expect((await readBinary(output[0].binary!.data)).toString()).toBe('%PDF-1.4 by id');
});

it('get-by-file-name.json downloads into the "file" field', async () => {
	server.seedAttachment('Invoices', parentId, 'receipt.pdf', Buffer.from('%PDF-1.4 by name'), 'application/pdf');
	const { error, output } = await runXeroWorkflow(server, 'get-by-file-name.json');
	expect(error).toBeUndefined();
	expect((await readBinary(output[0].binary!.file)).toString()).toBe('%PDF-1.4 by name');
});

it('upload.json attaches the file under its own name, shown online', async () => {
	const { error, output } = await runXeroWorkflow(server, 'upload.json');
	expect(error).toBeUndefined();
	expect(output[0].json).toMatchObject({ FileName: 'receipt scan (1).pdf', IncludeOnline: true });
	const [stored] = server.attachments('Invoices', parentId);
	expect(stored.sha256).toBe(createHash('sha256').update('%PDF-1.4 fixture receipt\n').digest('hex'));
	expect(server.requests[0].url).toContain('?IncludeOnline=true');
});

it('upload-replace.json replaces receipt.pdf', async () => {
	server.seedAttachment('Invoices', parentId, 'receipt.pdf', Buffer.from('old'), 'application/pdf');
	const { error } = await runXeroWorkflow(server, 'upload-replace.json');
	expect(error).toBeUndefined();
	const stored = server.attachments('Invoices', parentId);
	expect(stored).toHaveLength(1);
	expect(stored[0].size).toBe('%PDF-1.4 corrected receipt\n'.length);
	expect(server.requests[0].method).toBe('POST');
});
