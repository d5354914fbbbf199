/** Delete: removes one attachment from a contact. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executeOperation } from '../../shared/transport';
import type { OperationSpec } from '../../shared/transport';
import { attachmentIdField, attachmentNotFound, contactIdField, wixProvider } from '../provider';

export const deleteAttachmentOperation: OperationSpec = {
	method: 'DELETE',
	path: '/contacts/v4/attachments/{contactId}/{attachmentId}',
	fields: [contactIdField, attachmentIdField],
	// Wix answers `{}`.
	response: { kind: 'static', value: { deleted: true } },
	idempotent: true,
	// Repeated after a lost answer, a delete that finds nothing left has done its job.
	missingOnRetryMeansDone: true,
	notFound: attachmentNotFound,
};

export async function deleteAttachment(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	return await executeOperation(ctx, wixProvider, deleteAttachmentOperation, itemIndex);
}
