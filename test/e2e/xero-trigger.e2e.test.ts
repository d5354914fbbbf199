/**
 * Xero Attachment Trigger in a real n8n (the pinned host, the package installed as the Community
 * Nodes panel installs it), polling the Xero sandbox through its Prism gate, which checks every
 * request and answer against Xero's spec (the documents' lists included).
 *
 * - Fetch Test Event on the example of examples/ (as npm start imports it): the editor's manual
 *   run (`POST /rest/workflows/:id/run` from the trigger) outputs the newest attachment with its
 *   file, and the example's second node what arrived.
 * - Activated (published) with six Poll Times, custom crons at seconds 0, 10, …, 50 of every
 *   minute (each once a minute, as n8n requires: 2.41 refuses a cron whose seconds field is not a
 *   plain number, "*\/5 * * * * *" included, 1.123 one whose seconds field holds "*"; together a
 *   poll every 10 s): n8n polls at once (the inventory: no execution), a file uploaded to a new
 *   invoice through the gate starts one execution at the next poll, with the attachment's record
 *   and the file (SHA-256 from n8n's binary store), and the polls after it start none.
 */
import { randomUUID } from 'node:crypto';

import { EXAMPLES } from '../../examples';
import { startSandbox, type RunningProvider, type Sandbox } from '../../sandbox';
import { XERO_CREDENTIAL_TYPE as CREDENTIAL_TYPE, XERO_DEMO } from '../../sandbox/xero/demo';
import type { XeroServer } from '../../sandbox/xero/server';
import { PACKAGE_NAME } from './support/n8n';
import type { WorkflowToImport } from './support/n8n';
import { connectN8n, type E2eN8n } from './support/server';
import { exampleWorkflow, waitForExecutions } from './support/triggers';
import { describeRunError, itemsOf, node, prismError, readBinary, sha256 } from './support/workflows';

const TRIGGER_TYPE = `${PACKAGE_NAME}.xeroAttachmentTrigger`;
const TRIGGER = 'Xero Attachment Trigger';
const TENANT_ID = XERO_DEMO.tenant.tenantId;
const POLL_MS = 10_000;
/** Poll Times: once a minute at each of these seconds (n8n takes no poll more often than a minute per entry). */
const POLL_TIMES = { item: [0, 10, 20, 30, 40, 50].map((second) => ({ mode: 'custom', cronExpression: `${second} * * * * *` })) };
const EXAMPLE = EXAMPLES.find((example) => example.trigger === TRIGGER_TYPE)!;

