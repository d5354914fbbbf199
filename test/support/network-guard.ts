/**
 * Keeps a test process inside 127.0.0.0/8, whatever the code under test is talked into:
 * - a connect guard: every socket connection to an address outside 127.0.0.0/8 and ::1, or to a
 *   host name (which would be resolved), is refused before the socket connects; the attempt is
 *   recorded, and the socket fails with EHOSTUNREACH (not retried by the transport);
 * - a resolver stub: `dns.lookup` answers the test's own names with the addresses the test gives
 *   (data the code under test must refuse, or connect to only as far as the guard lets it), and
 *   any other name but localhost with ENOTFOUND (addresses written out are answered as they are).
 *   No query leaves the process.
 *
 * The addresses a test gives the stub are data for the code's address checks: with the guard in
 * place, nothing is ever sent to them.
 */
import dns from 'node:dns';
import net from 'node:net';

export interface BlockedConnection {
	host: string;
	port: number;
}

/** A name's answer: its addresses, or one list per lookup (the last repeats), for a name whose answer changes. */
export type StubAnswer = string[] | string[][];

export interface NetworkGuard {
	/** Connections refused by the guard, in order. */
	blocked: BlockedConnection[];
	/** Names looked up through the stub, in order. */
	lookups: string[];
	/** Forget what was recorded, and start every changing answer from its first list again. */
	reset(): void;
	restore(): void;
}

/** Whether `host` is an address of this machine's loopback (127.0.0.0/8, ::1, their mapped forms). */
export function isLoopback(host: string): boolean {
	const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
	if (bare === 'localhost') return true;
	const v4 = bare.replace(/^::ffff:/, '');
	if (net.isIPv4(v4)) return v4.startsWith('127.');
	return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
}

type ConnectArgs = [options: net.NetConnectOpts | number | string, ...rest: unknown[]];

function targetOf(args: ConnectArgs): { host?: string; port?: number; path?: string | null } {
	// net.connect() hands the socket its arguments normalised: one array [options, callback].
	const [first, second] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
	if (typeof first === 'object' && first !== null) {
		// tls.connect passes `path: null` when it connects to a host.
		const options = first as { host?: string; port?: number | string; path?: string | null };
		return { host: options.host, port: options.port === undefined ? undefined : Number(options.port), path: options.path };
	}
	if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
		return { port: Number(first), host: typeof second === 'string' ? second : undefined };
	}
	return { path: String(first) };
}

let installed: NetworkGuard | undefined;

export function installNetworkGuard(names: Record<string, StubAnswer> = {}): NetworkGuard {
	if (installed) throw new Error('The network guard is installed already');
	const blocked: BlockedConnection[] = [];
	const lookups: string[] = [];
	const asked = new Map<string, number>();

	const connect = net.Socket.prototype.connect;
	net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: ConnectArgs) {
		const { host, port, path } = targetOf(args);
		if (!path && !isLoopback(host ?? 'localhost')) {
			blocked.push({ host: host ?? '', port: port ?? 0 });
			const error = Object.assign(new Error(`The test network guard refused a connection to ${host}:${port} (tests stay on 127.0.0.0/8)`), {
				code: 'EHOSTUNREACH',
			});
			process.nextTick(() => this.destroy(error));
			return this;
		}
		return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
	} as typeof net.Socket.prototype.connect;

	const lookup = dns.lookup;
	const stub = (hostname: string, options: unknown, callback?: unknown) => {
		const done = (typeof options === 'function' ? options : callback) as (error: Error | null, address?: unknown, family?: number) => void;
		const wantsAll = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
		// Addresses written out need no resolving (servers listen on them); localhost is this machine.
		if (hostname === 'localhost' || net.isIP(hostname)) return (lookup as (...a: unknown[]) => void)(hostname, options, callback);
		lookups.push(hostname);
		const answer = names[hostname];
		if (!answer) {
			process.nextTick(() => done(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname })));
			return;
		}
		let addresses: string[];
		if (Array.isArray(answer[0])) {
			const lists = answer as string[][];
			const count = asked.get(hostname) ?? 0;
			asked.set(hostname, count + 1);
			addresses = lists[Math.min(count, lists.length - 1)];
		} else {
			addresses = answer as string[];
		}
		const entries = addresses.map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 }));
		process.nextTick(() => (wantsAll ? done(null, entries) : done(null, entries[0].address, entries[0].family)));
	};
	(dns as { lookup: unknown }).lookup = stub;

	installed = {
		blocked,
		lookups,
		reset() {
			blocked.length = 0;
			lookups.length = 0;
			asked.clear();
		},
		restore() {
			net.Socket.prototype.connect = connect;
			(dns as { lookup: unknown }).lookup = lookup;
			installed = undefined;
		},
	};
	return installed;
}
