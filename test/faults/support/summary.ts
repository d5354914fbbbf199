/**
 * Every case of the fault suite records what it tried and how it ended, one JSON line per case in
 * the run's results file (jest runs test files in separate workers; a file is what they share).
 * `global-teardown.ts` turns the lines into the summary table.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type CaseCategory = 'fault' | 'input' | 'secret' | 'items' | 'hostile';

export interface CaseMeta {
	category: CaseCategory;
	/** Node under test: Xero, Asana, Wix or Sunshine. */
	node: string;
	/** Operation (or operations) the case runs. */
	operation: string;
	/** What is done to it, e.g. "503 then success" or "file name with /". */
	name: string;
	/** The result the case expects, in words: "retried, succeeded after 2 attempts", "NodeOperationError naming File Name". */
	expected: string;
}

export interface CaseFigures {
	/** Requests the server saw (attempts). */
	attempts?: number;
	/** Sentinel values looked for and found (secrets cases). */
	sentinelChecks?: number;
	leaks?: number;
	/** Items cases: items in, items out, items lost (in without a paired out). */
	itemsIn?: number;
	itemsOut?: number;
	lost?: number;
	/** Free text shown in the detailed listing. */
	note?: string;
}

export interface CaseRecord extends CaseMeta, CaseFigures {
	ok: boolean;
	error?: string;
}

export const RESULTS_ENV = 'N8N_ATTACHMENTS_FAULTS_RESULTS';
/** Used when the suite runs without its global set-up (e.g. one file run by hand). */
const FALLBACK_RESULTS = path.resolve(__dirname, '..', '..', '..', '.faults-results', 'cases.jsonl');

export function resultsFile(): string {
	return process.env[RESULTS_ENV] ?? FALLBACK_RESULTS;
}

export function recordCase(record: CaseRecord): void {
	const file = resultsFile();
	if (!existsSync(path.dirname(file))) mkdirSync(path.dirname(file), { recursive: true });
	appendFileSync(file, `${JSON.stringify(record)}\n`);
}

export function readCases(file = resultsFile()): CaseRecord[] {
	if (!existsSync(file)) return [];
	return readFileSync(file, 'utf8')
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => JSON.parse(line) as CaseRecord);
}

/**
 * A jest test that is also a recorded case: `ok` when `run` returns, failed (and the test fails)
 * when it throws. `run` may return figures (attempts, leaks, items) for the table.
 */
export function itCase(meta: CaseMeta, run: () => Promise<CaseFigures | void>, timeoutMs?: number): void {
	it(`[${meta.category}] ${meta.node} ${meta.operation}: ${meta.name} -> ${meta.expected}`, async () => {
		try {
			const figures = (await run()) ?? {};
			recordCase({ ...meta, ...figures, ok: true });
		} catch (error) {
			recordCase({ ...meta, ok: false, error: String((error as Error)?.message ?? error).slice(0, 500) });
			throw error;
		}
	}, timeoutMs);
}
