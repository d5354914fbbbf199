/** What is particular to Asana: the two credentials, where the API lives, and its error shapes. */
import { NodeOperationError } from 'n8n-workflow';
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { ConcurrencySpec } from '../shared/description';
import type { FieldSpec, OperationInput, ProviderError, ProviderSpec, TransportContext } from '../shared/transport';
import { parseParentReference } from './parent';

/** The personal access token credential. */
export const ASANA_TOKEN_CREDENTIAL_TYPE = 'asanaAttachmentApi';
/** The OAuth2 credential (for apps). */
export const ASANA_APP_CREDENTIAL_TYPE = 'asanaAttachmentOAuth2Api';
export const ASANA_DEFAULT_HOST = 'https://app.asana.com';
export const ASANA_API_PATH = '/api/1.0';

/** Asana's limit on uploaded files ("100MB"), taken as 100 MiB. */
export const ASANA_MAX_FILE_BYTES = 100 * 1024 * 1024;

/** The credential the node's "Authentication" parameter selects. */
export function asanaCredentialType(authentication: unknown): string {
	return authentication === 'oAuth2' ? ASANA_APP_CREDENTIAL_TYPE : ASANA_TOKEN_CREDENTIAL_TYPE;
}

/** The API base: Asana's, or the credential's host override (sandboxes, proxies) + `/api/1.0`. */
export async function asanaApiBase(ctx: TransportContext, credentialType: string): Promise<string> {
	const credentials = await ctx.getCredentials(credentialType);
	const override = typeof credentials?.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	return `${(override || ASANA_DEFAULT_HOST).replace(/\/+$/, '')}${ASANA_API_PATH}`;
}

interface AsanaErrorBody {
	errors?: Array<{ message?: unknown; help?: unknown; phrase?: unknown }>;
}

function xmlElement(xml: string, name: string): string | undefined {
	const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
	return match ? match[1].trim() : undefined;
}

/**
 * Asana answers `{ errors: [{ message, help, phrase }] }`. Files come from Asana's storage
 * (pre-signed URLs), whose errors are S3's XML `<Error><Code/><Message/></Error>`.
 */
export function parseAsanaError(body: unknown): ProviderError {
	if (typeof body === 'string') {
		const text = body.trim();
		if (!text) return {};
		if (text.startsWith('<')) {
			const message = xmlElement(text, 'Message');
			const code = xmlElement(text, 'Code');
			if (message || code) return { message: [code, message].filter(Boolean).join(': ') };
			// An HTML error page (a proxy's): its text only.
			const plain = text.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
			return plain ? { message: plain.slice(0, 300) } : {};
		}
		return { message: text.slice(0, 300) };
	}
	if (!body || typeof body !== 'object') return {};
	const errors = Array.isArray((body as AsanaErrorBody).errors) ? (body as AsanaErrorBody).errors! : [];
	const messages = errors.map((error) => error?.message).filter((message): message is string => typeof message === 'string' && message !== '');
	const details: string[] = [];
	for (const error of errors) {
		if (typeof error?.help === 'string' && error.help && !details.includes(error.help)) details.push(error.help);
		if (typeof error?.phrase === 'string' && error.phrase) details.push(`Asana error phrase: "${error.phrase}".`);
	}
	return messages.length ? { message: messages.join('; '), details } : { details };
}

/*
 * Asana's limits (developers.asana.com, "Rate limits"), per token: 1,500 calls a minute on paid
 * plans (150 on free ones), 50 read (GET) and 15 write (POST, PUT, PATCH, DELETE) calls in flight
 * at once; a 429 carries Retry-After, which every request of the run then waits out (pacing.ts).
 * Its storage's pre-signed download URLs are not Asana's API: they count against none of these
 * (pacing keeps them apart).
 */

/**
 * Asana's calls in flight per token: reads (GET) and writes (the other methods). The node does not
 * count them: an item's calls go one after another, so Options → Concurrency is the most in flight,
 * and its maximum for each operation stays within the limit of the calls the operation makes
 * (test/unit/in-flight-limits.test.ts checks every operation).
 */
export const ASANA_IN_FLIGHT = { reads: 50, writes: 15 } as const;

/** Options → Concurrency: Asana's in-flight limits, 50 for the reads, 15 for the writes. */
export const ASANA_CONCURRENCY: ConcurrencySpec = {
	byOperation: {
		get: { default: ASANA_IN_FLIGHT.reads, max: ASANA_IN_FLIGHT.reads },
		getAll: { default: ASANA_IN_FLIGHT.reads, max: ASANA_IN_FLIGHT.reads },
		upload: { default: ASANA_IN_FLIGHT.writes, max: ASANA_IN_FLIGHT.writes },
		delete: { default: ASANA_IN_FLIGHT.writes, max: ASANA_IN_FLIGHT.writes },
	},
	other: { default: ASANA_IN_FLIGHT.writes, max: ASANA_IN_FLIGHT.writes },
	limit:
		'Asana allows 50 reads (Get, Get Many) and 15 writes (Upload, Delete) in flight at once, and 1,500 calls a minute (150 on a free plan); on a 429 every request of the run waits as long as Asana says.',
};

