/**
 * The set-up every fault file shares: one provider emulator for the file, the fault proxy in
 * front of the origins it serves, both reset before each case, and (by default) a check after
 * each case that every fault it queued was met: a fault the node never ran into proved nothing.
 */
import { standIn } from '../../support/emulator';
import { startFaultProxy } from './fault-proxy';
import type { FaultProxy } from './fault-proxy';

export interface Emulator {
	reset(): void;
	close(): Promise<void>;
}

/** The emulator and the fault proxy of a file: stand-ins that forward to them once beforeAll has started them. */
export interface BehindProxy<S extends Emulator> {
	server: S;
	proxy: FaultProxy;
}

export function useEmulatorBehindProxy<S extends Emulator>(
	start: () => Promise<S>,
	origins: (server: S) => Record<string, string>,
	options: { expectFaultsUsed?: boolean } = {},
): BehindProxy<S> {
	let server: S | undefined;
	let proxy: FaultProxy | undefined;
	beforeAll(async () => {
		server = await start();
		proxy = await startFaultProxy(origins(server));
	});
	afterAll(async () => {
		await proxy?.close();
		await server?.close();
	});
	beforeEach(() => {
		server?.reset();
		proxy?.reset();
	});
	if (options.expectFaultsUsed !== false) afterEach(() => expect(proxy?.pending()).toBe(0));
	return { server: standIn('The emulator', () => server), proxy: standIn('The fault proxy', () => proxy) };
}
