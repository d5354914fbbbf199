/**
 * The download of a file whose URL a provider's record gave (a pre-signed link, a media URL): one
 * spec the action nodes' Get and the triggers share. The URL is `values.url` (sent exactly as
 * given, checked as any URL from a provider's answer); the file goes into the output binary field,
 * named, typed and sized from the record (`values.record`, whose fields `fields` names), and the
 * item's JSON is the record. A download is idempotent (retried on 5xx and cut-off transfers).
 */
import type { IDataObject } from 'n8n-workflow';

import type { OperationSpec } from './types';

export interface RecordFileDownload {
	/** What the URL is, in errors (e.g. "the download URL Asana returned"). */
	target: string;
	/** The record's fields that hold the file's name, MIME type and size in bytes. */
	fields: { fileName?: string; mimeType?: string; size?: string };
	/** Whether the record's name and type win over the response's headers. */
	authoritative?: boolean;
	/** Options → Include Text Content (see text-content.ts). */
	textContent?: boolean;
	/** Whether the request carries the credential (default: sent without it). */
	signed?: boolean;
}

export function recordFileDownload(options: RecordFileDownload): OperationSpec {
	const { fileName, mimeType, size } = options.fields;
	const text = (record: IDataObject, field?: string) => (field && typeof record[field] === 'string' ? (record[field] as string) : undefined);
	return {
		method: 'GET',
		// The URL comes from the record (see `url`).
		path: '',
		url: ({ values }) => String(values.url),
		fields: [],
		response: {
			kind: 'binary',
			outputParameter: 'binaryPropertyName',
			fallback: ({ values }) => {
				const record = values.record as IDataObject;
				return {
					fileName: text(record, fileName),
					mimeType: text(record, mimeType),
					size: size && typeof record[size] === 'number' ? (record[size] as number) : undefined,
					...(options.authoritative ? { authoritative: true } : {}),
				};
			},
			json: ({ values }) => values.record as IDataObject,
			...(options.textContent ? { textContent: true } : {}),
		},
		idempotent: true,
		anonymous: !options.signed,
		target: options.target,
	};
}
