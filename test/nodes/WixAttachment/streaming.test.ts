/**
 * A 64 MiB file up (to the upload URL) and down (from the media link) through the node: the
 * process must never hold the file. Sampled while the workflow runs, each sample after a full
 * garbage collection, so that only memory still referenced counts: growth of Buffer memory and
 * of RSS, both of which would grow by 64 MiB if anything held the file.
 */
import { binaryStats, generatedStats } from '../../support/n8n-harness';
import { expectPeaksBelow, sampleMemory } from '../../support/memory';
import { CONTACT_ID, runWix, useWixEmulator } from './context';

const SIZE = 64 * 1024 * 1024;
const MiB = 1024 * 1024;

const server = useWixEmulator();

it('uploads and downloads 64 MiB without holding the file in memory', async () => {
	const expected = await generatedStats(SIZE, 64);

	const up = await sampleMemory(() =>
		runWix(
			server,
			{ operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data', options: {} },
			{ input: [{ binary: { data: { generate: { size: SIZE, seed: 64 }, fileName: 'large.pdf', mimeType: 'application/pdf' } } }] },
		),
	);
	expect(up.result.error).toBeUndefined();
	const [put] = server.requestsTo('media');
	expect(put.bodySize).toBe(SIZE);
	expect(put.bodySha256).toBe(expected.sha256);
	expect(put.body).toBeUndefined(); // over 1 MiB: counted and hashed, not kept
	const [stored] = server.attachments(CONTACT_ID);

	const down = await sampleMemory(() =>
		runWix(server, {
			operation: 'get',
			contactId: CONTACT_ID,
			attachmentId: { __rl: true, mode: 'id', value: stored.id },
			download: true,
		}),
	);
	expect(down.result.error).toBeUndefined();
	expect(await binaryStats(down.result.items[0].binary!.data)).toEqual(expected);

	// Holding the file would add 64 MiB. On a loaded machine n8n's binary store and HTTP stack
	// briefly hold up to ~30 MiB (seen with Xero's node too), so the bounds leave room for that
	// noise and still catch any copy of the file.
	expectPeaksBelow('Wix 64 MiB streaming', { upload: up, download: down }, { arrayBuffers: 40 * MiB, rss: 56 * MiB });
}, 600_000);
