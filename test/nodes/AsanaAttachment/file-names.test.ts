/**
 * Odd file names reach Asana intact: plain ASCII names go as they are, any other name
 * percent-encoded in `filename` and `filename*` (as Asana's upload docs ask); each comes back the
 * same from the listing, and the downloaded file is named by its base name (no path, no `..`).
 */
import { createHash } from 'crypto';

import { binaryStats } from '../../support/n8n-harness';
import { DEFAULT_TASK } from '../../../sandbox/asana/server';
import { locator, runAsana, useAsanaEmulator } from './context';

const server = useAsanaEmulator();

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const percent = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const longName = `${'long name '.repeat(30)}.pdf`;
it.each([
	['report v2.pdf', true, 'report v2.pdf'],
	["it's (final) [v2] {x} + a=b & c;d,e.pdf", true, "it's (final) [v2] {x} + a=b & c;d,e.pdf"],
	['#1 invoice?.pdf', true, '#1 invoice?.pdf'],
	['a/b.pdf', false, 'b.pdf'],
	['100% done.pdf', false, '100% done.pdf'],
	['%2F already-encoded.pdf', false, '%2F already-encoded.pdf'],
	['say "hi" \\ back.txt', false, 'back.txt'],
	['..', true, 'file'],
	['résumé.pdf', false, 'résumé.pdf'],
	['Übersicht – März 2026.pdf', false, 'Übersicht – März 2026.pdf'],
	['請求書.pdf', false, '請求書.pdf'],
	['emoji 🧾.png', false, 'emoji 🧾.png'],
	[longName, true, `${longName.slice(0, 251)}.pdf`],
])('%s', async (fileName, plain, downloadedAs) => {
	const content = Buffer.from(`content of ${fileName}`);
	const up = await runAsana(
		server,
		{ operation: 'upload', parent: locator(DEFAULT_TASK.gid), source: 'binary', binaryPropertyName: 'data', options: { fileName } },
		{ input: [{ binary: { data: { data: content, fileName: 'ignored.bin', mimeType: 'application/octet-stream' } } }] },
	);
	expect(up.error).toBeUndefined();
	const part = server.requests[0].multipart!.parts.find((candidate) => candidate.name === 'file')!;
	if (plain) {
		expect(part).toMatchObject({ rawFileName: fileName, rawFileNameStar: undefined });
	} else {
		expect(part).toMatchObject({ rawFileName: percent(fileName), rawFileNameStar: `UTF-8''${percent(fileName)}` });
	}
	expect(server.attachments(DEFAULT_TASK.gid).map((record) => record.name)).toEqual([fileName]);
	expect(up.items[0].json.name).toBe(fileName);

	const down = await runAsana(server, { operation: 'get', attachmentId: up.items[0].json.gid as string, download: true, binaryPropertyName: 'data', options: {} });
	expect(down.error).toBeUndefined();
	const binary = down.items[0].binary!.data;
	expect(binary.fileName).toBe(downloadedAs);
	expect(await binaryStats(binary)).toEqual({ size: content.length, sha256: sha256(content) });
});

it("the binary's own name is used when no File Name is given", async () => {
	const up = await runAsana(
		server,
		{ operation: 'upload', parent: locator(DEFAULT_TASK.gid), source: 'binary', binaryPropertyName: 'data', options: {} },
		{ input: [{ binary: { data: { data: Buffer.from('x'), fileName: 'Straße.txt', mimeType: 'text/plain' } } }] },
	);
	expect(up.error).toBeUndefined();
	expect(server.attachments(DEFAULT_TASK.gid)[0]).toMatchObject({ name: 'Straße.txt', mimeType: 'text/plain' });
});

describe.each(['storageKey', 'none'] as const)('when the storage host names the file by %s', (downloadDisposition) => {
	const other = useAsanaEmulator({ downloadDisposition });

	it("the downloaded file keeps the attachment's name", async () => {
		const record = other.seedAttachment(DEFAULT_TASK.gid, 'Übersicht 2026.xlsx', Buffer.from('PK'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
		const down = await runAsana(other, { operation: 'get', attachmentId: record.gid, download: true, binaryPropertyName: 'data', options: {} });
		expect(down.error).toBeUndefined();
		expect(down.items[0].binary!.data).toMatchObject({
			fileName: 'Übersicht 2026.xlsx',
			mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
		});
		if (downloadDisposition === 'storageKey') expect(other.fileRequests).toHaveLength(1);
	});
});
