/**
 * A fault-injecting HTTP proxy on 127.0.0.1, placed between a node and a provider emulator.
 *
 * Requests pass through to the emulator untouched (bodies streamed both ways) unless a fault is
 * queued for them; then the proxy rate-limits, fails, drops the connection half-way, stalls, cuts a
 * download short or garbles the JSON, as a real network and a real API do. It can front several
 * emulator origins at once (an API host and a file host): each gets its own listener, and the
 * emulator origins written in JSON or text answers are rewritten to the proxy's, so URLs the API
 * hands out (download and upload URLs) lead through the proxy too.
 *
 * Everything it saw is in `log`: per request the fault applied, the request body's size and
 * SHA-256 as received, and the status answered.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';

export type Fault =
	/** Answer this status without asking the emulator (it never acted), or after it (`afterUpstream`: it acted, the answer was lost). */
	| { kind: 'status'; status: number; headers?: Record<string, string>; body?: string; afterUpstream?: boolean }
	/** Read `afterBytes` of the request body, then reset the connection (the emulator never sees the request). */
	| { kind: 'resetUpload'; afterBytes: number }
	/** Pass the request on, send the answer's headers and `afterBytes` of its body, then reset the connection. */
	| { kind: 'resetDownload'; afterBytes: number }
	/** Read the request and never answer. */
	| { kind: 'stall' }
	/** Pass the request on, send the headers and `afterBytes` of the body, then go silent. */
	| { kind: 'stallBody'; afterBytes: number }
	/** Pass the request on, send the headers (Content-Length as announced) and `bytes` of the body, then close cleanly. */
	| { kind: 'short'; bytes: number }
	/** Pass the request on, then answer its status with a body that is not valid JSON. */
	| { kind: 'malformedJson' }
	/** Answer 401 without asking the emulator, as for an expired token. */
	| { kind: 'unauthorized'; body?: string }
	// Hostile answers (test/faults/hostile/):
	/** Answer a redirect to `location` without asking the emulator. */
	| { kind: 'redirect'; status: number; location: string }
	/** Pass the request on, then answer with the emulator's JSON changed by `edit` (origins already rewritten). */
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the emulator's JSON, edited freely by each case
	| { kind: 'editJson'; edit: (body: any, request: RequestInfo) => unknown }
	/** Answer this without asking the emulator; a body made per request may be endless. */
	| { kind: 'answer'; status: number; headers?: Record<string, string>; body: Buffer | string | (() => Readable) }
	/** Pass the request on, then send the emulator's answer gzip-compressed, whatever the request accepted. */
	| { kind: 'gzip' };

/** What a fault (or a look at the log) is matched on. */
export interface RequestInfo {
	method: string;
	/** Path and query as received. */
	url: string;
	path: string;
	/** Name of the origin the request came in on (see `startFaultProxy`). */
	target: string;
}

export interface ProxyLogEntry extends RequestInfo {
	fault?: Fault['kind'];
	/** When the request arrived (ms since the epoch). */
	receivedAt: number;
	/** Bytes of the request body the proxy received, and their SHA-256 (whole bodies only). */
	requestBytes: number;
	requestSha256?: string;
	/** Whether the request body arrived whole. */
	requestComplete: boolean;
	/** Status the emulator answered, when it was asked. */
	upstreamStatus?: number;
	/** Status the proxy answered (undefined when it answered nothing). */
	status?: number;
	authorization?: string;
	/** Every header of the request, as received. */
	headers: IncomingHttpHeaders;
	/** Bytes of the answer's body the proxy sent (its own answers, `answer` faults). */
	responseBytes?: number;
}

interface QueuedFault {
	fault: Fault;
	match: (request: RequestInfo) => boolean;
	remaining: number;
}

export interface FaultProxy {
	/** The proxy's origin per name given to `startFaultProxy`. */
	urls: Record<string, string>;
	log: ProxyLogEntry[];
	/** Queues `fault` for the next `times` requests that `match` (default: any request). */
	inject(fault: Fault, options?: { match?: (request: RequestInfo) => boolean; times?: number }): void;
	/** Faults queued and not yet applied. */
	pending(): number;
	/** Requests seen that match (default: all). */
	requests(match?: (entry: ProxyLogEntry) => boolean): ProxyLogEntry[];
	reset(): void;
	close(): Promise<void>;
}

