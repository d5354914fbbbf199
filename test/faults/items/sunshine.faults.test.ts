/**
 * Items, Sunshine Conversations: six items through Upload (not retried: a 500 is final) and
 * Generate Media Token (several outputs per item), failing in different ways (no file / a path
 * with a line break, a refused file type (415) / an app the key may not use (403), a 500 or 503
 * from the fault proxy, which answers for one conversation or app only).
 */
import { createHash, randomBytes } from 'crypto';
import type { INodeParameters } from 'n8n-workflow';

import { DEFAULT_APP, SECOND_APP, startSunshineServer } from '../../../sandbox/sunshine/server';
import type { SunshineServer } from '../../../sandbox/sunshine/server';
import { runSunshine, sunshineCredentials } from '../../nodes/SunshineConversationsAttachment/context';
import { useEmulatorBehindProxy } from '../support/behind-proxy';
import { describeItemCases, expectAllPaired, failEveryRequestFor } from '../support/items';
import type { ItemPlan } from '../support/items';
import { itCase } from '../support/summary';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const APP_ID = DEFAULT_APP.id;
const FAULT_CONVERSATION = 'fa017fa0fa017fa0fa017fa0';
const FAULT_APP = 'fa017fa0fa017fa0fa01a990';

// The faults below are queued for every request of a failing item, more than any case uses.
const { server, proxy } = useEmulatorBehindProxy<SunshineServer>(
	async () => await startSunshineServer(),
	(emulator) => ({ api: emulator.url }),
	{ expectFaultsUsed: false },
);
beforeEach(() => {
	const body = JSON.stringify({ errors: [{ code: 'internal_server_error', title: 'Something went wrong' }] });
	failEveryRequestFor(proxy, FAULT_CONVERSATION, { kind: 'status', status: 500, body });
	failEveryRequestFor(proxy, FAULT_APP, { kind: 'status', status: 503, headers: { 'Retry-After': '0' }, body });
});

const run = async (parameters: INodeParameters, plans: ItemPlan[], continueOnFail: boolean) =>
	await runSunshine(server, parameters, {
		credentials: sunshineCredentials(server, undefined, { baseUrl: proxy.urls.api }),
		input: plans.map((plan) => plan.item),
		continueOnFail,
	});

// ---------------------------------------------------------------------------------------------
// Upload (one conversation per item)
// ---------------------------------------------------------------------------------------------

const UPLOAD = { operation: 'upload', binaryPropertyName: 'data', options: { for: 'message', conversationId: '={{ $json.conversation }}' } };
const conversation = () => randomBytes(12).toString('hex');

function upload(index: number): ItemPlan {
	const conv = conversation();
	const content = Buffer.from(`%PDF-1.4 item ${index} ${conv}`);
	const fileName = `item-${index}.pdf`;
	return {
		kind: 'ok',
		item: { json: { conversation: conv }, binary: { data: { data: content, fileName, mimeType: 'application/pdf' } } },
		marker: conv,
		check: ([output]) => {
			const stored = server.attachments(APP_ID).filter((record) => record.conversationId === conv);
			expect(stored).toHaveLength(1);
			expect(stored[0]).toMatchObject({ fileName, sha256: sha256(content) });
			expect(String(output.json.mediaUrl)).toContain(`/${conv}/${stored[0].id}/${fileName}`);
		},
	};
}

function uploadPlans(): ItemPlan[] {
	const conv = [conversation(), conversation()];
	return [
		upload(0),
		{
			kind: 'input',
			item: { json: { conversation: conv[0] }, binary: { other: { data: 'x', fileName: 'x.txt', mimeType: 'text/plain' } } },
			marker: conv[0],
			error: /no binary field "data"/,
		},
		upload(2),
		{
			kind: 'api',
			item: { json: { conversation: conv[1] }, binary: { data: { data: Buffer.from('MZ'), fileName: 'tool.exe', mimeType: 'application/x-msdownload' } } },
			marker: conv[1],
			error: /The file type is not accepted/,
			httpCode: '415',
		},
		{
			kind: 'fault',
			item: { json: { conversation: FAULT_CONVERSATION }, binary: { data: { data: Buffer.from('%PDF-1.4 fault'), fileName: 'fault.pdf', mimeType: 'application/pdf' } } },
			marker: FAULT_CONVERSATION,
			error: /Something went wrong/,
			httpCode: '500',
		},
		upload(5),
	];
}

describeItemCases({
	node: 'Sunshine',
	operation: 'Upload',
	name: '6 items: no file, refused type (415), 500 (not retried); Continue On Fail',
	expected: '6 outputs paired to their inputs, 3 errors, 3 files stored with the right SHA-256',
	faulted: () => proxy.requests((r) => r.fault !== undefined).length,
	faultAttempts: 1,
	// An upload is not repeated after a 500 (Sunshine may have stored it already); the other two failing items sent nothing.
	alsoContinueOnFail: () => expect(server.attachments(APP_ID)).toHaveLength(3),
	failures: [
		[1, 'no file'],
		[3, 'refused type (415)'],
		[4, '500, not retried'],
	],
	plans: uploadPlans,
	replacement: (index) => upload(index),
	parameters: UPLOAD,
	run,
	requestUrls: () => proxy.log.map((r) => r.url),
	attempts: () => proxy.log.length,
	// Only the items before the failure were stored.
	alsoOneAtATime: (plans, failAt) => expect(server.attachments(APP_ID)).toHaveLength(plans.slice(0, failAt).filter((p) => p.kind === 'ok').length),
});

// ---------------------------------------------------------------------------------------------
// Generate Media Token (one output per path)
// ---------------------------------------------------------------------------------------------

const TOKENS = { operation: 'generateMediaToken', appId: { __rl: true, mode: 'id', value: '={{ $json.app }}' }, paths: '={{ $json.paths }}' };

function tokens(count: number): ItemPlan {
	const paths = Array.from({ length: count }, () => `/apps/${APP_ID}/conversations/${conversation()}`);
	return {
		kind: 'ok',
		item: { json: { app: APP_ID, paths } },
		marker: APP_ID,
		outputs: count,
		check: (outputs) => {
			expect(outputs.map((o) => o.json.path)).toEqual(paths);
			for (const output of outputs) expect(String(output.json.token)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
		},
	};
}

itCase(
	{ category: 'items', node: 'Sunshine', operation: 'Generate Media Token', name: '6 items giving 2, 1 and 3 tokens, a path with a line break, an app the key may not use (403), a 503 past the retries; Continue On Fail', expected: 'every input represented, each output paired to its input, 3 errors' },
	async () => {
		const plans: ItemPlan[] = [
			tokens(2),
			{ kind: 'input', item: { json: { app: APP_ID, paths: [`/apps/${APP_ID}\n/x`] } }, marker: 'n/a', error: /control characters/ },
			tokens(1),
			{ kind: 'api', item: { json: { app: SECOND_APP.id, paths: [`/apps/${SECOND_APP.id}`] } }, marker: SECOND_APP.id, error: /^Sunshine Conversations/, httpCode: '403' },
			{ kind: 'fault', item: { json: { app: FAULT_APP, paths: [`/apps/${FAULT_APP}`] } }, marker: FAULT_APP, error: /Something went wrong/, httpCode: '503' },
			tokens(3),
		];
		const result = await run(TOKENS, plans, true);
		const figures = await expectAllPaired(result, plans);
		expect(result.items).toHaveLength(2 + 1 + 1 + 1 + 1 + 3);
		expect(proxy.requests((r) => r.fault !== undefined)).toHaveLength(5);
		return { ...figures, attempts: proxy.log.length };
	},
);
