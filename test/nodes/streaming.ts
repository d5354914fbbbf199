/**
 * The 64 MiB round trip of each provider's streaming.test.ts: a generated file uploaded through
 * the node, the bytes the provider received checked, then downloaded through the node again, the
 * peaks of memory still referenced sampled during each run (test/support/memory.ts) and bounded
 * below the file's size: holding the file, on either way, would exceed them.
 */
import { expectPeaksBelow, sampleMemory } from '../support/memory';
import { binaryStats, generatedStats } from '../support/n8n-harness';
import type { HarnessItem, RunNodeResult } from '../support/n8n-harness';

export const MiB = 1024 * 1024;
const SIZE = 64 * MiB;

export interface RoundTrip {
	label: string;
	/** The file's name and type on the way up. */
	fileName: string;
	mimeType: string;
	upload(input: HarnessItem[]): Promise<RunNodeResult>;
	/** What the provider received: its size and SHA-256 (and any check of the provider's own). */
	received(): { size: number; sha256: string };
	download(uploaded: RunNodeResult): Promise<RunNodeResult>;
	bounds: { arrayBuffers: number; rss: number };
	timeoutMs?: number;
}

export function itStreams64MiB(trip: RoundTrip): void {
	it('uploads and downloads 64 MiB without holding the file in memory', async () => {
		const expected = await generatedStats(SIZE, 64);
		const up = await sampleMemory(() => trip.upload([{ binary: { data: { generate: { size: SIZE, seed: 64 }, fileName: trip.fileName, mimeType: trip.mimeType } } }]));
		expect(up.result.error).toBeUndefined();
		expect(trip.received()).toEqual(expected);

		const down = await sampleMemory(() => trip.download(up.result));
		expect(down.result.error).toBeUndefined();
		expect(await binaryStats(down.result.items[0].binary!.data)).toEqual(expected);

		expectPeaksBelow(trip.label, { upload: up, download: down }, trip.bounds);
	}, trip.timeoutMs ?? 300_000);
}
