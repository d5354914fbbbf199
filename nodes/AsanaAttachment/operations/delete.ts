/** Delete: removes one attachment; outputs `{ deleted: true }`. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executeOperation } from '../../shared/transport';
import type { OperationSpec } from '../../shared/transport';
import { asanaProvider, attachmentIdField, attachmentNotFound } from '../provider';

export const deleteAttachmentOperation: OperationSpec = {
	method: 'DELETE',
	path: '/attachments/{attachmentId}',
	fields: [attachmentIdField],
	response: { kind: 'static', value: { deleted: true } },
	idempotent: true,
	// Repeated after a lost answer, a delete that finds nothing left has done its job.
	missingOnRetryMeansDone: true,
	notFound: attachmentNotFound,
};

export async function deleteAttachment(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	return await executeOperation(ctx, asanaProvider, deleteAttachmentOperation, itemIndex);
}
