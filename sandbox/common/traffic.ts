/**
 * What a test sees of an emulator's traffic when a node sends several requests at once: every
 * request's start (arrival) and end (its answer sent, or the connection gone), in order, and the
 * most that were in flight; plus knobs: hold a request before the emulator handles it (so that
 * answers come back out of order), add headers to its answer, or put vendor-like rate limits in
 * front of it (a 429 instead of the emulator's answer).
 *
 * Tests assert on the order of these events, not on wall-clock gaps.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'http';

import type { VendorLimiter } from './rate-limits';

export interface TrafficRequest {
	/** 1-based arrival number. */
	id: number;
	method: string;
	/** Path without the query. */
	path: string;
	query: URLSearchParams;
	headers: IncomingHttpHeaders;
}

export interface TrafficEvent {
	kind: 'start' | 'end';
	id: number;
	method: string;
	path: string;
	/** The answer's status (end only). */
	status?: number;
}

export interface TrafficOptions {
	/**
	 * How long to hold the request before the emulator handles it: milliseconds, or a promise
	 * (e.g. `barrier`) and then milliseconds.
	 */
	delay?: (request: TrafficRequest) => number | undefined | Promise<number | void>;
	/** Headers to add to its answer (set as it arrives). */
	headers?: (request: TrafficRequest) => Record<string, string> | undefined;
	/** Limits answered before the emulator sees the request; undefined lets it through unlimited. */
	limiter?: (request: TrafficRequest) => VendorLimiter | undefined;
	/** Only these requests are counted, held and limited (default all). */
	only?: (request: TrafficRequest) => boolean;
}

export class Traffic {
	readonly events: TrafficEvent[] = [];
	inFlight = 0;
	maxInFlight = 0;
	options: TrafficOptions = {};
	private nextId = 0;

	/** Back to no events and no knobs. */
	reset(): void {
		this.events.length = 0;
		this.inFlight = 0;
		this.maxInFlight = 0;
		this.nextId = 0;
		this.options = {};
	}

	starts(): TrafficEvent[] {
		return this.events.filter((event) => event.kind === 'start');
	}

	/** A request listener that tracks and shapes the traffic before `listener` handles it. */
	wrap(listener: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
		return (req, res) => {
			const target = req.url ?? '/';
			const q = target.indexOf('?');
			const request: TrafficRequest = {
				id: ++this.nextId,
				method: req.method ?? 'GET',
				path: q < 0 ? target : target.slice(0, q),
				query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)),
				headers: req.headers,
			};
			const options = this.options;
			if (options.only && !options.only(request)) return listener(req, res);
			this.events.push({ kind: 'start', id: request.id, method: request.method, path: request.path });
			this.inFlight++;
			this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
			for (const [name, value] of Object.entries(options.headers?.(request) ?? {})) res.setHeader(name, value);
			const admission = options.limiter?.(request)?.admit(request.method);
			res.once('close', () => {
				this.inFlight--;
				if (admission?.ok) admission.done();
				this.events.push({ kind: 'end', id: request.id, method: request.method, path: request.path, status: res.statusCode });
			});
			const go = () => {
				if (admission && !admission.ok) {
					const body = JSON.stringify({ message: `Too many requests (${admission.limit} limit)`, Title: 'Too Many Requests', Detail: `${admission.limit} limit exceeded` });
					req.resume();
					res.writeHead(429, { ...admission.headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
					res.end(body);
					return;
				}
				if (admission?.ok) for (const [name, value] of Object.entries(admission.headers)) res.setHeader(name, value);
				listener(req, res);
			};
			const hold = (ms: number | undefined | void) => (ms && ms > 0 ? setTimeout(go, ms) : go());
			const delay = options.delay?.(request);
			if (delay instanceof Promise) void delay.then(hold, () => hold(0));
			else hold(delay);
		};
	}
}

/**
 * A hold that keeps requests until `count` are in flight at once (or `timeoutMs` passed, so a
 * node that never gets there fails its assertion instead of hanging), then lets all through.
 * It makes "this many at once" independent of how fast a loaded machine starts them. With
 * `thenMs`, it keeps holding them that much longer once `count` are in flight: a request beyond
 * `count` that a node would send meanwhile arrives while they are all still in flight, so "never
 * more than `count`" is seen, not only "`count` at once".
 */
export function barrier(traffic: Traffic, count: number, timeoutMs = 10_000, thenMs = 0): () => Promise<void> {
	let release!: () => void;
	const open = new Promise<void>((resolve) => (release = resolve));
	const timer = setTimeout(release, timeoutMs);
	void open.then(() => clearTimeout(timer));
	let reached = false;
	return () => {
		if (!reached && traffic.inFlight >= count) {
			reached = true;
			if (thenMs > 0) setTimeout(release, thenMs);
			else release();
		}
		return open;
	};
}
