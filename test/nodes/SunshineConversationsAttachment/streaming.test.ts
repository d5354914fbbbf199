/**
 * A file of exactly the 50 MB Sunshine accepts goes through the node as a streamed multipart
 * body: the process never holds it. Sampled while the workflow runs, each sample after a full
 * garbage collection, so only memory still referenced counts.
 */
import * as v8 from 'v8';
import * as vm from 'vm';

import { generatedStats } from '../../support/n8n-harness';
import { SUNSHINE_MAX_UPLOAD_BYTES } from '../../../sandbox/sunshine/server';
import { APP_ID, fetchLocal, header, runSunshine, useSunshineEmulator } from './context';

const MiB = 1024 * 1024;
const SIZE = SUNSHINE_MAX_UPLOAD_BYTES;

const server = useSunshineEmulator();

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

async function sampled<T>(fn: () => Promise<T>): Promise<{ result: T; arrayBuffers: number; rss: number }> {
	gc();
	const start = process.memoryUsage();
	let arrayBuffers = 0;
	let rss = 0;
	const sample = () => {
		gc();
		const now = process.memoryUsage();
		arrayBuffers = Math.max(arrayBuffers, now.arrayBuffers - start.arrayBuffers);
		rss = Math.max(rss, now.rss - start.rss);
	};
	// A full GC blocks everything: leave the upload 250 ms of work between two samples, also on a busy machine.
	let timer: NodeJS.Timeout | undefined;
	const tick = () => {
		sample();
		timer = setTimeout(tick, 250);
	};
	timer = setTimeout(tick, 250);
	try {
		const result = await fn();
		sample();
		return { result, arrayBuffers, rss };
	} finally {
		clearTimeout(timer);
	}
}

it('uploads the largest accepted file (50 MB) as a stream, without holding it in memory', async () => {
	const expected = await generatedStats(SIZE, 50);
	// One small upload first, so that what n8n and the harness set up once is not counted.
	const warmUp = await runSunshine(
		server,
		{ operation: 'upload', binaryPropertyName: 'data', options: {} },
		{ input: [{ binary: { data: { generate: { size: 100_000, seed: 1 }, fileName: 'warm-up.bin', mimeType: 'application/octet-stream' } } }] },
	);
	expect(warmUp.error).toBeUndefined();
	server.reset();
	const up = await sampled(() =>
		runSunshine(
			server,
			{ operation: 'upload', binaryPropertyName: 'data', options: { for: 'message', conversationId: 'c616a583e4c240a871818541' } },
			{ input: [{ binary: { data: { generate: { size: SIZE, seed: 50 }, fileName: 'walkthrough.mp4', mimeType: 'video/mp4' } } }] },
		),
	);
	expect(up.result.error).toBeUndefined();
	const [request] = server.requests;
	expect(Number(header(request, 'content-length'))).toBe(request.bodySize);
	expect(header(request, 'transfer-encoding')).toBeUndefined();
	const [stored] = server.attachments(APP_ID);
	expect(stored).toMatchObject({ size: SIZE, sha256: expected.sha256, mediaType: 'video/mp4' });
	expect(up.result.items[0].json).toEqual({ mediaUrl: server.mediaUrl(stored), mediaType: 'video/mp4' });
	const media = await fetchLocal(server.mediaUrl(stored));
	expect(media.body.length).toBe(SIZE);

	console.log(`50 MB multipart upload: peak +${(up.arrayBuffers / MiB).toFixed(1)} MiB buffers / +${(up.rss / MiB).toFixed(1)} MiB RSS`);
	// Holding the file would add all of its 50 MiB. Sockets and file streams on both ends (node and
	// emulator share this process) account for what is seen: 0 to 18 MiB, depending on the load.
	expect(up.arrayBuffers).toBeLessThan(SIZE * 0.7);
	expect(up.rss).toBeLessThan(40 * MiB);
}, 300_000);
