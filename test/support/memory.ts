/**
 * Peak memory growth while a workflow runs, counting only memory still referenced: each sample
 * follows a full garbage collection. V8 frees collected Buffers on a background thread, so a
 * sample waits a moment after gc() and collects again before reading.
 */
import * as v8 from 'v8';
import * as vm from 'vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const pause = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

export interface MemoryPeak<T> {
	result: T;
	/** Peak growth of memory held by Buffers and ArrayBuffers, in bytes. */
	arrayBuffers: number;
	/** Peak growth of the resident set, in bytes. */
	rss: number;
}

export async function sampleMemory<T>(fn: () => Promise<T>, intervalMs = 200): Promise<MemoryPeak<T>> {
	const settle = async () => {
		gc();
		await pause(10);
		gc();
		return process.memoryUsage();
	};
	const start = await settle();
	let arrayBuffers = 0;
	let rss = 0;
	const sample = async () => {
		const now = await settle();
		arrayBuffers = Math.max(arrayBuffers, now.arrayBuffers - start.arrayBuffers);
		rss = Math.max(rss, now.rss - start.rss);
	};
	let running = true;
	const sampler = (async () => {
		while (running) {
			await sample();
			await pause(intervalMs);
		}
	})();
	try {
		const result = await fn();
		running = false;
		await sampler;
		await sample();
		return { result, arrayBuffers, rss };
	} finally {
		running = false;
		await sampler;
	}
}
