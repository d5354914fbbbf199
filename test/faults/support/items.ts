/**
 * Items cases: N input items, some failing in different ways. Under Continue On Fail every input
 * index must come out (paired by `pairedItem.item`), the failed ones as error items, the others
 * with the right data; without it the node stops at the first failure, naming that item's index:
 * one item at a time (Concurrency 1) it sends nothing for the items after it; several at a time,
 * the items already under way finish and no other starts (`expectFirstFailureNamed`).
 */
import { createHash } from 'crypto';

import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { binaryStats } from '../../support/n8n-harness';
import type { HarnessItem, RunNodeResult } from '../../support/n8n-harness';
import type { Fault, FaultProxy } from './fault-proxy';
import { itCase } from './summary';
import type { CaseFigures, CaseMeta } from './summary';

/** Every request whose URL holds `marker` gets `fault` (the emulator's queues strike whatever comes next). */
export function failEveryRequestFor(proxy: FaultProxy, marker: string, fault: Fault): void {
	proxy.inject(fault, { match: (request) => request.url.includes(marker), times: 1000 });
}

/** How an item is meant to end: fine, refused before any request, provider 4xx, or a fault (5xx). */
export type ItemKind = 'ok' | 'input' | 'api' | 'fault';

export interface ItemPlan {
	kind: ItemKind;
	item: HarnessItem;
	/** Text found in the URL of every request made for this item (and of no other item's). */
	marker: string;
	/** Failed items: what the error message says. */
	error?: RegExp;
	/** Failed items: the HTTP status of a NodeApiError. */
	httpCode?: string;
	/** Successful items: checks of the item's outputs (e.g. the file's SHA-256). */
	check?: (outputs: INodeExecutionData[]) => Promise<void> | void;
	/** Outputs an ok item gives (default 1). */
	outputs?: number;
}

/**
 * An item whose Get downloads `content`, stored as `fileName`: its output holds the file under
 * `data` (name and SHA-256 checked) and, when given, the record's ID under its JSON field.
 */
export function downloadPlan(item: HarnessItem, marker: string, fileName: string, content: Buffer, id?: { field: string; value: string }): ItemPlan {
	return {
		kind: 'ok',
		item,
		marker,
		check: async ([output]) => {
			if (id) expect(output.json[id.field]).toBe(id.value);
			expect(output.binary?.data.fileName).toBe(fileName);
			expect((await binaryStats(output.binary!.data)).sha256).toBe(createHash('sha256').update(content).digest('hex'));
		},
	};
}

function pairedIndex(output: INodeExecutionData): number | undefined {
	const paired = output.pairedItem;
	if (typeof paired === 'number') return paired;
	if (Array.isArray(paired)) return paired.length === 1 ? paired[0].item : undefined;
	return paired?.item;
}

/** Outputs grouped by the input index they are paired with; unpaired outputs fail the test. */
export function groupByInput(items: INodeExecutionData[], inputs: number): Map<number, INodeExecutionData[]> {
	const groups = new Map<number, INodeExecutionData[]>();
	for (const [position, output] of items.entries()) {
		const index = pairedIndex(output);
		expect({ position, pairedItem: output.pairedItem, valid: index !== undefined && index >= 0 && index < inputs }).toEqual({
			position,
			pairedItem: output.pairedItem,
			valid: true,
		});
		groups.set(index!, [...(groups.get(index!) ?? []), output]);
	}
	return groups;
}

