/**
 * The credential's secrets a run has seen, so that none of them leaves in an output or an error
 * whatever form a provider echoes it in (redact.ts), and the credential a run's requests are
 * signed with.
 *
 * The credential is read once, at the run's first request. What was read stays known for the run
 * (a provider may echo a token that has just been replaced), and the run learns every secret it
 * may have changed to before an output:
 * - A credential n8n signs with the object it is handed (API keys, tokens a pre-authentication
 *   makes): the run's requests are signed with that one object (`signingCredential`), and n8n
 *   writes a token it renews into it, so its secrets are read off it again before each output,
 *   without asking n8n.
 * - An OAuth2 credential (ProviderSpec.oauth2): n8n signs each request and renews the token itself
 *   (its refresh path untouched), from a read the run hands it (`oauth2SigningData`) that is at
 *   most OAUTH2_READ_MAX_AGE_MS old, instead of loading and decrypting the credential for every
 *   request; n8n writes a token it renews into that read. The transport sees the Authorization
 *   each request carries (`observedHelpers`). A token the run does not know yet means the
 *   credential was renewed (by n8n here, or by another execution): it is read again before the
 *   next output (so the refresh token a renewal issued is known too) and before the next request.
 *   Where a request went out unseen (an n8n that signs some other way), it is read again before
 *   every output, as it always was.
 * - After a failure, it is read again (errors are rare, and an error body may quote anything).
 */
import { NodeApiError } from 'n8n-workflow';
import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { withSafeFileNames } from './file-name';
import { authorizationForms, credentialSecrets, redactWith, secretPattern } from './redact';
import type { ProviderSpec, TransportContext } from './types';

/** Whether n8n may renew the credential during a run, e.g. after a 401 (see ProviderSpec.credentialRefresh). */
export function canRefreshCredential(provider: ProviderSpec, credentialType: string): boolean {
	const refresh = provider.credentialRefresh;
	return typeof refresh === 'function' ? refresh(credentialType) : refresh !== false;
}

/** Whether n8n signs requests with this credential as it reads it itself (OAuth2; see ProviderSpec.oauth2). */
export function isOAuth2Credential(provider: ProviderSpec, credentialType: string): boolean {
	const oauth2 = provider.oauth2;
	return typeof oauth2 === 'function' ? oauth2(credentialType) : oauth2 === true;
}

interface Known {
	secrets: Set<string>;
	/** Bumped whenever a secret is learnt: the pattern is made again. */
	version: number;
	pattern?: { version: number; regex: RegExp | undefined };
	/** The run's first read of the credential; undefined data when it could not be read. */
	first?: Promise<void>;
	/** The credential as first read: what the run's requests are signed with unless n8n reads its own (OAuth2). */
	data?: ICredentialDataDecryptedObject;
	/** OAuth2: a request carried a token the run did not know: read the credential again before the next output. */
	renewed?: boolean;
	/** OAuth2: a request went out without its Authorization being seen: read again before every output. */
	unobserved?: boolean;
	/** The read the run's OAuth2 requests are signed with, and when it was made (oauth2SigningData). */
	signing?: { data: ICredentialDataDecryptedObject; readAt: number };
	/** OAuth2: a request carried a token the run did not know: read again before the next request. */
	signingStale?: boolean;
	/** OAuth2: how many requests carried a token the run did not know (a read after the last one has learnt it). */
	renewals?: number;
	/** OAuth2: that read, under way (one for the requests that wait for it). */
	signingRead?: Promise<void>;
}

/**
 * How long one read of an OAuth2 credential signs a run's requests. n8n itself reads it for every
 * request, which makes a token another execution renewed reach the next request; a read this
 * recent keeps that within seconds (and a token renewed here or seen renewed is read at once),
 * while a run of many items no longer loads and decrypts the credential for each.
 */
export const OAUTH2_READ_MAX_AGE_MS = 5_000;

const runs = new WeakMap<object, Map<string, Known>>();

