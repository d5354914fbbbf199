import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { readCases } from './summary';
import { failedCases, summaryTable } from './table';

/** Prints the summary table and keeps it, with every case, next to the results. */
export default async function globalTeardown(): Promise<void> {
	const cases = readCases();
	const table = summaryTable(cases);
	const failed = failedCases(cases);
	const dir = path.resolve(__dirname, '..', '..', '..', '.faults-results');
	writeFileSync(path.join(dir, 'summary.md'), `${table}\n`);
	writeFileSync(path.join(dir, 'cases.json'), JSON.stringify(cases, null, '\t'));
	process.stdout.write(`\nFault suite: ${cases.length} cases\n\n${table}\n`);
	if (failed.length > 0) process.stdout.write(`\nCases that failed:\n${failed.map((f) => `- ${f}`).join('\n')}\n`);
}
