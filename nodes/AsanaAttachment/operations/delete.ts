/** Delete: removes one attachment; outputs `{ deleted: true }`. */
import type { OperationSpec } from '../../shared/transport';
import { attachmentIdField, attachmentNotFound } from '../provider';

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
