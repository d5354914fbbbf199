/**
 * Every download and upload operation under each binary store n8n-core provides: `filesystem`
 * (prepareBinaryData pipes the response to disk) and `default` (n8n's in-memory store, which
 * reads the stream with `data`/`end` listeners, as the database store of n8n's cli package does;
 * the e2e suite runs that one in a real n8n). A download that waited for bytes the store never
 * asked for hung here until n8n's body-read timeout; each case now has 60 s.
 *
 * Per store: bytes round-trip by SHA-256 (the input binary itself lives in the store under test,
 * so uploads read from it too), a body cut short still fails as a cut-off download, and several
 * items at once (Options → Concurrency) each read their own stream from the store and write
 * their own file to it, in input order.
 */
import { randomUUID } from 'node:crypto';

import { CORE_BINARY_MODES, binaryStats, generatedStats, useBinaryDataMode } from '../support/n8n-harness';
import type { HarnessItem, RunNodeResult } from '../support/n8n-harness';
import { DEFAULT_TASK } from '../../sandbox/asana/server';
import { barrier } from '../../sandbox/common/traffic';
import { startFaultProxy } from '../faults/support/fault-proxy';
import type { FaultProxy } from '../faults/support/fault-proxy';
import { locator, runAsana, useAsanaEmulator } from './AsanaAttachment/context';
import { APP_ID, runSunshine, useSunshineEmulator } from './SunshineConversationsAttachment/context';
import { CONTACT_ID, runWix, useWixEmulator } from './WixAttachment/context';
import { runXero, useXeroEmulator, xeroCredentials } from './XeroAttachment/context';

const SIZE = 3 * 1024 * 1024 + 17; // several chunks, not a round number
/** The many-items case: this many files of MANY_SIZE, all in flight at once. */
const MANY = 6;
const MANY_SIZE = 1024 * 1024 + 5;
const file = (seed: number, fileName: string, mimeType: string): HarnessItem[] => [
	{ binary: { data: { generate: { size: SIZE, seed }, fileName, mimeType } } },
];

function ok(result: RunNodeResult): RunNodeResult {
	if (result.error) throw result.error;
	return result;
}

// Each reset before every case, its requests checked against the vendor's spec after it.
const xero = useXeroEmulator();
const asana = useAsanaEmulator();
const wix = useWixEmulator();
const sunshine = useSunshineEmulator();
let proxy: FaultProxy;

beforeAll(async () => (proxy = await startFaultProxy({ api: xero.url })));
afterAll(async () => {
	await useBinaryDataMode('filesystem');
	await proxy.close();
});

