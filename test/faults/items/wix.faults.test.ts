/**
 * Items, Wix: six items through Get (with download) and Get Many, failing in different ways (an
 * ID that is not a GUID, an attachment or contact Wix does not know, a 503 that outlasts the
 * retries). The fault proxy in front of the REST gateway answers 503 for one ID only.
 */
import { randomUUID } from 'crypto';
import type { INodeParameters } from 'n8n-workflow';

import { DEFAULT_CONTACT, startWixServer } from '../../../sandbox/wix/server';
import type { WixServer } from '../../../sandbox/wix/server';
import { apiKeyCredentials, runWix } from '../../nodes/WixAttachment/context';
import { useEmulatorBehindProxy } from '../support/behind-proxy';
import { describeItemCases, downloadPlan, expectAllPaired, failEveryRequestFor } from '../support/items';
import type { ItemPlan } from '../support/items';
import { itCase } from '../support/summary';

const FAULT_ID = 'fa017fa0-0000-4000-8000-00000000fa02';
const UNKNOWN_ID = '0badc0de-0000-4000-8000-000000000404';
const CONTACT_ID = DEFAULT_CONTACT.id;

// The faults below are queued for every request of a failing item, more than any case uses.
const { server, proxy } = useEmulatorBehindProxy<WixServer>(
	async () => await startWixServer(),
	(emulator) => ({ api: emulator.url }),
	{ expectFaultsUsed: false },
);
beforeEach(() => {
	failEveryRequestFor(proxy, FAULT_ID, {
		kind: 'status',
		status: 503,
		headers: { 'Retry-After': '0' },
		body: JSON.stringify({ message: 'Service temporarily unavailable', details: { applicationError: { code: 'UNAVAILABLE', description: 'Try again later' } } }),
	});
});

const run = async (parameters: INodeParameters, plans: ItemPlan[], continueOnFail: boolean) =>
	await runWix(server, parameters, {
		credentials: { ...apiKeyCredentials(server), baseUrl: proxy.urls.api },
		input: plans.map((plan) => plan.item),
		continueOnFail,
	});

// ---------------------------------------------------------------------------------------------
// Get with Download File
// ---------------------------------------------------------------------------------------------

const GET = { operation: 'get', contactId: CONTACT_ID, attachmentId: { __rl: true, mode: 'id', value: '={{ $json.id }}' }, download: true, binaryPropertyName: 'data' };

function download(index: number): ItemPlan {
	const content = Buffer.from(`%PDF-1.4 item ${index} ${randomUUID()}`);
	const record = server.seedAttachment(CONTACT_ID, `item-${index}.pdf`, content, 'application/pdf');
	return downloadPlan({ json: { id: record.id } }, record.id, `item-${index}.pdf`, content, { field: 'id', value: record.id });
}

function getPlans(): ItemPlan[] {
	return [
		download(0),
		{ kind: 'input', item: { json: { id: 'not-a-guid' } }, marker: 'not-a-guid', error: /Invalid "Attachment ID"/ },
		download(2),
		{ kind: 'api', item: { json: { id: UNKNOWN_ID } }, marker: UNKNOWN_ID, error: /^Wix/, httpCode: '404' },
		{ kind: 'fault', item: { json: { id: FAULT_ID } }, marker: FAULT_ID, error: /Service temporarily unavailable/, httpCode: '503' },
		download(5),
	];
}

describeItemCases({
	node: 'Wix',
	operation: 'Get (download)',
	name: '6 items: bad ID, unknown attachment (404), 503 past the retries; Continue On Fail',
	expected: '6 outputs paired to their inputs, 3 errors, 3 files with the right SHA-256',
	faulted: () => proxy.requests((r) => r.fault !== undefined).length,
	faultAttempts: 5,
	failures: [
		[1, 'bad ID'],
		[3, 'unknown attachment (404)'],
		[4, '503 past the retries'],
	],
	plans: getPlans,
	replacement: (index) => download(index),
	parameters: GET,
	run,
	requestUrls: () => server.requests.map((r) => r.url).concat(proxy.log.map((r) => r.url)),
	attempts: () => proxy.log.length,
});

// ---------------------------------------------------------------------------------------------
// Get Many (several outputs per item)
// ---------------------------------------------------------------------------------------------

const GET_MANY = { operation: 'getAll', contactId: '={{ $json.contactId }}', returnAll: true };

function listing(count: number): ItemPlan {
	const contact = server.addContact({ firstName: `Listed ${count}` });
	const names = Array.from({ length: count }, (_, i) => `${contact.id.slice(0, 8)}-${i}.pdf`);
	for (const name of names) server.seedAttachment(contact.id, name, Buffer.from(name), 'application/pdf');
	return {
		kind: 'ok',
		item: { json: { contactId: contact.id } },
		marker: contact.id,
		outputs: count,
		check: (outputs) => expect(outputs.map((o) => o.json.fileName).sort()).toEqual([...names].sort()),
	};
}

itCase(
	{ category: 'items', node: 'Wix', operation: 'Get Many', name: '6 items giving 2, 3 and 1 attachments, a bad contact ID, an unknown contact (404), a 503; Continue On Fail', expected: 'every input represented, each output paired to its input, 3 errors' },
	async () => {
		const plans: ItemPlan[] = [
			listing(2),
			{ kind: 'input', item: { json: { contactId: 'ada' } }, marker: '/ada', error: /Invalid "Contact ID"/ },
			listing(3),
			{ kind: 'api', item: { json: { contactId: UNKNOWN_ID } }, marker: UNKNOWN_ID, error: /^Wix/, httpCode: '404' },
			{ kind: 'fault', item: { json: { contactId: FAULT_ID } }, marker: FAULT_ID, error: /Service temporarily unavailable/, httpCode: '503' },
			listing(1),
		];
		const result = await run(GET_MANY, plans, true);
		const figures = await expectAllPaired(result, plans);
		expect(result.items).toHaveLength(2 + 1 + 3 + 1 + 1 + 1);
		return { ...figures, attempts: proxy.log.length };
	},
);
