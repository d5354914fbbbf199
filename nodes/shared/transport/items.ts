/**
 * Running a node item by item: every output is paired with its input, and with "Continue On
 * Fail" a failed item becomes one error item in its place while the others go on.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executeOperation } from './executor';
import type { OperationSpec, ProviderSpec } from './types';

export async function runForEachItem(
	ctx: IExecuteFunctions,
	handler: (itemIndex: number) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const results = await handler(itemIndex);
			for (const result of results) output.push({ ...result, pairedItem: { item: itemIndex } });
		} catch (error) {
			const nodeError =
				error instanceof NodeApiError || error instanceof NodeOperationError
					? error
					: new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
			if (nodeError.context.itemIndex === undefined) nodeError.context.itemIndex = itemIndex;
			if (ctx.continueOnFail()) {
				const json: IDataObject = { error: nodeError.message };
				if (nodeError.description) json.description = nodeError.description;
				const httpCode = (nodeError as NodeApiError).httpCode;
				if (httpCode) json.httpCode = httpCode;
				output.push({ json, pairedItem: { item: itemIndex } });
				continue;
			}
			throw nodeError;
		}
	}
	return [output];
}

/** What one operation of a node does for one item, where its spec alone does not say it all. */
export type OperationHandler = (ctx: IExecuteFunctions, itemIndex: number) => Promise<INodeExecutionData[]>;

/**
 * One entry of a node's operation table: the spec of an operation that only runs it (the runner
 * performs it), or the handler of one that needs code beyond its spec.
 */
export type NodeOperation = OperationHandler | { spec: OperationSpec };

/** The value n8n gives the "Custom API Call" option it adds to Resource and Operation. */
const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

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

/** A node's `execute`: each item runs the operation its Operation parameter names, against `provider`. */
export async function runOperations(
	ctx: IExecuteFunctions,
	provider: ProviderSpec,
	operations: Record<string, NodeOperation>,
	customApiCall?: CustomApiCallHelp,
): Promise<INodeExecutionData[][]> {
	return await runForEachItem(ctx, async (itemIndex) => {
		const resource = ctx.getNodeParameter('resource', itemIndex, '') as string;
		const operation = ctx.getNodeParameter('operation', itemIndex, '') as string;
		if (customApiCall && (resource === CUSTOM_API_CALL || operation === CUSTOM_API_CALL)) {
			throw customApiCallError(ctx, itemIndex, customApiCall);
		}
		const entry = Object.prototype.hasOwnProperty.call(operations, operation) ? operations[operation] : undefined;
		if (!entry) {
			throw new NodeOperationError(ctx.getNode(), `The operation "${operation}" is not supported`, { itemIndex });
		}
		if (typeof entry === 'function') return await entry(ctx, itemIndex);
		return await executeOperation(ctx, provider, entry.spec, itemIndex);
	});
}