export const asanaProvider: ProviderSpec = {
	displayName: 'Asana',
	credentialType: (ctx, itemIndex) => asanaCredentialType(ctx.getNodeParameter('authentication', itemIndex, 'accessToken')),
	baseUrl: async (ctx, credentialType) => await asanaApiBase(ctx, credentialType),
	parseError: (body) => parseAsanaError(body),
	fileNameFields: ['name'],
	// n8n refreshes OAuth2 tokens on a 401; a personal access token that fails stays failed.
	credentialRefresh: (credentialType) => credentialType === ASANA_APP_CREDENTIAL_TYPE,
	oauth2: (credentialType) => credentialType === ASANA_APP_CREDENTIAL_TYPE,
	// No file Asana holds can be larger than it accepts, whatever host serves it.
	downloadLimit: () => ({ maxBytes: ASANA_MAX_FILE_BYTES, description: `the ${ASANA_MAX_FILE_BYTES} bytes (100 MB) Asana accepts for a file` }),
};

/** Asana's IDs (gids) are strings of digits. */
export function gid(value: unknown): string | undefined {
	return typeof value === 'string' && /^\d{1,32}$/.test(value)
		? undefined
		: `"${String(value)}" is not an Asana ID (expected digits only, e.g. 1204567890123456)`;
}

/** The parent task, project or project brief: an ID, or the URL of a task or project. */
export const parentField: FieldSpec = {
	in: 'query',
	name: 'parent',
	label: 'Parent',
	compute: ({ ctx, itemIndex }) => {
		const value = ctx.getNodeParameter('parent', itemIndex, '', { extractValue: true });
		if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
		const reference = parseParentReference(value);
		if ('problem' in reference) {
			throw new NodeOperationError(ctx.getNode(), `Invalid "Parent": ${reference.problem}`, { itemIndex });
		}
		return reference.gid;
	},
	required: true,
	validate: gid,
};

/** The same, as a text field of a multipart form (uploads). */
export const parentFormField: FieldSpec = { ...parentField, in: 'body' };

export const attachmentIdField: FieldSpec = {
	in: 'path',
	name: 'attachmentId',
	parameter: 'attachmentId',
	label: 'Attachment ID',
	required: true,
	validate: gid,
};

/** A 404 of a call naming one attachment. */
export function attachmentNotFound({ values }: OperationInput): { message: string; description: string } {
	return {
		message: `Asana has no attachment with ID "${String(values.attachmentId)}"`,
		description:
			'Check the Attachment: Get Many (or the Attachment list) gives the IDs of the attachments of a task or project. The attachment may have been deleted, or the credential\'s user may not see it.',
	};
}

/** A 404 of a call naming the parent (Get Many, Upload). */
export function parentNotFound({ values }: OperationInput): { message: string; description: string } {
	return {
		message: `Asana has no task, project or project brief with ID "${String(values.parent)}" — check "Parent"`,
		description: 'Check the Parent: pick it from the list, or paste its URL from Asana. It may have been deleted, or the credential\'s user may not see it.',
	};
}

/**
 * The properties of an attachment record `opt_fields` may ask for (Asana's spec lists these), by
 * the names the Fields option shows.
 */
const ATTACHMENT_FIELD_NAMES: Record<string, string> = {
	connected_to_app: 'Connected to App',
	created_at: 'Created At',
	download_url: 'Download URL',
	host: 'Host',
	name: 'Name',
	parent: 'Parent',
	'parent.created_by': 'Parent › Created By',
	'parent.name': 'Parent › Name',
	'parent.resource_subtype': 'Parent › Resource Subtype',
	permanent_url: 'Permanent URL',
	resource_subtype: 'Resource Subtype',
	size: 'Size',
	view_url: 'View URL',
};

export const ATTACHMENT_FIELDS = Object.keys(ATTACHMENT_FIELD_NAMES);

const fieldOptions: INodePropertyOptions[] = Object.entries(ATTACHMENT_FIELD_NAMES).map(([value, name]) => ({ name, value }));

/** Options → "Fields": the properties of the record(s) to return, which `optFieldsField` reads. */
export function fieldsOption(description: string): INodeProperties {
	return {
		displayName: 'Fields',
		name: 'fields',
		type: 'multiOptions',
		options: fieldOptions,
		default: [],
		description: `${description} (Asana's opt_fields). The ID (gid) always comes back.`,
	};
}

/**
 * The `opt_fields` query value from the "Fields" option (a list, or comma-separated text from an
 * expression), plus `always` when any field is chosen; no field chosen: Asana's default record.
 */
export function optFieldsField(always: readonly string[] = []): FieldSpec {
	return {
		in: 'query',
		name: 'opt_fields',
		label: 'Fields',
		compute: ({ ctx, itemIndex }) => {
			const chosen = ctx.getNodeParameter('options.fields', itemIndex, []) as unknown;
			const list = Array.isArray(chosen) ? chosen.map(String) : typeof chosen === 'string' ? chosen.split(',') : [];
			const fields = [...new Set(list.map((field) => field.trim()).filter(Boolean))];
			if (fields.length === 0) return undefined;
			for (const field of always) if (!fields.includes(field)) fields.push(field);
			return fields.join(',');
		},
		validate: (value) => {
			const unknown = String(value)
				.split(',')
				.filter((field) => !ATTACHMENT_FIELDS.includes(field));
			return unknown.length ? `unknown field(s) ${unknown.map((field) => `"${field}"`).join(', ')}; known: ${ATTACHMENT_FIELDS.join(', ')}` : undefined;
		},
	};
}
