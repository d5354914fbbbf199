import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

import { RESULTS_ENV } from './summary';

/**
 * A fresh results file per run (runs may overlap, e.g. one file run by hand during a full run);
 * workers and the global teardown inherit the environment variable that names it.
 */
export default async function globalSetup(): Promise<void> {
	const dir = path.resolve(__dirname, '..', '..', '..', '.faults-results', `run-${process.pid}`);
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	process.env[RESULTS_ENV] = path.join(dir, 'cases.jsonl');
}
