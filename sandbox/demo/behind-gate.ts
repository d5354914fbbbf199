/**
 * The one way a provider's sandbox starts (sandbox/<provider>/demo.ts): its emulator, the Prism
 * gate in front of it with the vendor's specs, the demo data unless the tests seed their own, and
 * the demo credentials pointed at the gate. A gate that fails to start closes the emulator again.
 */
import { startPrismGate } from '../prism/gate';
import type { PrismGateOptions } from '../prism/gate';
import type { DemoCredential, RunningProvider, SandboxProvider, StartOptions } from '../types';

export interface BehindGate<E> {
	emulator: E & { url: string; close(): Promise<void> };
	specs: PrismGateOptions['specs'];
	/** Seeds the demo data and says what it is, one line each (run unless `noDemoData`). */
	seedDemo(emulator: E): string[];
	/** The demo credentials, pointed at the gate (default: examples/credentials/<name>.json as it is). */
	credentials(gateUrl: string, emulator: E): DemoCredential[];
	/** Demo credentials only a trigger example uses (none by default). */
	triggerCredentials?(gateUrl: string, emulator: E): DemoCredential[];
}

export async function startBehindGate<E>(provider: SandboxProvider<E>, options: StartOptions, setup: BehindGate<E>): Promise<RunningProvider<E>> {
	const { emulator } = setup;
	try {
		const gate = await startPrismGate({ name: provider.name, upstream: emulator.url, port: options.ports?.prism ?? 0, log: options.log, specs: setup.specs });
		return {
			name: provider.name,
			displayName: provider.displayName,
			emulator,
			emulatorUrl: emulator.url,
			gate,
			baseUrl: gate.url,
			credentials: setup.credentials(gate.url, emulator),
			...(setup.triggerCredentials ? { triggerCredentials: setup.triggerCredentials(gate.url, emulator) } : {}),
			demo: options.noDemoData ? [] : setup.seedDemo(emulator),
			async close() {
				await gate.close();
				await emulator.close();
			},
		};
	} catch (error) {
		await emulator.close();
		throw error;
	}
}
