/**
 * Several uploads at once against the Sunshine Conversations emulator, which records every
 * arrival and answer in order (sandbox/common/traffic.ts). Sunshine gives no Retry-After:
 * a 429 makes the whole run back off (with jitter) before going on.
 */
import { barrier } from '../../../sandbox/common/traffic';
import { APP_ID, runSunshine, useSunshineEmulator } from './context';

const server = useSunshineEmulator();

const files = (count: number) => Array.from({ length: count }, (_, i) => ({ binary: { data: { data: Buffer.from(`file ${i}`), fileName: `file-${i}.txt`, mimeType: 'text/plain' } } }));

it('uploads 4 at once by default, in the input order, each stored once', async () => {
	const four = barrier(server.traffic, 4);
	server.traffic.options.delay = async (request) => {
		if (request.id <= 4) await four();
		return 100 - (request.id % 4) * 20;
	};
	const result = await runSunshine(server, { operation: 'upload', binaryPropertyName: 'data', options: {} }, { input: files(9) });
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => decodeURIComponent(String(item.json.mediaUrl)).split('/').pop())).toEqual(files(9).map((_, i) => `file-${i}.txt`));
	expect(result.items.map((item) => item.pairedItem)).toEqual(files(9).map((_, i) => ({ item: i })));
	expect(server.traffic.maxInFlight).toBe(4);
	expect(server.attachments(APP_ID)).toHaveLength(9);
});

it('a 429 without Retry-After pauses every upload of the run (backoff), then each goes once', async () => {
	server.failNext(1, { status: 429, body: JSON.stringify({ errors: [{ code: 'too_many_requests', title: 'Too Many Requests' }] }) });
	const three = barrier(server.traffic, 3);
	server.traffic.options.delay = async (request) => {
		if (request.id > 3) return 100;
		await three();
		return request.id === 1 ? 0 : 300;
	};
	const result = await runSunshine(server, { operation: 'upload', binaryPropertyName: 'data', options: { concurrency: 3 } }, { input: files(6) });
	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(6);
	expect(server.attachments(APP_ID).map((attachment) => attachment.fileName).sort()).toEqual(files(6).map((_, i) => `file-${i}.txt`).sort());
	// Once the 429 was answered, the two uploads in flight finished and nothing new started until the retry went alone.
	const events = server.traffic.events;
	const limited = events.findIndex((event) => event.kind === 'end' && event.status === 429);
	const nextStart = events.findIndex((event, i) => i > limited && event.kind === 'start');
	expect(events.slice(limited + 1, nextStart).filter((event) => event.kind === 'end')).toHaveLength(2);
	const probeEnd = events.findIndex((event, i) => i > nextStart && event.kind === 'end');
	expect(events.slice(nextStart + 1, probeEnd).filter((event) => event.kind === 'start')).toHaveLength(0);
});
