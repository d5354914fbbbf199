/**
 * Calls in flight. Asana allows 50 reads (GET) and 15 writes (POST, PUT, PATCH, DELETE) in flight
 * per token, Xero 5 calls in progress per organization; Wix and Sunshine Conversations publish no
 * such limit. The node does not count calls in flight (pacing.ts): each item's requests go one
 * after another (a record, then its file; a listing, then a download), and one run of a node runs
 * one operation (n8n takes the Operation parameter as it is, never as an expression of the
 * item), so a run never has more calls in flight than Options → Concurrency. That holds the
 * provider's limit only if Concurrency's maximum for every operation is within the limit of every
 * kind of call the operation makes: checked here, for every operation of every node, from the
 * requests each operation sends. (The node suites show the same against emulators that answer
 * 429 beyond the limits: test/nodes/AsanaAttachment/concurrency.test.ts, XeroAttachment/rate-limits.test.ts.)
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import type { INodeProperties, INodeType } from 'n8n-workflow';

import { AsanaAttachment } from '../../nodes/AsanaAttachment/AsanaAttachment.node';
import * as asanaDelete from '../../nodes/AsanaAttachment/operations/delete';
import * as asanaGet from '../../nodes/AsanaAttachment/operations/get';
import * as asanaGetMany from '../../nodes/AsanaAttachment/operations/getMany';
import * as asanaUpload from '../../nodes/AsanaAttachment/operations/upload';
import { ASANA_CONCURRENCY, ASANA_IN_FLIGHT, asanaProvider } from '../../nodes/AsanaAttachment/provider';
import { TRIGGER_CONCURRENCY } from '../../nodes/AsanaAttachment/trigger/output';
import type { ConcurrencySpec } from '../../nodes/shared/description';
import { ProviderPacer, pacedRequest } from '../../nodes/shared/transport/pacing';
import type { OperationSpec, TransportContext } from '../../nodes/shared/transport/types';
import { SunshineConversationsAttachment } from '../../nodes/SunshineConversationsAttachment/SunshineConversationsAttachment.node';
import { SUNSHINE_CONCURRENCY } from '../../nodes/SunshineConversationsAttachment/provider';
import { WixAttachment } from '../../nodes/WixAttachment/WixAttachment.node';
import { WIX_CONCURRENCY } from '../../nodes/WixAttachment/provider';
import { XeroAttachment } from '../../nodes/XeroAttachment/XeroAttachment.node';
import { XERO_CONCURRENCY, XERO_CREDENTIAL_TYPE, XERO_IN_FLIGHT, xeroProvider } from '../../nodes/XeroAttachment/provider';
import { FakeClock, settle } from '../support/fake-clock';

/** Asana counts a call against its reads or its writes by method. */
const asanaLimitOf = (method: string) => (/^(GET|HEAD)$/i.test(method) ? ASANA_IN_FLIGHT.reads : ASANA_IN_FLIGHT.writes);

/** The requests each Asana operation sends, as its code in nodes/AsanaAttachment/operations sends them. */
const ASANA_REQUESTS: Record<string, OperationSpec[]> = {
	get: [asanaGet.getAttachmentRecord, asanaGet.getAttachmentForDownload, asanaGet.downloadAttachmentFile],
	getAll: [asanaGetMany.listAttachments],
	upload: [asanaUpload.uploadFile, asanaUpload.attachLink],
	delete: [asanaDelete.deleteAttachmentOperation],
};

interface NodeLimits {
	node: INodeType;
	concurrency: ConcurrencySpec;
	/** The limit on calls in flight a request of `method` to the provider's API counts against; none published: undefined. */
	limitOf?: (method: string) => number;
	/** The API requests (not pre-signed storage URLs) an operation may send, by operation. */
	apiMethods: (operation: string) => string[];
}

const apiMethodsOf = (specs: OperationSpec[] | undefined) => (specs ?? []).filter((spec) => !spec.anonymous).map((spec) => spec.method);

const NODES: Record<string, NodeLimits> = {
	asanaAttachment: { node: new AsanaAttachment(), concurrency: ASANA_CONCURRENCY, limitOf: asanaLimitOf, apiMethods: (operation) => apiMethodsOf(ASANA_REQUESTS[operation]) },
	// Xero counts every call alike, whatever the method.
	xeroAttachment: { node: new XeroAttachment(), concurrency: XERO_CONCURRENCY, limitOf: () => XERO_IN_FLIGHT, apiMethods: () => ['GET', 'PUT', 'POST'] },
	wixAttachment: { node: new WixAttachment(), concurrency: WIX_CONCURRENCY, apiMethods: () => [] },
	sunshineConversationsAttachment: { node: new SunshineConversationsAttachment(), concurrency: SUNSHINE_CONCURRENCY, apiMethods: () => [] },
};

/** The operations a node offers (the values of its Operation parameter). */
function operationsOf(node: INodeType): string[] {
	const parameters = node.description.properties.filter((property: INodeProperties) => property.name === 'operation');
	return [...new Set(parameters.flatMap((parameter) => (parameter.options ?? []).map((option) => String((option as { value: unknown }).value))))];
}

