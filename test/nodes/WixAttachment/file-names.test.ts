/**
 * Odd file names reach Wix intact: in the JSON of Generate Attachment Upload Url and in the
 * `filename` query of the upload, stored under that name, and downloaded back under its base name
 * (no path, no `..`: the record's name is not a path to write to).
 */
import { createHash } from 'crypto';

import { binaryStats } from '../../support/n8n-harness';
import { CONTACT_ID, runWix, useWixEmulator } from './context';

const server = useWixEmulator();

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The names whose downloaded file is named otherwise: their base name. */
const downloadedAs: Record<string, string> = { 'a/b.pdf': 'b.pdf', '../../escape.pdf': 'escape.pdf' };

it.each([
	'contract v2.pdf',
	'a/b.pdf',
	'what?.pdf',
	'#1 invoice.pdf',
	'100% done.pdf',
	'%2F already-encoded.pdf',
	'a+b=c&d;e.pdf',
	'../../escape.pdf',
	'Übersicht – März 2026.pdf',
	'請求書.pdf',
	'emoji 🧾.pdf',
	`it's "quoted" (final) [v2] {x}.pdf`,
	`${'long name '.repeat(25)}.pdf`,
])('%s', async (fileName) => {
	const content = Buffer.from(`%PDF-1.4 content of ${fileName}`);
	const up = await runWix(
		server,
		{ operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data', options: { fileName } },
		{ input: [{ binary: { data: { data: content, fileName: 'ignored.bin', mimeType: 'application/pdf' } } }] },
	);
	expect(up.error).toBeUndefined();
	const [announce, put] = server.requests;
	expect(JSON.parse(announce.body!.toString('utf8')).fileName).toBe(fileName);
	expect(put.query.getAll('filename')).toEqual([fileName]);
	// The name stays inside the query: the path is the upload URL's own.
	expect(put.path).toMatch(/^\/_ah\/upload\/[\w-]+\/$/);
	const [stored] = server.attachments(CONTACT_ID);
	expect(stored.fileName).toBe(fileName);

	const down = await runWix(server, {
		operation: 'get',
		contactId: CONTACT_ID,
		attachmentId: { __rl: true, mode: 'id', value: stored.id },
		download: true,
	});
	expect(down.error).toBeUndefined();
	const binary = down.items[0].binary!.data;
	expect(binary.fileName).toBe(downloadedAs[fileName] ?? fileName);
	expect(down.items[0].json.fileName).toBe(downloadedAs[fileName] ?? fileName);
	expect(await binaryStats(binary)).toEqual({ size: content.length, sha256: sha256(content) });
});
