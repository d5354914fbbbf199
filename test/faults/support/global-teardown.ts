import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { readCases, resultsFile } from './summary';
import { failedCases, summaryTable } from './table';

/** Prints the summary table and keeps it, with every case, next to the results. */
export default async function globalTeardown(): Promise<void> {
	const cases = readCases();
	const table = summaryTable(cases);
	const failed = failedCases(cases);
	const dir = path.dirname(resultsFile());
	writeFileSync(path.join(dir, 'summary.md'), `${table}\n`);
	writeFileSync(path.join(dir, 'cases.json'), JSON.stringify(cases, null, '\t'));
	// The last run's table, where the README's is refreshed from.
	writeFileSync(path.join(dir, '..', 'summary.md'), `${table}\n`);
	process.stdout.write(`\nFault suite: ${cases.length} cases\n\n${table}\n`);
	if (failed.length > 0) process.stdout.write(`\nCases that failed:\n${failed.map((f) => `- ${f}`).join('\n')}\n`);
}