describe('Xero Attachment Trigger in a real n8n, through Prism', () => {
	let sandbox: Sandbox;
	let xero: RunningProvider<XeroServer>;
	let n8n: E2eN8n;
	let credential: { id: string; name: string };

	const triggerWorkflow = (name: string): WorkflowToImport => ({
		id: `xtrig${randomUUID().replace(/-/g, '').slice(0, 11)}`,
		name,
		nodes: [
			node(
				TRIGGER,
				TRIGGER_TYPE,
				{
					pollTimes: POLL_TIMES,
					tenantId: { __rl: true, mode: 'id', value: TENANT_ID },
					documentType: 'invoice',
					downloadFile: true,
					binaryPropertyName: 'data',
					options: {},
				},
				{ credentials: { [CREDENTIAL_TYPE]: credential } },
			),
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	});

	/** An upload as a Xero user makes one: through the gate (Prism checks it), to the emulator, which moves the invoice. */
	async function upload(invoiceId: string, fileName: string, content: Buffer, mimeType: string): Promise<void> {
		const response = await fetch(`${xero.baseUrl}/api.xro/2.0/Invoices/${invoiceId}/Attachments/${encodeURIComponent(fileName)}`, {
			method: 'PUT',
			headers: { authorization: `Bearer ${XERO_DEMO.accessToken}`, 'xero-tenant-id': TENANT_ID, 'content-type': mimeType, accept: 'application/json' },
			body: new Uint8Array(content),
		});
		if (response.status !== 200) throw new Error(`upload through the gate: ${response.status} ${await response.text()}`);
	}

	beforeAll(async () => {
		sandbox = await startSandbox({ only: ['xero'] });
		xero = sandbox.get<XeroServer>('xero');
		n8n = await connectN8n();
		const [demo] = await n8n.importCredentials(xero.credentials);
		credential = { id: demo.id, name: demo.name };
	}, 10 * 60_000);

	afterAll(async () => await sandbox?.close());

	it(`Fetch Test Event on "${EXAMPLE.title}" (as npm start imports it): the newest attachment of an invoice, with its file`, async () => {
		const workflow = exampleWorkflow(EXAMPLE);
		await n8n.importWorkflows([workflow]);
		sandbox.providers.forEach((provider) => provider.gate.reset());
		const run = await n8n.run(workflow.id, { trigger: 'When a file is attached' });
		expect(prismError(sandbox)).toBeUndefined();
		expect({ status: run.status, error: run.status === 'success' ? undefined : describeRunError(run) }).toEqual({ status: 'success', error: undefined });
		const [item] = itemsOf(run, 'When a file is attached');
		expect(item.json).toMatchObject({ FileName: XERO_DEMO.receipt.fileName, documentType: 'invoice', documentId: XERO_DEMO.invoiceId });
		expect(sha256(readBinary(n8n.userFolder, item.binary!.data))).toBe(sha256(XERO_DEMO.receipt.content));
		expect(itemsOf(run, 'What arrived').map((arrived) => arrived.json)).toEqual([
			{ file: XERO_DEMO.receipt.fileName, bytes: XERO_DEMO.receipt.content.length, documentType: 'invoice', document: XERO_DEMO.invoiceId },
		]);
	});

	it('activated: the first poll starts nothing; a file attached to an invoice starts one execution with the file, and only one', async () => {
		const workflow = triggerWorkflow('e2e Xero trigger: every 10 s');
		await n8n.importWorkflows([workflow]);
		sandbox.providers.forEach((provider) => provider.gate.reset());
		xero.emulator.requests.length = 0;
		await n8n.activate(workflow.id!);
		// n8n polls once as it activates the trigger (2.41: after the REST call answered): the
		// inventory, one call, no execution; nor does any poll after it while no file is added.
		const activated = Date.now();
		while (xero.emulator.requests.length === 0 && Date.now() - activated < 60_000) await new Promise((resolve) => setTimeout(resolve, 250));
		await new Promise((resolve) => setTimeout(resolve, POLL_MS + 2_000));
		// (A later poll may look into the demo invoice, changed minutes ago, and learn its files without reporting them.)
		const [inventory] = xero.emulator.requests;
		expect(`${inventory.method} ${inventory.path} ${inventory.query.get('pageSize')}`).toBe('GET /api.xro/2.0/Invoices 500');
		expect(xero.emulator.requests.filter((request) => request.path === '/api.xro/2.0/Invoices').length).toBeGreaterThan(1);
		expect(await n8n.executions(workflow.id!)).toEqual([]);

		const invoice = xero.emulator.seedDocument('Invoices', undefined, { Type: 'ACCPAY', InvoiceNumber: 'BILL-E2E' });
		const content = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(randomUUID().repeat(3000)), Buffer.from('\n%%EOF\n')]);
		await upload(invoice.id, 'bill e2e.pdf', content, 'application/pdf');
		const uploadedAt = Date.now();

		const [run] = await waitForExecutions(n8n, workflow.id!, 1, POLL_MS + 45_000);
		expect({ mode: run.mode, status: run.status }).toEqual({ mode: 'trigger', status: 'success' });
		const [item, ...more] = itemsOf(run, TRIGGER);
		expect(more).toEqual([]);
		expect(item.json).toMatchObject({ FileName: 'bill e2e.pdf', MimeType: 'application/pdf', ContentLength: content.length, InvoiceID: invoice.id, documentType: 'invoice' });
		expect(item.binary!.data).toMatchObject({ fileName: 'bill e2e.pdf', mimeType: 'application/pdf' });
		expect(sha256(readBinary(n8n.userFolder, item.binary!.data))).toBe(sha256(content));

		// The next polls find the same change and start nothing.
		const pollsBefore = xero.emulator.requests.filter((request) => request.path === '/api.xro/2.0/Invoices').length;
		await new Promise((resolve) => setTimeout(resolve, Math.max(0, uploadedAt + 2 * POLL_MS + 5_000 - Date.now())));
		const pollsAfter = xero.emulator.requests.filter((request) => request.path === '/api.xro/2.0/Invoices').length;
		expect(pollsAfter).toBeGreaterThan(pollsBefore);
		expect(await n8n.executions(workflow.id!)).toHaveLength(1);
		expect(prismError(sandbox)).toBeUndefined();
		console.log(
			`[e2e] Xero trigger: calls to Xero ${JSON.stringify(xero.emulator.requests.map((request) => `${request.method} ${request.path.replace(/[0-9a-f-]{36}/g, '{id}')}`))}`,
		);
		await n8n.deactivate(workflow.id!);
	}, 2 * 60_000);
});
