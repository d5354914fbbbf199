/**
 * Running a node item by item: every output is paired with its input, and with "Continue On
 * Fail" a failed item becomes one error item in its place while the others go on.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

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

/** What one operation of a node does for one item. */
export type OperationHandler = (ctx: IExecuteFunctions, itemIndex: number) => Promise<INodeExecutionData[]>;

/** A node's `execute`: each item runs the handler of its Operation parameter. */
export async function runOperations(
	ctx: IExecuteFunctions,
	handlers: Record<string, OperationHandler>,
): Promise<INodeExecutionData[][]> {
	return await runForEachItem(ctx, async (itemIndex) => {
		const operation = ctx.getNodeParameter('operation', itemIndex) as string;
		const handler = Object.prototype.hasOwnProperty.call(handlers, operation) ? handlers[operation] : undefined;
		if (!handler) {
			throw new NodeOperationError(ctx.getNode(), `The operation "${operation}" is not supported`, { itemIndex });
		}
		return await handler(ctx, itemIndex);
	});
}
