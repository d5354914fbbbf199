/**
 * Get: downloads one attachment, by ID or by file name, into a binary field.
 * Xero wants the file's MIME type in a `contentType` request header; unless the user gives it,
 * it is read from the document's attachment listing, which also gives the name and size.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { forOperation, mimeTypeParameter, optionsCollection, outputBinaryField, textContentOptions, timeoutOption } from '../../shared/description';
import { executeOperation, validators } from '../../shared/transport';
import type { OperationSpec } from '../../shared/transport';
import { XERO_FILE_NAME_MAX, attachmentNotFound, parentIdField, parentPathField, xeroProvider } from '../provider';
import { listAttachments } from './getMany';

/** Besides Organization and the document's ID, which every operation shows (see description/index.ts). */
export const description: INodeProperties[] = forOperation({ operation: ['get'] }, [
	{
		displayName: 'Get By',
		name: 'getBy',
		type: 'options',
		options: [
			{ name: 'Attachment ID', value: 'attachmentId' },
			{ name: 'File Name', value: 'fileName' },
		],
		default: 'attachmentId',
		description: 'How to identify the attachment',
	},
	{
		displayName: 'Attachment ID',
		name: 'attachmentId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 9808ad7f-c8d4-41cf-995e-bc29cb76fd2c',
		description: 'The ID of the attachment, as Get Many returns it in AttachmentID',
		displayOptions: { show: { getBy: ['attachmentId'] } },
	},
	{
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. receipt.pdf',
		description: 'The exact file name of the attachment',
		displayOptions: { show: { getBy: ['fileName'] } },
	},
	outputBinaryField(),
	optionsCollection([
		textContentOptions[0],
		mimeTypeParameter(
			"The MIME type of the attachment, which Xero requires on downloads. Leave empty to look it up in the document's attachment list (one more request).",
		),
		textContentOptions[1],
		timeoutOption,
	]),
]);

function downloadOperation(by: 'attachmentId' | 'fileName'): OperationSpec {
	return {
		method: 'GET',
		path: `/{parentPath}/{parentId}/Attachments/{${by}}`,
		fields: [
			parentPathField,
			parentIdField,
			by === 'attachmentId'
				? { in: 'path', name: 'attachmentId', parameter: 'attachmentId', label: 'Attachment ID', required: true, validate: validators.guid }
				: {
						in: 'path',
						name: 'fileName',
						parameter: 'fileName',
						label: 'File Name',
						required: true,
						validate: validators.fileName(XERO_FILE_NAME_MAX),
					},
			{ in: 'header', name: 'contentType', parameter: 'options.mimeType', label: 'MIME Type', required: true },
		],
		response: {
			kind: 'binary',
			outputParameter: 'binaryPropertyName',
			fallback: ({ values }) => {
				const record = values.record as IDataObject | undefined;
				return {
					fileName: (record?.FileName as string | undefined) ?? (values.fileName as string | undefined),
					mimeType: values.contentType as string,
					size: typeof record?.ContentLength === 'number' ? record.ContentLength : undefined,
				};
			},
			json: ({ values }) =>
				(values.record as IDataObject | undefined) ?? {
					FileName: values.fileName as string | undefined,
					MimeType: values.contentType as string,
				},
			textContent: true,
		},
		idempotent: true,
		notFound: attachmentNotFound,
	};
}

export const downloadById = downloadOperation('attachmentId');
export const downloadByFileName = downloadOperation('fileName');

export async function getAttachment(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const by = ctx.getNodeParameter('getBy', itemIndex, 'attachmentId') as 'attachmentId' | 'fileName';
	const operation = by === 'fileName' ? downloadByFileName : downloadById;
	const mimeType = String(ctx.getNodeParameter('options.mimeType', itemIndex, '') ?? '').trim();
	if (mimeType) return await executeOperation(ctx, xeroProvider, operation, itemIndex);

	// No MIME type given: find the attachment in the listing (validating the key first).
	const key = String(ctx.getNodeParameter(by, itemIndex, '') ?? '').trim();
	const keyProblem =
		key === '' ? 'is required' : by === 'attachmentId' ? validators.guid(key) : validators.fileName(XERO_FILE_NAME_MAX)(key);
	if (keyProblem) {
		const label = by === 'attachmentId' ? 'Attachment ID' : 'File Name';
		throw new NodeOperationError(
			ctx.getNode(),
			key === '' ? `The parameter "${label}" is required` : `Invalid "${label}": ${keyProblem}`,
			{ itemIndex },
		);
	}
	const listed = await executeOperation(ctx, xeroProvider, listAttachments, itemIndex);
	const record = listed
		.map((item) => item.json)
		.find((attachment) =>
			by === 'attachmentId'
				? String(attachment.AttachmentID).toLowerCase() === key.toLowerCase()
				: attachment.FileName === key,
		);
	if (!record) {
		const names = listed.map((item) => `"${String(item.json.FileName)}"`).join(', ');
		throw new NodeOperationError(
			ctx.getNode(),
			`No attachment with ${by === 'attachmentId' ? 'ID' : 'file name'} "${key}" on this document`,
			{ itemIndex, description: names ? `Its attachments: ${names}.` : 'The document has no attachments.' },
		);
	}
	return await executeOperation(ctx, xeroProvider, operation, itemIndex, {
		values: { contentType: String(record.MimeType ?? 'application/octet-stream'), record },
	});
}