const REWRITABLE = /json|text|xml|javascript/i;
const REWRITE_LIMIT = 4 * 1024 * 1024;

/** Starts one listener per upstream origin, e.g. `{ api: server.url, files: server.filesUrl }`. */
export async function startFaultProxy(upstreams: Record<string, string>): Promise<FaultProxy> {
	const queue: QueuedFault[] = [];
	const log: ProxyLogEntry[] = [];
	const sockets = new Set<Socket>();
	const servers: http.Server[] = [];
	const urls: Record<string, string> = {};
	const rewrites: Array<[string, string]> = [];

	function takeFault(request: RequestInfo): Fault | undefined {
		const index = queue.findIndex((queued) => queued.remaining > 0 && queued.match(request));
		if (index === -1) return undefined;
		const queued = queue[index];
		queued.remaining--;
		if (queued.remaining === 0) queue.splice(index, 1);
		return queued.fault;
	}

	function rewrite(text: string): string {
		let result = text;
		for (const [from, to] of rewrites) result = result.split(from).join(to);
		return result;
	}

	function handler(target: string, upstream: URL): http.RequestListener {
		return (req, res) => {
			const url = req.url ?? '/';
			const info: RequestInfo = { method: req.method ?? 'GET', url, path: url.split('?')[0], target };
			const fault = takeFault(info);
			const entry: ProxyLogEntry = {
				method: info.method,
				url,
				path: info.path,
				target,
				fault: fault?.kind,
				receivedAt: Date.now(),
				requestBytes: 0,
				requestComplete: false,
				authorization: typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined,
				headers: { ...req.headers },
			};
			log.push(entry);
			const hash = createHash('sha256');
			req.on('data', (chunk: Buffer) => {
				entry.requestBytes += chunk.length;
				hash.update(chunk);
				if (fault?.kind === 'resetUpload' && entry.requestBytes >= fault.afterBytes) req.socket.destroy();
			});
			req.on('end', () => {
				entry.requestComplete = true;
				entry.requestSha256 = hash.digest('hex');
			});

			const answer = (status: number, headers: Record<string, string>, body: string) => {
				entry.status = status;
				res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
				res.end(body);
			};

			if (fault?.kind === 'resetUpload' || fault?.kind === 'stall') {
				req.resume();
				return;
			}
			if (fault?.kind === 'unauthorized') {
				req.resume();
				req.on('end', () => answer(401, { 'content-type': 'application/json' }, fault.body ?? '{"message":"The access token has expired"}'));
				return;
			}
			if (fault?.kind === 'redirect') {
				req.resume();
				req.on('end', () => answer(fault.status, { location: fault.location, 'content-type': 'text/plain' }, `Redirecting to ${fault.location}`));
				return;
			}
			if (fault?.kind === 'answer') {
				req.resume();
				req.on('end', () => {
					entry.status = fault.status;
					entry.responseBytes = 0;
					res.writeHead(fault.status, fault.headers ?? {});
					if (typeof fault.body !== 'function') {
						entry.responseBytes = Buffer.byteLength(fault.body);
						res.end(fault.body);
						return;
					}
					const body = fault.body();
					body.on('data', (chunk: Buffer) => (entry.responseBytes! += chunk.length));
					// The node may stop reading (a body over its bound): stop making more.
					res.on('close', () => body.destroy());
					body.pipe(res);
				});
				return;
			}
			if (fault?.kind === 'status' && !fault.afterUpstream) {
				req.resume();
				req.on('end', () => answer(fault.status, { 'content-type': 'text/plain', ...(fault.headers ?? {}) }, fault.body ?? http.STATUS_CODES[fault.status] ?? ''));
				return;
			}

			// Everything else goes to the emulator first.
			const headers = { ...req.headers, host: upstream.host };
			const forward = http.request(
				{ host: upstream.hostname, port: upstream.port, method: req.method, path: url, headers },
				(upstreamRes) => {
					entry.upstreamStatus = upstreamRes.statusCode;
					const status = upstreamRes.statusCode ?? 502;
					if (fault?.kind === 'status') {
						upstreamRes.resume();
						upstreamRes.on('end', () =>
							answer(fault.status, { 'content-type': 'text/plain', ...(fault.headers ?? {}) }, fault.body ?? http.STATUS_CODES[fault.status] ?? ''),
						);
						return;
					}
					if (fault?.kind === 'malformedJson') {
						upstreamRes.resume();
						upstreamRes.on('end', () => answer(status, { 'content-type': 'application/json; charset=utf-8' }, '{"data": [{"gid": "12'));
						return;
					}
					if (fault?.kind === 'editJson' || fault?.kind === 'gzip') {
						const chunks: Buffer[] = [];
						upstreamRes.on('data', (chunk: Buffer) => chunks.push(chunk));
						upstreamRes.on('end', () => {
							let body = Buffer.concat(chunks);
							const headers: Record<string, string> = { 'content-type': String(upstreamRes.headers['content-type'] ?? 'application/json') };
							if (fault.kind === 'editJson') {
								body = Buffer.from(JSON.stringify(fault.edit(JSON.parse(rewrite(body.toString('utf8'))), info)), 'utf8');
							} else {
								for (const name of ['content-disposition', 'x-minlimit-remaining', 'x-daylimit-remaining', 'x-appminlimit-remaining']) {
									const value = upstreamRes.headers[name];
									if (typeof value === 'string') headers[name] = value;
								}
								body = gzipSync(body);
								headers['content-encoding'] = 'gzip';
							}
							headers['content-length'] = String(body.length);
							entry.status = status;
							entry.responseBytes = body.length;
							res.writeHead(status, headers);
							res.end(body);
						});
						return;
					}
					const responseHeaders = { ...upstreamRes.headers };
					if (typeof responseHeaders.location === 'string') responseHeaders.location = rewrite(responseHeaders.location);
					const contentType = String(upstreamRes.headers['content-type'] ?? '');
					const length = Number(upstreamRes.headers['content-length'] ?? Number.NaN);
					if (!fault && REWRITABLE.test(contentType) && (!Number.isFinite(length) || length <= REWRITE_LIMIT)) {
						const chunks: Buffer[] = [];
						upstreamRes.on('data', (chunk: Buffer) => chunks.push(chunk));
						upstreamRes.on('end', () => {
							const body = Buffer.from(rewrite(Buffer.concat(chunks).toString('utf8')), 'utf8');
							delete responseHeaders['transfer-encoding'];
							responseHeaders['content-length'] = String(body.length);
							entry.status = status;
							res.writeHead(status, responseHeaders);
							res.end(body);
						});
						return;
					}
					entry.status = status;
					res.writeHead(status, responseHeaders);
					if (!fault) {
						upstreamRes.pipe(res);
						return;
					}
					// resetDownload, stallBody, short: pass `limit` bytes of the body, then misbehave.
					const limit = fault.kind === 'short' ? fault.bytes : fault.afterBytes;
					let sent = 0;
					let done = false;
					const stop = () => {
						if (done) return;
						done = true;
						upstreamRes.destroy();
						if (fault.kind === 'resetDownload') res.socket?.destroy();
						else if (fault.kind === 'short') res.socket?.end();
						// stallBody: keep the socket open and silent.
					};
					res.flushHeaders();
					upstreamRes.on('data', (chunk: Buffer) => {
						if (done) return;
						const room = limit - sent;
						if (room > 0) {
							const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
							sent += part.length;
							res.write(part);
						}
						if (sent >= limit) {
							// Let what was written reach the socket before misbehaving.
							res.write('', () => stop());
						}
					});
					upstreamRes.on('end', () => {
						if (!done) stop();
					});
				},
			);
			forward.on('error', () => res.socket?.destroy());
			req.pipe(forward);
		};
	}

	for (const [name, origin] of Object.entries(upstreams)) {
		const upstream = new URL(origin);
		const server = http.createServer(handler(name, upstream));
		server.keepAliveTimeout = 1000;
		server.on('connection', (socket) => {
			sockets.add(socket);
			socket.on('close', () => sockets.delete(socket));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		urls[name] = url;
		rewrites.push([upstream.origin, url]);
		servers.push(server);
	}

	return {
		urls,
		log,
		inject(fault, options = {}) {
			queue.push({ fault, match: options.match ?? (() => true), remaining: options.times ?? 1 });
		},
		pending: () => queue.reduce((total, queued) => total + queued.remaining, 0),
		requests: (match) => (match ? log.filter(match) : [...log]),
		reset() {
			queue.length = 0;
			log.length = 0;
			// Stalled connections from an earlier case must not linger into the next one.
			for (const socket of sockets) socket.destroy();
		},
		async close() {
			for (const socket of sockets) socket.destroy();
			await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
		},
	};
}