/** Continue On Fail: every input paired to its outputs, in order, errors where planned, data where not. */
export async function expectAllPaired(result: RunNodeResult, plans: ItemPlan[]): Promise<CaseFigures> {
	expect(result.error).toBeUndefined();
	const groups = groupByInput(result.items, plans.length);
	// Outputs keep the order of their inputs.
	const order = result.items.map((output) => pairedIndex(output)!);
	expect(order).toEqual([...order].sort((a, b) => a - b));
	const lost = plans.map((_, index) => index).filter((index) => !groups.has(index));
	expect({ lost }).toEqual({ lost: [] });
	for (const [index, plan] of plans.entries()) {
		const outputs = groups.get(index) ?? [];
		const label = `item ${index} (${plan.kind})`;
		if (plan.kind === 'ok') {
			expect({ label, errors: outputs.filter((o) => o.json.error !== undefined).map((o) => o.json.error) }).toEqual({ label, errors: [] });
			expect({ label, outputs: outputs.length }).toEqual({ label, outputs: plan.outputs ?? 1 });
			await plan.check?.(outputs);
		} else {
			expect({ label, outputs: outputs.length }).toEqual({ label, outputs: 1 });
			const json = outputs[0].json as IDataObject;
			expect({ label, error: json.error }).toEqual({ label, error: expect.stringMatching(plan.error ?? /./) });
			if (plan.httpCode) expect({ label, httpCode: json.httpCode }).toEqual({ label, httpCode: plan.httpCode });
			if (plan.kind === 'input') expect({ label, httpCode: json.httpCode }).toEqual({ label, httpCode: undefined });
			else expect({ label, httpCode: typeof json.httpCode }).toEqual({ label, httpCode: 'string' });
			expect(outputs[0].binary).toBeUndefined();
		}
	}
	return { itemsIn: plans.length, itemsOut: result.items.length, lost: lost.length };
}

/**
 * The item list for a run that must stop at `failAt`: the planned list with every failing item
 * before it swapped for a working one (`replacement(index)`).
 */
export function stopPlans(plans: ItemPlan[], failAt: number, replacement: (index: number) => ItemPlan): ItemPlan[] {
	return plans.map((plan, index) => (index < failAt && plan.kind !== 'ok' ? replacement(index) : plan));
}

/** The parameters of a case, at Concurrency 1 (one item at a time). */
export function oneAtATime<T extends object>(parameters: T): T {
	const options = (parameters as { options?: object }).options ?? {};
	return { ...parameters, options: { ...options, concurrency: 1 } };
}

/**
 * Without Continue On Fail, several items at a time: the run failed with the error of the first
 * failed item, `failAt` (in its context and in n8n's run data), as one at a time would; every
 * item before it was sent. Later items may have been under way already, so they are not checked.
 */
export function expectFirstFailureNamed(result: RunNodeResult, plans: ItemPlan[], failAt: number, requestUrls: string[]): CaseFigures {
	const plan = plans[failAt];
	expect(result.items).toEqual([]);
	expect(result.error).toBeInstanceOf(plan.kind === 'input' ? NodeOperationError : NodeApiError);
	expect(result.error!.message).toMatch(plan.error ?? /./);
	expect((result.error as NodeApiError).context.itemIndex).toBe(failAt);
	const stored = result.run.data.resultData.error as unknown as { context?: IDataObject } | undefined;
	expect(stored?.context?.itemIndex).toBe(failAt);
	for (const [index, earlier] of plans.slice(0, failAt).entries()) {
		expect({ index, sent: requestUrls.some((url) => url.includes(earlier.marker)) }).toEqual({ index, sent: true });
	}
	return { lost: 0, note: `failed with item ${failAt}'s error (${plan.kind}) at the default concurrency; items 0..${failAt - 1} sent` };
}

/**
 * Without Continue On Fail, one item at a time: the run failed at `failAt` with that item's error
 * (index in its context and in n8n's run data), and no request went out for a later item.
 */
export function expectStoppedAt(result: RunNodeResult, plans: ItemPlan[], failAt: number, requestUrls: string[]): CaseFigures {
	const plan = plans[failAt];
	expect(result.items).toEqual([]);
	expect(result.error).toBeDefined();
	expect(result.error).toBeInstanceOf(plan.kind === 'input' ? NodeOperationError : NodeApiError);
	expect(result.error!.message).toMatch(plan.error ?? /./);
	expect((result.error as NodeApiError).context.itemIndex).toBe(failAt);
	const stored = result.run.data.resultData.error as unknown as { context?: IDataObject; message?: string } | undefined;
	expect(stored?.context?.itemIndex).toBe(failAt);
	const nodeRuns = result.run.data.resultData.runData['Node Under Test'] ?? [];
	expect((nodeRuns[0]?.error as unknown as { context?: IDataObject } | undefined)?.context?.itemIndex).toBe(failAt);

	for (const [index, later] of plans.entries()) {
		const sent = requestUrls.filter((url) => url.includes(later.marker));
		if (index > failAt || later.kind === 'input') {
			expect({ index, sent }).toEqual({ index, sent: [] });
		} else {
			expect({ index, sent: sent.length > 0 }).toEqual({ index, sent: true });
		}
	}
	// Nothing comes out of a stopped node, by design: the table's items in / out count Continue On
	// Fail runs only; this case's figure is the stop itself.
	return { lost: 0, note: `stopped at item ${failAt} of ${plans.length} (${plan.kind}), error names index ${failAt}, nothing sent for items ${failAt + 1}..${plans.length - 1}` };
}

