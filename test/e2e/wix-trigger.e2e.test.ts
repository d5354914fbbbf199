/**
 * Wix Attachment Trigger in a real n8n, against the Wix sandbox's emulator: publishing registers
 * nothing at Wix (Wix subscribes webhooks in the app's dashboard: the test subscribes the node's
 * production URL there, as a user pastes it); a file attached to a contact through Wix's API is
 * delivered as a JWT signed with the app's key; the saved execution holds the decoded record and
 * the file (SHA-256); a forged token is refused; after unpublishing n8n no longer accepts
 * deliveries there. "Listen for test event" on the example of examples/ (as npm start imports it,
 * with the demo credential npm start imports) works with the test URL, its second node included.
 */
import { randomBytes } from 'node:crypto';

import { EXAMPLES } from '../../examples';
import { startSandbox, type RunningProvider, type Sandbox } from '../../sandbox';
import type { WixServer } from '../../sandbox/wix/server';
import { ATTACHMENT_CREATED, DEFAULT_INSTANCE_ID } from '../../sandbox/wix/server';
import { newKeyPair } from '../../sandbox/wix/webhooks';
import { attachFile } from '../nodes/WixAttachment/trigger-context';

import { connectN8n, type E2eN8n } from './support/server';
import { exampleWorkflow, triggerWorkflow, until, waitForExecutions, webhookUrls } from './support/triggers';
import { describeIfDeclared, itemsOf, node, readBinary, sha256 } from './support/workflows';

const NODE_FILE = 'dist/nodes/WixAttachment/WixAttachmentTrigger.node.js';
const TYPE = 'n8n-nodes-attachments.wixAttachmentTrigger';
const TRIGGER = 'Wix Trigger';
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(1024 * 1024)]);
const EXAMPLE = EXAMPLES.find((example) => example.trigger === TYPE)!;
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452000000400000003008060000', 'hex'), randomBytes(200 * 1024)]);

describeIfDeclared(NODE_FILE)('Wix Attachment Trigger in a real n8n', () => {
	let sandbox: Sandbox;
	let wix: RunningProvider<WixServer>;
	let n8n: E2eN8n;
	let credential: { id: string; name: string };

	const trigger = (parameters: Record<string, unknown> = {}) => node(TRIGGER, TYPE, parameters, { credentials: { wixAttachmentWebhookApi: credential } });

	beforeAll(async () => {
		sandbox = await startSandbox({ only: ['wix'] });
		wix = sandbox.get<WixServer>('wix');
		n8n = await connectN8n();
		// The demo credential npm start imports: the public key of the emulator's app.
		const [imported] = await n8n.importCredentials(wix.triggerCredentials ?? []);
		credential = { id: imported.id, name: imported.name };
	}, 30 * 60_000);

	afterAll(async () => {
		await sandbox?.close();
	});

	beforeEach(() => wix.emulator.reset());

	it('publish registers nothing; the production URL pasted at Wix gets a signed event for a file attached through the API: one execution with the record and the file (SHA-256); a forged token starts nothing; after unpublish n8n refuses deliveries', async () => {
		const workflow = triggerWorkflow('e2e Wix trigger: production', trigger());
		await n8n.importWorkflows([workflow]);
		const urls = webhookUrls(n8n, workflow.webhookId);
		await n8n.activate(workflow.id);
		const forged = newKeyPair();
		const forgedToken = wix.emulator.webhooks.sign(wix.emulator.webhooks.envelope(ATTACHMENT_CREATED, DEFAULT_INSTANCE_ID, { id: 'x', createdEvent: { entity: { id: 'x' } } }), { privateKey: forged.privateKey });
		const forgedDelivery = async () => (await fetch(urls.production, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: forgedToken })).status;
		// Active once n8n serves the production URL: a forged token is then refused by the node (401), not unknown to n8n (404).
		await until('the production URL to be served', async () => ((await forgedDelivery()) !== 404 ? true : undefined));
		expect(await forgedDelivery()).toBe(401);
		expect(wix.emulator.requests).toEqual([]);
		wix.emulator.webhooks.subscribe(urls.production, [ATTACHMENT_CREATED]);

		const attachmentId = await attachFile(wix.emulator, 'membership form.pdf', 'application/pdf', PDF);
		const [execution] = await waitForExecutions(n8n, workflow.id, 1);
		await wix.emulator.webhooks.settle();
		expect(wix.emulator.webhooks.deliveries.map((d) => ({ url: d.url, status: d.status }))).toEqual([{ url: urls.production, status: 200 }]);
		expect({ status: execution.status, mode: execution.mode }).toEqual({ status: 'success', mode: 'webhook' });
		const [item] = itemsOf(execution, TRIGGER);
		expect(item.json).toMatchObject({ event: 'attachmentCreated', eventType: ATTACHMENT_CREATED, attachmentId, instanceId: DEFAULT_INSTANCE_ID, fileName: 'membership form.pdf', mimeType: 'application/pdf' });
		expect(item.binary?.data).toMatchObject({ fileName: 'membership form.pdf', mimeType: 'application/pdf' });
		expect(sha256(readBinary(n8n.userFolder, item.binary!.data))).toBe(sha256(PDF));

		await n8n.deactivate(workflow.id);
		await until('the production URL to be released', async () => ((await forgedDelivery()) === 404 ? true : undefined));
		// Nothing asked Wix's API but the test's own uploads: the trigger calls no API, to register or otherwise.
		expect(wix.emulator.requestsTo('api').map((r) => `${r.method} ${r.path.split('/').pop()}`)).toEqual(['POST upload-url']);
		await attachFile(wix.emulator, 'after.pdf', 'application/pdf', PDF);
		await wix.emulator.webhooks.settle();
		expect(wix.emulator.webhooks.deliveries.at(-1)?.status).toBe(404);
		expect(await n8n.executions(workflow.id)).toHaveLength(1);
	});

	it(`"Listen for test event" on "${EXAMPLE.title}" (as npm start imports it, its test URL subscribed at Wix): a file attached runs it in manual mode`, async () => {
		const workflow = exampleWorkflow(EXAMPLE);
		await n8n.importWorkflows([workflow]);
		const urls = webhookUrls(n8n, workflow.webhookId!);
		expect(await n8n.listen(workflow.id, 'When a file is attached')).toBe(true);
		wix.emulator.webhooks.subscribe(urls.test);
		const attachmentId = await attachFile(wix.emulator, 'scan.png', 'image/png', PNG);
		const [execution] = await waitForExecutions(n8n, workflow.id, 1);
		expect({ status: execution.status, mode: execution.mode }).toEqual({ status: 'success', mode: 'manual' });
		const [item] = itemsOf(execution, 'When a file is attached');
		expect(item.json).toMatchObject({ attachmentType: 'IMAGE', fileName: 'scan.png' });
		expect(sha256(readBinary(n8n.userFolder, item.binary!.data))).toBe(sha256(PNG));
		expect(itemsOf(execution, 'What arrived').map((arrived) => arrived.json)).toEqual([{ file: 'scan.png', type: 'image/png', attachment: attachmentId, event: 'attachmentCreated' }]);
	});
});
