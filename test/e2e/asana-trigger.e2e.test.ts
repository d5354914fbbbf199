/**
 * The Asana Attachment Trigger in a real n8n (the project's n8n, support/server.ts), against the
 * Asana emulator behind Prism (asana_oas.yaml): the workflow activated through n8n's REST API
 * (the editor's Publish) registers its webhook at the emulator, whose handshake reaches n8n's
 * production URL; a file uploaded to the task through Asana's API is delivered, signed, to that
 * URL, and n8n runs the workflow: the execution's output holds the attachment's record, its
 * parent's ID and the file (SHA-256 checked in n8n's binary store). A forged delivery gets n8n's
 * 401 and no execution. Deactivating removes the webhook at the emulator. "Listen for test event"
 * registers on the test URL, runs once in manual mode, and removes it again.
 */
import { randomBytes } from 'node:crypto';

import { EXAMPLES } from '../../examples';
import { startSandbox, type RunningProvider, type Sandbox } from '../../sandbox';
import { ASANA_DEMO, attachThroughApi as upload } from '../../sandbox/asana/demo';
import type { AsanaServer } from '../../sandbox/asana/server';

import { describeIfDeclared, itemsOf, node, prismError, readBinary, sha256 } from './support/workflows';
import { connectN8n, type E2eN8n } from './support/server';
import { exampleWorkflow, triggerWorkflow, until, waitForExecutions, webhookUrls } from './support/triggers';

const TRIGGER_FILE = 'dist/nodes/AsanaAttachment/AsanaAttachmentTrigger.node.js';
const TRIGGER_TYPE = 'n8n-nodes-attachments.asanaAttachmentTrigger';
const TRIGGER = 'Asana Attachment Trigger';
const TASK = ASANA_DEMO.task.gid;
const OTHER_TASK = ASANA_DEMO.secondTask.gid;

