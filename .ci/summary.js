// Sums jest's JSON reports into the one line CI reads: "N passed, N failed[, N skipped]", after
// one line per report (unit, faults, e2e, e2e-1x, queue, ui), so that each suite's count shows.
// Exits 1 when a suite failed to run, a test failed, or no test ran at all.
const fs = require('fs');
const path = require('path');

const dir = process.argv[2];
let passed = 0;
let failed = 0;
let skipped = 0;
let brokenSuites = 0;
for (const file of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
	if (!file.endsWith('.json')) continue;
	const report = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
	console.log(`  ${file.replace(/\.json$/, '').padEnd(8)} ${report.numPassedTests} tests passed, ${report.numFailedTests} failed${report.numPendingTests ? `, ${report.numPendingTests} skipped` : ''}`);
	passed += report.numPassedTests;
	failed += report.numFailedTests;
	skipped += report.numPendingTests + (report.numTodoTests || 0);
	brokenSuites += report.numRuntimeErrorTestSuites || 0;
	for (const suite of report.testResults || []) {
		if (suite.status === 'failed' && suite.message && suite.assertionResults.length === 0) {
			console.log(`suite failed to run: ${path.relative(process.cwd(), suite.name)}`);
		}
	}
}
if (brokenSuites > 0) failed += brokenSuites;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
