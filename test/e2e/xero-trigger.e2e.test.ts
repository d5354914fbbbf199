/**
 * Xero Attachment Trigger in a real n8n (the pinned host, the package installed as the Community
 * Nodes panel installs it), polling the Xero sandbox through its Prism gate, which checks every
 * request and answer against Xero's spec (the documents' lists included).
 *
 * - Fetch Test Event: the editor's manual run (`POST /rest/workflows/:id/run` from the trigger)
 *   outputs the newest attachment with its file.
 * - Activated (published) with Poll Times "every minute": n8n polls at once (the inventory: no
 *   execution), a file uploaded to a new invoice through the gate starts one execution at the next
 *   poll, with the attachment's record and the file (SHA-256 from n8n's binary store), and the poll
 *   after it starts none.
 */
import { randomUUID } from 'node:crypto';

import { startSandbox, type RunningProvider, type Sandbox } from '../../sandbox';
import { XERO_CREDENTIAL_TYPE as CREDENTIAL_TYPE, XERO_DEMO } from '../../sandbox/xero/demo';
import type { XeroServer } from '../../sandbox/xero/server';
import { PACKAGE_NAME } from './support/n8n';
import type { WorkflowToImport } from './support/n8n';
import { connectN8n, type E2eN8n, type ExecutionSummary } from './support/server';
import { describeRunError, itemsOf, node, prismError, readBinary, sha256 } from './support/workflows';

const TRIGGER_TYPE = `${PACKAGE_NAME}.xeroAttachmentTrigger`;
const TRIGGER = 'Xero Attachment Trigger';
const TENANT_ID = XERO_DEMO.tenant.tenantId;
const POLL_MS = 60_000;

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
					pollTimes: { item: [{ mode: 'everyMinute' }] },
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

	async function waitForExecutions(workflowId: string, count: number, timeoutMs: number): Promise<ExecutionSummary[]> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const executions = await n8n.executions(workflowId);
			if (executions.length >= count) return executions;
			if (Date.now() > deadline) throw new Error(`${executions.length} execution(s) of ${workflowId} after ${timeoutMs} ms, ${count} expected`);
			await new Promise((resolve) => setTimeout(resolve, 2_000));
		}
	}

	beforeAll(async () => {
		sandbox = await startSandbox({ only: ['xero'] });
		xero = sandbox.get<XeroServer>('xero');
		n8n = await connectN8n();
		const [demo] = await n8n.importCredentials(xero.credentials);
		credential = { id: demo.id, name: demo.name };
	}, 10 * 60_000);

	afterAll(async () => await sandbox?.close());

	it('Fetch Test Event: the newest attachment of an invoice, with its file', async () => {
		const workflow = triggerWorkflow('e2e Xero trigger: fetch test event');
		await n8n.importWorkflows([workflow]);
		sandbox.providers.forEach((provider) => provider.gate.reset());
		const run = await n8n.run(workflow.id!, { trigger: TRIGGER });
		expect(prismError(sandbox)).toBeUndefined();
		expect({ status: run.status, error: run.status === 'success' ? undefined : describeRunError(run) }).toEqual({ status: 'success', error: undefined });
		const [item] = itemsOf(run, TRIGGER);
		expect(item.json).toMatchObject({ FileName: XERO_DEMO.receipt.fileName, documentType: 'invoice', documentId: XERO_DEMO.invoiceId });
		expect(sha256(readBinary(n8n.userFolder, item.binary!.data))).toBe(sha256(XERO_DEMO.receipt.content));
	});

	it('activated: the first poll starts nothing; a file attached to an invoice starts one execution with the file, and only one', async () => {
		const workflow = triggerWorkflow('e2e Xero trigger: every minute');
		await n8n.importWorkflows([workflow]);
		sandbox.providers.forEach((provider) => provider.gate.reset());
		xero.emulator.requests.length = 0;
		await n8n.activate(workflow.id!);
		// n8n polls once as it activates the trigger (after the REST call answered): the inventory, one call, no execution.
		const activated = Date.now();
		while (xero.emulator.requests.length === 0 && Date.now() - activated < 60_000) await new Promise((resolve) => setTimeout(resolve, 250));
		await new Promise((resolve) => setTimeout(resolve, 2_000));
		expect(xero.emulator.requests.map((request) => `${request.method} ${request.path} ${request.query.get('pageSize')}`)).toEqual(['GET /api.xro/2.0/Invoices 500']);
		expect(await n8n.executions(workflow.id!)).toEqual([]);

		const invoice = xero.emulator.seedDocument('Invoices', undefined, { Type: 'ACCPAY', InvoiceNumber: 'BILL-E2E' });
		const content = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(randomUUID().repeat(3000)), Buffer.from('\n%%EOF\n')]);
		await upload(invoice.id, 'bill e2e.pdf', content, 'application/pdf');
		const uploadedAt = Date.now();

		const [execution] = await waitForExecutions(workflow.id!, 1, POLL_MS + 45_000);
		const run = await n8n.execution(execution.id);
		expect({ mode: execution.mode, status: run.status }).toEqual({ mode: 'trigger', status: 'success' });
		const [item, ...more] = itemsOf(run, TRIGGER);
		expect(more).toEqual([]);
		expect(item.json).toMatchObject({ FileName: 'bill e2e.pdf', MimeType: 'application/pdf', ContentLength: content.length, InvoiceID: invoice.id, documentType: 'invoice' });
		expect(item.binary!.data).toMatchObject({ fileName: 'bill e2e.pdf', mimeType: 'application/pdf' });
		expect(sha256(readBinary(n8n.userFolder, item.binary!.data))).toBe(sha256(content));

		// The next minute's poll finds the same change and starts nothing.
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
	}, 5 * 60_000);
});
