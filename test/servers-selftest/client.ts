/**
 * The plain HTTP client of the emulators' self-tests: Node's http, no agent, so that each
 * emulator is checked independently of the nodes and of n8n's helpers.
 */
import { createHash } from 'crypto';
import * as http from 'http';
import * as v8 from 'v8';
import * as vm from 'vm';

export interface Res {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
	/** The response ended before Content-Length bytes arrived (or the socket was destroyed). */
	incomplete: boolean;
	/** The connection failed before any response (its error code): only with `resolveOnError`. */
	error?: string;
}

/** Bytes at once, or a generator streamed with back-pressure. */
export type Body = Buffer | string | (() => AsyncIterable<Buffer>);

/**
 * One request; resolves with the whole answer. A connection error rejects, or with
 * `resolveOnError` resolves as status 0 with its code (for cases that provoke one).
 */
export function request(method: string, url: string, headers: Record<string, string> = {}, body?: Body, options: { resolveOnError?: boolean } = {}): Promise<Res> {
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method, headers, agent: false }, (res) => {
			const chunks: Buffer[] = [];
			let incomplete = false;
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('aborted', () => (incomplete = true));
			res.on('error', () => (incomplete = true));
			res.on('close', () =>
				resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), incomplete: incomplete || !res.complete }),
			);
		});
		req.on('error', (error) => {
			if (!options.resolveOnError) return reject(error);
			resolve({ status: 0, headers: {}, body: Buffer.alloc(0), incomplete: true, error: (error as NodeJS.ErrnoException).code });
		});
		if (typeof body !== 'function') return void req.end(body);
		void (async () => {
			for await (const chunk of body()) {
				if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
			}
			req.end();
		})().catch(reject);
	});
}

export const json = (r: Res) => JSON.parse(r.body.toString('utf8'));
export const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
export const MiB = 1024 * 1024;

/** A full GC, so that arrayBuffers measures live memory rather than uncollected garbage. */
export async function collectGarbage(): Promise<void> {
	v8.setFlagsFromString('--expose-gc');
	const gc = vm.runInNewContext('gc') as () => void;
	for (let i = 0; i < 3; i++) {
		gc();
		await new Promise((resolve) => setImmediate(resolve));
	}
}