function knownOf(ctx: TransportContext, credentialType: string): Known {
	let types = runs.get(ctx);
	if (!types) runs.set(ctx, (types = new Map()));
	let known = types.get(credentialType);
	if (!known) types.set(credentialType, (known = { secrets: new Set(), version: 0 }));
	return known;
}

function learn(known: Known, secrets: Iterable<string>): boolean {
	let learnt = false;
	for (const secret of secrets) {
		if (known.secrets.has(secret)) continue;
		known.secrets.add(secret);
		learnt = true;
	}
	if (learnt) known.version++;
	return learnt;
}

async function read(ctx: TransportContext, credentialType: string, known: Known): Promise<ICredentialDataDecryptedObject | undefined> {
	// A credential that cannot be read is reported by the request that needs it, not here.
	const data = await ctx.getCredentials(credentialType).catch(() => undefined);
	learn(known, credentialSecrets(data));
	return data;
}

async function firstRead(ctx: TransportContext, credentialType: string): Promise<Known> {
	const known = knownOf(ctx, credentialType);
	known.first ??= read(ctx, credentialType, known).then((data) => {
		known.data = data;
		if (data) known.signing = { data, readAt: Date.now() };
	});
	await known.first;
	return known;
}

/**
 * The secrets of `credentialType` known in this run; `fresh` reads the credential again (after a
 * failure), otherwise it is read once per run.
 */
export async function knownSecrets(ctx: TransportContext, credentialType: string, fresh = false): Promise<string[]> {
	const known = await firstRead(ctx, credentialType);
	if (fresh) await read(ctx, credentialType, known);
	if (known.data) learn(known, credentialSecrets(known.data));
	return [...known.secrets];
}

/**
 * The credential as the run read it (its first request reads it; undefined when it could not be
 * read), for what a run takes from it once (the API base of a Base URL Override).
 */
export async function runCredential(ctx: TransportContext, credentialType: string): Promise<ICredentialDataDecryptedObject | undefined> {
	return (await firstRead(ctx, credentialType)).data;
}

/**
 * The credential to hand n8n for a request (`additionalCredentialOptions.credentialsDecrypted`):
 * the run's one read of it, so that n8n neither loads nor decrypts it again for every request.
 * Undefined for an OAuth2 credential (n8n reads, signs with and renews its own) and for one that
 * could not be read (n8n then reads it and says what is wrong).
 */
export async function signingCredential(ctx: TransportContext, provider: ProviderSpec, credentialType: string): Promise<ICredentialsDecrypted | undefined> {
	if (isOAuth2Credential(provider, credentialType)) return undefined;
	const known = await firstRead(ctx, credentialType);
	if (!known.data) return undefined;
	const reference = (ctx.getNode().credentials ?? {})[credentialType];
	return { id: reference?.id ?? '', name: reference?.name ?? credentialType, type: credentialType, data: known.data };
}

/**
 * For a request n8n signs with an OAuth2 credential: the credential for n8n's OAuth2 signing to
 * read (request.ts hands it over as the context's `getCredentials`, for that type only), n8n
 * renewing the token in it on a 401 as it does in its own read. Read again when older than
 * OAUTH2_READ_MAX_AGE_MS or after a request carried a token the run did not know. Undefined when
 * it could not be read (n8n then reads it and says what is wrong).
 */
export async function oauth2SigningData(ctx: TransportContext, credentialType: string): Promise<ICredentialDataDecryptedObject | undefined> {
	const known = await firstRead(ctx, credentialType);
	const fresh = known.signing && !known.signingStale && Date.now() - known.signing.readAt < OAUTH2_READ_MAX_AGE_MS;
	if (!fresh) await readAgain(ctx, credentialType, known);
	return known.signing?.data;
}

/**
 * An OAuth2 credential read again (one read for whoever waits for it): what the run signs with
 * next, and, when no request has carried a token the run did not know since it began, everything
 * a renewal changed (before the next output and the next request: one read for both).
 */
