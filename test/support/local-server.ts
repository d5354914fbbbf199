import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
	/** e.g. http://127.0.0.1:41234 (no trailing slash) */
	baseUrl: string;
	server: http.Server;
	close(): Promise<void>;
}

/** Starts an HTTP server on 127.0.0.1 with an ephemeral port. Never binds anything else. */
export async function startLocalServer(handler: http.RequestListener): Promise<LocalServer> {
	const server = http.createServer((req, res) => {
		// A throwing/rejecting handler must fail the request, not the test process.
		Promise.resolve()
			.then(() => handler(req, res))
			.catch((error: unknown) => {
				if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
				res.end(`handler error: ${String(error)}`);
			});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}`,
		server,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
