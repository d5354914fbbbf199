/**
 * Several items at once (Options → Concurrency), run through n8n's real execution code against
 * the Asana emulator, which holds requests so that answers come back out of order and records
 * every arrival and answer in order (sandbox/common/traffic.ts). Assertions are on the order
 * of those events and on what the node output, never on wall-clock gaps.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INodeParameters } from 'n8n-workflow';

import { readBinary } from '../../support/n8n-harness';
import { DEFAULT_TASK } from '../../../sandbox/asana/server';
import { VendorLimiter, asanaLimits } from '../../../sandbox/common/rate-limits';
import { barrier } from '../../../sandbox/common/traffic';
import type { TrafficEvent } from '../../../sandbox/common/traffic';
import { locator, runAsana, useAsanaEmulator } from './context';

const server = useAsanaEmulator();

/** Seeds `count` attachments on the demo task; their gids in order. */
function seed(count: number): string[] {
	return Array.from({ length: count }, (_, i) => server.seedAttachment(DEFAULT_TASK.gid, `file-${i}.txt`, Buffer.from(`content ${i}`), 'text/plain').gid);
}

const gidOf = (path: string) => /\/attachments\/(\d+)$/.exec(path)?.[1];
const getRecords = (options: INodeParameters = {}): INodeParameters => ({ operation: 'get', attachmentId: '={{ $json.gid }}', download: false, options });
const asInput = (gids: string[]) => gids.map((gid) => ({ json: { gid } }));
const index = (events: TrafficEvent[], predicate: (event: TrafficEvent) => boolean) => events.findIndex(predicate);

it('runs items several at once and keeps the input order and pairing when answers come back out of order', async () => {
	const gids = seed(6);
	// Held until three are in flight; then the first items are held longest: their answers arrive last.
	const three = barrier(server.traffic, 3);
	server.traffic.options.delay = async (request) => {
		await three();
		return (gids.length - gids.indexOf(gidOf(request.path) ?? '')) * 40;
	};
	const result = await runAsana(server, getRecords({ concurrency: 3 }), { input: asInput(gids) });
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.gid)).toEqual(gids);
	expect(result.items.map((item) => item.pairedItem)).toEqual(gids.map((_, i) => ({ item: i })));
	// Three at once, never more, and the answers did arrive in another order than the requests.
	expect(server.traffic.maxInFlight).toBe(3);
	const started = server.traffic.events.filter((event) => event.kind === 'start').map((event) => gidOf(event.path));
	const answered = server.traffic.events.filter((event) => event.kind === 'end').map((event) => gidOf(event.path));
	expect([...started.slice(0, 3)].sort()).toEqual(gids.slice(0, 3).sort());
	expect(answered).not.toEqual(started);
	expect([...answered].sort()).toEqual([...gids].sort());
});

it('downloads several files at once, each stored whole in its own item', async () => {
	const gids = seed(5);
	const two = barrier(server.fileTraffic, 2);
	server.fileTraffic.options.delay = async (request) => {
		await two();
		return 100 - request.id * 15;
	};
	const result = await runAsana(server, { operation: 'get', attachmentId: '={{ $json.gid }}', download: true, binaryPropertyName: 'data', options: { concurrency: 5 } }, { input: asInput(gids) });
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.gid)).toEqual(gids);
	for (const [i, item] of result.items.entries()) {
		expect(item.pairedItem).toEqual({ item: i });
		expect((await readBinary(item.binary!.data)).toString()).toBe(`content ${i}`);
	}
	expect(server.fileTraffic.maxInFlight).toBeGreaterThan(1);
	expect(server.fileTraffic.maxInFlight).toBeLessThanOrEqual(5);
});

