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

/** A request the webhook receiver got. */
export interface Received {
	headers: http.IncomingHttpHeaders;
	body: Buffer;
}

export interface ReceiverAnswer {
	status: number;
	headers?: Record<string, string>;
}

/** An Asana-style handshake (X-Hook-Secret) is echoed; anything else answered 200. */
const HANDSHAKE_ECHO = (req: Received): ReceiverAnswer =>
	req.headers['x-hook-secret'] ? { status: 200, headers: { 'X-Hook-Secret': String(req.headers['x-hook-secret']) } } : { status: 200 };

/**
 * The webhook target of an emulator's self-test (`url` on 127.0.0.1, path /hook), started before
 * the file's tests, emptied before each, closed after them: it records every request and answers
 * with `answerWith`'s function (reset to the handshake echo before each test) or, first, the
 * statuses `answerStatuses` queued.
 */
export function useReceiver() {
	const receiver = {
		url: '',
		received: [] as Received[],
		answer: HANDSHAKE_ECHO,
		queued: [] as number[],
		answerWith(fn: (req: Received) => ReceiverAnswer) {
			receiver.answer = fn;
		},
		answerStatuses(...statuses: number[]) {
			receiver.queued.push(...statuses);
		},
	};
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const entry = { headers: req.headers, body: Buffer.concat(chunks) };
			receiver.received.push(entry);
			const queued = receiver.queued.shift();
			const { status, headers } = queued === undefined ? receiver.answer(entry) : { status: queued, headers: {} };
			res.writeHead(status, headers ?? {});
			res.end();
		});
	});
	beforeAll(async () => {
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		receiver.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
	});
	afterAll(async () => await new Promise<void>((resolve) => server.close(() => resolve())));
	beforeEach(() => {
		receiver.received.length = 0;
		receiver.queued.length = 0;
		receiver.answer = HANDSHAKE_ECHO;
	});
	return receiver;
}
