/** What is particular to Xero: where the API lives, the tenant header, and its error shapes. */
import { NodeOperationError } from 'n8n-workflow';

import { validators } from '../shared/transport';
import type { FieldSpec, OperationInput, ProviderError, ProviderSpec, TransportContext } from '../shared/transport';
import { parentTypeByValue } from './parentTypes';

export const XERO_CREDENTIAL_TYPE = 'xeroAttachmentOAuth2Api';
export const XERO_DEFAULT_HOST = 'https://api.xero.com';

/** The API host: Xero's, or the credential's override (sandboxes, proxies). */
export async function xeroHost(ctx: TransportContext): Promise<string> {
	const credentials = await ctx.getCredentials(XERO_CREDENTIAL_TYPE);
	const override = typeof credentials?.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	return (override || XERO_DEFAULT_HOST).replace(/\/+$/, '');
}

interface XeroErrorBody {
	Message?: string;
	Detail?: string;
	Title?: string;
	Elements?: Array<{ ValidationErrors?: Array<{ Message?: string }> }>;
}

/** Xero answers `{ Message, Elements[].ValidationErrors[] }`, `{ Title, Detail }` (auth), or plain text. */
export function parseXeroError(body: unknown): ProviderError {
	if (typeof body === 'string') return body.trim() ? { message: body.trim().slice(0, 300) } : {};
	if (!body || typeof body !== 'object') return {};
	const error = body as XeroErrorBody;
	const details = (error.Elements ?? [])
		.flatMap((element) => element.ValidationErrors ?? [])
		.map((validation) => validation.Message)
		.filter((message): message is string => typeof message === 'string' && message !== '');
	if (error.Message) return { message: error.Message, details };
	if (error.Title || error.Detail) {
		return { message: [error.Title, error.Detail].filter(Boolean).join(': '), details };
	}
	return { details };
}

/** The tenant header every accounting call needs. */
const tenantField: FieldSpec = {
	in: 'header',
	name: 'xero-tenant-id',
	parameter: 'tenantId',
	label: 'Organization',
	required: true,
	validate: validators.guid,
};

export const xeroProvider: ProviderSpec = {
	displayName: 'Xero',
	credentialType: () => XERO_CREDENTIAL_TYPE,
	baseUrl: async (ctx) => `${await xeroHost(ctx)}/api.xro/2.0`,
	commonFields: [tenantField],
	parseError: (body) => parseXeroError(body),
};

/** The `{parentPath}` segment for the item's Resource. */
export const parentPathField: FieldSpec = {
	in: 'path',
	name: 'parentPath',
	compute: ({ ctx, itemIndex }) => {
		const resource = ctx.getNodeParameter('resource', itemIndex) as string;
		const type = parentTypeByValue(resource);
		if (!type) throw new NodeOperationError(ctx.getNode(), `Unknown resource "${resource}"`, { itemIndex });
		return type.path;
	},
	required: true,
};

export const parentIdField: FieldSpec = {
	in: 'path',
	name: 'parentId',
	parameter: 'parentId',
	label: (ctx, itemIndex) => {
		const type = parentTypeByValue(ctx.getNodeParameter('resource', itemIndex) as string);
		return type ? `${type.name} ID` : 'Parent ID';
	},
	required: true,
	validate: validators.guid,
};

function documentOf({ ctx, itemIndex, values }: OperationInput): { kind: string; id: string } {
	const type = parentTypeByValue(ctx.getNodeParameter('resource', itemIndex) as string);
	return { kind: type ? type.name.toLowerCase() : 'document', id: String(values.parentId) };
}

/** A 404 of a call naming one of a document's attachments. */
export function attachmentNotFound(input: OperationInput): { message: string; description: string } {
	const { kind, id } = documentOf(input);
	const key = String(input.values.attachmentId ?? input.values.fileName);
	return {
		message: `Xero found no attachment "${key}" on ${kind} ${id}`,
		description: `Check the ${kind} ID, the Organization and the attachment: Get Many lists the ${kind}'s attachments with their AttachmentID and FileName.`,
	};
}

/** A 404 of a call naming the document only. */
export function documentNotFound(input: OperationInput): { message: string; description: string } {
	const { kind, id } = documentOf(input);
	return {
		message: `Xero found no ${kind} with ID ${id}`,
		description: `Check the ${kind} ID (a GUID, as Xero's API returns it) and that the Organization is the one the ${kind} belongs to.`,
	};
}

/** Xero stores names of up to 255 characters on its documents' attachments. */
export const XERO_FILE_NAME_MAX = 255;

/**
 * The largest attachment Xero's API takes (10 MB per file, as Xero's partners document it; read
 * as MiB so that no file Xero accepts is refused here). Checked before sending to Xero's own
 * host only: a base URL override (a sandbox, a proxy) decides its own limit.
 */
export const XERO_MAX_FILE_BYTES = 10 * 1024 * 1024;