it("never has more requests in flight than Concurrency: at its maximum, every operation reaches Asana's 50 reads or 15 writes and gets no 429", async () => {
	// Asana's limits in front of the emulator: the 51st read or the 16th write in flight gets a 429.
	// The node does not count calls in flight: an item's requests go one after another, so these
	// hold only because Concurrency stops at them (test/unit/in-flight-limits.test.ts). The first
	// `count` are held half a second more once they are all in flight: one more would be seen.
	const limited = (count: number) => {
		const limiter = new VendorLimiter(asanaLimits());
		server.traffic.options = { limiter: () => limiter, delay: barrier(server.traffic, count, 10_000, 500) };
		return limiter;
	};
	const gids = seed(60);
	let limiter = limited(50);
	const reads = await runAsana(server, getRecords(), { input: asInput(gids) });
	expect(reads.error).toBeUndefined();
	expect(reads.items).toHaveLength(60);
	expect(server.traffic.maxInFlight).toBe(50);
	expect(limiter.stats).toMatchObject({ accepted: 60, rejected: 0 });

	// Get with Download File: a record, then its file from the storage host (not Asana's API, and not limited by it).
	server.reset();
	const files = seed(55);
	limiter = limited(50);
	const downloads = await runAsana(server, { operation: 'get', attachmentId: '={{ $json.gid }}', download: true, binaryPropertyName: 'data', options: {} }, { input: asInput(files) });
	expect(downloads.error).toBeUndefined();
	expect(downloads.items).toHaveLength(55);
	expect(server.traffic.maxInFlight).toBe(50);
	expect(server.fileTraffic.starts()).toHaveLength(55);
	expect(limiter.stats).toMatchObject({ accepted: 55, rejected: 0 });

	server.reset();
	seed(2);
	limiter = limited(50);
	const lists = await runAsana(server, { operation: 'getAll', parent: locator(DEFAULT_TASK.gid), returnAll: true, options: {} }, { input: Array.from({ length: 52 }, () => ({ json: {} })) });
	expect(lists.error).toBeUndefined();
	expect(lists.items).toHaveLength(104);
	expect(server.traffic.maxInFlight).toBe(50);
	expect(limiter.stats).toMatchObject({ accepted: 52, rejected: 0 });

	server.reset();
	limiter = limited(15);
	const uploadsIn = Array.from({ length: 20 }, (_, i) => ({ binary: { data: { data: `upload ${i}`, fileName: `up-${i}.txt`, mimeType: 'text/plain' } } }));
	const uploads = await runAsana(server, { operation: 'upload', parent: locator(DEFAULT_TASK.gid), source: 'binary', binaryPropertyName: 'data', options: {} }, { input: uploadsIn });
	expect(uploads.error).toBeUndefined();
	expect(uploads.items.map((item) => item.json.name)).toEqual(uploadsIn.map((_, i) => `up-${i}.txt`));
	// Each upload streams its body while in flight: no more open streams than that either.
	expect(server.traffic.maxInFlight).toBe(15);
	expect(limiter.stats).toMatchObject({ accepted: 20, rejected: 0 });

	server.reset();
	const doomed = seed(20);
	limiter = limited(15);
	const deletes = await runAsana(server, { operation: 'delete', attachmentId: '={{ $json.gid }}' }, { input: asInput(doomed) });
	expect(deletes.error).toBeUndefined();
	expect(deletes.items).toHaveLength(20);
	expect(server.traffic.maxInFlight).toBe(15);
	expect(limiter.stats).toMatchObject({ accepted: 20, rejected: 0 });

	server.reset();
	server.traffic.options.delay = barrier(server.traffic, 2);
	const two = await runAsana(server, { operation: 'upload', parent: locator(DEFAULT_TASK.gid), source: 'binary', binaryPropertyName: 'data', options: { concurrency: 2 } }, { input: uploadsIn.slice(0, 6) });
	expect(two.error).toBeUndefined();
	expect(server.traffic.maxInFlight).toBe(2);
});

it('one run runs one operation: an Operation written as an expression of the item is not evaluated per item', async () => {
	// Concurrency is read for the operation of the run; reads (up to 50) could not turn into writes
	// (at most 15) item by item. n8n reads the Operation parameter as written (it takes no expression).
	const [gid] = seed(1);
	const result = await runAsana(server, { operation: '={{ $json.op }}', attachmentId: '={{ $json.gid }}', download: false, options: {} }, {
		input: [{ json: { op: 'get', gid } }, { json: { op: 'delete', gid } }],
		continueOnFail: true,
	});
	expect(result.items.map((item) => item.json.error)).toEqual(['The operation "{{ $json.op }}" is not supported', 'The operation "{{ $json.op }}" is not supported']);
	expect(server.requests).toHaveLength(0);
});

it('with Continue On Fail, mixed failures under concurrency give one item per input, each paired, in order', async () => {
	const gids = seed(4);
	const inputs = ['ok', 'missing', 'invalid', 'ok', 'missing', 'ok', 'invalid', 'ok'];
	let next = 0;
	const values = inputs.map((kind) => (kind === 'ok' ? gids[next++ % gids.length] : kind === 'missing' ? '1299999999999999' : 'not-a-gid'));
	server.traffic.options.delay = (request) => (request.id % 3) * 50;
	const result = await runAsana(server, getRecords({ concurrency: 4 }), { input: values.map((gid) => ({ json: { gid } })), continueOnFail: true });
	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(inputs.length);
	for (const [i, item] of result.items.entries()) {
		expect(item.pairedItem).toEqual({ item: i });
		if (inputs[i] === 'ok') expect(item.json.gid).toBe(values[i]);
		if (inputs[i] === 'missing') expect(item.json).toMatchObject({ error: 'Asana has no attachment with ID "1299999999999999"', httpCode: '404' });
		if (inputs[i] === 'invalid') expect(String(item.json.error)).toMatch(/^Invalid "Attachment ID"/);
	}
	// Invalid IDs were stopped before any request.
	expect(server.requests.filter((request) => request.path.includes('not-a-gid'))).toHaveLength(0);
});

