/**
 * Smoke test of the whole chain: the package, packed and installed as the Community Nodes panel
 * installs it, is loaded by a real n8n 2.41.1, and its Xero Attachment node runs "Get Many" with
 * an OAuth2 credential against a server on 127.0.0.1.
 */
import type { IncomingHttpHeaders } from 'node:http';

import { startLocalServer } from '../support/local-server';
import type { LocalServer } from '../support/local-server';
import {
	XERO_CREDENTIAL_TYPE,
	XERO_NODE_TYPE,
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

const TENANT_ID = '45e4708e-d862-4111-ab3a-dd8cd03913e1';
const INVOICE_ID = '4074292c-09b3-456d-84e7-add864c6c39b';
const ATTACHMENT = {
	AttachmentID: '9808ad7f-c8d4-41cf-995e-bc29cb76fd2c',
	FileName: 'a.pdf',
	MimeType: 'application/pdf',
	ContentLength: 3,
};

describe('n8n-nodes-attachments in a real n8n', () => {
	let server: LocalServer;
	let userFolder: string;
	const requests: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders }> = [];

	beforeAll(async () => {
		await prepareHost(); // a second when the global setup (or an earlier run) did it already
		server = await startLocalServer((req, res) => {
			requests.push({ method: req.method, url: req.url, headers: req.headers });
			if (req.method === 'GET' && req.url === `/api.xro/2.0/Invoices/${INVOICE_ID}/Attachments`) {
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ Attachments: [ATTACHMENT] }));
				return;
			}
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ Message: `no route for ${req.method} ${req.url}` }));
		});
		userFolder = await createUserFolder();
	}, 30 * 60_000);

	afterAll(async () => {
		await server?.close();
		if (userFolder && !process.env.KEEP_N8N_USER_FOLDER) removeUserFolder(userFolder);
	});

	it('loads the node and the credential type', async () => {
		const types = await listLoadedTypes(userFolder);
		expect(types.nodes).toContain(XERO_NODE_TYPE);
		expect(types.credentials).toContain(XERO_CREDENTIAL_TYPE);
	});

	it('lists the attachments of an invoice with the stored access token', async () => {
		const [credential] = await importCredentials(userFolder, [
			{
				name: 'Xero (local server)',
				type: XERO_CREDENTIAL_TYPE,
				data: {
					clientId: 'test-client-id',
					clientSecret: 'test-client-secret',
					baseUrl: server.baseUrl,
					oauthTokenData: { access_token: 'test-access-token', token_type: 'Bearer', refresh_token: 'r' },
				},
			},
		]);
		const workflowId = await importWorkflow(userFolder, {
			name: 'Smoke: Xero Attachment Get Many',
			nodes: [
				{ id: 'start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{
					id: 'xero',
					name: 'Xero Attachment',
					type: XERO_NODE_TYPE,
					typeVersion: 1,
					position: [220, 0],
					parameters: {
						resource: 'invoice',
						operation: 'getAll',
						tenantId: { __rl: true, mode: 'id', value: TENANT_ID },
						parentId: INVOICE_ID,
					},
					credentials: { [XERO_CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
				},
			],
			connections: { Start: { main: [[{ node: 'Xero Attachment', type: 'main', index: 0 }]] } },
		});

		const run = await executeWorkflow(userFolder, workflowId);

		expect({ exitCode: run.exitCode, error: executionError(run) }).toEqual({ exitCode: 0, error: undefined });
		expect(run.json?.status).toBe('success');
		expect(nodeOutput(run, 'Xero Attachment')).toEqual([ATTACHMENT]);
		expect(requests).toHaveLength(1);
		expect(requests[0]).toMatchObject({
			method: 'GET',
			url: `/api.xro/2.0/Invoices/${INVOICE_ID}/Attachments`,
			headers: { authorization: 'Bearer test-access-token', 'xero-tenant-id': TENANT_ID },
		});
		if (run.peakRssBytes !== undefined) expect(run.peakRssBytes).toBeGreaterThan(50 * 1024 * 1024);
	});
});
