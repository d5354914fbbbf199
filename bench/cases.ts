/**
 * The bench's cases: for each node operation that moves a file, the node itself ("ours"), n8n's
 * own HTTP Request node (4.2) moving the same bytes to the same URL, and the curl command line
 * doing it outside n8n. Uploads read the file first with n8n's Read/Write Files from Disk node,
 * which streams it into the binary store, for ours and the HTTP Request node alike.
 */
import { node, type WorkflowNode } from '../test/e2e/support/workflows';
import { largeFileName, sizeGuid } from './server';

export const MEASURED = 'Transfer';
export const READER = 'Read file';

/** Fixed IDs the nodes validate (GUIDs, gids, Sunshine app ID). */
export const IDS = {
	tenant: '7a4bce9f-2e4d-4a8c-9b1e-3f5d6c7a8b90',
	invoice: '5b1d3e0a-8c1f-4f6e-9a2d-7e3b1c0d9f01',
	asanaTask: '1209000000000101',
	wixContact: '3f1a9c52-7e8b-4d0f-a6c2-9b5e1d3f7a20',
	sunshineApp: '6620f0c1a6b4e2001d7c3f10',
};

export interface Credentials {
	xero: { id: string; name: string };
	asana: { id: string; name: string };
	wix: { id: string; name: string };
	sunshine: { id: string; name: string };
}

export const NODE_TYPES = {
	xero: 'n8n-nodes-attachments.xeroAttachment',
	asana: 'n8n-nodes-attachments.asanaAttachment',
	wix: 'n8n-nodes-attachments.wixAttachment',
	sunshine: 'n8n-nodes-attachments.sunshineConversationsAttachment',
};

/** The credentials to import, pointed at the bench server. */
export function credentialsFor(baseUrl: string) {
	return [
		{
			id: 'benchXeroCred0001',
			name: 'Xero (bench)',
			type: 'xeroAttachmentOAuth2Api',
			data: {
				clientId: 'bench-client-id',
				clientSecret: 'bench-client-secret',
				accessTokenUrl: `${baseUrl}/identity/connect/token`,
				baseUrl,
				oauthTokenData: { access_token: 'bench-access-token', refresh_token: 'bench-refresh-token', token_type: 'Bearer' },
			},
		},
		{ id: 'benchAsanaCred001', name: 'Asana (bench)', type: 'asanaAttachmentApi', data: { accessToken: '2/1/2:bench', baseUrl } },
		{
			id: 'benchWixCred00001',
			name: 'Wix (bench)',
			type: 'wixAttachmentApi',
			data: { apiKey: 'IST.bench', siteId: '5ae1c2b8-0c43-4e36-b0c7-1f7d2a9e6b31', baseUrl },
		},
		{
			id: 'benchSunshineCred',
			name: 'Sunshine Conversations (bench)',
			type: 'sunshineConversationsAttachmentApi',
			data: { region: 'us', baseUrl, keyId: 'app_bench', secret: 'bench-secret', appId: IDS.sunshineApp },
		},
	];
}

export function credentialRefs(): Credentials {
	const refs = credentialsFor('http://127.0.0.1');
	const ref = (index: number) => ({ id: refs[index].id, name: refs[index].name });
	return { xero: ref(0), asana: ref(1), wix: ref(2), sunshine: ref(3) };
}

export interface BenchCase {
	/** e.g. "xero-download" */
	id: string;
	label: string;
	direction: 'download' | 'upload';
	/** The largest file the provider (and so the node) accepts; bigger sizes run at this size. */
	maxBytes?: number;
	/** Route the bench server records uploads under. */
	uploadRoute?: string;
	ours(size: number, base: string, creds: Credentials): WorkflowNode;
	http(size: number, base: string): WorkflowNode;
	/** curl arguments (without -sS, -o and -w). */
	curl(size: number, base: string, inputFile: string): string[];
}

const httpNode = (parameters: Record<string, unknown>) =>
	node(MEASURED, 'n8n-nodes-base.httpRequest', { options: {}, ...parameters }, { typeVersion: 4.2 });
const httpDownload = (url: string) =>
	httpNode({ method: 'GET', url, options: { response: { response: { responseFormat: 'file', outputPropertyName: 'data' } } } });
const httpRawUpload = (method: 'PUT' | 'POST', url: string) =>
	httpNode({ method, url, sendBody: true, contentType: 'binaryData', inputDataFieldName: 'data' });
/** The HTTP Request node's parameters for a multipart POST: text fields, then the item's file `data` as `field`. */
export const httpMultipartParameters = (url: string, field: string, textFields: Record<string, string>) => ({
	method: 'POST',
	url,
	sendBody: true,
	contentType: 'multipart-form-data',
	bodyParameters: {
		parameters: [
			...Object.entries(textFields).map(([name, value]) => ({ parameterType: 'formData', name, value })),
			{ parameterType: 'formBinaryData', name: field, inputDataFieldName: 'data' },
		],
	},
});
const httpMultipart = (url: string, field: string, textFields: Record<string, string>) => httpNode(httpMultipartParameters(url, field, textFields));

const xeroBase = (base: string) => `${base}/api.xro/2.0/Invoices/${IDS.invoice}/Attachments`;
const PDF = 'application/pdf';

export const ASANA_MAX = 100 * 1024 * 1024;
export const SUNSHINE_MAX = 50 * 1024 * 1024;

