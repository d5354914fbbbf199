/**
 * Get: the attachment record, and with "Download File" the file itself. The record's
 * `download_url` is a short-lived pre-signed URL of Asana's storage: it is fetched without the
 * Asana credential, and read again once when it has expired (403) by the time it is used.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { forOperation, optionsCollection, outputBinaryField, textContentOptions, timeoutOption } from '../../shared/description';
import { executeOperation, recordFileDownload } from '../../shared/transport';
import type { OperationSpec } from '../../shared/transport';
import { asanaProvider, attachmentIdField, attachmentNotFound, fieldsOption, optFieldsField } from '../provider';
import { dataRecord, forAgents } from './records';

/** Besides Parent and Attachment, which Get and Delete show (see description/index.ts). */
export const description: INodeProperties[] = forOperation({ operation: ['get'] }, [
	{
		displayName: 'Download File',
		name: 'download',
		type: 'boolean',
		default: false,
		description: 'Whether to download the file into a binary field as well',
	},
	outputBinaryField({ show: { download: [true] } }),
	optionsCollection([
		fieldsOption('The properties of the attachment to return'),
		...textContentOptions.map((option) => ({ ...option, displayOptions: { show: { '/download': [true] } } })),
		timeoutOption,
	]),
]);

export const getAttachmentRecord: OperationSpec = {
	method: 'GET',
	path: '/attachments/{attachmentId}',
	fields: [attachmentIdField, optFieldsField()],
	response: { kind: 'json', items: dataRecord },
	idempotent: true,
	notFound: attachmentNotFound,
};

/** The record with what a download needs, whatever fields were chosen. */
export const getAttachmentForDownload: OperationSpec = {
	...getAttachmentRecord,
	fields: [attachmentIdField, optFieldsField(['name', 'resource_subtype', 'host', 'size', 'download_url', 'view_url'])],
};

export const downloadAttachmentFile = recordFileDownload({
	target: 'the download URL Asana returned',
	fields: { fileName: 'name', size: 'size' },
	// The storage host may name the file by its storage key; the record's name is the truth.
	authoritative: true,
	textContent: true,
});

/**
 * The record with a `download_url`, or an error saying why there is no file to download. The
 * attachment is the node's Attachment parameter, or `values.attachmentId`.
 */
export async function readRecord(ctx: IExecuteFunctions, itemIndex: number, values?: { attachmentId: string }): Promise<IDataObject> {
	const [item] = await executeOperation(ctx, asanaProvider, getAttachmentForDownload, itemIndex, values ? { values } : {});
	if (!item) throw new NodeOperationError(ctx.getNode(), 'Asana returned no attachment record', { itemIndex });
	const record = item.json;
	if (typeof record.download_url !== 'string' || record.download_url === '') {
		const name = typeof record.name === 'string' ? ` "${record.name}"` : '';
		const host = typeof record.host === 'string' ? record.host : String(record.resource_subtype ?? 'another service');
		const link = typeof record.view_url === 'string' && record.view_url ? ` (${record.view_url})` : '';
		throw new NodeOperationError(
			ctx.getNode(),
			record.resource_subtype === 'external' || host === 'external'
				? `Attachment ${String(record.gid)}${name} is an external link${link}: it has no file to download`
				: `Attachment ${String(record.gid)}${name} is hosted by ${host}${link}, which gives no file to download`,
			{
				itemIndex,
				description: 'Turn off "Download File" to get the attachment record, and open its link (view_url) instead.',
			},
		);
	}
	return record;
}

export async function getAttachment(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	return forAgents(ctx, await getRecordOrFile(ctx, itemIndex));
}

async function getRecordOrFile(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	if (!ctx.getNodeParameter('download', itemIndex, false)) {
		return await executeOperation(ctx, asanaProvider, getAttachmentRecord, itemIndex);
	}
	return await downloadRecordFile(ctx, itemIndex, await readRecord(ctx, itemIndex), async () => await readRecord(ctx, itemIndex));
}

/**
 * The file of a record read with its `download_url` (readRecord), streamed into the binary field
 * of "Put Output File in Field", beside `json(record)` (default: the record). `readAgain` gives a
 * fresh record when the URL has run out (403) by the time it is used.
 */
export async function downloadRecordFile(
	ctx: IExecuteFunctions,
	itemIndex: number,
	first: IDataObject,
	readAgain: () => Promise<IDataObject>,
	json: (record: IDataObject) => IDataObject = (record) => record,
): Promise<INodeExecutionData[]> {
	let record = first;
	try {
		return await executeOperation(ctx, asanaProvider, downloadAttachmentFile, itemIndex, {
			values: { url: record.download_url, record: json(record) },
		});
	} catch (error) {
		// The URL lives about two minutes; one that ran out while waiting (retries) is renewed once.
		if (!(error instanceof NodeApiError) || error.httpCode !== '403') {
			throw error instanceof NodeApiError || error instanceof NodeOperationError
				? error
				: new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
		}
		ctx.logger.debug('The download URL was refused (403); reading the attachment record again for a fresh one');
		record = await readAgain();
		return await executeOperation(ctx, asanaProvider, downloadAttachmentFile, itemIndex, {
			values: { url: record.download_url, record: json(record) },
		});
	}
}
