/**
 * Peak growth of live memory while a workflow runs: memory still referenced, not garbage that is
 * waiting for a collection.
 *
 * Cheap samples (process.memoryUsage(), no collection) are taken every `intervalMs`. A collection
 * is forced only when a sample is more than `resolution` above the peak recorded so far: first a
 * minor one (the chunks a stream lets go of die young), then, if that was not enough, a full one;
 * each twice in a row and read at once, with no JS run in between, so that what is read is the
 * state the sample saw. Only readings taken right after a collection are recorded, so
 *
 *   - a file held in memory shows: its bytes survive the full collection and are recorded;
 *   - every sample not recorded was at most `resolution` above the recorded peak, so live memory
 *     never exceeded `peak + resolution`;
 *   - the number of collections follows the bytes of garbage (about one per `resolution`), not
 *     the run's duration: a test slowed down by a busy machine does not collect more often, and a
 *     full collection (hundreds of ms with a large heap) is not repeated five times a second.
 *
 * Growth is counted from the lowest reading of the run: the baseline taken after a full collection
 * at the start, or lower when garbage of earlier work was still being freed then (a baseline that
 * counted it would hide as much growth). One full collection at the end.
 */
import * as v8 from 'v8';
import * as vm from 'vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

const pause = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

const MiB = 1024 * 1024;

export interface MemoryPeak<T> {
	result: T;
	/** Peak growth of memory held by Buffers and ArrayBuffers, in bytes (after a collection). */
	arrayBuffers: number;
	/** Peak growth of the resident set, in bytes (after a collection), less free space V8 added to its heap. */
	rss: number;
	/** Live memory never exceeded the peaks by more than this many bytes between recorded samples. */
	resolution: number;
	/** Cheap samples taken, and collections forced (minor, full), for the record. */
	samples: number;
	minorCollections: number;
	fullCollections: number;
}

export interface SampleOptions {
	/** Time between two cheap samples (default 50 ms). */
	intervalMs?: number;
	/** How far above the recorded peak a cheap sample may be before a collection is forced (default 4 MiB). */
	resolution?: number;
}

export async function sampleMemory<T>(fn: () => Promise<T>, options: SampleOptions | number = {}): Promise<MemoryPeak<T>> {
	const { intervalMs = 50, resolution = 4 * MiB } = typeof options === 'number' ? { intervalMs: options } : options;
	let minorCollections = 0;
	let fullCollections = 0;
	let samples = 0;
	// Collections twice in a row, then the reading, with no JS run in between: the state read is the
	// one the sample saw (a pause would let the workflow go on, and free what it held, before the
	// reading). V8 frees collected Buffers on a background thread, and a collection first finishes
	// what the previous one left: after the second one, the first one's garbage is freed.
	const full = () => {
		fullCollections++;
		gc();
		gc();
		return process.memoryUsage();
	};
	const minor = () => {
		minorCollections++;
		gc({ type: 'minor' });
		gc({ type: 'minor' });
		return process.memoryUsage();
	};
	// Readings: Buffer memory, and RSS less the free space V8 keeps committed in its own heap
	// (heapTotal − heapUsed): the young generation grows with the garbage a stream makes when
	// collections are left to V8, and keeps its pages after a collection, holding nothing. Live
	// objects (heapUsed) and Buffers (outside the heap) stay counted.
	const reading = (usage: NodeJS.MemoryUsage) => ({ arrayBuffers: usage.arrayBuffers, rss: usage.rss - (usage.heapTotal - usage.heapUsed) });
	type Reading = ReturnType<typeof reading>;
	const keys = ['arrayBuffers', 'rss'] as const;
	// Growth is measured from the lowest reading of the run (the baseline after the first full
	// collection, or lower if garbage of earlier work was still being freed then: a baseline that
	// counted it would hide that much growth), to the highest reading taken after a collection.
	const floor = reading(full());
	fullCollections = 0;
	const peak: Reading = { arrayBuffers: -Infinity, rss: -Infinity };
	const lower = (now: Reading) => keys.forEach((key) => (floor[key] = Math.min(floor[key], now[key])));
	const above = (now: Reading) => keys.some((key) => now[key] > Math.max(peak[key], floor[key]) + resolution);
	const record = (now: Reading) => {
		lower(now);
		keys.forEach((key) => (peak[key] = Math.max(peak[key], now[key])));
	};
	const sample = (settle = false) => {
		samples++;
		if (settle) return record(reading(full()));
		const cheap = reading(process.memoryUsage());
		lower(cheap);
		if (!above(cheap)) return;
		const afterMinor = reading(minor());
		lower(afterMinor);
		// Back within the resolution: nothing to record (recording it would let garbage of the old
		// generation raise the peak step by step). Still above: only a full collection tells garbage
		// promoted to the old generation from live memory.
		if (above(afterMinor)) record(reading(full()));
	};
	const growth = (key: (typeof keys)[number]) => Math.max(0, peak[key] - floor[key]);
	let running = true;
	const sampler = (async () => {
		while (running) {
			sample();
			await pause(intervalMs);
		}
	})();
	try {
		const result = await fn();
		running = false;
		await sampler;
		sample(true);
		return { result, arrayBuffers: growth('arrayBuffers'), rss: growth('rss'), resolution, samples, minorCollections, fullCollections };
	} finally {
		running = false;
		await sampler;
	}
}

/**
 * Prints the peaks of each run for the record (`label: upload peak +x MiB buffers / +y MiB RSS; …`)
 * and checks each against `bounds`, set below the size of the file: a copy of it would exceed them.
 */
export function expectPeaksBelow(label: string, runs: Record<string, MemoryPeak<unknown>>, bounds: { arrayBuffers: number; rss: number }): void {
	const mib = (bytes: number) => (bytes / MiB).toFixed(1);
	console.log(`${label}: ${Object.entries(runs).map(([name, run]) => `${name} peak +${mib(run.arrayBuffers)} MiB buffers / +${mib(run.rss)} MiB RSS`).join('; ')}`);
	for (const run of Object.values(runs)) {
		expect(run.arrayBuffers).toBeLessThan(bounds.arrayBuffers);
		expect(run.rss).toBeLessThan(bounds.rss);
	}
}
