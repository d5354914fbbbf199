/**
 * Wix Attachment in a real n8n, every operation, through Prism (wix_contact_attachments.yaml) in
 * front of the emulator of sandbox/wix/server.ts. Waits for the node to be declared in
 * package.json. The upload URL and file links point at the emulator's media host, which no spec
 * describes (Wix's upload and static-media hosts).
 */
import { randomBytes } from 'node:crypto';

import type { RunningProvider, Sandbox } from '../../sandbox';
import { WIX_DEMO, wixProvider } from '../../sandbox/wix/demo';
import type { WixServer } from '../../sandbox/wix/server';

import type { WorkflowToImport } from './support/n8n';
import { describeIfDeclared, expectSuccess, itemsOf, makeFile, node, readBinary, runWorkflow, sha256, workflow, type WorkflowNode } from './support/workflows';
import { useProviderInN8n } from './support/operations';
import type { E2eN8n } from './support/server';

const CONTACT = WIX_DEMO.contact.id;
const SCAN = { fileName: 'passport scan.pdf', mimeType: 'application/pdf', content: Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(3 * 1024 * 1024)]) };
const OLD = { fileName: 'old-form.pdf', mimeType: 'application/pdf', content: Buffer.from('%PDF-1.4\nold\n') };
const NEW = { fileName: 'new form (signed).pdf', mimeType: 'application/pdf', content: Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(2048)]) };

describeIfDeclared(wixProvider.nodeFile)('Wix Attachment in a real n8n, through Prism', () => {
	const e2e = useProviderInN8n<WixServer>('wix');
	let sandbox: Sandbox;
	let wix: RunningProvider<WixServer>;
	let n8n: E2eN8n;
	let userFolder: string;
	let credential: { id: string; name: string };
	let scanId: string;
	let oldId: string;
	const ids = e2e.ids;

	const wixNode = (name: string, parameters: Record<string, unknown>): WorkflowNode =>
		node(name, wixProvider.nodeType, { authentication: 'apiKey', resource: 'contactAttachment', contactId: CONTACT, ...parameters }, { credentials: { wixAttachmentApi: credential } });

	beforeAll(async () => {
		({ sandbox, provider: wix, n8n } = e2e);
		scanId = wix.emulator.seedAttachment(CONTACT, SCAN.fileName, SCAN.content, SCAN.mimeType).id;
		oldId = wix.emulator.seedAttachment(CONTACT, OLD.fileName, OLD.content, OLD.mimeType).id;
		userFolder = n8n.userFolder;
		[credential] = (await n8n.importCredentials(wix.credentials)).map(({ id, name }) => ({ id, name }));

		const workflows: Record<string, WorkflowToImport> = {
			read: workflow('e2e Wix: Get Many, Get, Get with download', [
				[wixNode('Get Many', { operation: 'getAll', returnAll: true })],
				[wixNode('Get', { operation: 'get', attachmentId: { __rl: true, mode: 'id', value: scanId } })],
				[wixNode('Get with download', { operation: 'get', attachmentId: { __rl: true, mode: 'id', value: scanId }, download: true, binaryPropertyName: 'file' })],
			]),
			write: workflow('e2e Wix: Upload, Delete', [
				[...makeFile('New form', NEW), wixNode('Upload', { operation: 'upload', binaryPropertyName: 'data', options: {} })],
				[wixNode('Delete', { operation: 'delete', attachmentId: { __rl: true, mode: 'id', value: oldId } })],
			]),
		};
		await e2e.importWorkflows(workflows);
	}, 30 * 60_000);

	it('Get Many, Get, and Get with download (3 MiB from the signed file link)', async () => {
		const run = await runWorkflow(n8n, sandbox, ids.read);
		expectSuccess(run, sandbox);
		expect(itemsOf(run, 'Get Many').map((item) => item.json)).toEqual([
			expect.objectContaining({ id: scanId, fileName: SCAN.fileName, mimeType: SCAN.mimeType }),
			expect.objectContaining({ id: oldId, fileName: OLD.fileName }),
		]);
		expect(itemsOf(run, 'Get')[0].json).toMatchObject({ id: scanId, fileName: SCAN.fileName });
		const [downloaded] = itemsOf(run, 'Get with download');
		expect(downloaded.binary?.file).toMatchObject({ fileName: SCAN.fileName, mimeType: SCAN.mimeType });
		const bytes = readBinary(userFolder, downloaded.binary!.file);
		expect({ size: bytes.length, sha256: sha256(bytes) }).toEqual({ size: SCAN.content.length, sha256: sha256(SCAN.content) });

		const api = wix.emulator.requestsTo('api');
		for (const request of api) expect(request.headers).toMatchObject({ authorization: WIX_DEMO.apiKey, 'wix-site-id': WIX_DEMO.siteId });
		// The media host got the download without the API key.
		expect(wix.emulator.requestsTo('media').map((r) => ({ method: r.method, authorization: r.headers.authorization }))).toEqual([{ method: 'GET', authorization: undefined }]);
	});

	it('Upload (upload URL from the API, then the bytes to the media host) and Delete', async () => {
		const run = await runWorkflow(n8n, sandbox, ids.write);
		expectSuccess(run, sandbox);
		expect(itemsOf(run, 'Upload')).toHaveLength(1);
		expect(itemsOf(run, 'Delete')[0].json).toEqual({ deleted: true });

		const apiCalls = wix.emulator.requestsTo('api').map((r) => `${r.method} ${r.path}`);
		expect(apiCalls).toEqual([`POST /contacts/v4/attachments/${CONTACT}/upload-url`, `DELETE /contacts/v4/attachments/${CONTACT}/${oldId}`]);
		const put = wix.emulator.requestsTo('media').find((r) => r.method === 'PUT');
		expect({ type: put?.headers['content-type'], size: put?.bodySize, sha256: put?.bodySha256, authorization: put?.headers.authorization }).toEqual({
			type: NEW.mimeType,
			size: NEW.content.length,
			sha256: sha256(NEW.content),
			authorization: undefined,
		});
		const stored = wix.emulator.attachments(CONTACT).map((a) => ({ name: a.fileName, sha256: a.sha256 }));
		expect(stored).toEqual([
			{ name: SCAN.fileName, sha256: sha256(SCAN.content) },
			{ name: NEW.fileName, sha256: sha256(NEW.content) },
		]);
	});
});
