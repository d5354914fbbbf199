/**
 * Sunshine Conversations Attachment in a real n8n, every operation, through Prism in front of the
 * emulator of sandbox/sunshine/server.ts: upload and delete checked against the current spec
 * (v17.12.1), the media token and cookie calls against the legacy v12.8.0 spec, the last one that
 * documents them. Both authentications: API key (Basic) and JWT. Waits for the node to be declared
 * in package.json.
 */
import { randomBytes } from 'node:crypto';

import type { RunningProvider, Sandbox } from '../../sandbox';
import { SUNSHINE_DEMO, sunshineProvider } from '../../sandbox/sunshine/demo';
import type { SunshineServer } from '../../sandbox/sunshine/server';

import type { WorkflowToImport } from './support/n8n';
import { describeIfDeclared, expectSuccess, itemsOf, makeFile, node, runWorkflow, sha256, workflow, type WorkflowNode } from './support/workflows';
import { useProviderInN8n } from './support/operations';
import type { E2eN8n } from './support/server';

const APP = SUNSHINE_DEMO.app.id;
const CONVERSATION = 'c616a583e4c240a871818541';
const NOTE = { fileName: 'note.txt', mimeType: 'text/plain', content: Buffer.from('Parcel arrived damaged.\n') };
const PHOTO = { fileName: 'damaged parcel.jpg', mimeType: 'image/jpeg', content: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(3 * 1024 * 1024)]) };

describeIfDeclared(sunshineProvider.nodeFile)('Sunshine Conversations Attachment in a real n8n, through Prism', () => {
	const e2e = useProviderInN8n<SunshineServer>('sunshine');
	let sandbox: Sandbox;
	let sunshine: RunningProvider<SunshineServer>;
	let n8n: E2eN8n;
	let apiKey: { id: string; name: string };
	let jwt: { id: string; name: string };
	const ids = e2e.ids;

	const sunshineNode = (name: string, authentication: 'apiKey' | 'jwt', parameters: Record<string, unknown>): WorkflowNode =>
		node(
			name,
			sunshineProvider.nodeType,
			{ authentication, resource: 'attachment', appId: { __rl: true, mode: 'id', value: APP }, ...parameters },
			{ credentials: authentication === 'jwt' ? { sunshineConversationsAttachmentJwtApi: jwt } : { sunshineConversationsAttachmentApi: apiKey } },
		);

	beforeAll(async () => {
		({ sandbox, provider: sunshine, n8n } = e2e);
		const [demo] = sunshine.credentials;
		const imported = await n8n.importCredentials([
			demo,
			{ ...demo, id: 'sunshineE2eJwtCred', name: 'Sunshine Conversations JWT (local sandbox)', type: 'sunshineConversationsAttachmentJwtApi' },
		]);
		[apiKey, jwt] = imported.map(({ id, name }) => ({ id, name }));

		const workflows: Record<string, WorkflowToImport> = {
			all: workflow('e2e Sunshine: Upload, Generate Media Token, Set Cookie, Delete', [
				[
					...makeFile('Photo', PHOTO),
					sunshineNode('Upload', 'apiKey', { operation: 'upload', binaryPropertyName: 'data', options: { for: 'message', conversationId: CONVERSATION } }),
					sunshineNode('Generate Media Token', 'jwt', { operation: 'generateMediaToken', paths: [`/apps/${APP}`] }),
					sunshineNode('Set Cookie', 'apiKey', { operation: 'setCookie', mediaToken: '={{ $json.token }}' }),
				],
				[
					...makeFile('Note', NOTE),
					sunshineNode('Upload note', 'jwt', { operation: 'upload', binaryPropertyName: 'data', options: {} }),
					sunshineNode('Delete', 'jwt', { operation: 'delete', mediaUrl: '={{ $json.mediaUrl }}' }),
				],
			]),
		};
		await e2e.importWorkflows(workflows);
	}, 30 * 60_000);

	it('Upload (3 MiB, for a message; and with JWT), Generate Media Token (JWT), Set Cookie, Delete (JWT)', async () => {
		const run = await runWorkflow(n8n, sandbox, ids.all);
		expectSuccess(run, sandbox);

		const [uploaded] = itemsOf(run, 'Upload').map((item) => item.json);
		expect(uploaded).toMatchObject({ mediaUrl: expect.stringContaining(`${sunshine.emulator.mediaBaseUrl}/`), mediaType: PHOTO.mimeType });
		expect(itemsOf(run, 'Generate Media Token').map((item) => item.json)).toEqual([{ path: `/apps/${APP}`, token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) }]);
		expect(itemsOf(run, 'Set Cookie')[0].json).toMatchObject({ cookie: expect.stringContaining('=') });
		const [note] = itemsOf(run, 'Upload note').map((item) => item.json);
		expect(itemsOf(run, 'Delete')[0].json).toEqual({ deleted: true });

		// Stored: the photo, byte for byte; the note was deleted again.
		const stored = sunshine.emulator.attachments(APP).map((a) => ({ name: a.fileName, type: a.mediaType, size: a.size, sha256: a.sha256, for: a.for, conversationId: a.conversationId }));
		expect(stored).toEqual([{ name: PHOTO.fileName, type: PHOTO.mimeType, size: PHOTO.content.length, sha256: sha256(PHOTO.content), for: 'message', conversationId: CONVERSATION }]);

		const calls = sunshine.emulator.requests.map((r) => ({ call: `${r.method} ${r.path}`, auth: String(r.headers.authorization).split(' ')[0] }));
		expect(calls).toEqual([
			{ call: `POST /v2/apps/${APP}/attachments`, auth: 'Basic' },
			{ call: `POST /v2/apps/${APP}/attachments/token`, auth: 'Bearer' },
			{ call: `GET /v2/apps/${APP}/attachments/cookie`, auth: 'Bearer' }, // the media token, not the key
			{ call: `POST /v2/apps/${APP}/attachments`, auth: 'Bearer' },
			{ call: `POST /v2/apps/${APP}/attachments/remove`, auth: 'Bearer' },
		]);
		const removal = sunshine.emulator.requests.find((r) => r.path.endsWith('/attachments/remove'));
		expect(JSON.parse(removal!.body!.toString('utf8'))).toEqual({ mediaUrl: note.mediaUrl });
		// Which spec checked what: upload and remove the current one, token and cookie the legacy one.
		expect(sunshine.gate.exchanges.map((e) => `${e.status} ${e.spec}`)).toEqual([
			'201 sunshine_conversations.yaml',
			'200 sunshine_conversations_v12.8.0_legacy.yaml',
			'200 sunshine_conversations_v12.8.0_legacy.yaml',
			'201 sunshine_conversations.yaml',
			'200 sunshine_conversations.yaml',
		]);
		expect(sunshine.gate.exchanges[0].requestBytes).toBeGreaterThan(PHOTO.content.length);
	});
});
