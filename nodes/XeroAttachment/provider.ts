/** What is particular to Xero: where the API lives, the tenant header, and its error shapes. */
import { NodeOperationError } from 'n8n-workflow';

import type { ConcurrencySpec } from '../shared/description';
import { renewalText, validators } from '../shared/transport';
import type { FieldSpec, HeaderBudget, OperationInput, PacingSpec, ProviderError, ProviderSpec, TransportContext } from '../shared/transport';
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

/*
 * Xero's limits (developer.xero.com, "API limits"), per organization: 5 calls in progress at once,
 * 60 calls a minute, and a daily number of calls (a rolling 24 hours) that depends on the app's
 * tier since Xero's pricing of 2 March 2026 (5,000 had been the figure for every app; fewer on the
 * Starter tier); per app, 10,000 calls a minute across all organizations. The node takes no daily
 * figure for granted: every answer says what is left (X-MinLimit-Remaining, X-DayLimit-Remaining,
 * X-AppMinLimit-Remaining), and a 429 says which limit (X-Rate-Limit-Problem) and for how long
 * (Retry-After).
 */

/** X-MinLimit-Remaining: the node waits for calls to age out of Xero's minute instead of getting a 429. */
export const XERO_MINUTE_BUDGET: HeaderBudget = {
	header: 'x-minlimit-remaining',
	name: 'minute limit (60 calls a minute per organization)',
	windowMs: 60_000,
	scope: 'lane',
};

/** X-AppMinLimit-Remaining: the app's minute, shared by every organization. */
export const XERO_APP_MINUTE_BUDGET: HeaderBudget = {
	header: 'x-appminlimit-remaining',
	name: 'app minute limit (10,000 calls a minute across organizations)',
	windowMs: 60_000,
	scope: 'provider',
};

/** X-DayLimit-Remaining: a spent day fails at once, saying when it renews; no waiting for hours. */
export const XERO_DAY_BUDGET: HeaderBudget = {
	header: 'x-daylimit-remaining',
	name: "daily limit (calls a day per organization, as the app's Xero tier allows)",
	windowMs: 24 * 60 * 60_000,
	scope: 'lane',
	failWhenSpent: (renewsAt, now) => ({
		message: "Xero's daily limit of API calls for this organization is used up",
		description:
			`Xero counts calls per organization over a rolling 24 hours, as many as your Xero app's tier allows, and said none are left (X-DayLimit-Remaining: 0). ` +
			`It accepts calls again as earlier ones age out, ${renewalText(renewsAt, now)} at the latest. This item was not sent: run it again then.`,
	}),
};

export const XERO_PACING: PacingSpec = {
	// Every limit but the app's is per organization: the tenant header of the call.
	lane: (request) => request.headers?.['xero-tenant-id']?.trim().toLowerCase() || undefined,
	budgets: [XERO_MINUTE_BUDGET, XERO_DAY_BUDGET, XERO_APP_MINUTE_BUDGET],
	providerWide429: (headers) => headers['x-rate-limit-problem']?.trim().toLowerCase() === 'appminute',
};

/**
 * Xero's calls in progress per organization. The node does not count them: an item's calls go one
 * after another, so Options → Concurrency is the most in progress, and its maximum stays within
 * this (test/unit/in-flight-limits.test.ts checks it).
 */
export const XERO_IN_FLIGHT = 5;

/** Options → Concurrency: at most Xero's 5 calls in progress; by default all 5. */
export const XERO_CONCURRENCY: ConcurrencySpec = {
	other: { default: XERO_IN_FLIGHT, max: XERO_IN_FLIGHT },
	limit:
		"Xero allows 5 calls in progress at once and 60 a minute per organization; the node also slows down to what Xero's answers say is left of the minute and of the day.",
};

export const xeroProvider: ProviderSpec = {
	displayName: 'Xero',
	credentialType: () => XERO_CREDENTIAL_TYPE,
	baseUrl: async (ctx) => `${await xeroHost(ctx)}/api.xro/2.0`,
	commonFields: [tenantField],
	parseError: (body) => parseXeroError(body),
	oauth2: true,
	fileNameFields: ['FileName'],
	pacing: XERO_PACING,
	// As for uploads: Xero's own limit on Xero's host; a sandbox or proxy gets the general ceiling.
	downloadLimit: (apiBase) =>
		apiBase.startsWith(`${XERO_DEFAULT_HOST}/`) ? { maxBytes: XERO_MAX_FILE_BYTES, description: `the ${XERO_MAX_FILE_BYTES} bytes (10 MB) Xero takes for an attachment` } : undefined,
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

/** The item's document: its kind ("invoice"), the parameter holding its ID ("Invoice ID"), Xero's name of that ID, the ID. */
function documentOf({ ctx, itemIndex, values }: OperationInput): { kind: string; parameter: string; idField: string; id: string } {
	const type = parentTypeByValue(ctx.getNodeParameter('resource', itemIndex) as string);
	return {
		kind: type ? type.name.toLowerCase() : 'document',
		parameter: type ? `${type.name} ID` : 'Parent ID',
		idField: type?.idField ?? 'ID',
		id: String(values.parentId),
	};
}

/**
 * A 404 of a call naming one of a document's attachments. Xero answers the same 404 when the
 * document itself is unknown, so both parameters are named.
 */
export function attachmentNotFound(input: OperationInput): { message: string; description: string } {
	const { kind, parameter, id } = documentOf(input);
	const byId = input.values.attachmentId !== undefined;
	const key = String(input.values.attachmentId ?? input.values.fileName);
	return {
		message: `Xero found no attachment "${key}" on ${kind} ${id} — check "${byId ? 'Attachment ID' : 'File Name'}" and "${parameter}"`,
		description: `Xero answers the same when the ${kind} does not exist in the Organization. Get Many lists the ${kind}'s attachments with their AttachmentID and FileName, or says that no ${kind} has this ID.`,
	};
}

/** A 404 of a call naming the document only (Get Many, Upload, and Get's listing): the document does not exist. */
export function documentNotFound(input: OperationInput): { message: string; description: string } {
	const { kind, parameter, idField, id } = documentOf(input);
	return {
		message: `No Xero ${kind} with ID ${id} — check "${parameter}"`,
		description: `Xero has no ${kind} with this ID in the chosen Organization: check the ${parameter} (the ${kind}'s ${idField}, a GUID) and that the Organization is the one the ${kind} belongs to.`,
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
