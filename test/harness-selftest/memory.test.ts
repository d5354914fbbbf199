/**
 * test/support/memory.ts, the sampler the streaming tests assert with: it must see a file held in
 * memory even briefly, and must not count the garbage of a stream that holds nothing.
 */
import { randomFillSync } from 'node:crypto';

import { sampleMemory } from '../support/memory';

const MiB = 1024 * 1024;
const pause = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** Holds a 64 MiB buffer for 300 ms inside the sampled function. */
async function holdFor300ms(): Promise<number> {
	let held: Buffer | undefined = randomFillSync(Buffer.allocUnsafeSlow(64 * MiB));
	await pause(300);
	const size = held.length;
	held = undefined;
	return size;
}

it('records a 64 MiB buffer held for 300 ms (live memory survives the collections)', async () => {
	const run = await sampleMemory(holdFor300ms);
	expect(run.result).toBe(64 * MiB);
	expect(run.arrayBuffers).toBeGreaterThanOrEqual(64 * MiB);
	expect(run.fullCollections).toBeGreaterThan(0);
});

it('records it too when a full collection takes longer than the hold (a large heap: the reading is taken before the workflow goes on)', async () => {
	// About 60 MB of small live objects: a full collection of this heap takes a good part of the hold
	// on a busy machine (and, in a worker that ran other files before, the heap is larger still).
	const ballast = Array.from({ length: 600_000 }, (_, i) => ({ i, s: `object ${i}` }));
	const run = await sampleMemory(holdFor300ms);
	expect(ballast.length).toBe(600_000);
	expect(run.arrayBuffers).toBeGreaterThanOrEqual(64 * MiB);
}, 60_000);

it('does not count the garbage of 256 MiB passed through in 256 KiB chunks, and collects by bytes, not by time', async () => {
	let checksum = 0;
	const run = await sampleMemory(async () => {
		for (let i = 0; i < 1024; i++) {
			const chunk = randomFillSync(Buffer.allocUnsafe(256 * 1024));
			checksum ^= chunk[0];
			if (i % 32 === 0) await pause(5);
		}
		return checksum;
	});
	expect(run.arrayBuffers).toBeLessThan(16 * MiB);
	// 256 MiB of garbage at a 4 MiB resolution: at most one collection per 4 MiB, of any kind.
	expect(run.minorCollections).toBeLessThanOrEqual(256 / 4);
	expect(run.fullCollections).toBeLessThanOrEqual(run.minorCollections + 1);
});
