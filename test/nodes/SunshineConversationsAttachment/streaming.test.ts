/**
 * A file of exactly the 50 MB Sunshine accepts goes through the node as a streamed multipart
 * body: the process never holds it. Sampled while the workflow runs (test/support/memory.ts: a
 * collection only when memory grew past the last peak), so only memory still referenced counts.
 */
import { generatedStats } from '../../support/n8n-harness';
import { expectPeaksBelow, sampleMemory } from '../../support/memory';
import { SUNSHINE_MAX_UPLOAD_BYTES } from '../../../sandbox/sunshine/server';
import { APP_ID, fetchLocal, header, runSunshine, useSunshineEmulator } from './context';

const MiB = 1024 * 1024;
const SIZE = SUNSHINE_MAX_UPLOAD_BYTES;

const server = useSunshineEmulator();

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
	const up = await sampleMemory(() =>
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

	// Holding the file would add all of its 50 MiB. Sockets and file streams on both ends (node and
	// emulator share this process) account for what is seen: 0 to 18 MiB, depending on the load.
	expectPeaksBelow('50 MB multipart', { upload: up }, { arrayBuffers: SIZE * 0.7, rss: 40 * MiB });
}, 300_000);