async function readAgain(ctx: TransportContext, credentialType: string, known: Known): Promise<void> {
	const renewalsBefore = known.renewals ?? 0;
	known.signingRead ??= read(ctx, credentialType, known).then((data) => {
		known.signing = data ? { data, readAt: Date.now() } : undefined;
		known.signingRead = undefined;
		if ((known.renewals ?? 0) === renewalsBefore) known.renewed = known.signingStale = false;
	});
	await known.signingRead;
}

/**
 * For a request n8n signs with an OAuth2 credential: `helpers` that see the Authorization n8n
 * puts on it (n8n's OAuth2 signing sends through `this.helpers.httpRequest` of the context it is
 * called on), and `done`, to call once the request is over, which notes a request that went out
 * unseen.
 */
export function observedHelpers(ctx: TransportContext, credentialType: string): { helpers: TransportContext['helpers']; done: () => void } {
	const known = knownOf(ctx, credentialType);
	let seen = false;
	const base = ctx.helpers;
	const helpers = Object.create(base, {
		httpRequest: {
			value: async (options: Parameters<typeof base.httpRequest>[0]) => {
				seen = true;
				const headers = (options?.headers ?? {}) as Record<string, unknown>;
				for (const [name, value] of Object.entries(headers)) {
					if (name.toLowerCase() !== 'authorization' || typeof value !== 'string') continue;
					// The token after the scheme (the header holds it); a token the run does not know: n8n renewed the credential.
					const forms = authorizationForms(value);
					if (learn(known, (forms.length > 1 ? forms.slice(1) : forms).filter((form) => form.length >= 8))) {
						known.renewed = known.signingStale = true;
						known.renewals = (known.renewals ?? 0) + 1;
					}
				}
				return await base.httpRequest(options);
			},
		},
	}) as TransportContext['helpers'];
	return {
		helpers,
		done: () => {
			if (!seen) known.unobserved = true;
		},
	};
}

/** The secrets before an output of the item, and the pattern that blanks them. */
async function outputPattern(ctx: TransportContext, provider: ProviderSpec, credentialType: string): Promise<RegExp | undefined> {
	const known = await firstRead(ctx, credentialType);
	if (canRefreshCredential(provider, credentialType)) {
		if (isOAuth2Credential(provider, credentialType)) {
			if (known.unobserved || known.renewed || !known.data) await readAgain(ctx, credentialType, known);
		} else if (known.data) {
			// n8n's pre-authentication writes a token it renews into the object the requests are signed with.
			learn(known, credentialSecrets(known.data));
		} else {
			await read(ctx, credentialType, known);
		}
	}
	if (known.pattern?.version !== known.version) known.pattern = { version: known.version, regex: secretPattern(known.secrets) };
	return known.pattern.regex;
}

/**
 * The records a node outputs for an item, cleared of the credential's secrets. Beside a
 * downloaded file, the record's file-name fields are made base names like the file's own name
 * (file-name.ts), so that a node writing the file by either name writes it where it was told;
 * records without a file stay as the provider gave them (a lookup by name needs them so).
 */
export async function protectOutput(
	ctx: IExecuteFunctions,
	provider: ProviderSpec,
	itemIndex: number,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const pattern = await outputPattern(ctx, provider, provider.credentialType(ctx, itemIndex));
	for (const item of items) {
		item.json = redactWith(item.json, pattern);
		if (item.binary) item.json = withSafeFileNames(item.json, provider.fileNameFields ?? []);
	}
	return items;
}

/**
 * An item's error cleared of the credential's secrets: its message and description may quote what
 * a provider answered (a record's name, a list of file names, an error body).
 */
export async function protectError<E extends Error & { description?: string | null }>(
	ctx: IExecuteFunctions,
	provider: ProviderSpec,
	itemIndex: number,
	error: E,
): Promise<E> {
	const credentialType = provider.credentialType(ctx, itemIndex);
	await knownSecrets(ctx, credentialType, true);
	const pattern = await outputPattern(ctx, provider, credentialType);
	error.message = redactWith(error.message, pattern);
	if (typeof error.description === 'string') error.description = redactWith(error.description, pattern);
	if (error instanceof NodeApiError && error.errorResponse) error.errorResponse = redactWith(error.errorResponse, pattern);
	return error;
}
