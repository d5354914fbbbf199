/**
 * Reading answers with a bound (nodes/shared/transport/bounded.ts), on real streams: the guard is
 * what n8n's binary store reads through, so it is tried with each way a store reads a stream.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync, createGunzip } from 'node:zlib';

import {
	BodyTooLargeError,
	OversizedDownloadError,
	TruncatedDownloadError,
	guardDownload,
	readBoundedText,
} from '../../nodes/shared/transport/bounded';
import type { BinaryStream } from '../../nodes/shared/transport/types';

/** `count` chunks of `size` bytes, made one at a time and only when asked for. */
function chunks(count: number, size = 64 * 1024): Readable {
	let made = 0;
	return new Readable({
		read() {
			this.push(made++ < count ? Buffer.alloc(size, 0x61) : null);
		},
	});
}

const asBody = (stream: Readable) => stream as unknown as BinaryStream;

/** The ways a binary store reads: async iteration (filesystem), `data`/`end` listeners (database, memory), pipe. */
const readers: Record<string, (stream: Readable) => Promise<number>> = {
	'async iteration': async (stream) => {
		let total = 0;
		for await (const chunk of stream) total += (chunk as Buffer).length;
		return total;
	},
	'data and end listeners': async (stream) =>
		await new Promise((resolve, reject) => {
			let total = 0;
			stream.on('data', (chunk: Buffer) => (total += chunk.length));
			stream.on('end', () => resolve(total));
			stream.on('error', reject);
		}),
	pipeline: async (stream) => {
		let total = 0;
		await pipeline(stream, new Writable({ write: (chunk: Buffer, _encoding, done) => ((total += chunk.length), done()) }));
		return total;
	},
};

describe('readBoundedText', () => {
	it('reads a body up to the limit', async () => {
		expect(await readBoundedText(asBody(Readable.from([Buffer.from('{"a":'), Buffer.from('1}')])), 7)).toBe('{"a":1}');
	});

	it('stops a body past the limit as soon as it passes it, and closes the stream', async () => {
		let made = 0;
		const stream = new Readable({
			read() {
				made++;
				this.push(Buffer.alloc(64 * 1024));
			},
		});
		await expect(readBoundedText(asBody(stream), 1024 * 1024)).rejects.toBeInstanceOf(BodyTooLargeError);
		expect(made).toBeLessThanOrEqual(20);
		expect(stream.destroyed).toBe(true);
	});

	it('counts the decoded bytes of a compressed body: a small gzip bomb is stopped at the limit', async () => {
		const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
		expect(bomb.length).toBeLessThan(100 * 1024);
		const decoded = Readable.from([bomb]).pipe(createGunzip());
		await expect(readBoundedText(asBody(decoded), 1024 * 1024)).rejects.toThrow(/larger than/);
	});
});

describe.each(Object.keys(readers))('guardDownload, read by %s', (reader) => {
	const read = readers[reader];

	it('lets a body of the announced length through untouched', async () => {
		const stream = chunks(4);
		const guard = guardDownload(asBody(stream), { transferLength: 4 * 65536, maxBytes: 10 * 65536, maxDescription: 'max' });
		expect(await read(stream)).toBe(4 * 65536);
		expect(guard.failure).toBeUndefined();
	});

	it('fails a body shorter than its Content-Length at its end, instead of ending', async () => {
		const stream = chunks(3);
		const guard = guardDownload(asBody(stream), { transferLength: 4 * 65536, maxBytes: 10 * 65536, maxDescription: 'max' });
		await expect(read(stream)).rejects.toBeInstanceOf(TruncatedDownloadError);
		expect(guard.failure).toEqual(new TruncatedDownloadError(3 * 65536, 4 * 65536));
	});

	it('stops a body longer than its record announces at once, without reading the rest', async () => {
		const stream = chunks(1000);
		const guard = guardDownload(asBody(stream), { recordSize: 3, maxBytes: 1 << 30, maxDescription: 'max' });
		await expect(read(stream)).rejects.toBeInstanceOf(OversizedDownloadError);
		expect(guard.failure?.message).toMatch(/longer than the 3 bytes its record announces/);
		expect(guard.received).toBeLessThanOrEqual(65536 * 2);
	});

	it('stops an endless body at the maximum', async () => {
		const stream = new Readable({ read() { this.push(Buffer.alloc(65536)); } });
		const guard = guardDownload(asBody(stream), { maxBytes: 1024 * 1024, maxDescription: 'the 1 MiB allowed' });
		await expect(read(stream)).rejects.toThrow(/longer than the 1 MiB allowed/);
		expect(guard.received).toBeLessThanOrEqual(1024 * 1024 + 65536);
	});

	it('takes a body decoded from a compressed answer, longer than its Content-Length, as the file', async () => {
		const plain = Buffer.from('id;amount\n'.repeat(1200));
		const compressed = gzipSync(plain);
		const stream = Readable.from([compressed]).pipe(createGunzip());
		const guard = guardDownload(asBody(stream), { transferLength: compressed.length, recordSize: plain.length, maxBytes: 1 << 20, maxDescription: 'max' });
		expect(await read(stream)).toBe(plain.length);
		expect(guard.failure).toBeUndefined();
	});
});
