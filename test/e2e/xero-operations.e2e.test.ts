/**
 * Xero Attachment in a real n8n, every operation, through Prism.
 *
 * n8n (the pinned host, package installed as the Community Nodes panel installs it) runs each
 * workflow with `n8n execute --id`; the node's credential points at the sandbox's Prism gate,
 * which checks every request and response against Xero's specs before the emulator of
 * sandbox/xero/server.ts answers. Each run is checked three ways: Prism refused nothing,
 * the node's output (JSON fields, binary bytes by size and SHA-256), what the emulator received.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { RunningProvider, Sandbox } from '../../sandbox';
import { XERO_CREDENTIAL_TYPE as CREDENTIAL_TYPE, XERO_DEMO } from '../../sandbox/xero/demo';
import { EXAMPLES } from '../../examples';
import type { XeroServer } from '../../sandbox/xero/server';
import { XERO_NODE_TYPE, runsExamples } from './support/n8n';
import type { WorkflowToImport } from './support/n8n';
import {
	describeRunError,
	expectSuccess,
	itemsOf,
	makeFile,
	node,
	prismError,
	readBinary,
	runWorkflow,
	sha256,
	workflow,
	type WorkflowNode,
} from './support/workflows';
import { useProviderInN8n } from './support/operations';
import type { E2eN8n } from './support/server';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLE = EXAMPLES.find((e) => e.provider === 'xero')!;
const TENANT_ID = XERO_DEMO.tenant.tenantId;
const READ_INVOICE = '5b1d3e0a-8c1f-4f6e-9a2d-7e3b1c0d9f01';
const WRITE_INVOICE = '5b1d3e0a-8c1f-4f6e-9a2d-7e3b1c0d9f02';
const FULL_INVOICE = '5b1d3e0a-8c1f-4f6e-9a2d-7e3b1c0d9f03';

const BIG = { fileName: 'scan-5MiB.bin', mimeType: 'application/octet-stream', content: randomBytes(5 * 1024 * 1024) };
const RECEIPT = XERO_DEMO.receipt;
const NOTE_V1 = { fileName: 'delivery note (1).txt', mimeType: 'text/plain', content: Buffer.from('Delivery note: 3 boxes, signed by R. Hone.\n') };
const NOTE_V2 = { fileName: 'delivery note (1).txt', mimeType: 'text/plain', content: Buffer.from('Delivery note (corrected): 4 boxes, signed by R. Hone.\n') };

describe('Xero Attachment in a real n8n, through Prism', () => {
	const e2e = useProviderInN8n<XeroServer>('xero', { demoData: true });
	let sandbox: Sandbox;
	let xero: RunningProvider<XeroServer>;
	let n8n: E2eN8n;
	let userFolder: string;
	let credential: { id: string; name: string };
	const ids = e2e.ids;
	let bigAttachmentId: string;

	const xeroNode = (name: string, parameters: Record<string, unknown>, extra: Partial<WorkflowNode> = {}): WorkflowNode =>
		node(
			name,
			XERO_NODE_TYPE,
			{ resource: 'invoice', tenantId: { __rl: true, mode: 'id', value: TENANT_ID }, ...parameters },
			{ credentials: { [CREDENTIAL_TYPE]: credential }, ...extra },
		);

	beforeAll(async () => {
		({ sandbox, provider: xero, n8n } = e2e);
		const server = xero.emulator;
		server.seedAttachment('Invoices', READ_INVOICE, RECEIPT.fileName, RECEIPT.content, RECEIPT.mimeType);
		bigAttachmentId = server.seedAttachment('Invoices', READ_INVOICE, BIG.fileName, BIG.content, BIG.mimeType).attachmentId;
		for (let i = 1; i <= 10; i++) server.seedAttachment('Invoices', FULL_INVOICE, `page-${i}.txt`, Buffer.from(`page ${i}\n`), 'text/plain');
		// Xero answers 404 for a document it does not have: the invoice the uploads go to exists.
		server.addDocument('Invoices', WRITE_INVOICE);

		userFolder = n8n.userFolder;
		const [demo] = await n8n.importCredentials(xero.credentials);
		credential = { id: demo.id, name: demo.name };

		const example = JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples', EXAMPLE.file), 'utf8')) as WorkflowToImport;
		const workflows: Record<string, WorkflowToImport> = {
			read: workflow('e2e Xero: Get Many, Get by ID, Get by file name', [
				[xeroNode('Get Many', { operation: 'getAll', parentId: READ_INVOICE, returnAll: true })],
				// No MIME type given: the node looks it up in the listing first.
				[xeroNode('Get by ID', { operation: 'get', parentId: READ_INVOICE, getBy: 'attachmentId', attachmentId: bigAttachmentId, binaryPropertyName: 'data', options: {} })],
				[
					xeroNode('Get by file name', {
						operation: 'get',
						parentId: READ_INVOICE,
						getBy: 'fileName',
						fileName: RECEIPT.fileName,
						binaryPropertyName: 'receipt',
						options: { mimeType: RECEIPT.mimeType },
					}),
				],
			]),
			write: workflow('e2e Xero: Upload (PUT), Upload replace (POST), 5 MiB copy', [
				[
					...makeFile('Note v1', NOTE_V1),
					xeroNode('Upload', { operation: 'upload', parentId: WRITE_INVOICE, binaryPropertyName: 'data', fileName: '', options: { includeOnline: true } }),
				],
				[
					...makeFile('Note v2', NOTE_V2),
					xeroNode('Upload replace', {
						operation: 'upload',
						parentId: WRITE_INVOICE,
						binaryPropertyName: 'data',
						fileName: NOTE_V1.fileName,
						options: { replace: true, idempotencyKey: 'e2e-replace-1' },
					}),
				],
				[
					xeroNode('Download 5 MiB', { operation: 'get', parentId: READ_INVOICE, getBy: 'fileName', fileName: BIG.fileName, binaryPropertyName: 'data', options: {} }),
					xeroNode('Upload 5 MiB copy', { operation: 'upload', parentId: WRITE_INVOICE, binaryPropertyName: 'data', fileName: 'scan copy.bin', options: {} }),
				],
			]),
			full: workflow('e2e Xero: Upload to a full invoice (Xero validation error)', [
				[...makeFile('Page 11', { fileName: 'page-11.txt', mimeType: 'text/plain', content: Buffer.from('page 11\n') }), xeroNode('Upload to full invoice', { operation: 'upload', parentId: FULL_INVOICE, binaryPropertyName: 'data', fileName: '', options: {} })],
			]),
			refused: workflow('e2e Xero: a response Prism refuses', [[xeroNode('Get Many', { operation: 'getAll', parentId: READ_INVOICE, returnAll: true })]]),
			example,
		};
		await e2e.importWorkflows(workflows);
	}, 30 * 60_000);

	it('Get Many, Get by ID (5 MiB, MIME type looked up) and Get by file name', async () => {
		const run = await runWorkflow(n8n, sandbox, ids.read);
		expectSuccess(run, sandbox);

		const listed = itemsOf(run, 'Get Many').map((item) => item.json);
		expect(listed).toEqual([
			expect.objectContaining({ FileName: RECEIPT.fileName, MimeType: RECEIPT.mimeType, ContentLength: RECEIPT.content.length, IncludeOnline: false }),
			expect.objectContaining({ AttachmentID: bigAttachmentId, FileName: BIG.fileName, MimeType: BIG.mimeType, ContentLength: BIG.content.length }),
		]);

		const [byId] = itemsOf(run, 'Get by ID');
		expect(byId.json).toMatchObject({ AttachmentID: bigAttachmentId, FileName: BIG.fileName });
		expect(byId.binary?.data).toMatchObject({ fileName: BIG.fileName, mimeType: BIG.mimeType });
		const bigBytes = readBinary(userFolder, byId.binary!.data);
		expect({ size: bigBytes.length, sha256: sha256(bigBytes) }).toEqual({ size: BIG.content.length, sha256: sha256(BIG.content) });

		const [byName] = itemsOf(run, 'Get by file name');
		expect(byName.binary?.receipt).toMatchObject({ fileName: RECEIPT.fileName, mimeType: RECEIPT.mimeType });
		const receiptBytes = readBinary(userFolder, byName.binary!.receipt);
		expect(sha256(receiptBytes)).toBe(sha256(RECEIPT.content));

		// What the emulator received, in order: list; list + download by ID; download by name.
		const received = xero.emulator.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
		const base = `/api.xro/2.0/Invoices/${READ_INVOICE}/Attachments`;
		expect(received).toEqual([`GET ${base}`, `GET ${base}`, `GET ${base}/${bigAttachmentId}`, `GET ${base}/${RECEIPT.fileName}`]);
		for (const request of xero.emulator.requests) {
			expect(request.headers).toMatchObject({ authorization: `Bearer ${XERO_DEMO.accessToken}`, 'xero-tenant-id': TENANT_ID });
		}
		expect(xero.emulator.requests[2].headers.contenttype).toBe(BIG.mimeType);
		expect(xero.emulator.requests[3].headers.contenttype).toBe(RECEIPT.mimeType);
		// The 5 MiB went through the gate as a stream, unchanged.
		const download = xero.gate.exchanges.find((e) => e.url.endsWith(`/Attachments/${bigAttachmentId}`));
		expect(download).toMatchObject({ status: 200, responseBytes: BIG.content.length, responseSha256: sha256(BIG.content) });
	});

	it('Upload (PUT, Include Online), Upload replace (POST), and a 5 MiB download uploaded again', async () => {
		const run = await runWorkflow(n8n, sandbox, ids.write);
		expectSuccess(run, sandbox);

		const [created] = itemsOf(run, 'Upload').map((item) => item.json);
		expect(created).toMatchObject({ FileName: NOTE_V1.fileName, MimeType: NOTE_V1.mimeType, ContentLength: NOTE_V1.content.length, IncludeOnline: true });
		const [replaced] = itemsOf(run, 'Upload replace').map((item) => item.json);
		expect(replaced).toMatchObject({ FileName: NOTE_V1.fileName, ContentLength: NOTE_V2.content.length });
		const [copy] = itemsOf(run, 'Upload 5 MiB copy').map((item) => item.json);
		expect(copy).toMatchObject({ FileName: 'scan copy.bin', MimeType: BIG.mimeType, ContentLength: BIG.content.length });

		const uploads = xero.emulator.requests.filter((r) => r.method === 'PUT' || r.method === 'POST');
		const base = `/api.xro/2.0/Invoices/${WRITE_INVOICE}/Attachments`;
		expect(uploads.map((r) => ({ method: r.method, path: decodeURIComponent(r.path), query: r.query.toString(), type: r.headers['content-type'], size: r.bodySize, sha256: r.bodySha256 }))).toEqual([
			{ method: 'PUT', path: `${base}/${NOTE_V1.fileName}`, query: 'IncludeOnline=true', type: NOTE_V1.mimeType, size: NOTE_V1.content.length, sha256: sha256(NOTE_V1.content) },
			{ method: 'POST', path: `${base}/${NOTE_V1.fileName}`, query: '', type: NOTE_V2.mimeType, size: NOTE_V2.content.length, sha256: sha256(NOTE_V2.content) },
			{ method: 'PUT', path: `${base}/scan copy.bin`, query: '', type: BIG.mimeType, size: BIG.content.length, sha256: sha256(BIG.content) },
		]);
		expect(uploads[0].headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
		expect(uploads[1].headers['idempotency-key']).toBe('e2e-replace-1');

		// Stored state: the replace kept one note (the new bytes), the copy is the seeded file.
		const stored = xero.emulator.attachments('Invoices', WRITE_INVOICE).map((a) => ({ name: a.fileName, size: a.size, sha256: a.sha256 }));
		expect(stored).toEqual([
			{ name: NOTE_V1.fileName, size: NOTE_V2.content.length, sha256: sha256(NOTE_V2.content) },
			{ name: 'scan copy.bin', size: BIG.content.length, sha256: sha256(BIG.content) },
		]);
	});

	it("Upload to an invoice that already has 10 attachments fails with Xero's validation message", async () => {
		const run = await runWorkflow(n8n, sandbox, ids.full);
		expect(prismError(sandbox)).toBeUndefined();
		expect(run.status).toBe('error');
		// On n8n 1.x too: its errors drop the HTTP error they wrap, so the transport reads error
		// answers itself there (request.ts readsStatuses).
		expect(describeRunError(run)).toContain('A document can have at most 10 attachments');
		// Xero's 400 went through Prism, whose spec declares it (400Error): the body matched its Error schema.
		const upload = xero.gate.exchanges.find((e) => e.method === 'PUT');
		expect(upload).toMatchObject({ status: 400, warnings: [], operation: expect.stringContaining('createInvoiceAttachmentByFileName') });
		expect(upload?.refused).toBeUndefined();
		expect(xero.emulator.attachments('Invoices', FULL_INVOICE)).toHaveLength(10);
	});

	it("fails with Prism's message when Prism refuses an exchange, even one the node's retry got past", async () => {
		// One response that breaks the spec: Prism answers 500 VIOLATIONS instead, the node retries
		// (5xx on a GET) and gets the real listing, so n8n reports success. The suite must not.
		xero.emulator.failNext(1, { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Attachments: 'not a list' }) });
		const run = await runWorkflow(n8n, sandbox, ids.refused);
		expect(run.status).toBe('success');
		expect(() => expectSuccess(run, sandbox)).toThrow(/Prism \(xero\) refused GET \S+: 500 Request\/Response not valid\..*\[response\.body\.Attachments\] Response body property Attachments must be array/s);
		expect(xero.gate.refusals()).toHaveLength(1);
		expect(xero.emulator.requests).toHaveLength(2);
	});

	// Each example runs once per shape that adds something (examples.e2e.test.ts): this one here in
	// the database store and on n8n 1.123 (n8n-1x), from the editor in the editor suite.
	if (runsExamples()) it(`runs the example workflow examples/${EXAMPLE.file} with its demo credential`, async () => {
		const run = await runWorkflow(n8n, sandbox, ids.example);
		expectSuccess(run, sandbox);
		expect(itemsOf(run, 'List invoice attachments').map((item) => item.json.FileName)).toEqual([RECEIPT.fileName]);
		const [downloaded] = itemsOf(run, 'Download receipt.pdf');
		expect(sha256(readBinary(userFolder, downloaded.binary!.data))).toBe(sha256(RECEIPT.content));
		expect(itemsOf(run, 'Upload it again as a copy').map((item) => item.json)).toEqual([
			expect.objectContaining({ FileName: 'receipt (copy).pdf', MimeType: RECEIPT.mimeType, ContentLength: RECEIPT.content.length }),
		]);
		const copy = xero.emulator.attachments('Invoices', XERO_DEMO.invoiceId).find((a) => a.fileName === 'receipt (copy).pdf');
		expect(copy?.sha256).toBe(sha256(RECEIPT.content));
	});
});
