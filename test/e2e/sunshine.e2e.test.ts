/**
 * Runs with the e2e suite (`npx jest -c test/e2e/jest.config.js`) once that config's `roots` include
 * `<rootDir>/test/nodes`; the unit/integration config ignores *.e2e.test.ts.
 *
 * Sunshine Conversations Attachment in a real n8n 2.41.1 (package installed as the Community
 * Nodes panel installs it), against the local Sunshine emulator: both credential types load; a
 * file made by n8n's own nodes is uploaded with the API key (Basic), removed again with the JWT
 * credential (signed by the package inside n8n's credential helper); a media token is made and
 * turned into the cookie that opens private media.
 */
import { createHmac } from 'node:crypto';

import { DEFAULT_APP, DEFAULT_APP_KEY, startSunshineServer } from '../servers/sunshine-server';
import type { SunshineServer } from '../servers/sunshine-server';
import {
	PACKAGE_NAME,
	createUserFolder,
	executeWorkflow,
	executionError,
	importCredentials,
	importWorkflow,
	listLoadedTypes,
	nodeOutput,
	prepareHost,
	removeUserFolder,
} from './support/n8n';

const NODE_TYPE = `${PACKAGE_NAME}.sunshineConversationsAttachment`;
const BASIC = 'sunshineConversationsAttachmentApi';
const JWT = 'sunshineConversationsAttachmentJwtApi';
const APP = DEFAULT_APP.id;
const INVOICE = '%PDF-1.4 invoice for ticket 4711\n';

