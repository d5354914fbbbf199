/**
 * Reading the file to upload from n8n's binary store without loading it: the body is reopened
 * as a stream for every attempt, and its exact size comes from the store's metadata.
 */
import FormData from 'form-data';
import { BINARY_ENCODING, NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

import type { BinaryStream, UploadSource } from './types';

export interface UploadSourceOptions {
	/** Name of the node parameter holding the binary field name, and its display name. */
	binaryParameter: string;
	binaryLabel?: string;
	/** File name to use instead of the binary's own. */
	fileName?: string;
	/** Largest file the provider accepts. */
	maxBytes?: number;
	providerName?: string;
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

export async function resolveUploadSource(
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
	if (binary.id) {
		const id = binary.id;
		size = (await ctx.helpers.getBinaryMetadata(id)).fileSize;
		open = async () => await ctx.helpers.getBinaryStream(id);
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
		throw new NodeOperationError(
			node,
			`The file "${fileName}" is ${formatBytes(size)}, over the ${formatBytes(options.maxBytes)} ${options.providerName ?? 'the service'} accepts`,
			{ itemIndex, description: `Binary field "${fieldName}" holds ${size} bytes.` },
		);
	}
	return { fileName, mimeType, size, open };
}

/** Headers of a raw upload: the file's own type and its exact length, so nothing is chunked. */
export function rawUploadHeaders(source: UploadSource): Record<string, string> {
	return { 'Content-Type': source.mimeType, 'Content-Length': String(source.size) };
}

/**
 * A multipart body streaming the file; `knownLength` lets form-data compute Content-Length
 * without reading the stream.
 */
export async function buildMultipartBody(
	source: UploadSource,
	fileField: string,
	textFields: Record<string, string>,
): Promise<{ body: FormData; headers: Record<string, string> }> {
	const form = new FormData();
	for (const [name, value] of Object.entries(textFields)) form.append(name, value);
	form.append(fileField, await source.open(), {
		filename: source.fileName,
		contentType: source.mimeType,
		knownLength: source.size,
	});
	return {
		body: form,
		headers: { ...form.getHeaders(), 'Content-Length': String(form.getLengthSync()) },
	};
}
