import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

import { RESULTS_ENV } from './summary';

/** A fresh results file per run; workers inherit the environment variable that names it. */
export default async function globalSetup(): Promise<void> {
	const dir = path.resolve(__dirname, '..', '..', '..', '.faults-results');
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	process.env[RESULTS_ENV] = path.join(dir, 'cases.jsonl');
}
