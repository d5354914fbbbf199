/**
 * "Include Text Content" of downloads: the content of a text file, as text in the output JSON.
 * An AI agent gets only the JSON of a tool's output (n8n drops binary data at the agent boundary),
 * so a downloaded note, CSV or JSON would reach the model as a file name only; with this option it
 * reaches it as text, up to a size limit.
 *
 * Output, for a text file (by MIME type, or by extension when the type is a generic one, and only
 * when its bytes are valid UTF-8): `textContent` (the text, cut at the limit on a character
 * boundary) and `textContentTruncated` (whether it was cut). Any other file: neither field.
 */
import { BINARY_ENCODING, NodeOperationError } from 'n8n-workflow';
import type { IBinaryData, IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { DEFAULT_TEXT_CONTENT_MAX_BYTES } from './constants';

/**
 * Whether the node runs as an AI agent's tool: n8n runs a node with `usableAsTool` under the type
 * `<package>.<name>Tool` (a copy of the node whose output goes to an agent), so the node's type says so.
 */
export function runsAsTool(ctx: Pick<IExecuteFunctions, 'getNode'>): boolean {
	return ctx.getNode().type.endsWith('Tool');
}

const TEXT_APPLICATION_TYPES = new Set([
	'application/json',
	'application/ld+json',
	'application/x-ndjson',
	'application/xml',
	'application/yaml',
	'application/x-yaml',
	'application/csv',
	'application/javascript',
	'application/ecmascript',
	'application/sql',
	'application/graphql',
	'application/toml',
	'application/x-sh',
	'application/x-www-form-urlencoded',
]);
const GENERIC_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/binary']);
const TEXT_EXTENSIONS = new Set(['txt', 'text', 'log', 'csv', 'tsv', 'md', 'markdown', 'json', 'ndjson', 'xml', 'yaml', 'yml', 'html', 'htm', 'ics', 'vcf', 'ini', 'toml', 'sql']);

/** Whether a file of this type (and name, when the type says nothing) holds text. */
export function isTextLike(mimeType: string | undefined, fileName: string | undefined): boolean {
	const type = String(mimeType ?? '').split(';')[0].trim().toLowerCase();
	if (type.startsWith('text/') || TEXT_APPLICATION_TYPES.has(type) || /\+(json|xml|yaml)$/.test(type)) return true;
	if (!GENERIC_TYPES.has(type)) return false;
	const extension = /\.([A-Za-z0-9]+)$/.exec(fileName ?? '')?.[1]?.toLowerCase();
	return extension !== undefined && TEXT_EXTENSIONS.has(extension);
}

/** The first `limit` bytes of a stored binary, and whether it holds more. */
async function readHead(ctx: IExecuteFunctions, binary: IBinaryData, limit: number): Promise<{ head: Buffer; more: boolean }> {
	if (!binary.id) {
		const all = Buffer.from(binary.data, BINARY_ENCODING);
		return { head: all.subarray(0, limit), more: all.length > limit };
	}
	const stream = await ctx.helpers.getBinaryStream(binary.id);
	const chunks: Buffer[] = [];
	let length = 0;
	try {
		for await (const chunk of stream as AsyncIterable<Buffer | string>) {
			const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
			chunks.push(buffer);
			length += buffer.length;
			if (length > limit) break;
		}
	} finally {
		stream.destroy();
	}
	const all = Buffer.concat(chunks);
	return { head: all.subarray(0, limit), more: all.length > limit };
}

/** Reads Options → Include Text Content (default: on as a tool, off otherwise) and its limit. */
export function readTextContentOptions(ctx: IExecuteFunctions, itemIndex: number): { include: boolean; maxBytes: number } {
	const include = ctx.getNodeParameter('options.includeTextContent', itemIndex, null) as unknown;
	const maxValue = ctx.getNodeParameter('options.textContentMaxBytes', itemIndex, DEFAULT_TEXT_CONTENT_MAX_BYTES) as unknown;
	const maxBytes = typeof maxValue === 'string' && maxValue.trim() !== '' ? Number(maxValue) : maxValue;
	if (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || maxBytes < 1) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Invalid "Text Content Limit (Bytes)": expected a whole number of at least 1, got ${JSON.stringify(maxValue)}`,
			{ itemIndex },
		);
	}
	return { include: typeof include === 'boolean' ? include : runsAsTool(ctx), maxBytes };
}

/** `textContent` and `textContentTruncated` of a downloaded text file; nothing for any other file. */
export async function textContentOf(ctx: IExecuteFunctions, binary: IBinaryData, maxBytes: number): Promise<IDataObject> {
	if (!isTextLike(binary.mimeType, binary.fileName)) return {};
	const { head, more } = await readHead(ctx, binary, maxBytes);
	let text: string;
	try {
		// `stream: true` leaves out a character the limit cut in two instead of failing on it.
		text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: more });
	} catch {
		// Typed as text but not UTF-8 (or not text at all): no text to give.
		return {};
	}
	return { textContent: text, textContentTruncated: more };
}