describeIfDeclared(TRIGGER_FILE)('Asana Attachment Trigger in a real n8n, through Prism', () => {
	let sandbox: Sandbox;
	let asana: RunningProvider<AsanaServer>;
	let n8n: E2eN8n;
	let credential: { id: string; name: string };

	/** A workflow of the trigger alone, on a task, with a credential (default: the demo token's). */
	const asanaTrigger = (name: string, resource: string, credentials = { asanaAttachmentApi: credential }) =>
		triggerWorkflow(
			name,
			node(TRIGGER, TRIGGER_TYPE, { authentication: 'accessToken', parent: { __rl: true, mode: 'id', value: resource }, events: ['added'], download: true, binaryPropertyName: 'data', options: {} }, { credentials }),
		);
	/**
	 * A workflow whose credential points at a closed port (Asana down), activated at the start of
	 * the file: n8n 2.41 tries a trigger's activation 5 times, 1, 2, 4 and 8 s apart (the node's own
	 * retries of a refused connection within each), about 45 s in all, while the other tests run;
	 * n8n 1.123 activates within the REST call and answers with the error.
	 */
	let down: { workflowId: string; webhookId: string; answer: Promise<string | undefined> };

	beforeAll(async () => {
		sandbox = await startSandbox({ only: ['asana'], noDemoData: true });
		asana = sandbox.get<AsanaServer>('asana');
		n8n = await connectN8n();
		[credential] = (await n8n.importCredentials(asana.credentials)).map(({ id, name }) => ({ id, name }));
		const [unreachable] = await n8n.importCredentials([{ name: 'Asana (down)', type: 'asanaAttachmentApi', data: { accessToken: ASANA_DEMO.token, baseUrl: 'http://127.0.0.1:9' } }]);
		const workflow = asanaTrigger('e2e Asana trigger: Asana down', TASK, { asanaAttachmentApi: { id: unreachable.id, name: unreachable.name } });
		await n8n.importWorkflows([workflow]);
		down = { workflowId: workflow.id, webhookId: workflow.webhookId, answer: n8n.activate(workflow.id).then(() => undefined, (error: Error) => error.message) };
	}, 30 * 60_000);

	afterAll(async () => {
		await sandbox?.close();
	});

	/** The webhooks at the emulator once there is one (n8n may register a published workflow's triggers after answering). */
	const registered = async () =>
		await until('the registration at the emulator', () => {
			const hooks = asana.emulator.webhooks.all();
			return hooks.length > 0 ? hooks : undefined;
		});

	it('activation registers the webhook (handshake on the production URL); an upload runs the workflow with the record and the file; a forged delivery is refused; deactivation removes the webhook', async () => {
		const workflow = asanaTrigger('e2e Asana trigger: production', TASK);
		await n8n.importWorkflows([workflow]);
		const productionUrl = webhookUrls(n8n, workflow.webhookId).production;

		const activated = Date.now();
		await n8n.activate(workflow.id);
		const hooks = await registered();
		// 2.41 publishes after answering (its publication status says when); 1.123 within the call.
		if (n8n.line === '2x') await until('the publication', async () => ((await n8n.publicationStatus(workflow.id)).status === 'published' ? true : undefined));
		expect(hooks.map((hook) => ({ resource: hook.resourceGid, target: hook.target, filters: hook.filters }))).toEqual([
			{ resource: TASK, target: productionUrl, filters: [{ resource_type: 'attachment', action: 'added' }] },
		]);
		expect(asana.emulator.webhooks.deliveries.map((d) => ({ kind: d.kind, status: d.status, echoed: d.responseHeaders?.['x-hook-secret'] === d.headers['X-Hook-Secret'] }))).toEqual([
			{ kind: 'handshake', status: 200, echoed: true },
		]);
		console.log(`[e2e] activation with registration: ${Date.now() - activated} ms`);

		const content = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(2 * 1024 * 1024)]);
		const uploaded = Date.now();
		const gid = await upload(asana.baseUrl, TASK, 'Lieferschein – März.pdf', content, 'application/pdf');
		await asana.emulator.webhooks.idle();
		const [delivery] = asana.emulator.webhooks.deliveries.filter((d) => d.kind === 'events');
		expect({ target: delivery.target, status: delivery.status }).toEqual({ target: productionUrl, status: 200 });
		const [run] = await waitForExecutions(n8n, workflow.id, 1);
		console.log(`[e2e] upload to finished execution: ${Date.now() - uploaded} ms (delivery answered in ${delivery.durationMs} ms)`);
		expect({ mode: run.mode, status: run.status }).toEqual({ mode: 'webhook', status: 'success' });
		const [item] = itemsOf(run, TRIGGER);
		expect(item.json).toMatchObject({
			gid,
			name: 'Lieferschein – März.pdf',
			resource_subtype: 'asana',
			size: content.length,
			parentId: TASK,
			parent: { gid: TASK, resource_type: 'task' },
			event: { type: 'added', action: 'added' },
		});
		const bytes = readBinary(n8n.userFolder, item.binary!.data);
		expect({ size: bytes.length, sha256: sha256(bytes) }).toEqual({ size: content.length, sha256: sha256(content) });
		expect(item.binary!.data).toMatchObject({ fileName: 'Lieferschein – März.pdf', mimeType: 'application/pdf' });
		console.log(`[e2e] file ${bytes.length} bytes, sha256 ${sha256(bytes)}`);

		// Someone else's delivery to the production URL: n8n answers the node's 401, runs nothing.
		const forged = await asana.emulator.webhooks.sendRaw(hooks[0].gid, { events: [{ action: 'added', resource: { gid: '1209000000999999', resource_type: 'attachment' }, parent: { gid: TASK, resource_type: 'task' } }] }, { sign: { secret: 'f'.repeat(64) } });
		expect(forged.status).toBe(401);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(await n8n.executions(workflow.id)).toHaveLength(1);

		await n8n.deactivate(workflow.id);
		await until('the webhook to be removed', () => (asana.emulator.webhooks.all().length === 0 ? true : undefined));
		expect(asana.emulator.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`/api/1.0/webhooks/${hooks[0].gid}`]);
		const refused = prismError(sandbox);
		if (refused) throw refused;
	});

	it('"Listen for test event": the test URL is registered, one upload runs the workflow in manual mode, then the webhook is removed', async () => {
		asana.emulator.webhooks.deliveries.length = 0;
		const listenHere = asana.emulator.addTask('Listen for test event here').gid;
		const workflow = asanaTrigger('e2e Asana trigger: test URL', listenHere);
		await n8n.importWorkflows([workflow]);
		expect(await n8n.listen(workflow.id, TRIGGER)).toBe(true);
		const [hook] = await registered();
		expect(hook.target).toBe(webhookUrls(n8n, workflow.webhookId).test);

		const content = randomBytes(64 * 1024);
		const gid = await upload(asana.baseUrl, listenHere, 'listen.bin', content, 'application/octet-stream');
		const [run] = await waitForExecutions(n8n, workflow.id, 1);
		expect({ mode: run.mode, status: run.status }).toEqual({ mode: 'manual', status: 'success' });
		const [item] = itemsOf(run, TRIGGER);
		expect(item.json).toMatchObject({ gid, parentId: listenHere });
		const bytes = readBinary(n8n.userFolder, item.binary!.data);
		expect(sha256(bytes)).toBe(sha256(content));
		await until('the test webhook to be removed', () => (asana.emulator.webhooks.all().length === 0 ? true : undefined), 30_000);
		const refused = prismError(sandbox);
		if (refused) throw refused;
	});

	it('the example of examples/ (published as npm start imports it): a file attached to "Collect Q3 receipts" runs it', async () => {
		const workflow = exampleWorkflow(EXAMPLES.find((candidate) => candidate.trigger === TRIGGER_TYPE)!);
		await n8n.importWorkflows([workflow]);
		await n8n.activate(workflow.id);
		const [hook] = await registered();
		expect(hook.resourceGid).toBe(OTHER_TASK);
		const content = Buffer.from('%PDF-1.4\nQ3 receipt\n');
		const gid = await upload(asana.baseUrl, OTHER_TASK, 'receipt-q3.pdf', content, 'application/pdf');
		const [run] = await waitForExecutions(n8n, workflow.id, 1);
		expect(run.status).toBe('success');
		expect(itemsOf(run, 'When a file is attached')[0].json).toMatchObject({ gid, parentId: OTHER_TASK });
		expect(itemsOf(run, 'What arrived').map((item) => item.json)).toEqual([{ file: 'receipt-q3.pdf', bytes: content.length, task: OTHER_TASK, attachedBy: asana.emulator.user.gid }]);
		await n8n.deactivate(workflow.id);
		await until('the webhook to be removed', () => (asana.emulator.webhooks.all().length === 0 ? true : undefined));
	});

	it('Asana down at activation (started with the file, see `down`): n8n records the node\'s clear error for the workflow, nothing is registered', async () => {
		const started = Date.now();
		const refused = await down.answer;
		const error =
			n8n.line === '2x'
				? await until('the publication to fail', async () => {
						const status = await n8n.publicationStatus(down.workflowId);
						return status.status === 'in_progress' || status.status === 'not_published' ? undefined : status;
					}, 240_000)
				: { status: refused === undefined ? 'published' : 'failed', triggers: [{ errorMessage: refused }] };
		console.log(`[e2e] activation with Asana down: ${JSON.stringify(error)}, ${Date.now() - started} ms after the other tests (REST answer: ${refused ?? 'ok'})`);
		expect(error.status).toBe('failed');
		// The node's message; n8n 1.123's errors drop their cause (the refused connection's code), so
		// there the transport words it with n8n's own text: "Could not reach Asana: The service
		// refused the connection - perhaps it is offline".
		const message = n8n.line === '2x' ? /Could not check for the webhook at Asana: Could not connect to Asana \(connection refused\)/ : /Could not check for the webhook at Asana: Could not reach Asana: The service refused the connection/;
		expect(error.triggers.map((trigger) => trigger.errorMessage)).toEqual([expect.stringMatching(message)]);
		const urls = webhookUrls(n8n, down.webhookId);
		expect(asana.emulator.webhooks.all().filter((hook) => [urls.production, urls.test].includes(hook.target))).toEqual([]);
		expect(asana.emulator.webhooks.deliveries.filter((delivery) => [urls.production, urls.test].includes(delivery.target))).toEqual([]);
		await n8n.deactivate(down.workflowId).catch(() => undefined);
	});
});
