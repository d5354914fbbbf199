/**
 * Self-test of test/support/n8n-webhooks.ts (the webhook harness of every trigger test) with a toy
 * trigger and a toy provider: the lifecycle calls (checkExists, create, delete) and requests reach
 * the node through n8n-core's contexts in n8n's modes, a run starts from webhook()'s items, and the
 * static data behaves as n8n's server keeps it: one saved copy, each activation and request on a
 * workflow of its own, saved whole. That last part is why a secret written by the handshake request
 * is lost to the activation's save (n8n's own Asana Trigger says so and checks no signature); the
 * Asana Attachment Trigger hands it over in process. Also: a failed create is cleared as n8n's
 * clearWebhooks clears it, the test URL listens for one run, bodies are parsed as n8n parses them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IExecuteFunctions, IHookFunctions, INodeExecutionData, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { startTriggerHarness, type TriggerHarness } from '../support/n8n-webhooks';

/** A provider that, asked to register `target`, calls it with a handshake first (as Asana does). */
async function startProvider() {
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const { target } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { target: string };
			const handshake = http.request(target, { method: 'POST', headers: { 'X-Hook-Secret': 'the-secret', 'Content-Length': '0' } }, (answer) => {
				answer.resume();
				answer.on('end', () => {
					res.writeHead(201, { 'Content-Type': 'application/json' });
					res.end(JSON.stringify({ id: 'hook-1', echoed: answer.headers['x-hook-secret'] }));
				});
			});
			handshake.end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let providerUrl = '';
const calls: string[] = [];
/** The next create() throws after the provider registered the hook. */
let failNextCreate = false;

/** Like n8n's own Asana Trigger: the handshake's secret written to static data by the request. */
class ToyTrigger implements INodeType {
	description = {
		displayName: 'Toy Trigger',
		name: 'toyTrigger',
		group: ['trigger'],
		version: 1,
		description: 'harness self-test',
		defaults: { name: 'Toy Trigger' },
		inputs: [],
		outputs: ['main'],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [],
	} as unknown as INodeTypeDescription;

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions) {
				calls.push(`checkExists ${this.getMode()} ${this.getActivationMode()}`);
				return false;
			},
			async create(this: IHookFunctions) {
				calls.push(`create ${this.getMode()} ${this.getActivationMode()}`);
				const answer = (await this.helpers.httpRequest({ method: 'POST', url: providerUrl, body: { target: this.getNodeWebhookUrl('default') }, json: true })) as { id: string; echoed: string };
				this.getWorkflowStaticData('node').webhookId = answer.id;
				calls.push(`echoed ${answer.echoed}`);
				if (failNextCreate) {
					failNextCreate = false;
					throw new Error('create failed');
				}
				return true;
			},
			async delete(this: IHookFunctions) {
				calls.push(`delete ${this.getMode()} ${this.getActivationMode()} ${String(this.getWorkflowStaticData('node').webhookId)}`);
				delete this.getWorkflowStaticData('node').webhookId;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const secret = this.getHeaderData()['x-hook-secret'];
		if (secret) {
			this.getWorkflowStaticData('node').hookSecret = secret;
			const res = this.getResponseObject();
			res.setHeader('X-Hook-Secret', String(secret));
			res.statusCode = 200;
			res.end();
			return { noWebhookResponse: true };
		}
		const { rawBody } = this.getRequestObject() as unknown as { rawBody: Buffer };
		return { workflowData: [[{ json: { received: this.getBodyData(), raw: rawBody.toString('utf8') } }]] };
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData().map((item) => ({ json: { ...item.json, ranIn: this.getMode() } }))];
	}
}

let provider: Awaited<ReturnType<typeof startProvider>>;
let trigger: TriggerHarness;

beforeAll(async () => {
	provider = await startProvider();
	providerUrl = provider.url;
	trigger = await startTriggerHarness({ nodeTypes: [new ToyTrigger()], credentialTypes: [], credentials: {}, node: { type: 'toyTrigger', parameters: {} } });
});
afterAll(async () => {
	await trigger.close();
	await provider.close();
});