it('without Continue On Fail, starts no item after one failed and fails with the first failed item\'s error', async () => {
	const gids = seed(3);
	// Item 0 is slow, item 1 fails (404) while item 0 is still under way; items 2 to 4 never start.
	const values = [gids[0], '1299999999999999', 'not-a-gid', gids[1], gids[2]];
	server.traffic.options.delay = (request) => (gidOf(request.path) === gids[0] ? 300 : 50);
	const result = await runAsana(server, getRecords({ concurrency: 2 }), { input: values.map((gid) => ({ json: { gid } })) });
	expect(result.error).toBeInstanceOf(NodeApiError);
	expect((result.error as NodeApiError).context.itemIndex).toBe(1);
	expect(server.traffic.starts().map((event) => gidOf(event.path)).sort()).toEqual([gids[0], '1299999999999999'].sort());
	// The item under way finished (its answer was sent) before the node failed.
	expect(server.traffic.events.filter((event) => event.kind === 'end')).toHaveLength(2);
});

it('without Continue On Fail, a later item failing first does not hide an earlier item\'s failure', async () => {
	seed(1);
	// Item 0 fails late (a 404 held back), item 1 at once (an invalid ID): the node reports item 0, as one at a time would.
	server.traffic.options.delay = () => 200;
	const result = await runAsana(server, getRecords({ concurrency: 2 }), { input: [{ json: { gid: '1299999999999999' } }, { json: { gid: 'not-a-gid' } }] });
	expect(result.error).toBeInstanceOf(NodeApiError);
	expect((result.error as NodeApiError).context.itemIndex).toBe(0);
	expect(result.error!.message).toBe('Asana has no attachment with ID "1299999999999999"');
});

it('a 429 with Retry-After on one item pauses the run\'s other requests to Asana until it is over', async () => {
	const gids = seed(6);
	server.rateLimitNext(1, 1);
	// Once three are in flight, the first to have arrived gets the 429 while the two others are
	// still held; those are answered during the pause, so their workers are free to start the next items.
	const three = barrier(server.traffic, 3);
	server.traffic.options.delay = async (request) => {
		if (request.id > 3) return 100;
		await three();
		return request.id === 1 ? 0 : 300;
	};
	const result = await runAsana(server, getRecords({ concurrency: 3 }), { input: asInput(gids) });
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.gid)).toEqual(gids);

	const events = server.traffic.events;
	const limited = index(events, (event) => event.kind === 'end' && event.status === 429);
	expect(limited).toBeGreaterThanOrEqual(0);
	const limitedPath = events[limited].path;
	const nextStart = events.findIndex((event, i) => i > limited && event.kind === 'start');
	// Two other items finished during the pause, and their workers were free, yet nothing started
	// until the rate-limited request went again, first.
	expect(events.slice(limited, nextStart).filter((event) => event.kind === 'end' && event.status === 200)).toHaveLength(2);
	expect(events[nextStart].path).toBe(limitedPath);
	// It went alone (a probe): the others followed once it was answered.
	const probeEnd = events.findIndex((event, i) => i > nextStart && event.kind === 'end');
	expect(events.slice(nextStart + 1, probeEnd).filter((event) => event.kind === 'start')).toHaveLength(0);
	expect(server.requests).toHaveLength(7);
});

it('two runs do not share pacing: one run\'s pause does not hold another run back', async () => {
	const gids = seed(3);
	server.rateLimitNext(1, 5);
	const paused = runAsana(server, getRecords(), { input: asInput(gids.slice(0, 1)) });
	// Once the first run has its 429, a second run starts and finishes while the first one waits.
	for (let i = 0; i < 200 && !server.traffic.events.some((event) => event.status === 429); i++) await new Promise((resolve) => setTimeout(resolve, 10));
	const other = await runAsana(server, getRecords({ concurrency: 2 }), { input: asInput(gids.slice(1)) });
	const first = await paused;
	expect(other.error).toBeUndefined();
	expect(first.error).toBeUndefined();
	expect(other.items.map((item) => item.json.gid)).toEqual(gids.slice(1));
	expect(first.items.map((item) => item.json.gid)).toEqual(gids.slice(0, 1));

	const events = server.traffic.events;
	const retry = events.findIndex((event, i) => i > 0 && event.kind === 'start' && gidOf(event.path) === gids[0]);
	const otherEvents = events.map((event, i) => ({ event, i })).filter(({ event }) => gids.slice(1).includes(gidOf(event.path) ?? ''));
	expect(otherEvents).toHaveLength(4);
	for (const { i } of otherEvents) expect(i).toBeLessThan(retry);
});

it('checks Options → Concurrency before sending anything', async () => {
	const gids = seed(2);
	const result = await runAsana(server, { operation: 'upload', parent: locator(DEFAULT_TASK.gid), source: 'binary', binaryPropertyName: 'data', options: { concurrency: 16 } }, {
		input: gids.map((_, i) => ({ binary: { data: { data: `x${i}`, fileName: `x${i}.txt`, mimeType: 'text/plain' } } })),
	});
	expect(result.error).toBeInstanceOf(NodeOperationError);
	expect(result.error!.message).toBe('Invalid "Concurrency": expected a whole number from 1 to 15, got 16');
	expect((result.error as NodeOperationError).description).toMatch(/^Asana allows 50 reads .* and 15 writes/);
	expect(server.requests).toHaveLength(0);
});
