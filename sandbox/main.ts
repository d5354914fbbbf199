/**
 * `npm run sandbox [-- xero asana …] [--quiet]`: the local sandboxes on their fixed ports, until Ctrl-C.
 * Prints where each Prism gate and emulator listens, the demo data and the demo credentials, then
 * one line per request Prism checked (refusals with Prism's full message).
 */
import { startSandbox } from './index';
import { specsDir } from './prism/specs';

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	const quiet = args.includes('--quiet');
	const only = args.filter((arg) => !arg.startsWith('--'));
	const started = Date.now();
	console.log(`Starting the sandboxes (specs from ${specsDir()})…`);
	const sandbox = await startSandbox({
		only: only.length ? only : undefined,
		fixedPorts: true,
		log: quiet ? undefined : (line) => console.log(line),
	});
	console.log(`\nSandboxes ready in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
	for (const provider of sandbox.providers) {
		console.log(`\n  ${provider.displayName}`);
		console.log(`    Prism (credential Base URL Override): ${provider.baseUrl}`);
		console.log(`    emulator:                             ${provider.emulatorUrl}`);
		for (const spec of provider.gate.specs) {
			console.log(`    spec ${spec.name}: ${spec.operations.length - spec.skeletons.size} operations checked, base path "${spec.basePaths.join('", "')}"`);
			for (const note of spec.notes) console.log(`      patched: ${note}`);
		}
		for (const line of provider.demo) console.log(`    demo: ${line}`);
		for (const credential of provider.credentials) console.log(`    credential "${credential.name}" (${credential.type}): ${JSON.stringify(credential.data)}`);
	}
	console.log('\nCtrl-C stops them.');

	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		console.log(`\n${signal}: stopping the sandboxes…`);
		sandbox.close().then(
			() => process.exit(0),
			(error: unknown) => {
				console.error(error);
				process.exit(1);
			},
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
	console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
