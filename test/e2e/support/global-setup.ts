import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { E2eProject } from './n8n';
import { linePaths, prepareHost } from './n8n';
import { startServer } from './server';

/**
 * Prepares the real-n8n host once, before any test file runs (minutes the first time). Used as
 * it is by the queue suite; the e2e projects use global-setup-<project>.ts, which also start that
 * project's n8n (jest runs a project's global set-up only when a file of the project is selected,
 * and runs one module once: hence a module per project).
 */
export default async function globalSetup(): Promise<void> {
	await prepareHost('2x');
}

/** The project's globals (test/e2e/jest.config.js) as jest hands them to a global set-up. */
interface ProjectConfig {
	globals: { E2E_PROJECT?: unknown; E2E_BINARY_MODE?: unknown; E2E_N8N_LINE?: unknown };
}

/** The host of the project's line, then the project's n8n, which every test file of the project drives (support/server.ts). */
export async function setUpProject(projectConfig: ProjectConfig): Promise<void> {
	const { E2E_PROJECT: name, E2E_BINARY_MODE: mode, E2E_N8N_LINE: line } = projectConfig.globals;
	if (typeof name !== 'string' || (mode !== 'filesystem' && mode !== 'database') || (line !== '2x' && line !== '1x')) {
		throw new Error(`e2e project globals must name the project, its store and its n8n line: ${JSON.stringify(projectConfig.globals)}`);
	}
	const project: E2eProject = { name, mode, line };
	await prepareHost(line);
	const started = Date.now();
	const state = await startServer(project);
	const { version } = JSON.parse(readFileSync(path.join(linePaths(line).n8nDir, 'node_modules', 'n8n', 'package.json'), 'utf8')) as { version: string };
	console.log(`\n[e2e] ${name}: n8n ${version} (${mode} binary store) ready at ${state.url} in ${Math.round((Date.now() - started) / 1000)} s; log: ${state.logFile}`);
}