describe('Sunshine Conversations Attachment in a real n8n', () => {
	let server: SunshineServer;
	let userFolder: string;
	let credentials: Record<string, { id: string; name: string }>;

	beforeAll(async () => {
		await prepareHost();
		server = await startSunshineServer();
		userFolder = await createUserFolder();
		const data = { region: 'custom', baseUrl: server.url, keyId: DEFAULT_APP_KEY.id, secret: DEFAULT_APP_KEY.secret, appId: APP };
		const imported = await importCredentials(userFolder, [
			{ name: 'Sunshine (emulator, API key)', type: BASIC, data },
			{ name: 'Sunshine (emulator, JWT)', type: JWT, data },
		]);
		credentials = Object.fromEntries(imported.map((credential) => [credential.type, { id: credential.id, name: credential.name }]));
	}, 30 * 60_000);

	afterAll(async () => {
		await server?.close();
		if (userFolder && !process.env.KEEP_N8N_USER_FOLDER) removeUserFolder(userFolder);
	});
	beforeEach(() => server.reset());

	const sunshineNode = (name: string, authentication: 'apiKey' | 'jwt', parameters: Record<string, unknown>, x: number) => ({
		id: name.replace(/\W/g, '-'),
		name,
		type: NODE_TYPE,
		typeVersion: 1,
		position: [x, 0],
		parameters: { authentication, resource: 'attachment', appId: { __rl: true, mode: 'id', value: APP }, ...parameters },
		credentials: authentication === 'apiKey' ? { [BASIC]: credentials[BASIC] } : { [JWT]: credentials[JWT] },
	});
	const chain = (...names: string[]) =>
		Object.fromEntries(names.slice(0, -1).map((name, i) => [name, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]));

	it('loads the node and both credential types', async () => {
		const types = await listLoadedTypes(userFolder);
		expect(types.nodes).toContain(NODE_TYPE);
		expect(types.credentials).toEqual(expect.arrayContaining([BASIC, JWT]));
	});

	it('uploads a file made by n8n with the API key, then removes it with the JWT credential', async () => {
		const workflowId = await importWorkflow(userFolder, {
			name: 'E2E: Sunshine upload, then remove',
			nodes: [
				{ id: 'start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{
					id: 'set',
					name: 'Invoice',
					type: 'n8n-nodes-base.set',
					typeVersion: 3.4,
					position: [200, 0],
					parameters: {
						assignments: { assignments: [{ id: 'b64', name: 'pdf', value: Buffer.from(INVOICE).toString('base64'), type: 'string' }] },
						options: {},
					},
				},
				{
					id: 'file',
					name: 'To File',
					type: 'n8n-nodes-base.convertToFile',
					typeVersion: 1.1,
					position: [400, 0],
					parameters: { operation: 'toBinary', sourceProperty: 'pdf', options: { fileName: 'invoice 4711.pdf', mimeType: 'application/pdf' } },
				},
				sunshineNode('Upload', 'apiKey', { operation: 'upload', binaryPropertyName: 'data', options: { for: 'message', conversationId: 'c616a583e4c240a871818541' } }, 600),
				sunshineNode('Remove', 'jwt', { operation: 'delete', mediaUrl: '={{ $json.mediaUrl }}' }, 800),
			],
			connections: chain('Start', 'Invoice', 'To File', 'Upload', 'Remove'),
		});
		const run = await executeWorkflow(userFolder, workflowId);
		expect({ exitCode: run.exitCode, error: executionError(run) }).toEqual({ exitCode: 0, error: undefined });

		const [upload, remove] = server.requests;
		expect(upload.url).toBe(`/v2/apps/${APP}/attachments?access=public&for=message&conversationId=c616a583e4c240a871818541`);
		expect(upload.headers.authorization).toBe(`Basic ${Buffer.from(`${DEFAULT_APP_KEY.id}:${DEFAULT_APP_KEY.secret}`).toString('base64')}`);
		expect(upload.body!.toString()).toContain(`Content-Disposition: form-data; name="source"; filename="invoice 4711.pdf"\r\nContent-Type: application/pdf\r\n\r\n${INVOICE}\r\n`);
		const mediaUrl = nodeOutput(run, 'Upload')[0].mediaUrl as string;
		expect(nodeOutput(run, 'Upload')).toEqual([{ mediaUrl, mediaType: 'application/pdf' }]);
		expect(mediaUrl.startsWith(`${server.mediaBaseUrl}/apps/${APP}/conversations/c616a583e4c240a871818541/`)).toBe(true);

		// The JWT the package signed inside n8n: header, claims and signature.
		const [header64, payload64, signature] = String(remove.headers.authorization).replace(/^Bearer /, '').split('.');
		expect(JSON.parse(Buffer.from(header64, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT', kid: DEFAULT_APP_KEY.id });
		expect(JSON.parse(Buffer.from(payload64, 'base64url').toString())).toEqual({ scope: 'app' });
		expect(signature).toBe(createHmac('sha256', DEFAULT_APP_KEY.secret).update(`${header64}.${payload64}`).digest('base64url'));
		expect(JSON.parse(remove.body!.toString())).toEqual({ mediaUrl });
		expect(nodeOutput(run, 'Remove')).toEqual([{ deleted: true }]);
		expect(server.attachments()).toEqual([]);
	});

	it('makes a media token and the cookie that opens private media', async () => {
		server.setAppSettings(APP, { attachmentsAccess: 'private' });
		const record = server.seedAttachment(APP, 'contract.pdf', Buffer.from(INVOICE), 'application/pdf');
		const workflowId = await importWorkflow(userFolder, {
			name: 'E2E: Sunshine media token and cookie',
			nodes: [
				{ id: 'start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				sunshineNode('Token', 'jwt', { operation: 'generateMediaToken', paths: [`/apps/${APP}`] }, 200),
				sunshineNode('Cookie', 'apiKey', { operation: 'setCookie', mediaToken: '={{ $json.token }}' }, 400),
			],
			connections: chain('Start', 'Token', 'Cookie'),
		});
		const run = await executeWorkflow(userFolder, workflowId);
		expect({ exitCode: run.exitCode, error: executionError(run) }).toEqual({ exitCode: 0, error: undefined });
		const [token] = nodeOutput(run, 'Token');
		expect(token.path).toBe(`/apps/${APP}`);
		expect(server.requests[1].headers.authorization).toBe(`Bearer ${String(token.token)}`);
		const [cookie] = nodeOutput(run, 'Cookie');
		const media = await fetch(server.mediaUrl(record), { headers: { Cookie: String(cookie.cookie) } });
		expect(media.status).toBe(200);
		expect(await media.text()).toBe(INVOICE);
	});

	it('a refused file type fails the run with Sunshine\'s message', async () => {
		const workflowId = await importWorkflow(userFolder, {
			name: 'E2E: Sunshine refuses an executable',
			nodes: [
				{ id: 'start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{
					id: 'set',
					name: 'Program',
					type: 'n8n-nodes-base.set',
					typeVersion: 3.4,
					position: [200, 0],
					parameters: { assignments: { assignments: [{ id: 'b64', name: 'exe', value: Buffer.from('MZ').toString('base64'), type: 'string' }] }, options: {} },
				},
				{
					id: 'file',
					name: 'To File',
					type: 'n8n-nodes-base.convertToFile',
					typeVersion: 1.1,
					position: [400, 0],
					parameters: { operation: 'toBinary', sourceProperty: 'exe', options: { fileName: 'setup.exe', mimeType: 'application/x-msdownload' } },
				},
				sunshineNode('Upload', 'jwt', { operation: 'upload', binaryPropertyName: 'data', options: {} }, 600),
			],
			connections: chain('Start', 'Program', 'To File', 'Upload'),
		});
		const run = await executeWorkflow(userFolder, workflowId);
		expect(executionError(run)).toBe(
			'Sunshine Conversations: The file type is not accepted: Unsupported media type: application/x-msdownload (setup.exe) (unsupported_media_type)',
		);
		expect(run.stdout + run.stderr).not.toContain(DEFAULT_APP_KEY.secret);
	});
});
