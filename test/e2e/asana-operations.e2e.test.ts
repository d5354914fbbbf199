/**
 * Asana Attachment in a real n8n, every operation, through Prism (asana_oas.yaml) in front of the
 * emulator of sandbox/asana/server.ts. Waits for the node to be declared in package.json.
 * Downloads follow Asana's pre-signed `download_url` to the emulator's file host (S3's role),
 * which no spec describes.
 */
import { randomBytes } from 'node:crypto';

import type { RunningProvider, Sandbox } from '../../sandbox';
import { ASANA_DEMO, asanaProvider } from '../../sandbox/asana/demo';
import type { AsanaServer } from '../../sandbox/asana/server';

import type { WorkflowToImport } from './support/n8n';
import { describeIfDeclared, expectSuccess, itemsOf, makeFile, node, readBinary, runWorkflow, sha256, workflow, type WorkflowNode } from './support/workflows';
import { useProviderInN8n } from './support/operations';
import type { E2eN8n } from './support/server';

const TASK = ASANA_DEMO.task.gid;
const OTHER_TASK = ASANA_DEMO.secondTask.gid;
const BIG = { fileName: 'site-photos.zip', mimeType: 'application/zip', content: randomBytes(3 * 1024 * 1024) };
const SIGNED = { fileName: 'Vertrag – unterschrieben.pdf', mimeType: 'application/pdf', content: Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(4096)]) };
const LINK = { url: 'https://docs.example.com/specs/v2', name: 'Specification v2' };

describeIfDeclared(asanaProvider.nodeFile)('Asana Attachment in a real n8n, through Prism', () => {
	const e2e = useProviderInN8n<AsanaServer>('asana', { clear: (emulator) => (emulator.fileRequests.length = 0) });
	let sandbox: Sandbox;
	let asana: RunningProvider<AsanaServer>;
	let n8n: E2eN8n;
	let userFolder: string;
	let credential: { id: string; name: string };
	let bigGid: string;
	const ids = e2e.ids;

	const asanaNode = (name: string, parameters: Record<string, unknown>): WorkflowNode =>
		node(name, asanaProvider.nodeType, { authentication: 'accessToken', resource: 'attachment', ...parameters }, { credentials: { asanaAttachmentApi: credential } });

	beforeAll(async () => {
		({ sandbox, provider: asana, n8n } = e2e);
		bigGid = asana.emulator.seedAttachment(TASK, BIG.fileName, BIG.content, BIG.mimeType).gid;
		userFolder = n8n.userFolder;
		[credential] = (await n8n.importCredentials(asana.credentials)).map(({ id, name }) => ({ id, name }));

		const workflows: Record<string, WorkflowToImport> = {
			read: workflow('e2e Asana: Get Many, Get, Get with download', [
				[asanaNode('Get Many', { operation: 'getAll', parent: { __rl: true, mode: 'id', value: TASK }, returnAll: true, options: {} })],
				[asanaNode('Get', { operation: 'get', attachmentId: bigGid, download: false, options: {} })],
				[asanaNode('Get with download', { operation: 'get', attachmentId: bigGid, download: true, binaryPropertyName: 'file', options: {} })],
			]),
			write: workflow('e2e Asana: Upload file, Upload link, Delete', [
				[
					...makeFile('Signed contract', SIGNED),
					asanaNode('Upload file', { operation: 'upload', parent: { __rl: true, mode: 'id', value: OTHER_TASK }, source: 'binary', binaryPropertyName: 'data', options: {} }),
					asanaNode('Delete', { operation: 'delete', attachmentId: '={{ $json.gid }}' }),
				],
				[asanaNode('Upload link', { operation: 'upload', parent: { __rl: true, mode: 'id', value: OTHER_TASK }, source: 'link', url: LINK.url, name: LINK.name, options: {} })],
				[
					asanaNode('Download 3 MiB', { operation: 'get', attachmentId: bigGid, download: true, binaryPropertyName: 'data', options: {} }),
					asanaNode('Upload 3 MiB copy', { operation: 'upload', parent: { __rl: true, mode: 'id', value: OTHER_TASK }, source: 'binary', binaryPropertyName: 'data', options: {} }),
				],
			]),
		};
		await e2e.importWorkflows(workflows);
	}, 30 * 60_000);

	it('Get Many, Get, and Get with download (3 MiB from the pre-signed URL)', async () => {
		const run = await runWorkflow(n8n, sandbox, ids.read);
		expectSuccess(run, sandbox);
		expect(itemsOf(run, 'Get Many').map((item) => item.json)).toEqual([expect.objectContaining({ gid: bigGid, name: BIG.fileName })]);
		expect(itemsOf(run, 'Get')[0].json).toMatchObject({ gid: bigGid, name: BIG.fileName });
		const [downloaded] = itemsOf(run, 'Get with download');
		expect(downloaded.binary?.file).toMatchObject({ fileName: BIG.fileName });
		const bytes = readBinary(userFolder, downloaded.binary!.file);
		expect({ size: bytes.length, sha256: sha256(bytes) }).toEqual({ size: BIG.content.length, sha256: sha256(BIG.content) });

		for (const request of asana.emulator.requests) expect(request.headers.authorization).toBe(`Bearer ${ASANA_DEMO.token}`);
		// The file host got the download without the token (pre-signed URL).
		expect(asana.emulator.fileRequests.map((r) => ({ method: r.method, authorization: r.headers.authorization }))).toEqual([{ method: 'GET', authorization: undefined }]);
	});

	it('Upload a file (multipart, non-ASCII name), Upload a link, Delete, and a 3 MiB copy', async () => {
		const run = await runWorkflow(n8n, sandbox, ids.write);
		expectSuccess(run, sandbox);
		const [uploaded] = itemsOf(run, 'Upload file').map((item) => item.json);
		expect(uploaded).toMatchObject({ name: SIGNED.fileName });
		expect(itemsOf(run, 'Delete')[0].json).toEqual({ deleted: true });
		expect(itemsOf(run, 'Upload link')[0].json).toMatchObject({ name: LINK.name });
		expect(itemsOf(run, 'Upload 3 MiB copy')[0].json).toMatchObject({ name: BIG.fileName });

		const uploads = asana.emulator.requests.filter((r) => r.method === 'POST' && r.path === '/api/1.0/attachments');
		expect(uploads).toHaveLength(3);
		const fileParts = uploads.map((r) => r.multipart?.parts.find((part) => part.name === 'file')).filter((part) => part !== undefined);
		expect(fileParts.map((part) => ({ fileName: part!.fileName, size: part!.size, sha256: part!.sha256 }))).toEqual([
			{ fileName: SIGNED.fileName, size: SIGNED.content.length, sha256: sha256(SIGNED.content) },
			{ fileName: BIG.fileName, size: BIG.content.length, sha256: sha256(BIG.content) },
		]);
		const stored = asana.emulator.attachments(OTHER_TASK).map((a) => ({ name: a.name, subtype: a.resourceSubtype, sha256: a.sha256, url: a.url }));
		expect(stored).toEqual([
			{ name: LINK.name, subtype: 'external', sha256: undefined, url: LINK.url },
			{ name: BIG.fileName, subtype: 'asana', sha256: sha256(BIG.content), url: undefined },
		]);
		expect(asana.emulator.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`/api/1.0/attachments/${String(uploaded.gid)}`]);
	});
});
