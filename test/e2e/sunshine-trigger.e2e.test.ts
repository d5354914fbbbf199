/**
 * Sunshine Conversations Attachment Trigger in a real n8n, against the emulator behind its Prism
 * gate (the registration calls are checked against the current spec, requests and answers):
 * publishing the workflow registers a custom integration whose webhook is the production URL; a
 * message with a file posted through Sunshine's API (the emulator, as a client would) is delivered
 * there with the webhook's secret; the saved execution holds the message and the file (SHA-256);
 * a forged delivery is refused; unpublishing removes the integration. "Listen for test event" on
 * the example of examples/ (as npm start imports it) registers the test URL, runs one customer's
 * file in manual mode (SHA-256, and what its second node shows), and removes the registration.
 */
import { randomBytes } from 'node:crypto';

import { EXAMPLES } from '../../examples';
import { startSandbox, type RunningProvider, type Sandbox } from '../../sandbox';
import { SUNSHINE_DEMO } from '../../sandbox/sunshine/demo';
import type { SunshineServer } from '../../sandbox/sunshine/server';
import { CONVERSATION_ID, mediaOf, postMessage } from '../nodes/SunshineConversationsAttachment/trigger-context';

import { connectN8n, type E2eN8n } from './support/server';
import { exampleWorkflow, triggerWorkflow, until, waitForExecutions, webhookUrls } from './support/triggers';
import { describeIfDeclared, itemsOf, node, prismError, readBinary, sha256 } from './support/workflows';

const NODE_FILE = 'dist/nodes/SunshineConversationsAttachment/SunshineConversationsAttachmentTrigger.node.js';
const TYPE = 'n8n-nodes-attachments.sunshineConversationsAttachmentTrigger';
const TRIGGER = 'Sunshine Trigger';
const APP = SUNSHINE_DEMO.app.id;
const PHOTO = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(2 * 1024 * 1024)]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(300 * 1024)]);
const EXAMPLE = EXAMPLES.find((example) => example.trigger === TYPE)!;

