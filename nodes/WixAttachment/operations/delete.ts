/**
 * Delete: removes one attachment from a contact. Its parameters (Contact, Attachment, Options) are
 * shared with other operations, so they are in description/index.ts.
 */
import type { OperationSpec } from '../../shared/transport';
import { attachmentIdField, attachmentNotFound, contactIdField } from '../provider';

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
