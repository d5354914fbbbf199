/**
 * The pieces of an upload from text that need no server: each node's upload carries its
 * provider's size limit (so a text over it fails before any request, as a binary does), the limit
 * check at its boundary, the MIME type from the file name, and what counts as a text file.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INode } from 'n8n-workflow';

import { uploadFile } from '../../nodes/AsanaAttachment/operations/upload';
import { ASANA_MAX_FILE_BYTES } from '../../nodes/AsanaAttachment/provider';
import { uploadAttachmentOperation } from '../../nodes/SunshineConversationsAttachment/operations/upload';
import { SUNSHINE_MAX_FILE_BYTES } from '../../nodes/SunshineConversationsAttachment/provider';
import { isTextLike, resolveTextUploadSource, textMimeTypeFor } from '../../nodes/shared/transport';
import type { BodySpec } from '../../nodes/shared/transport';

function contextWith(parameters: Record<string, unknown>): IExecuteFunctions {
	const node = { name: 'Upload', type: 'test.node', typeVersion: 1, parameters: {} } as unknown as INode;
	return {
		getNode: () => node,
		getNodeParameter: (name: string, _itemIndex: number, fallback?: unknown) => (name in parameters ? parameters[name] : fallback),
	} as unknown as IExecuteFunctions;
}

const maxBytesOf = (body: BodySpec | undefined) => (body && 'maxBytes' in body ? body.maxBytes : undefined);

describe('upload from text', () => {
	it("carries each provider's limit: Asana 100 MB, Sunshine 50 MB (Xero's 10 MB: see the Xero tests)", () => {
		expect(maxBytesOf(uploadFile.body)).toBe(ASANA_MAX_FILE_BYTES);
		expect(maxBytesOf(uploadAttachmentOperation.body)).toBe(SUNSHINE_MAX_FILE_BYTES);
	});

	it('accepts a text of exactly the limit in UTF-8 bytes and refuses one byte more', async () => {
		const exact = contextWith({ text: 'ää', fileName: 'a.txt' });
		const source = resolveTextUploadSource(exact, 0, { binaryParameter: 'binaryPropertyName', maxBytes: 4, providerName: 'Asana' });
		expect(source).toMatchObject({ fileName: 'a.txt', mimeType: 'text/plain', size: 4 });
		expect(await source.open()).toEqual(Buffer.from('ää'));
		const over = contextWith({ text: 'ää!', fileName: 'a.txt' });
		expect(() => resolveTextUploadSource(over, 0, { binaryParameter: 'binaryPropertyName', maxBytes: 4, providerName: 'Asana' })).toThrow(
			new NodeOperationError(exact.getNode(), 'The file "a.txt" is 5 B, over the 4 B Asana accepts'),
		);
	});

	it('writes a JSON value given by an expression as JSON text', async () => {
		const source = resolveTextUploadSource(contextWith({ text: { a: 1 }, fileName: 'a.json' }), 0, { binaryParameter: 'b' });
		expect((await source.open()).toString()).toBe('{\n  "a": 1\n}');
		expect(source.mimeType).toBe('application/json');
	});

	it.each([
		['notes.txt', 'text/plain'],
		['EXPORT.CSV', 'text/csv'],
		['readme.md', 'text/markdown'],
		['data.json', 'application/json'],
		['page.html', 'text/html'],
		['feed.xml', 'application/xml'],
		['config.yml', 'application/yaml'],
		['no-extension', 'text/plain'],
		['archive.zip', 'text/plain'],
	])('types %s as %s', (fileName, mimeType) => {
		expect(textMimeTypeFor(fileName)).toBe(mimeType);
	});
});

describe('what counts as a text file', () => {
	it.each([
		['text/plain; charset=utf-8', 'a', true],
		['application/json', 'a', true],
		['application/vnd.api+json', 'a', true],
		['image/svg+xml', 'a', true],
		['application/octet-stream', 'notes.md', true],
		['application/octet-stream', 'photo.jpg', false],
		['application/pdf', 'notes.txt', false],
		['image/png', 'a.png', false],
	])('%s named %s: %s', (mimeType, fileName, expected) => {
		expect(isTextLike(mimeType, fileName)).toBe(expected);
	});
});
