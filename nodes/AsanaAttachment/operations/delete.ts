/** Delete: removes one attachment; outputs `{ deleted: true }`. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executeOperation } from '../../shared/transport';
import type { OperationSpec } from '../../shared/transport';
import { asanaProvider, attachmentIdField } from '../provider';

export const deleteAttachmentOperation: OperationSpec = {
	method: 'DELETE',
	path: '/attachments/{attachmentId}',
	fields: [attachmentIdField],
	response: { kind: 'static', value: { deleted: true } },
	idempotent: true,
};

export async function deleteAttachment(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	return await executeOperation(ctx, asanaProvider, deleteAttachmentOperation, itemIndex);
}
