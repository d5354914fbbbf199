/**
 * Several items at once against the Wix emulator (answers held so that they come back out of
 * order; every arrival and answer recorded in order, sandbox/common/traffic.ts).
 */
import { readBinary } from '../../support/n8n-harness';
import { barrier } from '../../../sandbox/common/traffic';
import { CONTACT_ID, runWix, useWixEmulator } from './context';

const server = useWixEmulator();

it('downloads several files at once (5 by default), in the input order, each paired and whole', async () => {
	const records = Array.from({ length: 8 }, (_, i) => server.seedAttachment(CONTACT_ID, `doc-${i}.pdf`, Buffer.from(`%PDF doc ${i}`), 'application/pdf'));
	// Held until five are in flight; then earlier items' records are held longer: their answers arrive later.
	const five = barrier(server.traffic, 5);
	server.traffic.options.delay = async (request) => {
		const i = records.findIndex((record) => request.path.endsWith(`/${record.id}`));
		if (i < 5) await five();
		return i < 0 ? 0 : (records.length - i) * 30;
	};
	const result = await runWix(
		server,
		{ operation: 'get', contactId: CONTACT_ID, attachmentId: { __rl: true, mode: 'id', value: '={{ $json.id }}' }, download: true, binaryPropertyName: 'data' },
		{ input: records.map((record) => ({ json: { id: record.id } })) },
	);
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.fileName)).toEqual(records.map((record) => record.fileName));
	for (const [i, item] of result.items.entries()) {
		expect(item.pairedItem).toEqual({ item: i });
		expect((await readBinary(item.binary!.data)).toString()).toBe(`%PDF doc ${i}`);
	}
	expect(server.traffic.maxInFlight).toBe(5);
	const answered = server.traffic.events.filter((event) => event.kind === 'end').map((event) => event.path);
	const started = server.traffic.starts().map((event) => event.path);
	expect(answered).not.toEqual(started);
});

it('a 429 on one call pauses the run\'s other calls to Wix, and every item still comes out once, in order', async () => {
	const records = Array.from({ length: 6 }, (_, i) => server.seedAttachment(CONTACT_ID, `doc-${i}.pdf`, Buffer.from(`doc ${i}`), 'application/pdf'));
	server.failNext(1, { status: 429, headers: { 'Retry-After': '1' }, body: JSON.stringify({ message: 'Too many requests' }) });
	const three = barrier(server.traffic, 3);
	server.traffic.options.delay = async (request) => {
		if (request.id > 3) return 100;
		await three();
		return request.id === 1 ? 0 : 300;
	};
	const result = await runWix(
		server,
		{ operation: 'get', contactId: CONTACT_ID, attachmentId: { __rl: true, mode: 'id', value: '={{ $json.id }}' }, options: { concurrency: 3 } },
		{ input: records.map((record) => ({ json: { id: record.id } })) },
	);
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.id)).toEqual(records.map((record) => record.id));
	const events = server.traffic.events;
	const limited = events.findIndex((event) => event.kind === 'end' && event.status === 429);
	const nextStart = events.findIndex((event, i) => i > limited && event.kind === 'start');
	expect(events.slice(limited, nextStart).filter((event) => event.kind === 'end' && event.status === 200)).toHaveLength(2);
	expect(events[nextStart].path).toBe(events[limited].path);
});
