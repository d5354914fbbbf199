/**
 * Get: one attachment record; with "Download File", also the file itself, fetched from the
 * media URL the record gives (a storage host: no Wix credential goes there) and stored under
 * the record's file name and MIME type.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { forOperation, optionsCollection, outputBinaryField, textContentOptions, timeoutOption } from '../../shared/description';
import { executeOperation, recordFileDownload } from '../../shared/transport';
import type { OperationSpec } from '../../shared/transport';
import { attachmentIdField, attachmentNotFound, contactIdField, wixProvider } from '../provider';

/** Besides Contact and Attachment, which Delete shows too (see description/index.ts). */
export const description: INodeProperties[] = forOperation({ resource: ['contactAttachment'], operation: ['get'] }, [
	{
		displayName: 'Download File',
		name: 'download',
		type: 'boolean',
		default: false,
		description: 'Whether to download the file into a binary field, named and typed as the attachment record says',
	},
	outputBinaryField({ show: { download: [true] } }),
	optionsCollection([
		...textContentOptions.map((option) => ({ ...option, displayOptions: { show: { '/download': [true] } } })),
		timeoutOption,
	]),
]);

export const getAttachmentRecord: OperationSpec = {
	method: 'GET',
	path: '/contacts/v4/attachments/{contactId}/{attachmentId}',
	fields: [contactIdField, attachmentIdField],
	response: {
		kind: 'json',
		items: (body) => {
			const attachment = (body as { attachment?: IDataObject } | undefined)?.attachment;
			return attachment && typeof attachment === 'object' ? [attachment] : [];
		},
	},
	idempotent: true,
	notFound: attachmentNotFound,
};

/** The file behind a record: `values.mediaUrl`, named and typed by `values.record`. */
export const downloadAttachmentFile = recordFileDownload({
	target: 'the file URL Wix returned',
	fields: { fileName: 'fileName', mimeType: 'mimeType' },
	// Wix's media host names files by media ID: the record's name and type are the file's.
	authoritative: true,
	textContent: true,
});

/** `wix:image://v1/<media ID>/<name>#…`, as some Wix APIs give images, on Wix's static media host. */
function httpUrl(url: string): string {
	const media = /^wix:image:\/\/v1\/([^/?#]+)/i.exec(url);
	return media ? `https://static.wixstatic.com/media/${media[1]}` : url;
}

/** The URL of the file: the image's for an IMAGE attachment, else the document's. */
export function mediaUrlOf(record: IDataObject): string | undefined {
	const image = record.image as IDataObject | undefined;
	const document = record.document as IDataObject | undefined;
	const candidates = record.attachmentType === 'IMAGE' ? [image, document] : [document, image];
	for (const candidate of candidates) {
		const url = typeof candidate?.url === 'string' ? candidate.url.trim() : '';
		if (url) return httpUrl(url);
	}
	return undefined;
}

export async function getAttachment(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const [attachment] = await executeOperation(ctx, wixProvider, getAttachmentRecord, itemIndex);
	if (!attachment) {
		throw new NodeOperationError(ctx.getNode(), 'Wix answered without the attachment record', { itemIndex });
	}
	if (!(ctx.getNodeParameter('download', itemIndex, false) as boolean)) return [attachment];

	const record = attachment.json;
	const mediaUrl = mediaUrlOf(record);
	if (!mediaUrl) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Wix gives no file URL for the attachment "${String(record.fileName ?? record.id)}"`,
			{ itemIndex, description: 'The record has neither an image nor a document URL, so there is nothing to download.' },
		);
	}
	return await executeOperation(ctx, wixProvider, downloadAttachmentFile, itemIndex, { values: { record, url: mediaUrl } });
}
