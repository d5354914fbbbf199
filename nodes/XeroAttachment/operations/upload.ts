/**
 * Upload: sends the file as the raw request body, streamed from n8n's binary store, or (Source
 * "Text") the UTF-8 bytes of the Text parameter.
 * PUT adds an attachment; with "Replace Existing", POST replaces the one with the same name.
 * Every upload carries an Idempotency-Key (the user's, or one made for the item), so a retry
 * after a dropped connection cannot attach the file twice.
 */
import { randomUUID } from 'crypto';
import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { fileNameOption, forOperation, inputBinaryField, optionsCollection, textUploadFields, timeoutOption, uploadSourceField, urlUploadFields } from '../../shared/description';
import { apiBaseOf, executeOperation, validators } from '../../shared/transport';
import type { OperationSpec } from '../../shared/transport';
import { XERO_PARENT_TYPES, parentTypeByValue } from '../parentTypes';
import { XERO_CREDENTIAL_TYPE, XERO_DEFAULT_HOST, XERO_FILE_NAME_MAX, XERO_MAX_FILE_BYTES, documentNotFound, parentIdField, parentPathField, xeroProvider } from '../provider';
import { attachmentsOf } from './getMany';

const INCLUDE_ONLINE_RESOURCES = XERO_PARENT_TYPES.filter((type) => type.includeOnline).map((type) => type.value);

/** Besides Organization and the document's ID, which every operation shows (see description/index.ts). */
export const description: INodeProperties[] = forOperation({ operation: ['upload'] }, [
	uploadSourceField(),
	{
		...inputBinaryField({ show: { source: ['binary'] } }),
		hint: 'The name of the input binary field containing the file to upload (10 MB at most, 10 files per document)',
	},
	...textUploadFields({}, '10 MB at most, 10 files per document'),
	...urlUploadFields({}, '10 MB at most, 10 files per document'),
	/**
	 * Before Source existed, a binary file's new name was this main field; it is Options → File
	 * Name now, as on the other nodes. Kept (hidden) so that saved workflows keep their name;
	 * Options → File Name wins when both are set.
	 */
	{
		displayName: 'File Name (Legacy)',
		name: 'fileName',
		type: 'hidden',
		default: '',
		displayOptions: { show: { source: ['binary'] } },
	},
	optionsCollection([
		fileNameOption("Name to give the attachment. Leave empty to use the file's own name."),
		{
			displayName: 'Idempotency Key',
			name: 'idempotencyKey',
			type: 'string',
			default: '',
			description:
				'Key that lets Xero recognise a repeated upload (up to 128 characters). Leave empty to have one made for each item.',
		},
		{
			displayName: 'Include Online',
			name: 'includeOnline',
			type: 'boolean',
			default: false,
			description:
				'Whether customers see the attachment with the online invoice or credit note. Applies to new uploads only: Xero takes it when a file is added, not when Replace Existing replaces one, so it is hidden then.',
			displayOptions: { show: { '/resource': INCLUDE_ONLINE_RESOURCES }, hide: { replace: [true] } },
		},
		{
			displayName: 'Replace Existing',
			name: 'replace',
			type: 'boolean',
			default: false,
			description:
				'Whether to replace the attachment that has the same file name (POST) instead of adding another one (PUT). A replaced attachment keeps its Include Online setting.',
		},
		timeoutOption,
	]),
]);

/**
 * The file types Xero takes as attachments, by extension (Xero refuses the others, after the whole
 * file was sent). Checked before sending to Xero's own host, as the size is.
 */
export const XERO_FILE_EXTENSIONS = [
	'7z', 'bmp', 'csv', 'doc', 'docx', 'eml', 'gif', 'jpeg', 'jpg', 'keynote', 'msg', 'numbers', 'odf', 'ods', 'odt',
	'pages', 'pdf', 'png', 'ppt', 'pptx', 'rar', 'rtf', 'tif', 'tiff', 'txt', 'xls', 'xlsx', 'zip',
];

function acceptedType(value: unknown): string | undefined {
	const extension = /\.([^./\\]+)$/.exec(String(value))?.[1]?.toLowerCase();
	if (extension && XERO_FILE_EXTENSIONS.includes(extension)) return undefined;
	const which = extension ? `".${extension}" files` : 'files without an extension';
	return `Xero does not take ${which}: name the file with one of ${XERO_FILE_EXTENSIONS.map((type) => `.${type}`).join(', ')}`;
}

/** The upload, PUT (add) or POST (replace); on Xero's host, files over its size or of other types are refused before sending. */
function uploadOperation(method: 'PUT' | 'POST', xeroLimits: boolean): OperationSpec {
	const nameCheck = validators.fileName(XERO_FILE_NAME_MAX);
	return {
		method,
		path: '/{parentPath}/{parentId}/Attachments/{fileName}',
		fields: [
			parentPathField,
			parentIdField,
			{
				in: 'path',
				name: 'fileName',
				label: 'File Name',
				// The upload source already applied the File Name parameter over the binary's name.
				compute: ({ upload }) => upload?.fileName,
				required: true,
				validate: (value) => nameCheck(value) ?? (xeroLimits ? acceptedType(value) : undefined),
			},
			{
				in: 'query',
				name: 'IncludeOnline',
				// Xero's spec declares IncludeOnline on the PUT (add) only: a replacing POST never carries it.
				compute: ({ ctx, itemIndex }) => {
					if (method === 'POST') return undefined;
					const type = parentTypeByValue(ctx.getNodeParameter('resource', itemIndex) as string);
					if (!type?.includeOnline) return undefined;
					return ctx.getNodeParameter('options.includeOnline', itemIndex, false) ? 'true' : undefined;
				},
			},
			{
				in: 'header',
				name: 'Idempotency-Key',
				parameter: 'options.idempotencyKey',
				label: 'Idempotency Key',
				compute: () => randomUUID(),
				validate: (value) => (String(value).length > 128 ? 'it may be 128 characters at most' : undefined),
			},
		],
		// Options → File Name, then the main field it replaced (saved workflows; see the description).
		body: { kind: 'binary', binaryParameter: 'binaryPropertyName', fileNameParameter: ['options.fileName', 'fileName'], maxBytes: xeroLimits ? XERO_MAX_FILE_BYTES : undefined },
		response: { kind: 'json', items: (body) => attachmentsOf(body) },
		idempotent: true,
		notFound: documentNotFound,
	};
}

/** Xero's own limits apply on Xero's host; a base URL override (a sandbox, a proxy) sets its own. */
const operations = {
	xero: { PUT: uploadOperation('PUT', true), POST: uploadOperation('POST', true) },
	override: { PUT: uploadOperation('PUT', false), POST: uploadOperation('POST', false) },
};

export async function uploadAttachment(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const replace = ctx.getNodeParameter('options.replace', itemIndex, false) as boolean;
	// The API base the run's requests go to (read once per run from the credential).
	const apiBase = await apiBaseOf(ctx, xeroProvider, XERO_CREDENTIAL_TYPE);
	const host = apiBase.startsWith(`${XERO_DEFAULT_HOST}/`) ? 'xero' : 'override';
	const operation = operations[host][replace ? 'POST' : 'PUT'];
	const result = await executeOperation(ctx, xeroProvider, operation, itemIndex);
	if (result.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'Xero accepted the upload but returned no attachment record', { itemIndex });
	}
	return result;
}