describeIfDeclared(NODE_FILE)('Sunshine Conversations Attachment Trigger in a real n8n', () => {
	let sandbox: Sandbox;
	let sunshine: RunningProvider<SunshineServer>;
	let n8n: E2eN8n;
	let credential: { id: string; name: string };

	const trigger = (parameters: Record<string, unknown> = {}) =>
		node(TRIGGER, TYPE, { authentication: 'apiKey', appId: { __rl: true, mode: 'id', value: APP }, ...parameters }, { credentials: { sunshineConversationsAttachmentApi: credential } });

	beforeAll(async () => {
		sandbox = await startSandbox({ only: ['sunshine'] });
		sunshine = sandbox.get<SunshineServer>('sunshine');
		n8n = await connectN8n();
		const [imported] = await n8n.importCredentials([sunshine.credentials[0]]);
		credential = { id: imported.id, name: imported.name };
	}, 30 * 60_000);

	afterAll(async () => {
		await sandbox?.close();
	});

	beforeEach(() => {
		sunshine.emulator.reset();
		sunshine.gate.reset();
	});

	it('publish registers the production URL at Sunshine; a file message starts one execution with the file (SHA-256); a forged delivery starts nothing; unpublish removes the registration', async () => {
		const workflow = triggerWorkflow('e2e Sunshine trigger: production', trigger());
		await n8n.importWorkflows([workflow]);
		const urls = webhookUrls(n8n, workflow.webhookId);
		const published = Date.now();
		await n8n.activate(workflow.id);
		await until('the registration at Sunshine', () => (sunshine.emulator.integrations.list().length > 0 ? true : undefined));
		const registeredIn = Date.now() - published;
		console.log(`[e2e] Sunshine trigger registered ${registeredIn} ms after publishing`);

		const [integration] = sunshine.emulator.integrations.list(APP);
		expect(sunshine.emulator.integrations.list()).toHaveLength(1);
		expect(integration.webhooks[0]).toMatchObject({ target: urls.production, triggers: ['conversation:message'] });
		expect(sunshine.gate.exchanges.map((e) => `${e.method} ${e.operation ?? e.url} ${e.status}`)).toEqual([
			expect.stringMatching(/^GET GET \/v2\/apps\/\{appId\}\/integrations .*200$/),
			expect.stringMatching(/^POST POST \/v2\/apps\/\{appId\}\/integrations .*201$/),
		]);
		expect(prismError(sandbox)).toBeUndefined();

		// A delivery without the secret: refused by the node, no execution.
		const forged = await fetch(urls.production, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'guess' }, body: JSON.stringify({ app: { id: APP }, events: [] }) });
		expect(forged.status).toBe(401);

		const media = mediaOf(sunshine.emulator, 'damaged parcel.jpg', PHOTO, 'image/jpeg');
		const posted = await postMessage(sunshine.emulator, { type: 'image', mediaUrl: media.mediaUrl, text: 'Look at this' });
		expect(posted.status).toBe(201);
		const [execution] = await waitForExecutions(n8n, workflow.id, 1);
		await sunshine.emulator.integrations.settle();
		expect(sunshine.emulator.integrations.deliveries.map((d) => ({ target: d.target, status: d.status }))).toEqual([{ target: urls.production, status: 200 }]);

		expect({ status: execution.status, mode: execution.mode }).toEqual({ status: 'success', mode: 'webhook' });
		const [item] = itemsOf(execution, TRIGGER);
		expect(item.json).toMatchObject({ appId: APP, conversationId: CONVERSATION_ID, type: 'image', fileName: 'damaged parcel.jpg', mediaType: 'image/jpeg', mediaSize: PHOTO.length, text: 'Look at this', mediaUrl: media.mediaUrl });
		expect(item.binary?.data).toMatchObject({ fileName: 'damaged parcel.jpg', mimeType: 'image/jpeg' });
		expect(sha256(readBinary(n8n.userFolder, item.binary!.data))).toBe(sha256(PHOTO));

		await n8n.deactivate(workflow.id);
		await until('the integration\'s removal at Sunshine', () => (sunshine.emulator.integrations.list().length === 0 ? true : undefined));
		expect(sunshine.gate.exchanges.at(-1)).toMatchObject({ method: 'DELETE', status: 200 });
		expect(prismError(sandbox)).toBeUndefined();
		// Only the one execution, none for the forged delivery.
		expect(await n8n.executions(workflow.id)).toHaveLength(1);
	});

	it(`"Listen for test event" on "${EXAMPLE.title}" (as npm start imports it): the test URL is registered, a customer's file runs it in manual mode, then n8n removes the test registration`, async () => {
		const workflow = exampleWorkflow(EXAMPLE);
		await n8n.importWorkflows([workflow]);
		const urls = webhookUrls(n8n, workflow.webhookId!);
		expect(await n8n.listen(workflow.id, 'When a customer sends a file')).toBe(true);
		await until('the test registration at Sunshine', () => (sunshine.emulator.integrations.list().length > 0 ? true : undefined));
		expect(sunshine.emulator.integrations.list().map((integration) => integration.webhooks[0].target)).toEqual([urls.test]);

		const media = mediaOf(sunshine.emulator, 'invoice.pdf', PDF, 'application/pdf');
		await postMessage(sunshine.emulator, { type: 'file', mediaUrl: media.mediaUrl }, { author: SUNSHINE_DEMO.customer });
		const [execution] = await waitForExecutions(n8n, workflow.id, 1);
		expect({ status: execution.status, mode: execution.mode }).toEqual({ status: 'success', mode: 'manual' });
		const [item] = itemsOf(execution, 'When a customer sends a file');
		expect(sha256(readBinary(n8n.userFolder, item.binary!.data))).toBe(sha256(PDF));
		expect(itemsOf(execution, 'What arrived').map((arrived) => arrived.json)).toEqual([{ file: 'invoice.pdf', bytes: PDF.length, conversation: CONVERSATION_ID, sentBy: SUNSHINE_DEMO.customer.displayName }]);
		await until('the test registration\'s removal', () => (sunshine.emulator.integrations.list().length === 0 ? true : undefined), 10_000);
		expect(prismError(sandbox)).toBeUndefined();
	});
});