describe.each(CORE_BINARY_MODES)('binary store "%s"', (mode) => {
	beforeAll(async () => await useBinaryDataMode(mode));
	beforeEach(() => proxy.reset());

	it('Xero: Upload, then Get by ID and Get by file name, bytes intact', async () => {
		const want = await generatedStats(SIZE, 11);
		const parentId = randomUUID();
		xero.addDocument('Invoices', parentId);
		const up = ok(
			await runXero(xero, { resource: 'invoice', operation: 'upload', parentId, binaryPropertyName: 'data', options: {} }, { input: file(11, 'scan.pdf', 'application/pdf') }),
		);
		const attachmentId = up.items[0].json.AttachmentID as string;
		expect(attachmentId).toBeTruthy();
		const put = xero.requests.filter((request) => request.method === 'PUT').at(-1)!;
		expect({ size: put.bodySize, sha256: put.bodySha256 }).toEqual(want);

		const byId = ok(
			await runXero(xero, { resource: 'invoice', operation: 'get', parentId, getBy: 'attachmentId', attachmentId, binaryPropertyName: 'data', options: { mimeType: 'application/pdf' } }),
		);
		const byName = ok(
			await runXero(xero, { resource: 'invoice', operation: 'get', parentId, getBy: 'fileName', fileName: 'scan.pdf', binaryPropertyName: 'data', options: {} }),
		);
		for (const result of [byId, byName]) {
			const binary = result.items[0].binary!.data;
			// filesystem keeps an id; the in-memory store keeps the bytes in the item.
			expect(Boolean(binary.id)).toBe(mode === 'filesystem');
			expect(binary.fileName).toBe('scan.pdf');
			expect(await binaryStats(binary)).toEqual(want);
		}
	});

	it('Xero: a download cut short on every attempt fails as cut off, nothing stored', async () => {
		const parentId = randomUUID();
		xero.seedAttachment('Invoices', parentId, 'short.pdf', Buffer.alloc(SIZE, 7), 'application/pdf');
		proxy.inject({ kind: 'short', bytes: 100_000 }, { match: (request) => request.method === 'GET', times: 10 });
		const result = await runXero(
			xero,
			{ resource: 'invoice', operation: 'get', parentId, getBy: 'fileName', fileName: 'short.pdf', binaryPropertyName: 'data', options: {} },
			{ credentials: { ...xeroCredentials(xero), baseUrl: proxy.urls.api } },
		);
		expect(result.error?.message).toMatch(/download was cut off \(\d+ of \d+ bytes\)/);
		expect(result.items).toEqual([]);
	});

	it('Asana: Upload, then Get with Download File, bytes intact', async () => {
		const want = await generatedStats(SIZE, 12);
		const up = ok(
			await runAsana(asana, { operation: 'upload', parent: locator(DEFAULT_TASK.gid), source: 'binary', binaryPropertyName: 'data', options: {} }, { input: file(12, 'notes.bin', 'application/octet-stream') }),
		);
		const down = ok(await runAsana(asana, { operation: 'get', attachmentId: up.items[0].json.gid as string, download: true, binaryPropertyName: 'data', options: {} }));
		expect(await binaryStats(down.items[0].binary!.data)).toEqual(want);
	});

	it('Wix: Upload, then Get with Download File, bytes intact', async () => {
		const want = await generatedStats(SIZE, 13);
		ok(await runWix(wix, { operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data', options: {} }, { input: file(13, 'contract.pdf', 'application/pdf') }));
		const stored = wix.attachments(CONTACT_ID).at(-1)!;
		const down = ok(await runWix(wix, { operation: 'get', contactId: CONTACT_ID, attachmentId: { __rl: true, mode: 'id', value: stored.id }, download: true }));
		expect(await binaryStats(down.items[0].binary!.data)).toEqual(want);
	});

	it('Sunshine Conversations: Upload, bytes intact', async () => {
		const want = await generatedStats(SIZE, 14);
		ok(await runSunshine(sunshine, { operation: 'upload', binaryPropertyName: 'data', options: {} }, { input: file(14, 'clip.mp4', 'video/mp4') }));
		const stored = sunshine.attachments(APP_ID).at(-1)!;
		expect({ size: stored.size, sha256: stored.sha256 }).toEqual(want);
	});
	it(`Asana: ${MANY} uploads, then ${MANY} downloads, all at once: each item's own bytes, in input order and paired`, async () => {
		const seeds = Array.from({ length: MANY }, (_, i) => 100 + i);
		const wants = await Promise.all(seeds.map(async (seed) => await generatedStats(MANY_SIZE, seed)));
		const input: HarnessItem[] = seeds.map((seed, i) => ({
			binary: { data: { generate: { size: MANY_SIZE, seed }, fileName: `many-${i}.bin`, mimeType: 'application/octet-stream' } },
		}));
		// Each request is held until all are in flight, so every upload stream is open at once.
		asana.traffic.options.delay = barrier(asana.traffic, MANY);
		const up = ok(
			await runAsana(asana, { operation: 'upload', parent: locator(DEFAULT_TASK.gid), source: 'binary', binaryPropertyName: 'data', options: { concurrency: MANY } }, { input }),
		);
		expect(asana.traffic.maxInFlight).toBe(MANY);
		expect(up.items.map((item) => item.json.name)).toEqual(seeds.map((_, i) => `many-${i}.bin`));
		expect(up.items.map((item) => item.pairedItem)).toEqual(seeds.map((_, i) => ({ item: i })));
		const stored = new Map(asana.attachments(DEFAULT_TASK.gid).map((record) => [record.gid, record]));
		for (const [i, item] of up.items.entries()) {
			const record = stored.get(item.json.gid as string)!;
			expect({ size: record.size, sha256: record.sha256 }).toEqual(wants[i]);
		}

		asana.traffic.reset();
		asana.fileTraffic.options.delay = barrier(asana.fileTraffic, MANY);
		const down = ok(
			await runAsana(
				asana,
				{ operation: 'get', attachmentId: '={{ $json.gid }}', download: true, binaryPropertyName: 'data', options: { concurrency: MANY } },
				{ input: up.items.map((item) => ({ json: { gid: item.json.gid } })) },
			),
		);
		expect(asana.fileTraffic.maxInFlight).toBe(MANY);
		expect(down.items.map((item) => item.pairedItem)).toEqual(seeds.map((_, i) => ({ item: i })));
		for (const [i, item] of down.items.entries()) {
			expect(item.binary!.data.fileName).toBe(`many-${i}.bin`);
			expect(await binaryStats(item.binary!.data)).toEqual(wants[i]);
		}
	});
});
