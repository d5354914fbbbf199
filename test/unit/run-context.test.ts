/**
 * The run's parameter reads (nodes/shared/transport/run.ts) handed out again: a caller that changes
 * the object it got changes no later read, the first read's included. (How many reads reach n8n is
 * test/nodes/per-run-reads.test.ts, through n8n's real execution code.)
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { runContext } from '../../nodes/shared/transport/run';

/** n8n's getNodeParameter for one parameter without an expression: a fresh object on every read, as n8n resolves it anew. */
function contextWith(value: Record<string, unknown>): { ctx: IExecuteFunctions; reads: () => number } {
	let reads = 0;
	const ctx = {
		getNodeParameter: (_name: string, _itemIndex: number, _fallback?: unknown, options?: { rawExpressions?: boolean }) => {
			if (!options?.rawExpressions) reads++;
			return structuredClone(value);
		},
		getNode: () => ({ name: 'node' }),
	} as unknown as IExecuteFunctions;
	return { ctx, reads: () => reads };
}

it('reads a constant parameter once, and what a caller changes in its copy no later read sees', () => {
	const { ctx, reads } = contextWith({ __rl: true, mode: 'id', value: 'abc' });
	const run = runContext(ctx);
	const first = run.getNodeParameter('parent', 0) as { value: string };
	first.value = 'changed by the first caller';
	const second = run.getNodeParameter('parent', 1) as { value: string };
	expect(second).toEqual({ __rl: true, mode: 'id', value: 'abc' });
	second.value = 'changed by the second caller';
	expect(run.getNodeParameter('parent', 2)).toEqual({ __rl: true, mode: 'id', value: 'abc' });
	expect(reads()).toBe(1);
});