export const CASES: BenchCase[] = [
	{
		id: 'xero-download',
		label: 'Xero Get (download)',
		direction: 'download',
		ours: (size, _base, creds) =>
			node(
				MEASURED,
				NODE_TYPES.xero,
				{
					resource: 'invoice',
					tenantId: { __rl: true, mode: 'id', value: IDS.tenant },
					operation: 'get',
					parentId: IDS.invoice,
					getBy: 'fileName',
					fileName: largeFileName(size),
					binaryPropertyName: 'data',
					options: { mimeType: PDF },
				},
				{ credentials: { xeroAttachmentOAuth2Api: creds.xero } },
			),
		http: (size, base) => httpDownload(`${xeroBase(base)}/${largeFileName(size)}`),
		curl: (size, base) => [`${xeroBase(base)}/${largeFileName(size)}`],
	},
	{
		id: 'asana-download',
		label: 'Asana Get (download)',
		direction: 'download',
		ours: (size, _base, creds) =>
			node(
				MEASURED,
				NODE_TYPES.asana,
				{ authentication: 'accessToken', resource: 'attachment', operation: 'get', attachmentId: String(size), download: true, binaryPropertyName: 'data', options: {} },
				{ credentials: { asanaAttachmentApi: creds.asana } },
			),
		http: (size, base) => httpDownload(`${base}/storage/${largeFileName(size)}`),
		curl: (size, base) => [`${base}/storage/${largeFileName(size)}`],
	},
	{
		id: 'wix-download',
		label: 'Wix Get (download)',
		direction: 'download',
		ours: (size, _base, creds) =>
			node(
				MEASURED,
				NODE_TYPES.wix,
				{
					authentication: 'apiKey',
					resource: 'contactAttachment',
					contactId: IDS.wixContact,
					operation: 'get',
					attachmentId: { __rl: true, mode: 'id', value: sizeGuid(size) },
					download: true,
					binaryPropertyName: 'data',
				},
				{ credentials: { wixAttachmentApi: creds.wix } },
			),
		http: (size, base) => httpDownload(`${base}/storage/${largeFileName(size)}`),
		curl: (size, base) => [`${base}/storage/${largeFileName(size)}`],
	},
	{
		id: 'xero-upload',
		label: 'Xero Upload',
		direction: 'upload',
		uploadRoute: 'xero',
		ours: (_size, _base, creds) =>
			node(
				MEASURED,
				NODE_TYPES.xero,
				{ resource: 'invoice', tenantId: { __rl: true, mode: 'id', value: IDS.tenant }, operation: 'upload', parentId: IDS.invoice, binaryPropertyName: 'data', fileName: '', options: {} },
				{ credentials: { xeroAttachmentOAuth2Api: creds.xero } },
			),
		http: (size, base) => httpRawUpload('PUT', `${xeroBase(base)}/${largeFileName(size)}`),
		curl: (size, base, file) => ['-X', 'PUT', '-H', `Content-Type: ${PDF}`, '-T', file, `${xeroBase(base)}/${largeFileName(size)}`],
	},
	{
		id: 'asana-upload',
		label: 'Asana Upload',
		direction: 'upload',
		maxBytes: ASANA_MAX,
		uploadRoute: 'asana',
		ours: (_size, _base, creds) =>
			node(
				MEASURED,
				NODE_TYPES.asana,
				{
					authentication: 'accessToken',
					resource: 'attachment',
					operation: 'upload',
					parent: { __rl: true, mode: 'id', value: IDS.asanaTask },
					source: 'binary',
					binaryPropertyName: 'data',
					options: {},
				},
				{ credentials: { asanaAttachmentApi: creds.asana } },
			),
		http: (_size, base) => httpMultipart(`${base}/api/1.0/attachments`, 'file', { parent: IDS.asanaTask }),
		curl: (_size, base, file) => ['-F', `parent=${IDS.asanaTask}`, '-F', `file=@${file};type=${PDF}`, `${base}/api/1.0/attachments`],
	},
	{
		id: 'wix-upload',
		label: 'Wix Upload',
		direction: 'upload',
		uploadRoute: 'wix',
		ours: (_size, _base, creds) =>
			node(
				MEASURED,
				NODE_TYPES.wix,
				{ authentication: 'apiKey', resource: 'contactAttachment', contactId: IDS.wixContact, operation: 'upload', binaryPropertyName: 'data', options: {} },
				{ credentials: { wixAttachmentApi: creds.wix } },
			),
		http: (size, base) => httpRawUpload('PUT', `${base}/wix-upload/${IDS.wixContact}?token=bench&filename=${largeFileName(size)}`),
		curl: (size, base, file) => ['-X', 'PUT', '-H', `Content-Type: ${PDF}`, '-T', file, `${base}/wix-upload/${IDS.wixContact}?token=bench&filename=${largeFileName(size)}`],
	},
	{
		id: 'sunshine-upload',
		label: 'Sunshine Upload',
		direction: 'upload',
		maxBytes: SUNSHINE_MAX,
		uploadRoute: 'sunshine',
		ours: (_size, _base, creds) =>
			node(
				MEASURED,
				NODE_TYPES.sunshine,
				{ authentication: 'apiKey', resource: 'attachment', appId: { __rl: true, mode: 'id', value: IDS.sunshineApp }, operation: 'upload', binaryPropertyName: 'data', options: {} },
				{ credentials: { sunshineConversationsAttachmentApi: creds.sunshine } },
			),
		http: (_size, base) => httpMultipart(`${base}/v2/apps/${IDS.sunshineApp}/attachments?access=public`, 'source', {}),
		curl: (_size, base, file) => ['-F', `source=@${file};type=${PDF}`, `${base}/v2/apps/${IDS.sunshineApp}/attachments?access=public`],
	},
];

/** Reads `file` into the binary field `data` (n8n's Read/Write Files from Disk, streamed). */
export function readerNode(file: string): WorkflowNode {
	return node(READER, 'n8n-nodes-base.readWriteFile', { operation: 'read', fileSelector: file, options: {} }, { typeVersion: 1.1 });
}
