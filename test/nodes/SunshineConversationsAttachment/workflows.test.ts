/**
 * The workflow fixtures in ./workflows, one per operation and one chaining two, run as n8n runs a
 * saved workflow: manual trigger, (fixture source,) Sunshine Conversations Attachment node(s).
 */
import { createHash } from 'crypto';

import { APP_ID, fetchLocal, runSunshineWorkflow, useSunshineEmulator } from './context';

const INVOICE = '%PDF-1.4 invoice for ticket 4711\n';
const server = useSunshineEmulator();

it('upload.json uploads the invoice for a message of the conversation the item names', async () => {
	const { error, output } = await runSunshineWorkflow(server, 'upload.json');
	expect(error).toBeUndefined();
	const [stored] = server.attachments(APP_ID);
	expect(stored).toMatchObject({ fileName: 'invoice 4711.pdf', for: 'message', conversationId: 'c616a583e4c240a871818541' });
	expect(stored.sha256).toBe(createHash('sha256').update(INVOICE).digest('hex'));
	expect(output.map((item) => item.json)).toEqual([{ mediaUrl: server.mediaUrl(stored), mediaType: 'application/pdf' }]);
	expect(server.requests[0].url).toBe(`/v2/apps/${APP_ID}/attachments?access=public&for=message&conversationId=c616a583e4c240a871818541`);
});

it('delete.json removes the attachment', async () => {
	const mediaUrl = server.mediaUrl(server.seedAttachment(APP_ID, 'invoice.pdf', Buffer.from(INVOICE), 'application/pdf'));
	const { error, output } = await runSunshineWorkflow(server, 'delete.json', { mediaUrl });
	expect(error).toBeUndefined();
	expect(output.map((item) => item.json)).toEqual([{ deleted: true }]);
	expect(server.attachments()).toEqual([]);
});

it('generate-media-token.json (JWT) gets one token per path', async () => {
	const { error, output } = await runSunshineWorkflow(server, 'generate-media-token.json');
	expect(error).toBeUndefined();
	expect(output.map((item) => item.json.path)).toEqual([`/apps/${APP_ID}`, `/apps/${APP_ID}/conversations/c616a583e4c240a871818541`]);
	expect(String(server.requests[0].headers.authorization)).toMatch(/^Bearer /);
});

it('set-cookie.json turns a media token into the cookie that opens private media', async () => {
	server.setAppSettings(APP_ID, { attachmentsAccess: 'private' });
	const record = server.seedAttachment(APP_ID, 'invoice.pdf', Buffer.from(INVOICE), 'application/pdf');
	const mediaToken = server.issueMediaToken(APP_ID, `/apps/${APP_ID}`);
	const { error, output } = await runSunshineWorkflow(server, 'set-cookie.json', { mediaToken });
	expect(error).toBeUndefined();
	const media = await fetchLocal(server.mediaUrl(record), { Cookie: output[0].json.cookie as string });
	expect(media.body.toString()).toBe(INVOICE);
});

it('upload-then-delete.json uploads the file and removes it by the media URL the upload returned', async () => {
	const { error, output, outputOf } = await runSunshineWorkflow(server, 'upload-then-delete.json');
	expect(error).toBeUndefined();
	const uploaded = outputOf('Upload invoice')[0].json.mediaUrl as string;
	expect(output.map((item) => item.json)).toEqual([{ deleted: true }]);
	expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
		`POST /v2/apps/${APP_ID}/attachments`,
		`POST /v2/apps/${APP_ID}/attachments/remove`,
	]);
	expect(JSON.parse(server.requests[1].body!.toString())).toEqual({ mediaUrl: uploaded });
	expect(server.attachments()).toEqual([]);
});
