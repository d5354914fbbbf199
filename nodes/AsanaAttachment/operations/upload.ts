/**
 * Upload: attaches a file (multipart field `file`, streamed from n8n's binary store, from the File
 * URL (Source "URL") or, with Source "Text", the UTF-8 bytes of the Text parameter, its name
 * percent-encoded as Asana asks for names that are not plain ASCII) or a link to an external
 * resource (`resource_subtype: external` with `url` and `name`) to a task, project or project brief.
 * Not idempotent: Asana would attach the file twice, so only a 429 (refused unprocessed) is retried.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { BINARY_SOURCE, TEXT_SOURCE, URL_SOURCE, fileNameOption, forOperation, inputBinaryField, optionsCollection, textUploadFields, timeoutOption, uploadSourceField, urlUploadFields } from '../../shared/description';
import { executeOperation } from '../../shared/transport';
import type { FieldSpec, OperationSpec } from '../../shared/transport';
import { ASANA_MAX_FILE_BYTES, asanaProvider, fieldsOption, optFieldsField, parentFormField, parentNotFound } from '../provider';
import { dataRecord, forAgents } from './records';

/** Besides Parent, which Get Many and Upload show (see description/index.ts). */
export const description: INodeProperties[] = forOperation({ operation: ['upload'] }, [
	{
		...uploadSourceField({}, [
			BINARY_SOURCE,
			{ name: 'External Link', value: 'link', description: 'A link to a resource elsewhere on the web' },
			TEXT_SOURCE,
			URL_SOURCE,
		]),
		description: 'What to attach',
	},
	inputBinaryField({ show: { source: ['binary'] } }),
	...textUploadFields({}, '100 MB at most'),
	...urlUploadFields({}, '100 MB at most'),
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. https://example.com/contracts/2026-q3.pdf',
		description: 'The address of the external resource',
		displayOptions: { show: { source: ['link'] } },
	},
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Signed contract',
		description: 'The name Asana shows for the link',
		displayOptions: { show: { source: ['link'] } },
	},
	optionsCollection([
		{
			displayName: 'Connect to App',
			name: 'connectToApp',
			type: 'boolean',
			default: false,
			description:
				"Whether to connect the link to your Asana app, to show the app's widget on the task (needs the Asana Attachment OAuth2 API credential and an app installed in a project of the task)",
			displayOptions: { show: { '/source': ['link'] } },
		},
		fieldsOption('The properties of the new attachment to return'),
		fileNameOption("Name to give the attachment. Leave empty to use the file's own name.", 'e.g. contract.pdf'),
		timeoutOption,
	]),
]);

function noControlCharacters(value: unknown): string | undefined {
	// eslint-disable-next-line no-control-regex
	return /[\u0000-\u001f\u007f]/.test(String(value)) ? 'control characters (such as line breaks or tabs) are not allowed' : undefined;
}

function httpUrl(value: unknown): string | undefined {
	const text = String(value);
	if (/\s/.test(text)) return `"${text}" is not a URL: it contains white space`;
	try {
		const url = new URL(text);
		if (url.protocol === 'http:' || url.protocol === 'https:') return undefined;
	} catch {
		// reported below
	}
	return `"${text}" is not an http(s) URL`;
}

const connectToAppField: FieldSpec = {
	in: 'body',
	name: 'connect_to_app',
	label: 'Connect to App',
	compute: ({ ctx, itemIndex }) => {
		if (!ctx.getNodeParameter('options.connectToApp', itemIndex, false)) return undefined;
		if (ctx.getNodeParameter('authentication', itemIndex, 'accessToken') !== 'oAuth2') {
			throw new NodeOperationError(
				ctx.getNode(),
				'The option "Connect to App" needs the Asana Attachment OAuth2 API credential: Asana accepts it only from an app\'s OAuth token',
				{ itemIndex },
			);
		}
		return true;
	},
};

export const uploadFile: OperationSpec = {
	method: 'POST',
	path: '/attachments',
	fields: [parentFormField, optFieldsField()],
	body: {
		kind: 'multipart',
		fileField: 'file',
		binaryParameter: 'binaryPropertyName',
		fileNameParameter: 'options.fileName',
		maxBytes: ASANA_MAX_FILE_BYTES,
		fileNameEncoding: 'percentEncoded',
	},
	response: { kind: 'json', items: dataRecord },
	idempotent: false,
	notFound: parentNotFound,
};

export const attachLink: OperationSpec = {
	method: 'POST',
	path: '/attachments',
	fields: [
		parentFormField,
		{ in: 'body', name: 'resource_subtype', compute: () => 'external' },
		{ in: 'body', name: 'url', parameter: 'url', label: 'URL', required: true, validate: httpUrl },
		{ in: 'body', name: 'name', parameter: 'name', label: 'Name', required: true, validate: noControlCharacters },
		connectToAppField,
		optFieldsField(),
	],
	body: { kind: 'form' },
	response: { kind: 'json', items: dataRecord },
	idempotent: false,
	notFound: parentNotFound,
};

export async function uploadAttachment(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const source = ctx.getNodeParameter('source', itemIndex, 'binary') as string;
	const result = await executeOperation(ctx, asanaProvider, source === 'link' ? attachLink : uploadFile, itemIndex);
	if (result.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'Asana accepted the upload but returned no attachment record', { itemIndex });
	}
	return forAgents(ctx, result);
}
