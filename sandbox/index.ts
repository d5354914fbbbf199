/**
 * The local sandboxes: each provider's emulator (sandbox/<provider>/server.ts) on 127.0.0.1,
 * seeded with demo data, with a Prism gate in front (sandbox/prism/gate.ts) that checks
 * every request and response against the vendor's OpenAPI spec. The nodes' credentials point their
 * Base URL Override at the gate.
 *
 *   npm run sandbox                         # fixed ports, until Ctrl-C (sandbox/main.ts)
 *   const sandbox = await startSandbox();   # from code: random ports unless fixedPorts
 *
 * Providers are listed in ./providers/index.ts: adding one is one entry there.
 */
import { PROVIDERS, type ProviderName } from './providers';
import type { RunningProvider, SandboxProvider } from './types';

export { PROVIDERS };
export type { ProviderName, RunningProvider, SandboxProvider };

export interface SandboxOptions {
	/** Which providers (default: all of PROVIDERS). */
	only?: readonly string[];
	/** Use each provider's fixed ports (npm start); default: random free ports. */
	fixedPorts?: boolean;
	log?: (line: string) => void;
	/** Start without demo data (tests that seed their own). */
	noDemoData?: boolean;
}

export interface Sandbox {
	providers: RunningProvider[];
	/** A running provider by name (throws when it was not started). */
	get<E = unknown>(name: string): RunningProvider<E>;
	/** Every Prism refusal of every gate, one line each (empty = everything passed). */
	problems(): string[];
	close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const selected = PROVIDERS.filter((provider) => !options.only || options.only.includes(provider.name));
	const unknown = (options.only ?? []).filter((name) => !PROVIDERS.some((provider) => provider.name === name));
	if (unknown.length > 0) throw new Error(`Unknown sandbox provider(s): ${unknown.join(', ')} (known: ${PROVIDERS.map((p) => p.name).join(', ')})`);
	const running: RunningProvider[] = [];
	const close = async () => {
		for (const provider of running.splice(0).reverse()) await provider.close().catch(() => undefined);
	};
	try {
		for (const provider of selected) {
			running.push(
				await (provider as SandboxProvider).start({
					ports: options.fixedPorts ? provider.defaultPorts : undefined,
					log: options.log,
					noDemoData: options.noDemoData,
				}).catch((error: NodeJS.ErrnoException) => {
					if (error?.code === 'EADDRINUSE') {
						throw new Error(
							`${provider.displayName} sandbox: a port of ${JSON.stringify(provider.defaultPorts)} on 127.0.0.1 is in use (another \`npm start\` or \`npm run sandbox\`?)`,
						);
					}
					throw error;
				}),
			);
		}
	} catch (error) {
		await close();
		throw error;
	}
	return {
		providers: running,
		get<E>(name: string) {
			const found = running.find((provider) => provider.name === name);
			if (!found) throw new Error(`The ${name} sandbox is not running`);
			return found as RunningProvider<E>;
		},
		problems: () => running.flatMap((provider) => provider.gate.problems()),
		close,
	};
}
