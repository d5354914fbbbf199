/**
 * The workflow fixtures in ./workflows, one per operation, run as n8n runs a saved workflow:
 * manual trigger, (fixture source,) Asana Attachment node with its saved parameters.
 */
import { createHash } from 'crypto';

import { readBinary } from '../../support/n8n-harness';
import { DEFAULT_PROJECT, DEFAULT_TASK } from '../../../sandbox/asana/server';
import { header, runAsanaWorkflow, targets, useAsanaEmulator } from './context';

const FIRST_GID = '1209000000100000';
const server = useAsanaEmulator();

it('upload-file.json attaches the scan to the task named by its V1 URL, under the given name', async () => {
	const { error, output } = await runAsanaWorkflow(server, 'upload-file.json');
	expect(error).toBeUndefined();
	expect(output[0].json).toMatchObject({ name: 'Vertrag – unterschrieben.pdf', resource_subtype: 'asana' });
	const [stored] = server.attachments(DEFAULT_TASK.gid);
	expect(stored).toMatchObject({ name: 'Vertrag – unterschrieben.pdf', mimeType: 'application/pdf' });
	expect(stored.sha256).toBe(createHash('sha256').update('%PDF-1.4 fixture contract\n').digest('hex'));
});

it('upload-link.json links the document named by the incoming item', async () => {
	const { error, output } = await runAsanaWorkflow(server, 'upload-link.json');
	expect(error).toBeUndefined();
	expect(output[0].json).toEqual({ gid: FIRST_GID, resource_type: 'attachment', name: 'Design brief 2026', resource_subtype: 'external' });
	expect(server.attachments(DEFAULT_PROJECT.gid)[0]).toMatchObject({ url: 'https://docs.example.com/d/brief-2026' });
});

it('get.json reads the chosen fields of the record', async () => {
	server.seedAttachment(DEFAULT_TASK.gid, 'receipt.pdf', Buffer.from('%PDF'), 'application/pdf');
	const { error, output } = await runAsanaWorkflow(server, 'get.json');
	expect(error).toBeUndefined();
	expect(output[0].json).toEqual({ gid: FIRST_GID, name: 'receipt.pdf', size: 4, parent: { gid: DEFAULT_TASK.gid, resource_type: 'task', name: DEFAULT_TASK.name } });
	expect(targets(server.requests)).toEqual([`GET /api/1.0/attachments/${FIRST_GID}?opt_fields=name%2Csize%2Cparent%2Cparent.name`]);
});

it('get-download.json downloads into the "file" field', async () => {
	server.seedAttachment(DEFAULT_TASK.gid, 'receipt.pdf', Buffer.from('%PDF-1.4 receipt'), 'application/pdf');
	const { error, output } = await runAsanaWorkflow(server, 'get-download.json');
	expect(error).toBeUndefined();
	expect((await readBinary(output[0].binary!.file)).toString()).toBe('%PDF-1.4 receipt');
	expect(header(server.fileRequests[0], 'authorization')).toBeUndefined();
});

it('get-many.json lists the task attachments with OAuth2', async () => {
	server.seedAttachment(DEFAULT_TASK.gid, 'a.pdf', Buffer.from('A'), 'application/pdf');
	server.seedLink(DEFAULT_TASK.gid, 'Spec', 'https://example.com/spec');
	const { error, output } = await runAsanaWorkflow(server, 'get-many.json');
	expect(error).toBeUndefined();
	expect(output.map((item) => [item.json.name, item.json.resource_subtype])).toEqual([
		['a.pdf', 'asana'],
		['Spec', 'external'],
	]);
	expect(header(server.requests[0], 'authorization')).toMatch(/^Bearer 2\/.*oauth/);
});

it('delete.json deletes the attachment named by the incoming item', async () => {
	server.seedAttachment(DEFAULT_TASK.gid, 'old.pdf', Buffer.from('old'), 'application/pdf');
	const { error, output } = await runAsanaWorkflow(server, 'delete.json');
	expect(error).toBeUndefined();
	expect(output.map((item) => item.json)).toEqual([{ deleted: true }]);
	expect(server.attachments(DEFAULT_TASK.gid)).toHaveLength(0);
});
