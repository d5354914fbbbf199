/**
 * Upload from text (Source "Text"), run through n8n's real execution code against the local
 * Sunshine Conversations emulator: the multipart `source` part carries the text's UTF-8 bytes with
 * its name and type, the request is one Sunshine's spec accepts, and bad text fails before any request.
 */
import { createHash } from 'crypto';

import { NodeOperationError } from 'n8n-workflow';
import type { INodeParameters } from 'n8n-workflow';

import { APP_ID, fetchLocal, header, runSunshine, useSunshineEmulator } from './context';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

const server = useSunshineEmulator();

const upload = (parameters: INodeParameters): INodeParameters => ({ operation: 'upload', source: 'text', options: {}, ...parameters });

describe('Upload from text', () => {
	it('sends the text as the multipart "source" part, byte for byte, and the media serves it back', async () => {
		const text = 'Hallo 👋\nYour order #1234 ships Tuesday.\n';
		const result = await runSunshine(server, upload({ text, fileName: 'Bestellung.txt', options: { conversationId: 'c616a583e4c240a871818541' } }));
		expect(result.error).toBeUndefined();
		const [request] = server.requests;
		expect(request.url).toBe(`/v2/apps/${APP_ID}/attachments?access=public&conversationId=c616a583e4c240a871818541`);
		const boundary = /^multipart\/form-data; boundary=(\S+)$/.exec(header(request, 'content-type') ?? '')?.[1];
		expect(request.body).toEqual(
			Buffer.concat([
				Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="source"; filename="Bestellung.txt"\r\nContent-Type: text/plain\r\n\r\n`),
				Buffer.from(text, 'utf8'),
				Buffer.from(`\r\n--${boundary}--\r\n`),
			]),
		);
		const [stored] = server.attachments(APP_ID);
		expect(stored).toMatchObject({ fileName: 'Bestellung.txt', mediaType: 'text/plain', size: Buffer.byteLength(text), sha256: sha256(text) });
		expect(result.items[0].json).toEqual({ mediaUrl: server.mediaUrl(stored), mediaType: 'text/plain' });
		const served = await fetchLocal(String(result.items[0].json.mediaUrl));
		expect(served.body.toString('utf8')).toBe(text);
	});

	it('takes MIME Type as given', async () => {
		const text = '<p>Receipt</p>';
		const result = await runSunshine(server, upload({ text, fileName: 'receipt', mimeType: 'text/html' }));
		expect(result.error).toBeUndefined();
		expect(server.attachments(APP_ID)[0]).toMatchObject({ fileName: 'receipt', mediaType: 'text/html', sha256: sha256(text) });
	});

	it('refuses empty Text and a missing File Name before any request', async () => {
		const empty = await runSunshine(server, upload({ text: '={{ "" }}', fileName: 'a.txt' }));
		expect(empty.error).toBeInstanceOf(NodeOperationError);
		expect(empty.error!.message).toBe('The parameter "Text" is empty: there is nothing to upload');
		const unnamed = await runSunshine(server, upload({ text: 'x', fileName: '={{ "" }}' }));
		expect(unnamed.error!.message).toBe('The parameter "File Name" is required when uploading text');
		expect(server.requests).toHaveLength(0);
	});

	it('keeps Options → File Name of saved binary uploads (no Source parameter)', async () => {
		const result = await runSunshine(
			server,
			{ operation: 'upload', binaryPropertyName: 'data', options: { fileName: 'renamed.pdf' } },
			{ input: [{ binary: { data: { data: Buffer.from('%PDF-1.4'), fileName: 'scan.pdf', mimeType: 'application/pdf' } } }] },
		);
		expect(result.error).toBeUndefined();
		expect(server.attachments(APP_ID)[0]).toMatchObject({ fileName: 'renamed.pdf', mediaType: 'application/pdf' });
	});
});
