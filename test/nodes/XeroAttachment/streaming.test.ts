/**
 * A 64 MiB file up and down through the node: the process must never hold the file. Sampled
 * while the workflow runs, each sample after a full garbage collection so that only memory
 * still referenced counts: growth of Buffer memory and of RSS, both of which would grow by
 * 64 MiB if anything held the file.
 */
import { binaryStats, generatedStats } from '../../support/n8n-harness';
import type { XeroServer } from '../../servers/xero-server';
import { runXero, startServer } from './context';
import { sampleMemory } from '../../support/memory';

const SIZE = 64 * 1024 * 1024;
const MiB = 1024 * 1024;
const parentId = '4074292c-09b3-456d-84e7-add864c6c39b';

let server: XeroServer;
beforeAll(async () => {
	server = await startServer();
	server.addDocument('Receipts', parentId);
});
afterAll(async () => await server.close());


it('uploads and downloads 64 MiB without holding the file in memory', async () => {
	const expected = await generatedStats(SIZE, 64);

	const up = await sampleMemory(() =>
		runXero(
			server,
			{ resource: 'receipt', operation: 'upload', parentId, binaryPropertyName: 'data', options: {} },
			{ input: [{ binary: { data: { generate: { size: SIZE, seed: 64 }, fileName: 'large.bin', mimeType: 'application/octet-stream' } } }] },
		),
	);
	expect(up.result.error).toBeUndefined();
	const uploaded = server.requests.find((request) => request.method === 'PUT')!;
	expect(uploaded.bodySize).toBe(SIZE);
	expect(uploaded.bodySha256).toBe(expected.sha256);

	const down = await sampleMemory(() =>
		runXero(server, {
			resource: 'receipt',
			operation: 'get',
			parentId,
			getBy: 'fileName',
			fileName: 'large.bin',
			binaryPropertyName: 'data',
			options: {},
		}),
	);
	expect(down.result.error).toBeUndefined();
	expect(await binaryStats(down.result.items[0].binary!.data)).toEqual(expected);

	// Figures for the record (the note on the issue quotes them).
	console.log(
		`64 MiB streaming: upload peak +${(up.arrayBuffers / MiB).toFixed(1)} MiB buffers / +${(up.rss / MiB).toFixed(1)} MiB RSS; ` +
			`download peak +${(down.arrayBuffers / MiB).toFixed(1)} MiB buffers / +${(down.rss / MiB).toFixed(1)} MiB RSS`,
	);
	for (const run of [up, down]) {
		expect(run.arrayBuffers).toBeLessThan(16 * MiB);
		expect(run.rss).toBeLessThan(40 * MiB);
	}
}, 300_000);