it('before activation the URLs are not registered (404); a create that throws is cleared as n8n clears it: delete on the saved static data, nothing of the failed create saved, the URL dropped', async () => {
	expect((await fetch(trigger.productionUrl, { method: 'POST' })).status).toBe(404);
	failNextCreate = true;
	await expect(trigger.activate()).rejects.toThrow('create failed');
	expect(calls.splice(0)).toEqual(['checkExists trigger activate', 'create trigger activate', 'echoed the-secret', 'delete internal update undefined']);
	expect(trigger.active).toBe(false);
	// The handshake's request saved its own copy (as n8n's LiveWebhooks does); create()'s webhookId was not saved.
	expect(trigger.staticData()).toEqual({ hookSecret: 'the-secret' });
	trigger.setStaticData({});
	trigger.deliveries.length = 0;
});

it('activation: checkExists then create in mode "trigger"; the handshake request is answered by the node; the request\'s static data is overwritten by the activation\'s save', async () => {
	expect(await trigger.activate()).toEqual({ created: true });
	expect(calls.splice(0)).toEqual(['checkExists trigger activate', 'create trigger activate', 'echoed the-secret']);
	expect(trigger.deliveries.map((r) => ({ outcome: r.outcome, status: r.status }))).toEqual([{ outcome: 'answered', status: 200 }]);
	// What n8n's database would hold: the activation's copy, without the secret its request wrote.
	expect(trigger.staticData()).toEqual({ webhookId: 'hook-1' });
});

it('a request that returns items: answered 200 at once, then a run of the trigger\'s execute() in mode "webhook"; bodies parsed as n8n parses them; deactivation calls delete (internal, update)', async () => {
	const answer = await fetch(trigger.productionUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ hello: 'world' }) });
	expect({ status: answer.status, body: await answer.json() }).toEqual({ status: 200, body: { message: 'Workflow was started' } });
	const [execution] = await trigger.waitForExecutions(1);
	expect(execution.items.map((item) => item.json)).toEqual([{ received: { hello: 'world' }, raw: '{"hello":"world"}', ranIn: 'webhook' }]);
	await fetch(trigger.productionUrl, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'a.b.c' });
	await fetch(trigger.productionUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=two' });
	expect((await fetch(trigger.productionUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{not json' })).status).toBe(422);
	const runs = await trigger.waitForExecutions(3);
	expect(runs.slice(1).map((run) => run.items[0].json.received)).toEqual(['a.b.c', { a: '1', b: 'two' }]);
	await trigger.deactivate();
	expect(calls.splice(0)).toEqual(['delete internal update hook-1']);
	expect(trigger.active).toBe(false);
	expect((await fetch(trigger.productionUrl, { method: 'POST' })).status).toBe(404);
	expect((await fetch(trigger.testUrl, { method: 'POST' })).status).toBe(404);
});

it('"Listen for test event": create in mode "manual" on the test URL; one request runs in mode "manual" and the registration is removed with the static data its create left; the database is untouched', async () => {
	await trigger.listen();
	expect(calls.splice(0)).toEqual(['checkExists manual manual', 'create manual manual', 'echoed the-secret']);
	expect(trigger.listening).toBe(true);
	const answer = await fetch(trigger.testUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"test":true}' });
	expect(answer.status).toBe(200);
	const [, , , execution] = await trigger.waitForExecutions(4);
	await trigger.settle();
	expect({ mode: execution.mode, json: execution.items[0].json }).toEqual({ mode: 'test', json: { received: { test: true }, raw: '{"test":true}', ranIn: 'manual' } });
	expect(trigger.listening).toBe(false);
	expect(calls.splice(0)).toEqual(['delete internal update hook-1']);
	expect(trigger.staticData()).toEqual({});
	expect((await fetch(trigger.testUrl, { method: 'POST' })).status).toBe(404);
});
