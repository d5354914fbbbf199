/** The summary table of the fault suite, as Markdown (printed at the end and kept in the README). */
import type { CaseRecord } from './summary';

const NODES = ['Xero', 'Asana', 'Wix', 'Sunshine'];

function count(cases: CaseRecord[], predicate: (c: CaseRecord) => boolean): number {
	return cases.filter(predicate).length;
}

function sum(cases: CaseRecord[], pick: (c: CaseRecord) => number | undefined): number {
	return cases.reduce((total, c) => total + (pick(c) ?? 0), 0);
}

export function summaryTable(cases: CaseRecord[]): string {
	const rows: string[] = [
		'| Node | Faults tried / survived | Odd inputs tried / handled (bad: rejected before any request; legal: delivered intact) | Secret checks / leaked | Items in / out / lost | Hostile answers tried / held |',
		'| --- | --- | --- | --- | --- | --- |',
	];
	const nodes = [...NODES, ...new Set(cases.map((c) => c.node).filter((n) => !NODES.includes(n)))];
	const line = (label: string, of: CaseRecord[]) => {
		const faults = of.filter((c) => c.category === 'fault');
		const inputs = of.filter((c) => c.category === 'input');
		const secrets = of.filter((c) => c.category === 'secret');
		const items = of.filter((c) => c.category === 'items');
		const hostile = of.filter((c) => c.category === 'hostile');
		const leaked = sum(secrets, (c) => c.leaks) + count(secrets, (c) => !c.ok && c.leaks === undefined);
		const lost = sum(items, (c) => c.lost) + count(items, (c) => !c.ok && c.lost === undefined);
		rows.push(
			`| ${label} | ${faults.length} / ${count(faults, (c) => c.ok)} | ${inputs.length} / ${count(inputs, (c) => c.ok)} | ` +
				`${sum(secrets, (c) => c.sentinelChecks)} / ${leaked} | ` +
				`${sum(items, (c) => c.itemsIn)} / ${sum(items, (c) => c.itemsOut)} / ${lost} | ` +
				`${hostile.length} / ${count(hostile, (c) => c.ok)} |`,
		);
	};
	for (const node of nodes) {
		const of = cases.filter((c) => c.node === node);
		if (of.length > 0) line(node, of);
	}
	line('**All**', cases);
	return rows.join('\n');
}

export function failedCases(cases: CaseRecord[]): string[] {
	return cases.filter((c) => !c.ok).map((c) => `${c.node} ${c.operation}: ${c.name}: ${c.error ?? 'failed'}`);
}
