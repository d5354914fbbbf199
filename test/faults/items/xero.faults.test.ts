/**
 * Items, Xero: six items through Get (download by file name) and Get Many, failing in different
 * ways (a parent ID that is not a GUID, a file or organization Xero does not know, a 503 that
 * outlasts the retries). The fault proxy in front of the emulator answers 503 for one parent
 * only, so the fault hits that item wherever it is in the run.
 */
import { randomUUID } from 'crypto';
import type { INodeParameters } from 'n8n-workflow';

import { startXeroServer } from '../../../sandbox/xero/server';
import type { XeroServer } from '../../../sandbox/xero/server';
import { runXero, xeroCredentials } from '../../nodes/XeroAttachment/context';
import { useEmulatorBehindProxy } from '../support/behind-proxy';
import { describeItemCases, downloadPlan, expectAllPaired, failEveryRequestFor } from '../support/items';
import type { ItemPlan } from '../support/items';
import { itCase } from '../support/summary';

const FAULT_PARENT = 'fa017fa0-0000-4000-8000-00000000fa01';

// The faults below are queued for every request of a failing item, more than any case uses.
const { server, proxy } = useEmulatorBehindProxy<XeroServer>(
	async () => await startXeroServer({ defaultFormat: 'xml' }),
	(emulator) => ({ api: emulator.url }),
	{ expectFaultsUsed: false },
);
beforeEach(() => {
	failEveryRequestFor(proxy, FAULT_PARENT, { kind: 'status', status: 503, headers: { 'Retry-After': '0' }, body: 'Service Unavailable' });
});

const run = async (parameters: INodeParameters, plans: ItemPlan[], continueOnFail: boolean) =>
	await runXero(server, parameters, {
		credentials: { ...xeroCredentials(server), baseUrl: proxy.urls.api },
		input: plans.map((plan) => plan.item),
		continueOnFail,
	});

// ---------------------------------------------------------------------------------------------
// Get (download by file name)
// ---------------------------------------------------------------------------------------------

const GET = {
	resource: 'invoice',
	operation: 'get',
	parentId: '={{ $json.parentId }}',
	getBy: 'fileName',
	fileName: '={{ $json.fileName }}',
	binaryPropertyName: 'data',
	options: { mimeType: 'application/pdf' },
};

function download(parentId: string, fileName: string): ItemPlan {
	const content = Buffer.from(`%PDF-1.4 ${fileName} ${randomUUID()}`);
	server.seedAttachment('Invoices', parentId, fileName, content, 'application/pdf');
	return downloadPlan({ json: { parentId, fileName } }, encodeURIComponent(fileName), fileName, content);
}

function getPlans(): ItemPlan[] {
	const [p1, p2] = [randomUUID(), randomUUID()];
	return [
		download(p1, 'item-0.pdf'),
		{ kind: 'input', item: { json: { parentId: 'INV-0042', fileName: 'item-1.pdf' } }, marker: 'item-1.pdf', error: /Invalid "Invoice ID": "INV-0042" is not a GUID/ },
		download(p2, 'item-2.pdf'),
		{ kind: 'api', item: { json: { parentId: p1, fileName: 'item-3.pdf' } }, marker: 'item-3.pdf', error: /^Xero/, httpCode: '404' },
		{ kind: 'fault', item: { json: { parentId: FAULT_PARENT, fileName: 'item-4.pdf' } }, marker: 'item-4.pdf', error: /Service Unavailable/, httpCode: '503' },
		download(p1, 'item-5.pdf'),
	];
}

describeItemCases({
	node: 'Xero',
	operation: 'Get (download)',
	name: '6 items: bad parent ID, unknown file (404), 503 past the retries; Continue On Fail',
	expected: '6 outputs paired to their inputs, 3 errors, 3 files with the right SHA-256',
	faulted: () => proxy.requests((r) => r.fault !== undefined).length,
	faultAttempts: 5,
	failures: [
		[1, 'bad parent ID'],
		[3, 'unknown file (404)'],
		[4, '503 past the retries'],
	],
	plans: getPlans,
	replacement: (index) => download(randomUUID(), `replacement-${index}.pdf`),
	parameters: GET,
	run,
	requestUrls: () => proxy.log.map((r) => r.url),
	attempts: () => proxy.log.length,
});

// ---------------------------------------------------------------------------------------------
// Get Many (several outputs per item)
// ---------------------------------------------------------------------------------------------

const UNKNOWN_TENANT = '0000aaaa-1111-4222-8333-444455556666';
const GET_MANY = {
	resource: 'invoice',
	operation: 'getAll',
	parentId: '={{ $json.parentId }}',
	tenantId: { __rl: true, mode: 'id', value: '={{ $json.tenant }}' },
	returnAll: true,
};

function listing(count: number): ItemPlan {
	const parentId = randomUUID();
	const names = Array.from({ length: count }, (_, i) => `${parentId.slice(0, 8)}-${i}.pdf`);
	for (const name of names) server.seedAttachment('Invoices', parentId, name, Buffer.from(name), 'application/pdf');
	return {
		kind: 'ok',
		item: { json: { parentId, tenant: server.tenants[0].tenantId } },
		marker: parentId,
		outputs: count,
		check: (outputs) => expect(outputs.map((o) => o.json.FileName)).toEqual(names),
	};
}

itCase(
	{ category: 'items', node: 'Xero', operation: 'Get Many', name: '6 items giving 2, 1 and 3 attachments, a bad parent ID, an unknown organization (403), a 503; Continue On Fail', expected: 'every input represented, each output paired to its input, 3 errors' },
	async () => {
		const tenant = server.tenants[0].tenantId;
		const forbidden = randomUUID();
		const plans: ItemPlan[] = [
			listing(2),
			{ kind: 'input', item: { json: { parentId: 'not-a-guid', tenant } }, marker: 'not-a-guid', error: /is not a GUID/ },
			listing(1),
			{ kind: 'api', item: { json: { parentId: forbidden, tenant: UNKNOWN_TENANT } }, marker: forbidden, error: /^Xero/, httpCode: '403' },
			{ kind: 'fault', item: { json: { parentId: FAULT_PARENT, tenant } }, marker: FAULT_PARENT, error: /Service Unavailable/, httpCode: '503' },
			listing(3),
		];
		const result = await run(GET_MANY, plans, true);
		const figures = await expectAllPaired(result, plans);
		expect(result.items).toHaveLength(2 + 1 + 1 + 1 + 1 + 3);
		return { ...figures, attempts: proxy.log.length };
	},
);
