/**
 * A TCP proxy on 127.0.0.1 that slows what clients send (request bodies) to a fixed rate and
 * passes answers through unchanged: an upload through it takes long enough to kill the worker
 * sending it half-way. Counts the bytes it has passed on, so the test knows when "half-way" is.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Throttle {
	url: string;
	/** Bytes received from clients so far (all connections). */
	received(): number;
	/** Connections closed by the client side before the upstream answered (a killed sender). */
	clientResets(): number;
	close(): Promise<void>;
}

export async function startThrottle(upstreamUrl: string, bytesPerSecond: number): Promise<Throttle> {
	const upstream = new URL(upstreamUrl);
	let received = 0;
	let resets = 0;
	const sockets = new Set<net.Socket>();
	const server = net.createServer((client) => {
		const target = net.connect({ host: upstream.hostname, port: Number(upstream.port) });
		sockets.add(client);
		sockets.add(target);
		let answered = false;
		target.on('data', (chunk) => {
			answered = true;
			client.write(chunk);
		});
		target.on('end', () => client.end());
		client.on('data', (chunk: Buffer) => {
			received += chunk.length;
			target.write(chunk);
			client.pause();
			setTimeout(() => client.resume(), Math.ceil((chunk.length / bytesPerSecond) * 1000));
		});
		client.on('end', () => target.end());
		const drop = () => {
			client.destroy();
			target.destroy();
			sockets.delete(client);
			sockets.delete(target);
		};
		client.on('error', () => {
			if (!answered) resets++;
			drop();
		});
		client.on('close', () => {
			if (!answered && !target.destroyed) resets++;
			drop();
		});
		target.on('error', drop);
		target.on('close', drop);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		received: () => received,
		clientResets: () => resets,
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}
