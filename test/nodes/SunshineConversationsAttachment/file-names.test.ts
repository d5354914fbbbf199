/**
 * Odd file names arrive intact in the multipart header (raw UTF-8, as browsers send them), become
 * the last segment of the media URL, and the media serves the same bytes under that URL.
 */
import { APP_ID, fetchLocal, runSunshine, useSunshineEmulator } from './context';
import { AWKWARD_FILE_NAMES } from '../../support/file-names';

const server = useSunshineEmulator();

async function upload(fileName: string, content: Buffer, fromOption: boolean) {
	return await runSunshine(
		server,
		{ operation: 'upload', binaryPropertyName: 'data', options: fromOption ? { fileName } : {} },
		{ input: [{ binary: { data: { data: content, fileName: fromOption ? 'ignored.bin' : fileName, mimeType: 'application/pdf' } } }] },
	);
}

it.each(AWKWARD_FILE_NAMES)('%s', async (fileName) => {
	const content = Buffer.from(`content of ${fileName}`);
	for (const fromOption of [false, true]) {
		server.reset();
		const result = await upload(fileName, content, fromOption);
		expect(result.error).toBeUndefined();
		const [stored] = server.attachments(APP_ID);
		expect(stored.fileName).toBe(fileName);
		const mediaUrl = result.items[0].json.mediaUrl as string;
		expect(mediaUrl.endsWith(`/${encodeURIComponent(fileName)}`)).toBe(true);
		const media = await fetchLocal(mediaUrl);
		expect(media.status).toBe(200);
		expect(media.body.equals(content)).toBe(true);
	}
});

it('quotes and line breaks in a name are escaped as browsers escape them (%22, %0D, %0A), so the part header stays intact', async () => {
	const result = await upload('say "hi"\r\n.txt', Buffer.from('hi'), true);
	expect(result.error).toBeUndefined();
	expect(server.attachments(APP_ID)[0].fileName).toBe('say %22hi%22%0D%0A.txt');
	expect(server.requests[0].body!.toString('utf8')).toContain('Content-Disposition: form-data; name="source"; filename="say %22hi%22%0D%0A.txt"\r\n');
});
