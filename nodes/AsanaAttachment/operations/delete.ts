/** Delete: removes one attachment; outputs `{ deleted: true }`. */
import type { INodeProperties } from 'n8n-workflow';

import { forOperation, timeoutOnlyOptions } from '../../shared/description';
import type { OperationSpec } from '../../shared/transport';
import { attachmentIdField, attachmentNotFound } from '../provider';

/** Besides Parent and Attachment, which Get and Delete show (see description/index.ts). */
export const description: INodeProperties[] = forOperation({ operation: ['delete'] }, [timeoutOnlyOptions()]);

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
