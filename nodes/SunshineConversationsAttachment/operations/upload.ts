/**
 * Upload: `POST /v2/apps/{appId}/attachments?access=public[&for=message][&conversationId=…]`, the
 * file streamed from n8n's binary store as the multipart field `source`. Outputs the `mediaUrl`
 * to send in a message and the `mediaType` Sunshine recognised.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { fileNameOption, forOperation, inputBinaryField, optionsCollection, textUploadFields, timeoutOption, uploadSourceField, urlUploadFields } from '../../shared/description';
import { executeOperation } from '../../shared/transport';
import type { OperationSpec } from '../../shared/transport';
import { SUNSHINE_MAX_FILE_BYTES, appIdField, sunshineId, sunshineProvider } from '../provider';

/** Besides App, which every operation shows (see description/index.ts). */
export const description: INodeProperties[] = forOperation({ operation: ['upload'] }, [
	uploadSourceField(),
	{
		...inputBinaryField({ show: { source: ['binary'] } }),
		hint: 'The name of the input binary field containing the file to upload (50 MB at most)',
	},
	...textUploadFields({}, '50 MB at most'),
	...urlUploadFields({}, '50 MB at most'),
	optionsCollection([
		{
			displayName: 'Access',
			name: 'access',
			type: 'options',
			options: [{ name: 'Public', value: 'public' }],
			default: 'public',
			description: 'Who may open the media URL. Public is the only level the API supports.',
		},
		{
			displayName: 'Conversation ID',
			name: 'conversationId',
			type: 'string',
			default: '',
			placeholder: 'e.g. c616a583e4c240a871818541',
			description: 'The conversation the file is linked to',
		},
		fileNameOption("Name to upload the file under. Leave empty to use the file's own name.", 'e.g. invoice.pdf'),
		{
			displayName: 'For',
			name: 'for',
			type: 'options',
			options: [{ name: 'Message', value: 'message' }],
			default: 'message',
			description:
				'What the file will be sent in. With Message, Sunshine deletes the file when the message, its conversation or its user is deleted.',
		},
		timeoutOption,
	]),
]);

function attachmentOf(body: unknown): IDataObject | undefined {
	const attachment = (body as { attachment?: unknown } | undefined)?.attachment;
	return typeof attachment === 'object' && attachment !== null ? (attachment as IDataObject) : undefined;
}

export const uploadAttachmentOperation: OperationSpec = {
	method: 'POST',
	path: '/v2/apps/{appId}/attachments',
	fields: [
		appIdField,
		{
			in: 'query',
			name: 'access',
			parameter: 'options.access',
			label: 'Access',
			// Required by the API; public is the only level it supports.
			compute: () => 'public',
			required: true,
			validate: (value) => (value === 'public' ? undefined : `"${String(value)}" is not supported, only "public"`),
		},
		{
			in: 'query',
			name: 'for',
			parameter: 'options.for',
			label: 'For',
			validate: (value) => (value === 'message' ? undefined : `"${String(value)}" is not supported, only "message"`),
		},
		{
			in: 'query',
			name: 'conversationId',
			parameter: 'options.conversationId',
			label: 'Conversation ID',
			validate: sunshineId('c616a583e4c240a871818541'),
		},
	],
	body: {
		kind: 'multipart',
		fileField: 'source',
		binaryParameter: 'binaryPropertyName',
		fileNameParameter: 'options.fileName',
		maxBytes: SUNSHINE_MAX_FILE_BYTES,
	},
	response: {
		kind: 'json',
		items: (body) => {
			const attachment = attachmentOf(body);
			return attachment ? [{ mediaUrl: attachment.mediaUrl, mediaType: attachment.mediaType }] : [];
		},
	},
	// A retry after a lost answer could store the file twice: only retried when nothing was stored (429).
	idempotent: false,
};

export async function uploadAttachment(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const result = await executeOperation(ctx, sunshineProvider, uploadAttachmentOperation, itemIndex);
	if (result.length === 0 || typeof result[0].json.mediaUrl !== 'string') {
		throw new NodeOperationError(ctx.getNode(), 'Sunshine Conversations accepted the upload but returned no mediaUrl', { itemIndex });
	}
	return result;
}
