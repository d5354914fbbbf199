/**
 * The set-up every fault file shares: one provider emulator for the file, the fault proxy in
 * front of the origins it serves, both reset before each case, and (by default) a check after
 * each case that every fault it queued was met: a fault the node never ran into proved nothing.
 */
import { startFaultProxy } from './fault-proxy';
import type { FaultProxy } from './fault-proxy';

export interface Emulator {
	reset(): void;
	close(): Promise<void>;
}

export function useEmulatorBehindProxy<S extends Emulator>(
	start: () => Promise<S>,
	origins: (server: S) => Record<string, string>,
	ready: (server: S, proxy: FaultProxy) => void,
	options: { expectFaultsUsed?: boolean } = {},
): void {
	let server: S | undefined;
	let proxy: FaultProxy | undefined;
	beforeAll(async () => {
		server = await start();
		proxy = await startFaultProxy(origins(server));
		ready(server, proxy);
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
}
