/**
 * Upload: sends the file as the raw request body, streamed from n8n's binary store, or (Source
 * "Text") the UTF-8 bytes of the Text parameter.
 * PUT adds an attachment; with "Replace Existing", POST replaces the one with the same name.
 * Every upload carries an Idempotency-Key (the user's, or one made for the item), so a retry
 * after a dropped connection cannot attach the file twice.
 */
import { randomUUID } from 'crypto';
import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executeOperation, validators } from '../../shared/transport';
import type { OperationSpec } from '../../shared/transport';
import { parentTypeByValue } from '../parentTypes';
import { XERO_DEFAULT_HOST, XERO_FILE_NAME_MAX, XERO_MAX_FILE_BYTES, parentIdField, parentPathField, xeroHost, xeroProvider } from '../provider';
import { attachmentsOf } from './getMany';

/** The upload, PUT (add) or POST (replace), refusing files over `maxBytes` before sending. */
function uploadOperation(method: 'PUT' | 'POST', maxBytes?: number): OperationSpec {
	return {
		method,
		path: '/{parentPath}/{parentId}/Attachments/{fileName}',
		fields: [
			parentPathField,
			parentIdField,
			{
				in: 'path',
				name: 'fileName',
				label: 'File Name',
				// The upload source already applied the File Name parameter over the binary's name.
				compute: ({ upload }) => upload?.fileName,
				required: true,
				validate: validators.fileName(XERO_FILE_NAME_MAX),
			},
			{
				in: 'query',
				name: 'IncludeOnline',
				// Xero's spec declares IncludeOnline on the PUT (add) only: a replacing POST never carries it.
				compute: ({ ctx, itemIndex }) => {
					if (method === 'POST') return undefined;
					const type = parentTypeByValue(ctx.getNodeParameter('resource', itemIndex) as string);
					if (!type?.includeOnline) return undefined;
					return ctx.getNodeParameter('options.includeOnline', itemIndex, false) ? 'true' : undefined;
				},
			},
			{
				in: 'header',
				name: 'Idempotency-Key',
				parameter: 'options.idempotencyKey',
				label: 'Idempotency Key',
				compute: () => randomUUID(),
				validate: (value) => (String(value).length > 128 ? 'it may be 128 characters at most' : undefined),
			},
		],
		// Options → File Name, then the main field it replaced (saved workflows; see the description).
		body: { kind: 'binary', binaryParameter: 'binaryPropertyName', fileNameParameter: ['options.fileName', 'fileName'], maxBytes },
		response: { kind: 'json', items: (body) => attachmentsOf(body) },
		idempotent: true,
	};
}

/** Xero's own limit applies on Xero's host; a base URL override (a sandbox, a proxy) sets its own. */
const operations = {
	xero: { PUT: uploadOperation('PUT', XERO_MAX_FILE_BYTES), POST: uploadOperation('POST', XERO_MAX_FILE_BYTES) },
	override: { PUT: uploadOperation('PUT'), POST: uploadOperation('POST') },
};

export async function uploadAttachment(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const replace = ctx.getNodeParameter('options.replace', itemIndex, false) as boolean;
	const host = (await xeroHost(ctx)) === XERO_DEFAULT_HOST ? 'xero' : 'override';
	const operation = operations[host][replace ? 'POST' : 'PUT'];
	const result = await executeOperation(ctx, xeroProvider, operation, itemIndex);
	if (result.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'Xero accepted the upload but returned no attachment record', { itemIndex });
	}
	return result;
}
