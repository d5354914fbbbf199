import type { PrismGate } from './prism/gate';

/** A credential as `n8n import:credentials` takes it (plain `data`: n8n encrypts it on import). */
export interface DemoCredential {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface StartOptions {
	/** Ports on 127.0.0.1; 0 or absent = random free ports (tests). npm start passes the fixed ones. */
	ports?: Partial<Record<string, number>>;
	/** One line per Prism exchange and emulator event. */
	log?: (line: string) => void;
	/** Skip the demo data (tests seed their own). Default false. */
	noDemoData?: boolean;
}

/** A provider's sandbox once started: its emulator, with a Prism gate in front. */
export interface RunningProvider<Emulator = unknown> {
	name: string;
	displayName: string;
	emulator: Emulator;
	/** The emulator's own URL (what Prism forwards to). */
	emulatorUrl: string;
	gate: PrismGate;
	/** What the credential's base URL override is set to: the gate's URL. */
	baseUrl: string;
	/** The demo credentials of examples/credentials (examples/index.ts), pointed at this gate and emulator. */
	credentials: DemoCredential[];
	/** Demo credentials only a trigger example uses (examples/index.ts EXAMPLE_TRIGGER_CREDENTIALS), pointed at this sandbox. */
	triggerCredentials?: DemoCredential[];
	/** What the demo data is, one line each (printed by npm start / npm run sandbox). */
	demo: string[];
	close(): Promise<void>;
}

export interface SandboxProvider<Emulator = unknown> {
	name: string;
	displayName: string;
	/** The emulator's module, relative to the repository (sandbox/<name>/server.ts). */
	emulatorFile: string;
	/** The node's n8n type once installed, and its file in package.json's `n8n.nodes`. */
	nodeType: string;
	nodeFile: string;
	/** Fixed ports used by `npm start` / `npm run sandbox` (the `prism` one is the credential's base URL). */
	defaultPorts: Record<string, number>;
	start(options: StartOptions): Promise<RunningProvider<Emulator>>;
}

