/**
 * A generic node on the shared transport (nodes/shared/transport), for the transport tests: the
 * declarative operations every provider's node is made of (a JSON read, a file download, a file
 * upload that may or may not be repeated, a delete), against the generic fake provider of
 * ./server.ts, with an API key or an OAuth2 credential. No vendor's rules: what these tests prove
 * holds for every node that uses the transport.
 */
import type {
	IAuthenticateGeneric,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { runOperations } from '../../nodes/shared/transport';
import { optionsProperty, testNodeDescription } from '../support/test-node';
import type { FieldSpec, NodeOperation, OperationSpec, ProviderSpec } from '../../nodes/shared/transport';

export const GENERIC_NODE_TYPE = 'n8n-nodes-attachments.genericAttachment';
export const API_KEY_CREDENTIAL = 'genericAttachmentApi';
export const OAUTH2_CREDENTIAL = 'genericAttachmentOAuth2Api';

const baseUrlProperty: INodeProperties = { displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' };

export class GenericAttachmentApi implements ICredentialType {
	name = API_KEY_CREDENTIAL;
	displayName = 'Generic Attachment API';
	documentationUrl = 'https://example.invalid';
	properties: INodeProperties[] = [
		{ displayName: 'Token', name: 'token', type: 'string', typeOptions: { password: true }, default: '' },
		baseUrlProperty,
	];
	authenticate: IAuthenticateGeneric = { type: 'generic', properties: { headers: { Authorization: '=Bearer {{$credentials.token}}' } } };
}

export class GenericAttachmentOAuth2Api implements ICredentialType {
	name = OAUTH2_CREDENTIAL;
	extends = ['oAuth2Api'];
	displayName = 'Generic Attachment OAuth2 API';
	documentationUrl = 'https://example.invalid';
	properties: INodeProperties[] = [
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'body' },
		baseUrlProperty,
	];
}

const provider: ProviderSpec = {
	displayName: 'Generic',
	credentialType: (ctx, itemIndex) => (ctx.getNodeParameter('authentication', itemIndex, 'apiKey') === 'oAuth2' ? OAUTH2_CREDENTIAL : API_KEY_CREDENTIAL),
	baseUrl: async (ctx, credentialType) => String((await ctx.getCredentials(credentialType)).baseUrl),
	parseError: (body) => (body && typeof body === 'object' && typeof (body as IDataObject).error === 'string' ? { message: (body as IDataObject).error as string } : {}),
	credentialRefresh: (credentialType) => credentialType === OAUTH2_CREDENTIAL,
};

const fileId: FieldSpec = { in: 'path', name: 'fileId', parameter: 'fileId', label: 'File ID', required: true };
const fileName: FieldSpec = { in: 'path', name: 'fileName', parameter: 'fileName', label: 'File Name', required: true };

const list: OperationSpec = {
	method: 'GET',
	path: '/api/files',
	fields: [],
	response: { kind: 'json', items: (body) => ((body as { files?: IDataObject[] }).files ?? []) },
	idempotent: true,
};

const download: OperationSpec = {
	method: 'GET',
	path: '/api/files/{fileId}/content',
	fields: [fileId],
	response: { kind: 'binary', outputParameter: 'binaryPropertyName', json: ({ values }) => ({ id: values.fileId as string }) },
	idempotent: true,
};

const upload = (idempotent: boolean): OperationSpec => ({
	method: 'PUT',
	path: '/api/files/{fileName}',
	fields: [fileName],
	body: { kind: 'binary', binaryParameter: 'binaryPropertyName' },
	response: { kind: 'json' },
	idempotent,
});

const remove: OperationSpec = {
	method: 'DELETE',
	path: '/api/files/{fileId}',
	fields: [fileId],
	response: { kind: 'static', value: { deleted: true } },
	idempotent: true,
};

const OPERATIONS: Record<string, NodeOperation> = {
	list: { spec: list },
	download: { spec: download },
	/** An upload the provider makes idempotent (as Xero's Idempotency-Key does): repeated after a 5xx. */
	uploadIdempotent: { spec: upload(true) },
	/** An upload that may have been carried out when its answer is lost: repeated only after a 429. */
	upload: { spec: upload(false) },
	delete: { spec: remove },
};

export class GenericAttachment implements INodeType {
	description: INodeTypeDescription = testNodeDescription({
		displayName: 'Generic Attachment',
		name: 'genericAttachment',
		description: 'The shared transport against a generic provider (tests only)',
		authentication: { apiKey: { label: 'API Key', credential: API_KEY_CREDENTIAL }, oAuth2: { label: 'OAuth2', credential: OAUTH2_CREDENTIAL } },
		properties: [
			{ ...optionsProperty('Operation', 'operation', Object.fromEntries(Object.keys(OPERATIONS).map((value) => [value, value])), 'list'), noDataExpression: true },
			{ displayName: 'File ID', name: 'fileId', type: 'string', default: '' },
			{ displayName: 'File Name', name: 'fileName', type: 'string', default: '' },
			{ displayName: 'Binary Field', name: 'binaryPropertyName', type: 'string', default: 'data' },
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				default: {},
				options: [{ displayName: 'Timeout', name: 'timeout', type: 'number', default: 300000 }],
			},
		],
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runOperations(this, provider, OPERATIONS);
	}
}
