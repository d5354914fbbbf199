/**
 * A 64 MiB file up (multipart) and down (pre-signed URL) through the node: the process must never
 * hold the file. Sampled while the workflow runs, each sample after a full garbage collection, so
 * only memory still referenced counts: Buffer memory and RSS would both grow by 64 MiB if anything
 * held the file.
 */
import { binaryStats, generatedStats } from '../../support/n8n-harness';
import { DEFAULT_TASK } from '../../../sandbox/asana/server';
import { locator, runAsana, useAsanaEmulator } from './context';
import { expectPeaksBelow, sampleMemory } from '../../support/memory';

const SIZE = 64 * 1024 * 1024;
const MiB = 1024 * 1024;

const server = useAsanaEmulator();


it('uploads and downloads 64 MiB without holding the file in memory', async () => {
	const expected = await generatedStats(SIZE, 64);

	const up = await sampleMemory(() =>
		runAsana(
			server,
			{ operation: 'upload', parent: locator(DEFAULT_TASK.gid), source: 'binary', binaryPropertyName: 'data', options: {} },
			{ input: [{ binary: { data: { generate: { size: SIZE, seed: 64 }, fileName: 'large.bin', mimeType: 'application/octet-stream' } } }] },
		),
	);
	expect(up.result.error).toBeUndefined();
	const part = server.requests[0].multipart!.parts.find((candidate) => candidate.name === 'file')!;
	expect(part).toMatchObject({ size: SIZE, sha256: expected.sha256 });

	const down = await sampleMemory(() =>
		runAsana(server, { operation: 'get', attachmentId: up.result.items[0].json.gid as string, download: true, binaryPropertyName: 'data', options: {} }),
	);
	expect(down.result.error).toBeUndefined();
	expect(await binaryStats(down.result.items[0].binary!.data)).toEqual(expected);

	expectPeaksBelow('Asana 64 MiB streaming', { upload: up, download: down }, { arrayBuffers: 16 * MiB, rss: 40 * MiB });
}, 300_000);
