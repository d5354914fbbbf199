/** Options → Timeout, read for an item. */
import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

import { MAX_TIMEOUT_MS } from './constants';

/** Options > Timeout of the item, checked before anything is sent; undefined when not set. */
export function readTimeout(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
	const value = ctx.getNodeParameter('options.timeout', itemIndex, '') as unknown;
	if (value === undefined || value === null || value === '') return undefined;
	const ms = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
	if (!Number.isFinite(ms) || ms < 1 || ms > MAX_TIMEOUT_MS) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Invalid "Timeout": expected a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${JSON.stringify(value)}`,
			{ itemIndex },
		);
	}
	return Math.floor(ms);
}
