/**
 * Upload (a binary field's file, the file at the File URL, or with Source "Text" the Text parameter's UTF-8 bytes), in Wix's two steps: Generate Attachment Upload Url announces the file (name and MIME
 * type, both checked first), then the file is streamed with PUT to the URL Wix returned, with
 * `?filename=` and the file's MIME type as Content-Type. The upload URL carries its own
 * authorization, so no Wix credential is sent there; it may serve only once, so that PUT is
 * not repeated after a failure the server may have acted on.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { fileNameOption, forOperation, inputBinaryField, mimeTypeParameter, optionsCollection, textUploadFields, timeoutOption, uploadSourceField, urlUploadFields } from '../../shared/description';
import { executeOperation, resolveUploadSource, uploadsFromText, validators } from '../../shared/transport';
import type { FieldSpec, OperationSpec, UploadSource } from '../../shared/transport';
import { essence, supportedMimeType } from '../mimeTypes';
import { WIX_FILE_NAME_MAX, contactIdField, contactNotFound, wixProvider } from '../provider';

/** Besides Contact (see description/index.ts). */
export const description: INodeProperties[] = forOperation({ resource: ['contactAttachment'], operation: ['upload'] }, [
	uploadSourceField(),
	inputBinaryField({ show: { source: ['binary'] } }),
	...textUploadFields({}, 'Wix takes CSV among text types: name the file .csv or set MIME Type text/csv'),
	...urlUploadFields({}, 'PDF, CSV, Word, Excel, PowerPoint and most image types'),
	optionsCollection([
		fileNameOption(
			"Name to give the attachment (1 to 260 characters, with its extension). Leave empty to use the file's own name.",
			'e.g. signed-contract.pdf',
		),
		mimeTypeParameter(
			"The file's type, if its binary field has none or a wrong one. Wix takes PDF, CSV, Word, Excel, PowerPoint and most image types.",
			{ show: { '/source': ['binary', 'url'] } },
		),
		timeoutOption,
	]),
]);

const fileNameField: FieldSpec = {
	in: 'body',
	name: 'fileName',
	label: 'File Name',
	compute: ({ upload }) => upload?.fileName,
	required: true,
	validate: validators.fileName(WIX_FILE_NAME_MAX),
};

const mimeTypeField: FieldSpec = {
	in: 'body',
	name: 'mimeType',
	label: 'MIME Type',
	compute: ({ upload }) => upload?.mimeType,
	required: true,
	validate: supportedMimeType,
};

export const generateUploadUrl: OperationSpec = {
	method: 'POST',
	path: '/contacts/v4/attachments/{contactId}/upload-url',
	// The SDK sends the contact ID in the body as well as in the path.
	fields: [contactIdField, { ...contactIdField, in: 'body' }, fileNameField, mimeTypeField],
	body: { kind: 'json' },
	response: { kind: 'json' },
	// Asking again only makes another URL.
	idempotent: true,
	notFound: contactNotFound,
};

export const sendFileToUploadUrl: OperationSpec = {
	method: 'PUT',
	// The URL is the one Wix returned (see `url`).
	path: '',
	url: ({ values }) => String(values.uploadUrl),
	fields: [{ in: 'query', name: 'filename', label: 'File Name', compute: ({ upload }) => upload?.fileName, required: true }],
	body: { kind: 'binary', binaryParameter: 'binaryPropertyName' },
	response: {
		kind: 'json',
		// Wix documents no body for this PUT: whatever comes back (or nothing) is not an error.
		acceptsText: true,
		items: (body, { upload, values }) =>
			body && typeof body === 'object' && Object.keys(body).length > 0
				? [body as IDataObject]
				: // Nothing came back: say what was sent.
					[{ contactId: values.contactId as string, fileName: upload?.fileName, mimeType: upload?.mimeType, size: upload?.size }],
	},
	idempotent: false,
	anonymous: true,
	target: 'the upload URL Wix returned',
};

export async function uploadAttachment(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const fileName = ctx.getNodeParameter('options.fileName', itemIndex, '') as unknown;
	const mimeType = ctx.getNodeParameter('options.mimeType', itemIndex, '') as unknown;
	const source = await resolveUploadSource(ctx, itemIndex, {
		binaryParameter: 'binaryPropertyName',
		fileName: typeof fileName === 'string' ? fileName : undefined,
		providerName: wixProvider.displayName,
		credentialType: wixProvider.credentialType(ctx, itemIndex),
	});
	// Options → MIME Type corrects a binary's (or a fetched file's) type; a text's type is its own MIME Type parameter.
	const override = !uploadsFromText(ctx, itemIndex) && typeof mimeType === 'string' && mimeType.trim() !== '';
	const given = override ? (mimeType as string) : source.mimeType;
	const file: UploadSource = { ...source, mimeType: essence(given) };

	const [announced] = await executeOperation(ctx, wixProvider, generateUploadUrl, itemIndex, { upload: file });
	const uploadUrl = announced?.json.uploadUrl;
	if (typeof uploadUrl !== 'string' || uploadUrl.trim() === '') {
		throw new NodeOperationError(ctx.getNode(), 'Wix answered without an upload URL for the file', { itemIndex });
	}
	const contactId = ctx.getNodeParameter('contactId', itemIndex, '', { extractValue: true }) as string;
	return await executeOperation(ctx, wixProvider, sendFileToUploadUrl, itemIndex, {
		upload: file,
		values: { uploadUrl: uploadUrl.trim(), contactId: String(contactId).trim() },
	});
}
