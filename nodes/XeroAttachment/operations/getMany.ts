/** Get Many: the attachments of one document, as JSON items. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { forOperation, returnAllAndLimit, timeoutOnlyOptions } from '../../shared/description';
import { executeOperation } from '../../shared/transport';
import type { OperationSpec } from '../../shared/transport';
import { parentTypeByValue } from '../parentTypes';
import { documentNotFound, parentIdField, parentPathField, xeroProvider } from '../provider';

/** Besides Organization and the document's ID, which every operation shows (see description/index.ts). */
export const description: INodeProperties[] = forOperation({ operation: ['getAll'] }, [...returnAllAndLimit(), timeoutOnlyOptions()]);

export function attachmentsOf(body: unknown): IDataObject[] {
	const attachments = (body as { Attachments?: IDataObject[] } | undefined)?.Attachments;
	return Array.isArray(attachments) ? attachments : [];
}

export const listAttachments: OperationSpec = {
	method: 'GET',
	path: '/{parentPath}/{parentId}/Attachments',
	fields: [parentPathField, parentIdField],
	// Xero returns a document's attachments (10 at most) in one response: no pages to follow.
	response: { kind: 'list', items: attachmentsOf },
	idempotent: true,
	notFound: documentNotFound,
};

export async function getManyAttachments(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const items = await executeOperation(ctx, xeroProvider, listAttachments, itemIndex);
	if (items.length === 0) {
		// An empty list is a fine answer (n8n's "Always Output Data" makes it an item). An ID that
		// matches no document is Xero's 404 instead (documentNotFound).
		const kind = parentTypeByValue(ctx.getNodeParameter('resource', itemIndex) as string)?.name.toLowerCase() ?? 'document';
		const id = String(ctx.getNodeParameter('parentId', itemIndex, '')).trim();
		ctx.addExecutionHints({ message: `Xero listed no attachments for ${kind} ${id}: the ${kind} has none.`, location: 'outputPane' });
	}
	return items;
}
