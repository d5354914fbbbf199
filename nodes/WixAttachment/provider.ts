/**
 * What is particular to Wix: the two credentials and where the API lives, the contact path
 * fields, and Wix's error shapes.
 */
import type { ConcurrencySpec } from '../shared/description';
import { validators } from '../shared/transport';
import type { FieldSpec, OperationInput, ProviderError, ProviderSpec, TransportContext } from '../shared/transport';

/** API key (raw in `Authorization`) plus `wix-site-id`. */
export const WIX_API_KEY_CREDENTIAL_TYPE = 'wixAttachmentApi';
/** Wix app OAuth: app ID, secret and instance ID exchanged for an expiring access token. */
export const WIX_APP_OAUTH_CREDENTIAL_TYPE = 'wixAttachmentAppOAuthApi';
export const WIX_DEFAULT_BASE_URL = 'https://www.wixapis.com';

/** The credential type the value of the node's Authentication parameter stands for. */
export function credentialTypeFor(authentication: unknown): string {
	return authentication === 'appOAuth' ? WIX_APP_OAUTH_CREDENTIAL_TYPE : WIX_API_KEY_CREDENTIAL_TYPE;
}

/** The API base URL: Wix's, or the credential's override (sandboxes, proxies). */
export async function wixBaseUrl(ctx: TransportContext, credentialType: string): Promise<string> {
	const credentials = await ctx.getCredentials(credentialType);
	const override = typeof credentials?.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	return (override || WIX_DEFAULT_BASE_URL).replace(/\/+$/, '');
}

interface WixErrorBody {
	message?: unknown;
	details?: {
		applicationError?: { code?: unknown; description?: unknown };
		validationError?: { fieldViolations?: Array<{ field?: unknown; description?: unknown; violatedRule?: unknown }> };
	};
	/** RFC 6749 shape of the token endpoint. */
	error?: unknown;
	error_description?: unknown;
}

const text = (value: unknown): string | undefined =>
	typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/**
 * Wix answers `{ message, details: { applicationError | validationError } }` ("About Errors"),
 * its token endpoint `{ error, error_description }`, and system errors with an empty body.
 */
export function parseWixError(body: unknown): ProviderError {
	if (typeof body === 'string') return text(body) ? { message: body.trim().slice(0, 300) } : {};
	if (!body || typeof body !== 'object') return {};
	const error = body as WixErrorBody;
	const details: string[] = [];
	const application = error.details?.applicationError;
	const code = text(application?.code);
	const description = text(application?.description);
	for (const violation of error.details?.validationError?.fieldViolations ?? []) {
		const field = text(violation?.field);
		const problem = text(violation?.description) ?? text(violation?.violatedRule);
		if (problem) details.push(field ? `${field}: ${problem}` : problem);
	}
	let message = text(error.message);
	if (application) {
		if (!message) message = description ?? code;
		const detail = code && description && description !== message ? `${code}: ${description}` : (code ?? description);
		if (detail && detail !== message) details.unshift(detail);
	}
	if (!message && text(error.error)) {
		message = [text(error.error), text(error.error_description)].filter(Boolean).join(': ');
	}
	return message ? { message, details } : { details };
}

/*
 * Wix allows 200 calls a minute per site (dev.wix.com, "Rate limits") and publishes no limit on
 * calls in flight. Each item makes one API call (Get with a download adds one to the file's
 * storage host, which is not the API): at 100 ms a call, even one item at a time is over 200 a
 * minute, so more at once only matter for short runs; beyond the budget every request of the run
 * waits out the 429.
 */
/** Options → Concurrency: 5 by default, at most 20. */
export const WIX_CONCURRENCY: ConcurrencySpec = {
	other: { default: 5, max: 20 },
	limit: 'Wix allows 200 calls a minute per site; on a 429 every request of the run waits as long as Wix says.',
};

export const wixProvider: ProviderSpec = {
	displayName: 'Wix',
	credentialType: (ctx, itemIndex) => credentialTypeFor(ctx.getNodeParameter('authentication', itemIndex, 'apiKey')),
	baseUrl: async (ctx, credentialType) => await wixBaseUrl(ctx, credentialType),
	parseError: (body) => parseWixError(body),
	fileNameFields: ['fileName'],
};

/** The contact whose attachments the operation manages. */
export const contactIdField: FieldSpec = {
	in: 'path',
	name: 'contactId',
	parameter: 'contactId',
	label: 'Contact ID',
	required: true,
	validate: validators.guid,
};

export const attachmentIdField: FieldSpec = {
	in: 'path',
	name: 'attachmentId',
	parameter: 'attachmentId',
	label: 'Attachment ID',
	required: true,
	validate: validators.guid,
};

/** A 404 of a call naming a contact's attachment: Wix says whether the contact or the attachment is missing. */
export function attachmentNotFound(input: OperationInput, said: string): { message: string; description: string } {
	const { values } = input;
	if (/\bcontact\b.*\bnot found\b/i.test(said)) return contactNotFound(input);
	return {
		message: `Wix found no attachment "${String(values.attachmentId)}" on contact "${String(values.contactId)}" — check "Attachment"`,
		description:
			'Check the Contact and the Attachment: the Attachment list (or Get Many) shows the attachments of the chosen contact. It may have been deleted, or the contact belongs to another site than the credential\'s.',
	};
}

/** A 404 of a call naming only the contact. */
export function contactNotFound({ values }: OperationInput): { message: string; description: string } {
	return {
		message: `Wix found no contact with ID "${String(values.contactId)}" — check "Contact"`,
		description: 'Check the Contact: pick it from the list, which shows the contacts of the credential\'s site. It may have been deleted, or belong to another site.',
	};
}

/** Wix takes attachment file names of 1 to 260 characters. */
export const WIX_FILE_NAME_MAX = 260;
