/**
 * Items, Asana: six items through Get (with download) and Get Many, failing in different ways (an
 * ID that is not an Asana ID, an attachment or parent Asana does not know, a 500 that outlasts
 * the retries). The fault proxy in front of the API answers 500 for one ID only.
 */
import { randomUUID } from 'crypto';
import type { INodeParameters } from 'n8n-workflow';

import { startAsanaServer } from '../../../sandbox/asana/server';
import type { AsanaServer } from '../../../sandbox/asana/server';
import { runAsana, tokenCredentials } from '../../nodes/AsanaAttachment/context';
import { useEmulatorBehindProxy } from '../support/behind-proxy';
import { describeItemCases, downloadPlan, expectAllPaired, failEveryRequestFor } from '../support/items';
import type { ItemPlan } from '../support/items';
import { itCase } from '../support/summary';

const FAULT_GID = '1209000000000666';
const UNKNOWN_GID = '1209000000000404';

// The faults below are queued for every request of a failing item, more than any case uses.
const { server, proxy } = useEmulatorBehindProxy<AsanaServer>(
	async () => await startAsanaServer(),
	(emulator) => ({ api: emulator.url }),
	{ expectFaultsUsed: false },
);
beforeEach(() => {
	failEveryRequestFor(proxy, FAULT_GID, { kind: 'status', status: 500, headers: { 'Retry-After': '0' }, body: JSON.stringify({ errors: [{ message: 'Server Error' }] }) });
});

const run = async (parameters: INodeParameters, plans: ItemPlan[], continueOnFail: boolean) =>
	await runAsana(server, parameters, {
		credentials: { asanaAttachmentApi: { ...tokenCredentials(server), baseUrl: proxy.urls.api } },
		input: plans.map((plan) => plan.item),
		continueOnFail,
	});

// ---------------------------------------------------------------------------------------------
// Get with Download File
// ---------------------------------------------------------------------------------------------

const GET = { operation: 'get', attachmentId: '={{ $json.gid }}', download: true, binaryPropertyName: 'data', options: {} };

function download(index: number): ItemPlan {
	const task = server.addTask(`Task ${index} ${randomUUID()}`);
	const content = Buffer.from(`%PDF-1.4 item ${index} ${randomUUID()}`);
	const record = server.seedAttachment(task.gid, `item-${index}.pdf`, content, 'application/pdf');
	return downloadPlan({ json: { gid: record.gid } }, `/attachments/${record.gid}`, `item-${index}.pdf`, content, { field: 'gid', value: record.gid });
}

function getPlans(): ItemPlan[] {
	return [
		download(0),
		{ kind: 'input', item: { json: { gid: 'abc' } }, marker: '/attachments/abc', error: /"abc" is not an Asana ID/ },
		download(2),
		{ kind: 'api', item: { json: { gid: UNKNOWN_GID } }, marker: `/attachments/${UNKNOWN_GID}`, error: /^Asana has no attachment with ID /, httpCode: '404' },
		{ kind: 'fault', item: { json: { gid: FAULT_GID } }, marker: `/attachments/${FAULT_GID}`, error: /Server Error/, httpCode: '500' },
		download(5),
	];
}

describeItemCases({
	node: 'Asana',
	operation: 'Get (download)',
	name: '6 items: bad ID, unknown attachment (404), 500 past the retries; Continue On Fail',
	expected: '6 outputs paired to their inputs, 3 errors, 3 files with the right SHA-256',
	faulted: () => proxy.requests((r) => r.fault !== undefined).length,
	faultAttempts: 5,
	failures: [
		[1, 'bad ID'],
		[3, 'unknown attachment (404)'],
		[4, '500 past the retries'],
	],
	plans: getPlans,
	replacement: (index) => download(index),
	parameters: GET,
	run,
	requestUrls: () => [...proxy.log.map((r) => r.url), ...server.fileRequests.map((r) => r.url)],
	attempts: () => proxy.log.length,
});

// ---------------------------------------------------------------------------------------------
// Get Many (several outputs per item)
// ---------------------------------------------------------------------------------------------

const GET_MANY = { operation: 'getAll', parent: { __rl: true, mode: 'id', value: '={{ $json.parent }}' }, returnAll: true, options: {} };

function listing(count: number): ItemPlan {
	const task = server.addTask(`Listed ${randomUUID()}`);
	const names = Array.from({ length: count }, (_, i) => `${task.gid}-${i}.txt`);
	for (const name of names) server.seedAttachment(task.gid, name, Buffer.from(name), 'text/plain');
	return {
		kind: 'ok',
		item: { json: { parent: task.gid } },
		marker: `parent=${task.gid}`,
		outputs: count,
		check: (outputs) => expect(outputs.map((o) => o.json.name)).toEqual(names),
	};
}

itCase(
	{ category: 'items', node: 'Asana', operation: 'Get Many', name: '6 items giving 3, 1 and 2 attachments, a bad parent ID, an unknown parent (404), a 500; Continue On Fail', expected: 'every input represented, each output paired to its input, 3 errors' },
	async () => {
		const plans: ItemPlan[] = [
			listing(3),
			{ kind: 'input', item: { json: { parent: 'not-an-id' } }, marker: 'parent=not-an-id', error: /Parent/ },
			listing(1),
			{ kind: 'api', item: { json: { parent: UNKNOWN_GID } }, marker: `parent=${UNKNOWN_GID}`, error: /^Asana has no task, project or project brief with ID /, httpCode: '404' },
			{ kind: 'fault', item: { json: { parent: FAULT_GID } }, marker: `parent=${FAULT_GID}`, error: /Server Error/, httpCode: '500' },
			listing(2),
		];
		const result = await run(GET_MANY, plans, true);
		const figures = await expectAllPaired(result, plans);
		expect(result.items).toHaveLength(3 + 1 + 1 + 1 + 1 + 2);
		return { ...figures, attempts: proxy.log.length };
	},
);
