/**
 * The workflow fixtures in ./workflows, one per operation, run as n8n runs a saved workflow:
 * manual trigger, (fixture source,) Wix Attachment node with its saved parameters.
 */
import { createHash } from 'crypto';

import { readBinary } from '../../support/n8n-harness';
import { CONTACT_ID, header, runWixWorkflow, useWixEmulator } from './context';

const server = useWixEmulator();

const byId = (value: string) => ({ __rl: true, mode: 'id', value });

it('get-many.json lists the contact’s attachments', async () => {
	server.seedAttachment(CONTACT_ID, 'cv.pdf', Buffer.from('%PDF'), 'application/pdf');
	server.seedAttachment(CONTACT_ID, 'photo.png', Buffer.from('png'), 'image/png');
	const { error, output } = await runWixWorkflow(server, 'get-many.json');
	expect(error).toBeUndefined();
	expect(output.map((item) => item.json.fileName)).toEqual(['cv.pdf', 'photo.png']);
});

it('get.json outputs the attachment record', async () => {
	const record = server.seedAttachment(CONTACT_ID, 'cv.pdf', Buffer.from('%PDF'), 'application/pdf');
	const { error, output } = await runWixWorkflow(server, 'get.json', { attachmentId: byId(record.id) });
	expect(error).toBeUndefined();
	expect(output).toHaveLength(1);
	expect(output[0].json).toMatchObject({ id: record.id, fileName: 'cv.pdf', attachmentType: 'OTHER' });
	expect(output[0].binary).toBeUndefined();
});

it('get-download.json downloads the file into the "file" field', async () => {
	const record = server.seedAttachment(CONTACT_ID, 'signed-form.pdf', Buffer.from('%PDF-1.4 signed'), 'application/pdf');
	const { error, output } = await runWixWorkflow(server, 'get-download.json', { attachmentId: { __rl: true, mode: 'list', value: record.id } });
	expect(error).toBeUndefined();
	expect(output[0].binary!.file.fileName).toBe('signed-form.pdf');
	expect((await readBinary(output[0].binary!.file)).toString()).toBe('%PDF-1.4 signed');
});

it('upload.json attaches the file of the incoming item to the contact it names', async () => {
	const { error, output } = await runWixWorkflow(server, 'upload.json');
	expect(error).toBeUndefined();
	expect(output[0].json.file).toMatchObject({ displayName: 'signed form (1).pdf', mediaType: 'DOCUMENT' });
	const [stored] = server.attachments(CONTACT_ID);
	expect(stored.fileName).toBe('signed form (1).pdf');
	expect(stored.sha256).toBe(createHash('sha256').update('%PDF-1.4 fixture signed form\n').digest('hex'));
});

it('upload-app-oauth.json uploads as a Wix app, naming and typing the file in Options', async () => {
	const { error, output, credentialsStore } = await runWixWorkflow(server, 'upload-app-oauth.json');
	expect(error).toBeUndefined();
	expect(output[0].json.file).toMatchObject({ displayName: 'id-card.png', mediaType: 'IMAGE' });
	expect(server.requests.map((r) => `${r.host} ${r.method} ${r.path}`)).toEqual([
		'api POST /oauth2/token',
		`api POST /contacts/v4/attachments/${CONTACT_ID}/upload-url`,
		expect.stringMatching(/^media PUT \/_ah\/upload\//),
	]);
	expect(header(server.requests[1], 'authorization')).toBe(credentialsStore.wixAttachmentAppOAuthApi.accessToken);
	expect(header(server.requests[2], 'content-type')).toBe('image/png');
	expect(server.attachments(CONTACT_ID)[0]).toMatchObject({ fileName: 'id-card.png', mimeType: 'image/png', attachmentType: 'IMAGE' });
});

it('delete.json removes the attachment', async () => {
	const record = server.seedAttachment(CONTACT_ID, 'old.pdf', Buffer.from('%PDF'), 'application/pdf');
	const { error, output } = await runWixWorkflow(server, 'delete.json', { attachmentId: byId(record.id) });
	expect(error).toBeUndefined();
	expect(output.map((item) => item.json)).toEqual([{ deleted: true }]);
	expect(server.attachments(CONTACT_ID)).toEqual([]);
});
