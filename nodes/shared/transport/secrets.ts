/**
 * The credential's secrets a run has seen, so that none of them leaves in an output or an error
 * whatever form a provider echoes it in (redact.ts). The credential is read at the run's first
 * request, and read again wherever its secrets may have changed since: after a failure, and before
 * an output of a credential whose tokens n8n renews during the run (OAuth2). What was read once
 * stays known for the run: a provider may echo a token that has just been replaced.
 */
import { NodeApiError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { withSafeFileNames } from './file-name';
import { credentialSecrets, redact } from './redact';
import type { ProviderSpec, TransportContext } from './types';

/** Whether n8n may renew the credential during a run, e.g. after a 401 (see ProviderSpec.credentialRefresh). */
export function canRefreshCredential(provider: ProviderSpec, credentialType: string): boolean {
	const refresh = provider.credentialRefresh;
	return typeof refresh === 'function' ? refresh(credentialType) : refresh !== false;
}

interface Known {
	secrets: Set<string>;
	first?: Promise<void>;
}

const runs = new WeakMap<object, Map<string, Known>>();

function knownOf(ctx: TransportContext, credentialType: string): Known {
	let types = runs.get(ctx);
	if (!types) runs.set(ctx, (types = new Map()));
	let known = types.get(credentialType);
	if (!known) types.set(credentialType, (known = { secrets: new Set() }));
	return known;
}

async function read(ctx: TransportContext, credentialType: string, known: Known): Promise<void> {
	// A credential that cannot be read is reported by the request that needs it, not here.
	const data = await ctx.getCredentials(credentialType).catch(() => undefined);
	for (const secret of credentialSecrets(data)) known.secrets.add(secret);
}

/**
 * The secrets of `credentialType` known in this run; `fresh` reads the credential again (after a
 * failure, or when its tokens may have been renewed), otherwise it is read once per run.
 */
export async function knownSecrets(ctx: TransportContext, credentialType: string, fresh = false): Promise<string[]> {
	const known = knownOf(ctx, credentialType);
	known.first ??= read(ctx, credentialType, known);
	await known.first;
	if (fresh) await read(ctx, credentialType, known);
	return [...known.secrets];
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
	const credentialType = provider.credentialType(ctx, itemIndex);
	const secrets = await knownSecrets(ctx, credentialType, canRefreshCredential(provider, credentialType));
	for (const item of items) {
		item.json = redact(item.json, secrets);
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
	const secrets = await knownSecrets(ctx, provider.credentialType(ctx, itemIndex), true);
	error.message = redact(error.message, secrets);
	if (typeof error.description === 'string') error.description = redact(error.description, secrets);
	if (error instanceof NodeApiError && error.errorResponse) error.errorResponse = redact(error.errorResponse, secrets);
	return error;
}