export interface FirstFailureCases<P extends object> {
	/** As the cases are named: node and operation. */
	node: string;
	operation: string;
	/** The item where the first failure is, and what it is, e.g. [1, 'bad ID']. */
	failures: Array<[number, string]>;
	/** The six items of the Continue On Fail case; items before the failure are made good with `replacement`. */
	plans: () => ItemPlan[];
	replacement: (index: number) => ItemPlan;
	parameters: P;
	run: (parameters: P, plans: ItemPlan[], continueOnFail: boolean) => Promise<RunNodeResult>;
	/** Every URL the provider was asked for so far, and how many requests went through the proxy. */
	requestUrls: () => string[];
	attempts: () => number;
	/** More to check at Concurrency 1 (e.g. what the provider stored). */
	alsoOneAtATime?: (plans: ItemPlan[], failAt: number) => void;
}

/**
 * Without Continue On Fail, for each failure in `failures`: at Concurrency 1 the node stops at
 * that item, its error names it, and nothing is sent for later items; at the default concurrency
 * it fails with that item's error and every earlier item was sent (later ones may be under way).
 */
export function describeFirstFailure<P extends object>(cases: FirstFailureCases<P>): void {
	const meta = (failAt: number, what: string, how: string, expected: string): CaseMeta => ({
		category: 'items',
		node: cases.node,
		operation: cases.operation,
		name: `6 items, first failure at item ${failAt} (${what}); no Continue On Fail, ${how}`,
		expected,
	});
	describe.each(cases.failures)(`${cases.node} ${cases.operation.replace(/ \(.*\)$/, '')} without Continue On Fail, first failure at item %i`, (failAt, what) => {
		itCase(meta(failAt, what, 'Concurrency 1', `stops at item ${failAt}, error names it, nothing sent for later items`), async () => {
			const plans = stopPlans(cases.plans(), failAt, cases.replacement);
			const result = await cases.run(oneAtATime(cases.parameters), plans, false);
			const figures = expectStoppedAt(result, plans, failAt, cases.requestUrls());
			cases.alsoOneAtATime?.(plans, failAt);
			return { ...figures, attempts: cases.attempts() };
		});
		itCase(meta(failAt, what, 'default concurrency', `fails with item ${failAt}'s error, every earlier item sent`), async () => {
			const plans = stopPlans(cases.plans(), failAt, cases.replacement);
			const result = await cases.run(cases.parameters, plans, false);
			return { ...expectFirstFailureNamed(result, plans, failAt, cases.requestUrls()), attempts: cases.attempts() };
		});
	});
}

export interface ItemCases<P extends object> extends FirstFailureCases<P> {
	/** The Continue On Fail case over `plans()`, as the summary names it. */
	name: string;
	expected: string;
	/** How many requests met a fault: 5 for an item tried past the retries, 1 for one not repeated. */
	faulted: () => number;
	faultAttempts: number;
	/** More to check after the Continue On Fail run (e.g. what the provider stored). */
	alsoContinueOnFail?: () => void;
}

/**
 * The cases of one operation over six items: with Continue On Fail every input paired to its
 * outputs (expectAllPaired) and the fault item tried `faultAttempts` times; without it, the first
 * failure at each of `failures` (describeFirstFailure).
 */
export function describeItemCases<P extends object>(cases: ItemCases<P>): void {
	itCase({ category: 'items', node: cases.node, operation: cases.operation, name: cases.name, expected: cases.expected }, async () => {
		const plans = cases.plans();
		const result = await cases.run(cases.parameters, plans, true);
		const figures = await expectAllPaired(result, plans);
		const faulted = cases.faulted();
		expect(faulted).toBe(cases.faultAttempts);
		cases.alsoContinueOnFail?.();
		return { ...figures, attempts: cases.attempts(), note: faulted === 1 ? 'the fault item was sent once (not repeated)' : `the fault item was tried ${faulted} times` };
	});
	describeFirstFailure(cases);
}
