/**
 * The network guard of the hostile-provider cases (test/support/network-guard.ts). Its refusals
 * are tried with Node's own connect replaced by a stand-in that records and connects nothing, so
 * even a broken guard could not send a packet: a refused connection must fail with the guard's
 * EHOSTUNREACH before it reaches that stand-in. The addresses below are data for the guard.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';

import { installNetworkGuard, isLoopback } from '../support/network-guard';
import type { NetworkGuard } from '../support/network-guard';

/** What happened to a socket: its error code, or "connected". */
async function outcome(socket: net.Socket): Promise<string> {
	return await new Promise((resolve) => {
		socket.once('connect', () => {
			socket.destroy();
			resolve('connected');
		});
		socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
	});
}

it('tells loopback addresses from others', () => {
	// Classifier data only: isLoopback reads these strings, nothing connects to them.
	for (const host of ['127.0.0.1', '127.0.0.2', '127.255.255.254', '::1', '[::1]', '::ffff:127.0.0.2', 'localhost']) expect(isLoopback(host)).toBe(true);
	for (const host of ['10.0.0.1', '169.254.169.254', '128.0.0.1', '::', '::ffff:10.0.0.1', 'example.com', '127.0.0.1.nip.io']) expect(isLoopback(host)).toBe(false);
});

describe('with Node\'s connect replaced by a stand-in that connects nothing', () => {
	const realConnect = net.Socket.prototype.connect;
	const reached: unknown[] = [];
	let guard: NetworkGuard;
	beforeAll(() => {
		net.Socket.prototype.connect = function standIn(this: net.Socket, ...args: unknown[]) {
			reached.push(args);
			process.nextTick(() => this.destroy(Object.assign(new Error('stand-in: not connected'), { code: 'ESTANDIN' })));
			return this;
		} as typeof net.Socket.prototype.connect;
		guard = installNetworkGuard();
	});
	afterAll(() => {
		guard.restore();
		net.Socket.prototype.connect = realConnect;
	});
	beforeEach(() => {
		guard.reset();
		reached.length = 0;
	});

	// Addresses the guard must refuse; Node's connect is the stand-in above, so none is ever reached.
	it.each([
		['a private address (net.connect)', () => net.connect({ host: '10.1.2.3', port: 80 }), '10.1.2.3', 80],
		['the metadata address (net.connect)', () => net.connect(80, '169.254.169.254'), '169.254.169.254', 80],
		['an IPv6 address (net.connect)', () => net.connect({ host: 'fd00::1', port: 443 }), 'fd00::1', 443],
		['a host name (net.connect)', () => net.connect({ host: 'example.com', port: 443 }), 'example.com', 443],
		['a public address over TLS (tls.connect, which passes path: null)', () => tls.connect({ host: '93.184.216.34', port: 443, servername: 'guard.test' }), '93.184.216.34', 443],
	])('refuses %s before Node connects', async (_what, open, host, port) => {
		expect(await outcome(open())).toBe('EHOSTUNREACH');
		expect(guard.blocked).toEqual([{ host, port }]);
		expect(reached).toEqual([]);
	});

	it('refuses what an HTTPS request through an agent opens', async () => {
		const code = await new Promise((resolve) => {
			const request = https.get({ host: '93.184.216.34', port: 443, path: '/', servername: 'guard.test', agent: new https.Agent() });
			request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code));
		});
		expect(code).toBe('EHOSTUNREACH');
		expect(reached).toEqual([]);
	});

	it('hands connections to 127.0.0.0/8 on to Node', async () => {
		expect(await outcome(net.connect({ host: '127.0.0.2', port: 9 }))).toBe('ESTANDIN');
		expect(reached).toHaveLength(1);
		expect(guard.blocked).toEqual([]);
	});
});

describe('with Node\'s own connect', () => {
	let guard: NetworkGuard;
	beforeAll(() => {
		// Resolver-stub data only: nothing connects to the addresses these names resolve to but 127.0.0.2.
		guard = installNetworkGuard({ 'metadata.guard.test': ['169.254.169.254'], 'rebind.guard.test': [['93.184.216.34'], ['127.0.0.2']] });
	});
	afterAll(() => guard.restore());

	it('lets connections to 127.0.0.0/8 through', async () => {
		const server = http.createServer((_req, res) => res.end('ok'));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
		try {
			const { port } = server.address() as AddressInfo;
			expect(await outcome(net.connect({ host: '127.0.0.2', port }))).toBe('connected');
			expect(guard.blocked).toEqual([]);
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
	});

	it('answers the stub names with their addresses, a changing answer in turn, and no other name', async () => {
		const lookup = (name: string) =>
			new Promise<unknown>((resolve) => dns.lookup(name, { all: true }, (error, addresses) => resolve(error ? (error as NodeJS.ErrnoException).code : addresses)));
		expect(await lookup('metadata.guard.test')).toEqual([{ address: '169.254.169.254', family: 4 }]);
		expect(await lookup('rebind.guard.test')).toEqual([{ address: '93.184.216.34', family: 4 }]);
		expect(await lookup('rebind.guard.test')).toEqual([{ address: '127.0.0.2', family: 4 }]);
		expect(await lookup('example.com')).toBe('ENOTFOUND');
		expect(guard.lookups).toEqual(['metadata.guard.test', 'rebind.guard.test', 'rebind.guard.test', 'example.com']);
	});
});
