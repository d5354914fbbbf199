/**
 * Odd file names travel inside their own path segment and arrive intact: uploaded under the
 * name, then downloaded by the same name, into a file named by its base name (no path, no `..`).
 */
import { createHash } from 'crypto';

import { binaryStats } from '../../support/n8n-harness';
import { runXero, useXeroEmulator } from './context';
import { AWKWARD_FILE_NAMES } from '../../support/file-names';

const server = useXeroEmulator();
// Xero answers 404 for the attachments of a document it does not have.
beforeEach(() => server.addDocument('Invoices', parentId));

const parentId = '0a4e8b1c-5d6f-4a2b-9c8d-7e6f5a4b3c2d';
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The names whose downloaded file is named otherwise: their base name. */
const downloadedAs: Record<string, string> = { 'a/b.pdf': 'b.pdf', '../../Contacts/escape.pdf': 'escape.pdf' };

it.each([...AWKWARD_FILE_NAMES, '../../Contacts/escape.pdf'])('%s', async (fileName) => {
	const content = Buffer.from(`content of ${fileName}`);
	const up = await runXero(
		server,
		{ resource: 'invoice', operation: 'upload', parentId, binaryPropertyName: 'data', fileName, options: {} },
		{ input: [{ binary: { data: { data: content, fileName: 'ignored.bin', mimeType: 'application/pdf' } } }] },
	);
	expect(up.error).toBeUndefined();
	expect(server.attachments('Invoices', parentId).map((record) => record.fileName)).toEqual([fileName]);
	// One segment after /Attachments/, whatever the name holds.
	const uploadPath = server.requests[0].path;
	expect(uploadPath.split('/')).toHaveLength(7);
	expect(decodeURIComponent(uploadPath.split('/')[6])).toBe(fileName);

	const down = await runXero(server, {
		resource: 'invoice',
		operation: 'get',
		parentId,
		getBy: 'fileName',
		fileName,
		binaryPropertyName: 'data',
		options: {},
	});
	expect(down.error).toBeUndefined();
	const binary = down.items[0].binary!.data;
	expect(binary.fileName).toBe(downloadedAs[fileName] ?? fileName);
	expect(await binaryStats(binary)).toEqual({ size: content.length, sha256: sha256(content) });
});
