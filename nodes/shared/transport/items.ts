/**
 * Running a node's items, several at a time (Options → Concurrency): every output is paired with
 * its input and the outputs keep the order of the inputs, however the answers arrive. With
 * "Continue On Fail" a failed item becomes one error item in its place while the others go on;
 * without it, no new item starts once one failed, the ones under way finish, and the node fails
 * with the error of the first failed item (the same error a run one item at a time would give).
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { CUSTOM_API_CALL_VALUE } from './constants';
import type { ConcurrencySpec } from './constants';

import { executeOperation } from './executor';
import { endItem, runContext } from './run';
import { protectError, protectOutput } from './secrets';
import type { OperationSpec, ProviderSpec } from './types';

function asNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	const nodeError =
		error instanceof NodeApiError || error instanceof NodeOperationError
			? error
			: new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
	if (nodeError.context.itemIndex === undefined) nodeError.context.itemIndex = itemIndex;
	return nodeError;
}

function errorItem(nodeError: NodeApiError | NodeOperationError, itemIndex: number): INodeExecutionData {
	const json: IDataObject = { error: nodeError.message };
	if (nodeError.description) json.description = nodeError.description;
	const httpCode = (nodeError as NodeApiError).httpCode;
	if (httpCode) json.httpCode = httpCode;
	return { json, pairedItem: { item: itemIndex } };
}

/**
 * Runs `handler` for every input item, at most `concurrency` at once (each item's requests go
 * one after another, so that is also the most requests, and upload streams, in flight).
 */
export async function runForEachItem(
	ctx: IExecuteFunctions,
	handler: (itemIndex: number) => Promise<INodeExecutionData[]>,
	concurrency = 1,
): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const results: INodeExecutionData[][] = new Array(items.length);
	let next = 0;
	// The first failed item (lowest index) when Continue On Fail is off; set by the workers.
	const state: { failed?: { itemIndex: number; error: NodeApiError | NodeOperationError } } = {};
	const cancel = (ctx as { getExecutionCancelSignal?: () => AbortSignal | undefined }).getExecutionCancelSignal?.();
	const fail = (itemIndex: number, error: NodeApiError | NodeOperationError) => {
		if (!state.failed || itemIndex < state.failed.itemIndex) state.failed = { itemIndex, error };
	};
	const worker = async () => {
		while (!state.failed && !cancel?.aborted && next < items.length) {
			const itemIndex = next++;
			try {
				const outputs = await handler(itemIndex);
				results[itemIndex] = outputs.map((result) => ({ ...result, pairedItem: { item: itemIndex } }));
			} catch (error) {
				const nodeError = asNodeError(ctx, error, itemIndex);
				if (ctx.continueOnFail()) {
					results[itemIndex] = [errorItem(nodeError, itemIndex)];
				} else {
					fail(itemIndex, nodeError);
				}
			} finally {
				endItem(ctx, itemIndex);
			}
		}
	};
	const workers = Math.max(1, Math.min(Math.floor(concurrency) || 1, items.length));
	await Promise.all(Array.from({ length: workers }, worker));
	if (state.failed) throw state.failed.error;
	if (next < items.length) throw new NodeOperationError(ctx.getNode(), 'The execution was cancelled before every item was processed');
	return [results.flatMap((outputs) => outputs ?? [])];
}

/**
 * Options → Concurrency of the run (read from the first item: it is one setting of the node),
 * checked against what the provider allows for the operation; its default when not set.
 */
export function readConcurrency(ctx: IExecuteFunctions, spec: ConcurrencySpec | undefined): number {
	const items = ctx.getInputData();
	if (!spec || items.length <= 1) return 1;
	const operation = ctx.getNodeParameter('operation', 0, '') as unknown;
	const limit = (typeof operation === 'string' && spec.byOperation?.[operation]) || spec.other;
	const value = ctx.getNodeParameter('options.concurrency', 0, '') as unknown;
	if (value === undefined || value === null || value === '') return limit.default;
	const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
	if (!Number.isInteger(number) || number < 1 || number > limit.max) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Invalid "Concurrency": expected a whole number from 1 to ${limit.max}, got ${JSON.stringify(value)}`,
			{ itemIndex: 0, description: spec.limit },
		);
	}
	return number;
}

/** What one operation of a node does for one item, where its spec alone does not say it all. */
export type OperationHandler = (ctx: IExecuteFunctions, itemIndex: number) => Promise<INodeExecutionData[]>;

/**
 * One entry of a node's operation table: the spec of an operation that only runs it (the runner
 * performs it), or the handler of one that needs code beyond its spec.
 */
export type NodeOperation = OperationHandler | { spec: OperationSpec };

/** Who the node talks to, for the answer to "Custom API Call". */
export interface CustomApiCallHelp {
	/** The service, e.g. "Xero". */
	service: string;
	/** Display names of the node's credential types. */
	credentials: string[];
}

/**
 * n8n offers "Custom API Call" on every node whose credential can sign other requests; the call
 * itself is made by an HTTP Request node with that credential, never by this node.
 */
function customApiCallError(ctx: IExecuteFunctions, itemIndex: number, help: CustomApiCallHelp): NodeOperationError {
	const names = help.credentials.map((name) => `"${name}"`).join(' or ');
	return new NodeOperationError(ctx.getNode(), `Custom API Call is made with the HTTP Request node, not with this node`, {
		itemIndex,
		description: `To call any ${help.service} endpoint, add an HTTP Request node, set Authentication to "Predefined Credential Type", choose the credential type ${names} and pick the same credential as this node: n8n signs the request with it. Here, choose one of this node's own operations.`,
	});
}

/**
 * A node's `execute`: each item runs the operation its Operation parameter names, against
 * `provider`, as many at once as Options → Concurrency says (within `concurrency`, the
 * provider's limits; one at a time without). Parameters are read through the run's context
 * (run.ts): once per run when they hold no expression, once per item when they do.
 */
export async function runOperations(
	node: IExecuteFunctions,
	provider: ProviderSpec,
	operations: Record<string, NodeOperation>,
	customApiCall?: CustomApiCallHelp,
	concurrency?: ConcurrencySpec,
): Promise<INodeExecutionData[][]> {
	const ctx = runContext(node);
	return await runForEachItem(ctx, async (itemIndex) => {
		const resource = ctx.getNodeParameter('resource', itemIndex, '') as string;
		const operation = ctx.getNodeParameter('operation', itemIndex, '') as string;
		if (customApiCall && (resource === CUSTOM_API_CALL_VALUE || operation === CUSTOM_API_CALL_VALUE)) {
			throw customApiCallError(ctx, itemIndex, customApiCall);
		}
		const entry = Object.prototype.hasOwnProperty.call(operations, operation) ? operations[operation] : undefined;
		if (!entry) {
			throw new NodeOperationError(ctx.getNode(), `The operation "${operation}" is not supported`, { itemIndex });
		}
		const run = typeof entry === 'function' ? entry(ctx, itemIndex) : executeOperation(ctx, provider, entry.spec, itemIndex);
		const done = await run.then(
			(outputs) => ({ outputs }),
			(error: unknown) => ({ error: asNodeError(ctx, error, itemIndex) }),
		);
		// What leaves the node carries none of the credential's secrets (secrets.ts).
		if ('error' in done) throw await protectError(ctx, provider, itemIndex, done.error);
		return await protectOutput(ctx, provider, itemIndex, done.outputs);
	}, readConcurrency(ctx, concurrency));
}
