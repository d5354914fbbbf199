/**
 * The suite's webhook workflows: one per operation of every node (parameters from the call's
 * query string), published on main and executed by the workers.
 */
import { asanaProvider } from '../../../sandbox/asana/demo';
import { sunshineProvider } from '../../../sandbox/sunshine/demo';
import { wixProvider } from '../../../sandbox/wix/demo';
import { XERO_DEMO, xeroProvider } from '../../../sandbox/xero/demo';
import { fromQuery, node, webhookWorkflow, type WebhookWorkflow, type WorkflowNode } from './harness';

type Credentials = Record<string, { id: string; name: string }>;

const rl = (value: string) => ({ __rl: true, mode: 'id', value });

export function suiteWorkflows(credentials: Credentials) {
	const xero = (name: string, parameters: Record<string, unknown>, credential = credentials.xero): WorkflowNode =>
		node(
			name,
			xeroProvider.nodeType,
			{ resource: 'invoice', tenantId: rl(XERO_DEMO.tenant.tenantId), parentId: fromQuery('invoice'), ...parameters },
			{ credentials: { xeroAttachmentOAuth2Api: credential } },
		);
	const asana = (name: string, parameters: Record<string, unknown>): WorkflowNode =>
		node(name, asanaProvider.nodeType, { authentication: 'accessToken', resource: 'attachment', ...parameters }, { credentials: { asanaAttachmentApi: credentials.asana } });
	const wix = (name: string, parameters: Record<string, unknown>): WorkflowNode =>
		node(name, wixProvider.nodeType, { authentication: 'apiKey', resource: 'contactAttachment', contactId: fromQuery('contact'), ...parameters }, { credentials: { wixAttachmentApi: credentials.wix } });
	const sunshine = (name: string, authentication: 'apiKey' | 'jwt', parameters: Record<string, unknown>): WorkflowNode =>
		node(
			name,
			sunshineProvider.nodeType,
			{ authentication, resource: 'attachment', appId: rl(fromQuery('app')), ...parameters },
			{ credentials: authentication === 'jwt' ? { sunshineConversationsAttachmentJwtApi: credentials.sunshineJwt } : { sunshineConversationsAttachmentApi: credentials.sunshine } },
		);

	const workflows = {
		// Xero
		xeroList: webhookWorkflow('queue Xero: Get Many', 'q-xero-list', 'GET', [xero('Get Many', { operation: 'getAll', returnAll: true })], 'all'),
		xeroGetById: webhookWorkflow(
			'queue Xero: Get by ID',
			'q-xero-get-by-id',
			'GET',
			[xero('Get by ID', { operation: 'get', getBy: 'attachmentId', attachmentId: fromQuery('id'), binaryPropertyName: 'data', options: {} })],
			'binary',
		),
		xeroGetByName: webhookWorkflow(
			'queue Xero: Get by file name',
			'q-xero-get-by-name',
			'GET',
			[xero('Get by file name', { operation: 'get', getBy: 'fileName', fileName: fromQuery('name'), binaryPropertyName: 'data', options: {} })],
			'binary',
		),
		xeroUpload: webhookWorkflow('queue Xero: Upload', 'q-xero-upload', 'POST', [xero('Upload', { operation: 'upload', binaryPropertyName: 'data', fileName: '', options: {} })], 'json'),
		xeroReplace: webhookWorkflow(
			'queue Xero: Upload replace',
			'q-xero-replace',
			'POST',
			[xero('Upload replace', { operation: 'upload', binaryPropertyName: 'data', fileName: fromQuery('name'), options: { replace: true } })],
			'json',
		),
		// Asana
		asanaList: webhookWorkflow('queue Asana: Get Many', 'q-asana-list', 'GET', [asana('Get Many', { operation: 'getAll', parent: rl(fromQuery('task')), returnAll: true, options: {} })], 'all'),
		asanaGet: webhookWorkflow('queue Asana: Get', 'q-asana-get', 'GET', [asana('Get', { operation: 'get', attachmentId: fromQuery('id'), download: false, options: {} })], 'json'),
		asanaDownload: webhookWorkflow(
			'queue Asana: Get with download',
			'q-asana-download',
			'GET',
			[asana('Get with download', { operation: 'get', attachmentId: fromQuery('id'), download: true, binaryPropertyName: 'data', options: {} })],
			'binary',
		),
		asanaUpload: webhookWorkflow(
			'queue Asana: Upload file',
			'q-asana-upload',
			'POST',
			[asana('Upload file', { operation: 'upload', parent: rl(fromQuery('task')), source: 'binary', binaryPropertyName: 'data', options: {} })],
			'json',
		),
		asanaLink: webhookWorkflow(
			'queue Asana: Upload link',
			'q-asana-link',
			'GET',
			[asana('Upload link', { operation: 'upload', parent: rl(fromQuery('task')), source: 'link', url: fromQuery('url'), name: fromQuery('name'), options: {} })],
			'json',
		),
		// Many items in one execution, at the node's default concurrency: every file of one task
		// downloaded into the worker's store, then uploaded from it to another task.
		asanaCopyMany: webhookWorkflow(
			'queue Asana: copy every file of a task (many items at once)',
			'q-asana-copy-many',
			'GET',
			[
				asana('Get Many', { operation: 'getAll', parent: rl(fromQuery('task')), returnAll: true, options: {} }),
				asana('Download each', { operation: 'get', attachmentId: '={{ $json.gid }}', download: true, binaryPropertyName: 'data', options: {} }),
				asana('Upload each', { operation: 'upload', parent: rl("={{ $('Webhook').first().json.query.to }}"), source: 'binary', binaryPropertyName: 'data', options: {} }),
			],
			'all',
		),
		asanaDelete: webhookWorkflow('queue Asana: Delete', 'q-asana-delete', 'GET', [asana('Delete', { operation: 'delete', attachmentId: fromQuery('id') })], 'json'),
		// Wix
		wixList: webhookWorkflow('queue Wix: Get Many', 'q-wix-list', 'GET', [wix('Get Many', { operation: 'getAll', returnAll: true })], 'all'),
		wixGet: webhookWorkflow('queue Wix: Get', 'q-wix-get', 'GET', [wix('Get', { operation: 'get', attachmentId: rl(fromQuery('id')) })], 'json'),
		wixDownload: webhookWorkflow(
			'queue Wix: Get with download',
			'q-wix-download',
			'GET',
			[wix('Get with download', { operation: 'get', attachmentId: rl(fromQuery('id')), download: true, binaryPropertyName: 'data' })],
			'binary',
		),
		wixUpload: webhookWorkflow('queue Wix: Upload', 'q-wix-upload', 'POST', [wix('Upload', { operation: 'upload', binaryPropertyName: 'data', options: {} })], 'json'),
		wixDelete: webhookWorkflow('queue Wix: Delete', 'q-wix-delete', 'GET', [wix('Delete', { operation: 'delete', attachmentId: rl(fromQuery('id')) })], 'json'),
		// Sunshine Conversations
		sunshineUpload: webhookWorkflow(
			'queue Sunshine: Upload (API key)',
			'q-sunshine-upload',
			'POST',
			[sunshine('Upload', 'apiKey', { operation: 'upload', binaryPropertyName: 'data', options: {} })],
			'json',
		),
		sunshineUploadJwt: webhookWorkflow(
			'queue Sunshine: Upload (JWT), for a message',
			'q-sunshine-upload-jwt',
			'POST',
			[sunshine('Upload', 'jwt', { operation: 'upload', binaryPropertyName: 'data', options: { for: 'message', conversationId: fromQuery('conversation') } })],
			'json',
		),
		sunshineToken: webhookWorkflow(
			'queue Sunshine: Generate Media Token',
			'q-sunshine-token',
			'GET',
			[sunshine('Generate Media Token', 'jwt', { operation: 'generateMediaToken', paths: ['={{ "/apps/" + $json.query.app }}'] })],
			'json',
		),
		sunshineCookie: webhookWorkflow('queue Sunshine: Set Cookie', 'q-sunshine-cookie', 'GET', [sunshine('Set Cookie', 'apiKey', { operation: 'setCookie', mediaToken: fromQuery('token') })], 'json'),
		sunshineDelete: webhookWorkflow('queue Sunshine: Delete', 'q-sunshine-delete', 'GET', [sunshine('Delete', 'jwt', { operation: 'delete', mediaUrl: fromQuery('mediaUrl') })], 'json'),
		// The worker-kill case: Xero uploads through a proxy that slows the body down.
		xeroSlowUpload: webhookWorkflow(
			'queue Xero: Upload through a slow link',
			'q-xero-slow-upload',
			'POST',
			[xero('Upload', { operation: 'upload', binaryPropertyName: 'data', fileName: '', options: {} }, credentials.xeroSlow)],
			'json',
		),
	} satisfies Record<string, WebhookWorkflow>;
	return workflows;
}

export type SuiteWorkflows = ReturnType<typeof suiteWorkflows>;
