/**
 * What is particular to Sunshine Conversations: the two credentials, where the API lives, the
 * `{ errors: [{ code, title }] }` error shape, and the fields every attachment call shares.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { ICredentialDataDecryptedObject, IExecuteFunctions } from 'n8n-workflow';

import type { ConcurrencySpec } from '../shared/description';
import type { FieldSpec, ProviderError, ProviderSpec, TransportContext } from '../shared/transport';
import { resolveApiBase } from './location';

export const SUNSHINE_BASIC_CREDENTIAL = 'sunshineConversationsAttachmentApi';
export const SUNSHINE_JWT_CREDENTIAL = 'sunshineConversationsAttachmentJwtApi';

/** The credential type for the node's "Authentication" value. */
export function credentialTypeFor(authentication: unknown): string {
	return authentication === 'jwt' ? SUNSHINE_JWT_CREDENTIAL : SUNSHINE_BASIC_CREDENTIAL;
}

/** The API base URL the credential points at; a NodeOperationError when the credential cannot say. */
export async function sunshineApiBase(ctx: TransportContext, credentialType: string): Promise<string> {
	const resolved = resolveApiBase((await ctx.getCredentials(credentialType)) as ICredentialDataDecryptedObject);
	if ('problem' in resolved) {
		throw new NodeOperationError(ctx.getNode(), resolved.problem, {
			description: 'Open the Sunshine Conversations credential and check where the API lives.',
		});
	}
	return resolved.url;
}

interface SunshineErrorItem {
	code?: unknown;
	title?: unknown;
}

function describe(error: SunshineErrorItem): string | undefined {
	const title = typeof error.title === 'string' && error.title.trim() ? error.title.trim() : undefined;
	const code = typeof error.code === 'string' && error.code.trim() ? error.code.trim() : undefined;
	if (title && code) return `${title} (${code})`;
	return title ?? code;
}

/**
 * Sunshine answers `{ "errors": [{ "code": "app_not_found", "title": "App not found" }] }`
 * (several errors only on 400). A 415 says the file type is refused: the message says so.
 */
export function parseSunshineError(body: unknown, statusCode: number): ProviderError {
	if (typeof body === 'string') return body.trim() ? { message: body.trim().slice(0, 300) } : {};
	const errors = (body as { errors?: unknown } | undefined)?.errors;
	if (!Array.isArray(errors)) return {};
	const described = errors
		.filter((error): error is SunshineErrorItem => typeof error === 'object' && error !== null)
		.map(describe)
		.filter((text): text is string => text !== undefined);
	if (described.length === 0) return {};
	const unsupported = errors.some((error) => (error as SunshineErrorItem | null)?.code === 'unsupported_media_type');
	if (statusCode === 415 || unsupported) {
		return { message: `The file type is not accepted: ${described[0]}`, details: described.slice(1) };
	}
	return { message: described[0], details: described.slice(1) };
}

/*
 * Sunshine Conversations publishes no rate figure: it answers 429 when a client goes too fast and
 * asks for exponential backoff with jitter, which every request of the run then waits out (see
 * pacing.ts). A modest 4 at once by default, at most 10.
 */
export const SUNSHINE_CONCURRENCY: ConcurrencySpec = {
	other: { default: 4, max: 10 },
	limit: 'Sunshine Conversations publishes no rate limit; on a 429 every request of the run backs off (with jitter) before going on.',
};

export const sunshineProvider: ProviderSpec = {
	displayName: 'Sunshine Conversations',
	credentialType: (ctx: IExecuteFunctions, itemIndex: number) =>
		credentialTypeFor(ctx.getNodeParameter('authentication', itemIndex, 'apiKey')),
	baseUrl: async (ctx, credentialType) => await sunshineApiBase(ctx, credentialType),
	parseError: (body, statusCode) => parseSunshineError(body, statusCode),
	// API keys do not expire: a 401 is final, a streamed upload is not sent twice.
	credentialRefresh: false,
};

/** Sunshine IDs (apps, conversations) are 24 hex digits; anything that fits one path segment cleanly passes. */
const SUNSHINE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function sunshineId(example: string) {
	return (value: unknown): string | undefined =>
		typeof value === 'string' && SUNSHINE_ID.test(value)
			? undefined
			: `"${String(value)}" is not an ID (letters, digits, "-" and "_" only, e.g. ${example})`;
}

export const APP_ID_EXAMPLE = '5ec41c54fe13cc5ac404bedc';

/** `{appId}` of every attachment path. */
export const appIdField: FieldSpec = {
	in: 'path',
	name: 'appId',
	parameter: 'appId',
	label: 'App',
	required: true,
	validate: sunshineId(APP_ID_EXAMPLE),
};

/** Largest file Sunshine Conversations accepts (50 MB, as documented). */
export const SUNSHINE_MAX_FILE_BYTES = 50 * 1024 * 1024;
