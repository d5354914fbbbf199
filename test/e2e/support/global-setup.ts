import type { E2eBinaryMode } from './n8n';
import { prepareHost } from './n8n';
import { startServer } from './server';

/**
 * Prepares the real-n8n host once, before any test file runs (minutes the first time). Used as
 * it is by the queue suite; the e2e projects use global-setup-<store>.ts, which also start that
 * project's n8n (jest runs a project's global set-up only when a file of the project is selected,
 * and runs one module once: hence a module per project).
 */
export default async function globalSetup(): Promise<void> {
	await prepareHost();
}

/** The host, then the project's n8n, which every test file of the project drives (support/server.ts). */
export async function setUpProject(mode: E2eBinaryMode): Promise<void> {
	await prepareHost();
	const started = Date.now();
	const state = await startServer(mode);
	console.log(`\n[e2e] n8n (${mode} binary store) ready at ${state.url} in ${Math.round((Date.now() - started) / 1000)} s; log: ${state.logFile}`);
}
