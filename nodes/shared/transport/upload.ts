/**
 * Reading the file to upload from n8n's binary store without loading it: the body is reopened
 * as a stream for every attempt, and its exact size comes from the store's metadata.
 */
import FormData from 'form-data';
import { BINARY_ENCODING, NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

import type { BinaryStream, FileNameEncoding, UploadSource } from './types';
import { requiredText, resolveUrlUploadSource } from './url-source';

/**
 * Read size of an upload from the binary store. The store's default (64 KiB) makes 16,384 reads,
 * writes and short-lived buffers per GiB; 256 KiB made uploads in a real n8n 1.2 to 1.5 times
 * faster for a few MiB more memory at most, while 1 MiB cost tens of MiB (`npm run bench`).
 */
const UPLOAD_CHUNK_BYTES = 256 * 1024;

export interface UploadSourceOptions {
	/** Name of the node parameter holding the binary field name, and its display name. */
	binaryParameter: string;
	binaryLabel?: string;
	/** File name to use instead of the binary's own (binary source only). */
	fileName?: string;
	/** Largest file the provider accepts. */
	maxBytes?: number;
	providerName?: string;
	/** The node's credential type (Source "URL": kept away from the URL, its secrets out of errors). */
	credentialType?: string;
}

/**
 * The parameters of an upload from text (see `textUploadFields` in ../description.ts): with
 * Source "Text", the file is the UTF-8 bytes of `text`, named `fileName`, typed `mimeType` (or by
 * the name's extension).
 */
export const UPLOAD_SOURCE_PARAMETER = 'source';
export const TEXT_PARAMETERS = { text: 'text', fileName: 'fileName', mimeType: 'mimeType' } as const;

/** MIME types of the text files an agent or a workflow typically writes, by extension. */
const TEXT_MIME_TYPES: Record<string, string> = {
	txt: 'text/plain',
	text: 'text/plain',
	log: 'text/plain',
	csv: 'text/csv',
	tsv: 'text/tab-separated-values',
	md: 'text/markdown',
	markdown: 'text/markdown',
	json: 'application/json',
	ndjson: 'application/x-ndjson',
	html: 'text/html',
	htm: 'text/html',
	xml: 'application/xml',
	yaml: 'application/yaml',
	yml: 'application/yaml',
	ics: 'text/calendar',
	vcf: 'text/vcard',
	svg: 'image/svg+xml',
};

/** The MIME type a text file of this name has: by its extension, else text/plain. */
export function textMimeTypeFor(fileName: string): string {
	const extension = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase();
	return (extension && TEXT_MIME_TYPES[extension]) || 'text/plain';
}

/** Whether the item uploads from text (Source "Text") rather than from a binary field. */
export function uploadsFromText(ctx: IExecuteFunctions, itemIndex: number): boolean {
	return ctx.getNodeParameter(UPLOAD_SOURCE_PARAMETER, itemIndex, 'binary') === 'text';
}

function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	const units = ['KB', 'MB', 'GB', 'TB'];
	let value = bytes;
	let unit = -1;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

function tooLarge(ctx: IExecuteFunctions, itemIndex: number, fileName: string, size: number, options: UploadSourceOptions, where: string) {
	// Sizes that round to the same figure are given in bytes, so the message never reads "100 MB, over 100 MB".
	const maxBytes = options.maxBytes!;
	const same = formatBytes(size) === formatBytes(maxBytes);
	const [shown, limit] = same ? [`${size} bytes`, `${maxBytes} bytes`] : [formatBytes(size), formatBytes(maxBytes)];
	return new NodeOperationError(
		ctx.getNode(),
		`The file "${fileName}" is ${shown}, over the ${limit} ${options.providerName ?? 'the service'} accepts`,
		{ itemIndex, description: `${where} holds ${size} bytes.` },
	);
}

/**
 * The file of an upload from text: the parameter's text as UTF-8, checked (not empty, a name, the
 * provider's size limit) before any request. It travels as an in-memory body, as a binary that
 * n8n keeps in memory does, through the same UploadSource path as every other upload.
 */
export function resolveTextUploadSource(ctx: IExecuteFunctions, itemIndex: number, options: UploadSourceOptions): UploadSource {
	const node = ctx.getNode();
	const raw = ctx.getNodeParameter(TEXT_PARAMETERS.text, itemIndex, '') as unknown;
	const text = typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : typeof raw === 'object' ? JSON.stringify(raw, null, 2) : String(raw);
	if (text === '') {
		throw new NodeOperationError(node, 'The parameter "Text" is empty: there is nothing to upload', {
			itemIndex,
			description: 'Give the text to upload as the file\'s content, or set Source to "Binary File" to upload a file from a binary field.',
		});
	}
	const fileName = requiredText(
		ctx,
		TEXT_PARAMETERS.fileName,
		itemIndex,
		'The parameter "File Name" is required when uploading text',
		'Name the file, with its extension (e.g. notes.md or export.csv).',
	);
	const typeValue = ctx.getNodeParameter(TEXT_PARAMETERS.mimeType, itemIndex, '') as unknown;
	const mimeType = (typeof typeValue === 'string' && typeValue.trim()) || textMimeTypeFor(fileName);
	const buffer = Buffer.from(text, 'utf8');
	if (options.maxBytes !== undefined && buffer.length > options.maxBytes) {
		throw tooLarge(ctx, itemIndex, fileName, buffer.length, options, 'The parameter "Text"');
	}
	return { fileName, mimeType, size: buffer.length, open: async () => buffer };
}

/** The file to upload: from the binary field, or from the Text parameter (Source "Text"), or fetched from the File URL (Source "URL"). */
export async function resolveUploadSource(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: UploadSourceOptions,
): Promise<UploadSource> {
	const source = ctx.getNodeParameter(UPLOAD_SOURCE_PARAMETER, itemIndex, 'binary');
	if (source === 'text') return resolveTextUploadSource(ctx, itemIndex, options);
	if (source === 'url') {
		return await resolveUrlUploadSource(ctx, itemIndex, {
			fileName: options.fileName,
			maxBytes: options.maxBytes,
			providerName: options.providerName ?? 'the service',
			credentialType: options.credentialType ?? '',
			tooLarge: (fileName, size, where) => tooLarge(ctx, itemIndex, fileName, size, options, where),
		});
	}
	return await resolveBinaryUploadSource(ctx, itemIndex, options);
}

export async function resolveBinaryUploadSource(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: UploadSourceOptions,
): Promise<UploadSource> {
	const node = ctx.getNode();
	const label = options.binaryLabel ?? 'Input Binary Field';
	const fieldName = ctx.getNodeParameter(options.binaryParameter, itemIndex, 'data') as unknown;
	if (typeof fieldName !== 'string' || fieldName.trim() === '') {
		throw new NodeOperationError(node, `The parameter "${label}" must name a binary field, e.g. "data"`, { itemIndex });
	}
	const binaries = ctx.getInputData()[itemIndex]?.binary ?? {};
	const binary = binaries[fieldName];
	if (!binary) {
		const available = Object.keys(binaries);
		throw new NodeOperationError(node, `The input item has no binary field "${fieldName}" (parameter "${label}")`, {
			itemIndex,
			description: available.length
				? `Binary fields on this item: ${available.join(', ')}.`
				: 'This item carries no file at all: add a node before this one that reads or downloads the file.',
		});
	}

	const fileName = options.fileName?.trim() || binary.fileName || 'file';
	const mimeType = binary.mimeType || 'application/octet-stream';
	let size: number;
	let open: () => Promise<BinaryStream | Buffer>;
	const opened = new Set<BinaryStream>();
	const release = () => {
		for (const stream of opened) stream.destroy();
		opened.clear();
	};
	if (binary.id) {
		const id = binary.id;
		// n8n 2.x records the exact size on the item when it stores the file (`bytes`); the store's
		// metadata (one more file read per item) only where it does not (n8n 1.x).
		const recorded = (binary as { bytes?: unknown }).bytes;
		size = typeof recorded === 'number' && Number.isSafeInteger(recorded) && recorded >= 0 ? recorded : (await ctx.helpers.getBinaryMetadata(id)).fileSize;
		// A file smaller than a chunk is read with a buffer its own size: a file stream allocates a
		// whole chunk for every read (the one that finds the end too), garbage the size of the chunk
		// for every small file.
		const chunk = Math.min(UPLOAD_CHUNK_BYTES, Math.max(1, size));
		open = async () => {
			const stream = await ctx.helpers.getBinaryStream(id, chunk);
			opened.add(stream);
			stream.once('close', () => opened.delete(stream));
			return stream;
		};
	} else {
		// Kept in memory by n8n already (binary mode "default"): send that buffer as it is.
		const buffer = Buffer.from(binary.data, BINARY_ENCODING);
		size = buffer.length;
		open = async () => buffer;
	}

	if (size === 0) {
		throw new NodeOperationError(node, `The file in binary field "${fieldName}" is empty (parameter "${label}")`, {
			itemIndex,
			description: 'Empty files cannot be attached. Check the node that produced the file.',
		});
	}
	if (options.maxBytes !== undefined && size > options.maxBytes) {
		throw tooLarge(ctx, itemIndex, fileName, size, options, `Binary field "${fieldName}"`);
	}
	return { fileName, mimeType, size, open, release };
}

/** Headers of a raw upload: the file's own type and its exact length, so nothing is chunked. */
export function rawUploadHeaders(source: UploadSource): Record<string, string> {
	return { 'Content-Type': source.mimeType, 'Content-Length': String(source.size) };
}

/** Printable ASCII that reads the same however a server decodes it (no quote, backslash, % or /). */
const PLAIN_FILE_NAME = /^[\x20-\x7e]+$/;
const NOT_PLAIN = /["\\%/]/;

function percentEncode(value: string): string {
	return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The whole header of a file part, written by us instead of form-data (see FileNameEncoding):
 * form-data lets a caller replace the header only as a whole, boundary line included.
 */
function filePartHeader(form: FormData, field: string, source: UploadSource, encoding?: FileNameEncoding): string {
	// As browsers write form fields (WHATWG): `"`, CR and LF escaped, everything else raw.
	const browserEscape = (value: string) => value.replace(/["\r\n]/g, (char) => encodeURIComponent(char));
	const name = `name="${browserEscape(field)}"`;
	const fileName = source.fileName;
	let disposition: string;
	if (encoding !== 'percentEncoded') {
		// form-data itself would cut the name at its last "/" and leave quotes unescaped.
		disposition = `form-data; ${name}; filename="${browserEscape(fileName)}"`;
	} else if (PLAIN_FILE_NAME.test(fileName) && !NOT_PLAIN.test(fileName)) {
		disposition = `form-data; ${name}; filename="${fileName}"`;
	} else {
		disposition = `form-data; ${name}; filename="${percentEncode(fileName)}"; filename*=UTF-8''${percentEncode(fileName)}`;
	}
	const type = source.mimeType.replace(/[\r\n]/g, '');
	return `--${form.getBoundary()}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${type}\r\n\r\n`;
}

function withLength(form: FormData): { body: FormData; headers: Record<string, string> } {
	return { body: form, headers: { ...form.getHeaders(), 'Content-Length': String(form.getLengthSync()) } };
}

/**
 * A multipart body streaming the file; `knownLength` lets form-data compute Content-Length
 * without reading the stream.
 */
export async function buildMultipartBody(
	source: UploadSource,
	fileField: string,
	textFields: Record<string, string>,
	options: { fileNameEncoding?: FileNameEncoding } = {},
): Promise<{ body: FormData; headers: Record<string, string> }> {
	const form = new FormData();
	for (const [name, value] of Object.entries(textFields)) form.append(name, value);
	form.append(fileField, await source.open(), {
		filename: source.fileName,
		contentType: source.mimeType,
		knownLength: source.size,
		header: filePartHeader(form, fileField, source, options.fileNameEncoding),
	});
	return withLength(form);
}

/** A multipart body of text fields only. */
export function buildFormBody(textFields: Record<string, string>): { body: FormData; headers: Record<string, string> } {
	const form = new FormData();
	for (const [name, value] of Object.entries(textFields)) form.append(name, value);
	return withLength(form);
}
