/** Delete: `POST /v2/apps/{appId}/attachments/remove` with `{ "mediaUrl": … }`. */
import type { INodeProperties } from 'n8n-workflow';

import { forOperation } from '../../shared/description';
import type { OperationSpec } from '../../shared/transport';
import { appIdField } from '../provider';

/** Besides App and Options, which several operations show (see description/index.ts). */
export const description: INodeProperties[] = forOperation({ operation: ['delete'] }, [
	{
		displayName: 'Media URL',
		name: 'mediaUrl',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. https://acme.zendesk.com/sc/attachments/v2/01JK699PBZ645YAFJW2RF45F0B/invoice.pdf',
		description: 'The mediaUrl the upload returned',
	},
]);

export function httpUrl(value: unknown): string | undefined {
	if (typeof value !== 'string') return 'expected text';
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return `"${value}" is not a URL (expected the mediaUrl an upload returned, e.g. https://acme.zendesk.com/sc/attachments/v2/…/file.pdf)`;
	}
	return url.protocol === 'https:' || url.protocol === 'http:' ? undefined : `"${value}" is not an http(s) URL`;
}

export const deleteAttachmentOperation: OperationSpec = {
	method: 'POST',
	path: '/v2/apps/{appId}/attachments/remove',
	fields: [appIdField, { in: 'body', name: 'mediaUrl', parameter: 'mediaUrl', label: 'Media URL', required: true, validate: httpUrl }],
	body: { kind: 'json' },
	response: { kind: 'static', value: { deleted: true } },
	// Removing the same file again changes nothing.
	idempotent: true,
	// Repeated after a lost answer, a delete that finds nothing left has done its job.
	missingOnRetryMeansDone: true,
};