/** What readConcurrency allows for `operation` (nodes/shared/transport/items.ts). */
const limitFor = (spec: ConcurrencySpec, operation: string) => spec.byOperation?.[operation] ?? spec.other;

it('lists every node of the package (its triggers below)', () => {
	const manifest = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { n8n: { nodes: string[] } };
	const names = Object.values(NODES).map(({ node }) => node.description.name);
	expect(names.sort()).toEqual(Object.keys(NODES).sort());
	// Triggers have no operations: Xero's poll makes its calls one after another
	// (test/nodes/XeroAttachment/trigger.test.ts); the push triggers fetch an event's files one request each;
	// Asana's, a delivery's items a fixed number at once (below).
	const actions = manifest.n8n.nodes.filter((file) => !/Trigger\.node\.js$/.test(file));
	expect(actions).toHaveLength(names.length);
});

it('Asana Attachment Trigger: the items of a delivery, a fixed number at once, stay within Asana\'s reads (a record read, then the pre-signed file)', () => {
	// Each item reads its record (GET) and then its file from storage, which Asana does not count.
	expect(apiMethodsOf([asanaGet.getAttachmentForDownload, asanaGet.downloadAttachmentFile])).toEqual(['GET']);
	expect(TRIGGER_CONCURRENCY).toBeLessThanOrEqual(ASANA_IN_FLIGHT.reads);
});

describe.each(Object.entries(NODES))('%s', (_name, { node, concurrency, limitOf, apiMethods }) => {
	const operations = operationsOf(node);

	it("allows no Concurrency above the provider's limit on calls in flight, for any operation", () => {
		expect(operations.length).toBeGreaterThan(0);
		const checked = operations.map((operation) => {
			const { default: defaultValue, max } = limitFor(concurrency, operation);
			const limits = apiMethods(operation).map((method) => limitOf?.(method) ?? Infinity);
			return { operation, default: defaultValue, max, withinEveryLimit: limits.every((limit) => max <= limit), defaultWithinMax: defaultValue <= max };
		});
		expect(checked).toEqual(checked.map((row) => ({ ...row, withinEveryLimit: true, defaultWithinMax: true })));
		// byOperation entries name operations that exist, so none is a typo that `other` would silently cover.
		for (const operation of Object.keys(concurrency.byOperation ?? {})) expect(operations).toContain(operation);
	});
});

describe('the table of Asana requests', () => {
	it('has every operation Asana offers, and every request spec its operation modules export', () => {
		expect(Object.keys(ASANA_REQUESTS).sort()).toEqual(operationsOf(NODES.asanaAttachment.node).sort());
		const exported = [asanaGet, asanaGetMany, asanaUpload, asanaDelete].flatMap((module) =>
			Object.values(module).filter((value): value is OperationSpec => typeof value === 'object' && value !== null && 'method' in value && 'response' in value),
		);
		expect(exported.length).toBeGreaterThan(0);
		const listed = Object.values(ASANA_REQUESTS).flat();
		for (const spec of exported) expect(listed).toContain(spec);
		// A download from the storage host is the only request that is not Asana's API.
		expect(listed.filter((spec) => spec.anonymous)).toEqual([asanaGet.downloadAttachmentFile]);
	});
});

describe('the pacer counts no calls in flight: Concurrency is the one bound, so it alone is checked above', () => {
	const ctx = { getNode: () => ({ name: 'Pacing' }), logger: { debug: () => undefined } } as unknown as TransportContext;

	it('lets every request that asks go at once, however many are in flight', async () => {
		const asana = new ProviderPacer(ctx, asanaProvider, new FakeClock());
		for (const [method, count] of [['GET', ASANA_IN_FLIGHT.reads + 10], ['POST', ASANA_IN_FLIGHT.writes + 5]] as const) {
			const asks = Array.from({ length: count }, async () => await asana.acquire(pacedRequest({ method, url: 'https://app.asana.com/api/1.0/attachments', credentialType: 'asanaAttachmentApi' }), 0));
			let granted = 0;
			for (const ask of asks) void ask.then(() => granted++);
			await settle();
			expect(granted).toBe(count);
		}

		const xero = new ProviderPacer(ctx, xeroProvider, new FakeClock());
		const request = pacedRequest({ method: 'GET', url: 'https://api.xero.com/api.xro/2.0/Invoices', headers: { 'xero-tenant-id': 'a' }, credentialType: XERO_CREDENTIAL_TYPE });
		// The first answer says what is left of the budgets (until then one request goes alone).
		const first = await xero.acquire(request, 0);
		first.answered(200, { 'x-minlimit-remaining': '59', 'x-daylimit-remaining': '4999', 'x-appminlimit-remaining': '9999' });
		const asks = Array.from({ length: XERO_IN_FLIGHT + 3 }, async () => await xero.acquire(request, 0));
		let granted = 0;
		for (const ask of asks) void ask.then(() => granted++);
		await settle();
		expect(granted).toBe(XERO_IN_FLIGHT + 3);
	});
});
