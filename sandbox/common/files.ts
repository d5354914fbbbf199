/** File helpers the emulators share: hashing a stored file, and serving one cut short. */
import { createHash } from 'crypto';
import * as fs from 'fs';
import type { ServerResponse } from 'http';

/** Size, SHA-256 and MD5 of a file, read 1 MiB at a time. */
export function hashFileSync(filePath: string): { size: number; sha256: string; md5: string } {
	const sha256 = createHash('sha256');
	const md5 = createHash('md5');
	const chunk = Buffer.allocUnsafe(1024 * 1024);
	const fd = fs.openSync(filePath, 'r');
	let size = 0;
	try {
		for (;;) {
			const n = fs.readSync(fd, chunk, 0, chunk.length, null);
			if (n === 0) break;
			sha256.update(chunk.subarray(0, n));
			md5.update(chunk.subarray(0, n));
			size += n;
		}
	} finally {
		fs.closeSync(fd);
	}
	return { size, sha256: sha256.digest('hex'), md5: md5.digest('hex') };
}

/**
 * A download cut off: the first `bytes` of the open file `fd` (its full Content-Length already
 * sent), then the connection destroyed. Each write waits to reach the socket, which gives
 * backpressure and hands the bytes to the kernel before the socket goes.
 */
export async function sendTruncated(res: ServerResponse, fd: number, bytes: number): Promise<void> {
	try {
		if (bytes === 0) {
			fs.closeSync(fd);
			res.flushHeaders();
			await new Promise((resolve) => setTimeout(resolve, 50));
			return;
		}
		const stream = fs.createReadStream('', { fd, start: 0, end: bytes - 1 });
		for await (const chunk of stream) {
			await new Promise<void>((resolve, reject) => res.write(chunk as Buffer, (error) => (error ? reject(error) : resolve())));
		}
	} catch {
		// The client went away first.
	} finally {
		res.destroy();
	}
}
