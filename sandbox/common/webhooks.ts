/**
 * What the emulators that send webhooks (Asana, Sunshine Conversations, Wix) share: one POST of a
 * delivery to its target, and the deliveries under way, so that tests can wait until every one
 * (retries included) has been answered.
 */
import * as http from 'http';
import * as https from 'https';

/** How a target answered a delivery, or what went wrong. */
export interface Posted {
	status?: number;
	headers?: http.IncomingHttpHeaders;
	/** The answer's body (its first 64 KiB). */
	body?: string;
	/** A network failure or the timeout. */
	error?: string;
	durationMs: number;
}

/** One POST to a target, with `Content-Length` set; never rejects. */
export function postWebhook(target: string, headers: Record<string, string>, body: Buffer, timeoutMs: number): Promise<Posted> {
	const started = Date.now();
	return new Promise((resolve) => {
		let settled = false;
		const done = (result: Omit<Posted, 'durationMs'>) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			resolve({ ...result, durationMs: Date.now() - started });
		};
		let url: URL;
		try {
			url = new URL(target);
		} catch (error) {
			return done({ error: `invalid target: ${(error as Error).message}` });
		}
		const client = url.protocol === 'https:' ? https : http;
		const req = client.request(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(body.length) }, agent: false }, (res) => {
			const chunks: Buffer[] = [];
			let size = 0;
			res.on('data', (chunk: Buffer) => {
				size += chunk.length;
				if (size <= 64 * 1024) chunks.push(chunk);
			});
			res.on('error', (error) => done({ error: error.message }));
			res.on('end', () => done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
		});
		const timer = setTimeout(() => {
			req.destroy();
			done({ error: `no answer within ${timeoutMs} ms` });
		}, timeoutMs);
		req.on('error', (error: NodeJS.ErrnoException) => done({ error: `${error.code ?? error.name}: ${error.message}` }));
		req.end(body);
	});
}

/** The deliveries (and retries) an emulator has under way. */
export class InFlight {
	private readonly pending = new Set<Promise<unknown>>();

	get size(): number {
		return this.pending.size;
	}

	track<T>(promise: Promise<T>): Promise<T> {
		this.pending.add(promise);
		void promise.finally(() => this.pending.delete(promise)).catch(() => undefined);
		return promise;
	}

	/** Resolves once nothing is under way, including what the awaited promises started. */
	async settle(): Promise<void> {
		while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
	}
}
