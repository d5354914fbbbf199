/**
 * A server that only records what reaches it: the "other origin" a hostile answer points a node
 * at (on 127.0.0.1, another port), or the "internal service" it must never reach (on 127.0.0.2).
 * Every request is kept with its headers and body digest; the answer is the test's to choose.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedCall {
	method: string;
	/** Path and query as received. */
	url: string;
	headers: IncomingHttpHeaders;
	bodyBytes: number;
	bodySha256: string;
}

export interface RecorderAnswer {
	status: number;
	headers?: Record<string, string>;
	body?: string | Buffer;
}

export interface Recorder {
	/** `http(s)://host:port` */
	url: string;
	host: string;
	port: number;
	calls: RecordedCall[];
	/** What to answer each request (default: 200 with a small JSON body). */
	answer: (call: RecordedCall) => RecorderAnswer;
	reset(): void;
	close(): Promise<void>;
}

const DEFAULT_ANSWER = (): RecorderAnswer => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"recorded":true}' });

export async function startRecorder(host: string, tls?: { key: string; cert: string }): Promise<Recorder> {
	const sockets = new Set<Socket>();
	const recorder: Recorder = {
		url: '',
		host,
		port: 0,
		calls: [],
		answer: DEFAULT_ANSWER,
		reset() {
			recorder.calls.length = 0;
			recorder.answer = DEFAULT_ANSWER;
			for (const socket of sockets) socket.destroy();
		},
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => server.close(resolve));
		},
	};
	const handler: http.RequestListener = (req, res) => {
		const hash = createHash('sha256');
		let bytes = 0;
		req.on('data', (chunk: Buffer) => {
			bytes += chunk.length;
			hash.update(chunk);
		});
		req.on('end', () => {
			const call: RecordedCall = { method: req.method ?? 'GET', url: req.url ?? '/', headers: { ...req.headers }, bodyBytes: bytes, bodySha256: hash.digest('hex') };
			recorder.calls.push(call);
			const { status, headers = {}, body = '' } = recorder.answer(call);
			res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
			res.end(body);
		});
	};
	const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, host, resolve));
	recorder.port = (server.address() as AddressInfo).port;
	recorder.url = `${tls ? 'https' : 'http'}://${host}:${recorder.port}`;
	return recorder;
}
