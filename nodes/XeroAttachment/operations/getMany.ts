/** Get Many: the attachments of one document, as JSON items. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executeOperation } from '../../shared/transport';
import type { OperationSpec } from '../../shared/transport';
import { parentIdField, parentPathField, xeroProvider } from '../provider';

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
};

export async function getManyAttachments(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	return await executeOperation(ctx, xeroProvider, listAttachments, itemIndex);
}
