/**
 * Performs any OperationSpec for one item: reads and validates its fields (a NodeOperationError
 * naming the parameter, before anything is sent), builds path, query, headers and body, sends it
 * through `sendRequest`, and shapes the response into output items.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';

import { DOWNLOAD_CEILING_BYTES } from './bounded';
import { storeDownload } from './download';
import type { DownloadLimit } from './download';
import { isStream } from './errors';
import { buildPath, isDotSegment } from './path';
import { sendRequest } from './request';
import { runCredential } from './secrets';
import { readTextContentOptions, textContentOf } from './text-content';
import { readTimeout } from './timeout';
import type { FullResponse, RequestPlan } from './request';
import type { BodySpec, FieldSpec, OperationInput, OperationSpec, ProviderSpec, ResponseSpec, UploadSource } from './types';
import { buildFormBody, buildMultipartBody, rawUploadHeaders, resolveUploadSource } from './upload';

function isEmptyValue(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function fieldLabel(ctx: IExecuteFunctions, itemIndex: number, field: FieldSpec): string {
	if (typeof field.label === 'function') return field.label(ctx, itemIndex);
	return field.label ?? field.parameter ?? field.name;
}

function readParameter(ctx: IExecuteFunctions, itemIndex: number, parameter: string): unknown {
	// Resource locators give their plain value; an unset option of a collection reads as empty.
	return ctx.getNodeParameter(parameter, itemIndex, '', { extractValue: true });
}

function invalid(ctx: IExecuteFunctions, itemIndex: number, field: FieldSpec, problem: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `Invalid "${fieldLabel(ctx, itemIndex, field)}": ${problem}`, { itemIndex });
}

/** Resolves every field of the operation for one item, validating as it goes. */
async function resolveFields(input: OperationInput, fields: FieldSpec[]): Promise<void> {
	const { ctx, itemIndex, values } = input;
	for (const field of fields) {
		let value: unknown = field.parameter ? readParameter(ctx, itemIndex, field.parameter) : undefined;
		if (isEmptyValue(value) && field.compute) value = await field.compute(input);
		if (typeof value === 'string') value = value.trim();
		if (isEmptyValue(value)) {
			if (field.required) {
				throw new NodeOperationError(ctx.getNode(), `The parameter "${fieldLabel(ctx, itemIndex, field)}" is required`, { itemIndex });
			}
			continue;
		}
		if (field.in === 'path' || field.in === 'header' || field.in === 'query') {
			if (typeof value === 'object') throw invalid(ctx, itemIndex, field, `expected text, got ${JSON.stringify(value)}`);
			value = String(value);
		}
		if (field.in === 'path' && isDotSegment(value as string)) {
			throw invalid(ctx, itemIndex, field, `"${value as string}" cannot be used as a name`);
		}
		if (field.in === 'header' && /[\r\n]/.test(value as string)) {
			throw invalid(ctx, itemIndex, field, 'line breaks are not allowed');
		}
		const problem = field.validate?.(value);
		if (problem) throw invalid(ctx, itemIndex, field, problem);
		values[field.name] = value;
	}
}

function collect(fields: FieldSpec[], values: Record<string, unknown>, where: FieldSpec['in']): IDataObject {
	const result: IDataObject = {};
	for (const field of fields) {
		if (field.in === where && values[field.name] !== undefined) result[field.name] = values[field.name] as IDataObject[string];
	}
	return result;
}

/** The host name of the API base (URLs on it are trusted as the API is; see UrlPolicy). */
function hostOf(apiBase: string): string | undefined {
	try {
		return new URL(apiBase).hostname;
	} catch {
		return undefined;
	}
}

function joinUrl(base: string, path: string): string {
	if (/^https?:\/\//i.test(path)) return path;
	return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}


/**
 * A JSON call answered with text that is not JSON (a cut-off body, an HTML page from a proxy):
 * an error, never an empty result taken for the truth.
 */
function expectJson(ctx: IExecuteFunctions, provider: ProviderSpec, result: FullResponse, itemIndex: number): void {
	const body = result.body;
	if (typeof body !== 'string' && !Buffer.isBuffer(body)) return;
	const text = body.toString().trim();
	if (text === '') return;
	let problem: string;
	try {
		JSON.parse(text);
		return;
	} catch (error) {
		problem = (error as Error).message;
	}
	const type = result.headers['content-type'] ?? 'no content type';
	const message = `${provider.displayName} sent a response that is not valid JSON (HTTP ${result.statusCode}, ${type})`;
	throw new NodeApiError(ctx.getNode(), { message } as JsonObject, {
		message,
		description: `${problem}. The request reached ${provider.displayName} and may have been carried out; the answer could not be read.`,
		httpCode: String(result.statusCode),
		itemIndex,
	});
}

/** The first of the file name parameters that is set (e.g. Options → File Name, then a legacy field). */
export function readFileNameOverride(ctx: IExecuteFunctions, itemIndex: number, parameters: string | string[] | undefined): string | undefined {
	for (const parameter of typeof parameters === 'string' ? [parameters] : (parameters ?? [])) {
		const value = ctx.getNodeParameter(parameter, itemIndex, '') as unknown;
		if (typeof value === 'string' && value.trim() !== '') return value;
	}
	return undefined;
}

/**
 * The provider's API base for a credential, read once per run of the node: it comes from the
 * credential (its base URL override), which n8n loads from its database and decrypts on every
 * read, and it cannot change during a run. It is taken from the run's one read of the credential
 * (secrets.ts), which its requests are signed with too. A failed read is not kept: each item
 * reports it (n8n reads the credential again and says what is wrong).
 */
const apiBases = new WeakMap<object, Map<string, Promise<string>>>();
export async function apiBaseOf(ctx: IExecuteFunctions, provider: ProviderSpec, credentialType: string): Promise<string> {
	let bases = apiBases.get(ctx);
	if (!bases) apiBases.set(ctx, (bases = new Map()));
	const key = `${provider.displayName}\u0000${credentialType}`;
	let base = bases.get(key);
	if (!base) {
		const reader = Object.create(ctx, {
			getCredentials: { value: async (type: string) => (type === credentialType ? await runCredential(ctx, type) : undefined) ?? (await ctx.getCredentials(type)) },
		}) as IExecuteFunctions;
		base = provider.baseUrl(reader, credentialType);
		bases.set(key, base);
		base.catch(() => bases.delete(key));
	}
	return await base;
}

export interface ExecuteOptions {
	/** Values known already (e.g. from an earlier call), used instead of reading parameters. */
	values?: Record<string, unknown>;
	/**
	 * The file, resolved already (see `resolveUploadSource`), used instead of reading the body's
	 * binary parameter again: a two-step upload announces the file (its fields read
	 * `input.upload`) in one call and sends the very same file in the next.
	 */
	upload?: UploadSource;
}

/** The largest file a download may be: the provider's maximum for this API base, or the general ceiling. */
function downloadLimitOf(provider: ProviderSpec, apiBase: string): DownloadLimit {
	return provider.downloadLimit?.(apiBase) ?? { maxBytes: DOWNLOAD_CEILING_BYTES, description: `the largest file this node downloads (${DOWNLOAD_CEILING_BYTES} bytes)` };
}

/** Performs `operation` for item `itemIndex` and returns its output items (not yet paired). */
export async function executeOperation(
	ctx: IExecuteFunctions,
	provider: ProviderSpec,
	operation: OperationSpec,
	itemIndex: number,
	options: ExecuteOptions = {},
): Promise<INodeExecutionData[]> {
	const input = await resolveInput(ctx, provider, operation, itemIndex, options);
	const timeoutMs = readTimeout(ctx, itemIndex);
	const credentialType = provider.credentialType(ctx, itemIndex);
	const apiBase = await apiBaseOf(ctx, provider, credentialType);
	const plan = planRequest(input, provider, operation, { credentialType, apiBase, timeoutMs });
	const response = operation.response;
	switch (response.kind) {
		case 'binary':
			return await downloadFile(input, provider, plan, response, downloadLimitOf(provider, apiBase));
		case 'list':
			return await executeList(ctx, provider, plan, itemIndex, response);
		default: {
			const result = await sendRequest<FullResponse>(ctx, provider, plan, itemIndex);
			if (response.kind === 'static') return [{ json: { ...response.value } }];
			if (!response.acceptsText) expectJson(ctx, provider, result, itemIndex);
			const records = response.items
				? response.items(result.body, input, { statusCode: result.statusCode, headers: result.headers })
				: [result.body as IDataObject];
			return records.map((json) => ({ json }));
		}
	}
}

/**
 * The item's input: the file to upload (checked before anything else) and every field's value,
 * read from the parameters and validated (a NodeOperationError naming the parameter).
 */
async function resolveInput(
	ctx: IExecuteFunctions,
	provider: ProviderSpec,
	operation: OperationSpec,
	itemIndex: number,
	options: ExecuteOptions,
): Promise<OperationInput> {
	const input: OperationInput = { ctx, itemIndex, values: { ...(options.values ?? {}) } };
	const body = operation.body ?? { kind: 'none' };
	if (options.upload) {
		input.upload = options.upload;
	} else if (body.kind === 'binary' || body.kind === 'multipart') {
		input.upload = await resolveUploadSource(ctx, itemIndex, {
			binaryParameter: body.binaryParameter,
			fileName: readFileNameOverride(ctx, itemIndex, body.fileNameParameter),
			maxBytes: body.maxBytes,
			providerName: provider.displayName,
			credentialType: provider.credentialType(ctx, itemIndex),
		});
	}
	const fields = [...(provider.commonFields ?? []), ...operation.fields].filter((field) => !(field.name in input.values));
	await resolveFields(input, fields);
	return input;
}

/** The request of the item: URL, query, headers and body (a fresh one for each attempt). */
function planRequest(
	input: OperationInput,
	provider: ProviderSpec,
	operation: OperationSpec,
	{ credentialType, apiBase, timeoutMs }: { credentialType: string; apiBase: string; timeoutMs?: number },
): RequestPlan {
	const { values } = input;
	const allFields = [...(provider.commonFields ?? []), ...operation.fields];
	const pathValues: Record<string, string> = {};
	for (const field of allFields) {
		if (field.in === 'path' && values[field.name] !== undefined) pathValues[field.name] = values[field.name] as string;
	}
	const base = operation.baseUrl ? operation.baseUrl(input, apiBase) : apiBase;
	// A URL an earlier answer gave is checked before any connection (url-guard.ts).
	const url = operation.url ? operation.url(input) : joinUrl(base, buildPath(operation.path, pathValues));
	const plan: RequestPlan = {
		method: operation.method,
		url,
		qs: collect(allFields, values, 'query'),
		headers: collect(allFields, values, 'header') as Record<string, string>,
		idempotent: operation.idempotent,
		anonymous: operation.anonymous,
		credentialType,
		timeoutMs,
		releaseBody: input.upload?.release,
		missingOnRetryMeansDone: operation.missingOnRetryMeansDone,
		target: operation.target,
		notFound: operation.notFound ? (said) => operation.notFound!(input, said) : undefined,
		providerUrl: operation.url !== undefined,
		urlPolicy: { trustedHost: hostOf(apiBase) },
		streamResponse: operation.response.kind === 'binary',
	};
	attachBody(plan, operation.body ?? { kind: 'none' }, collect(allFields, values, 'body'), input.upload);
	return plan;
}

/** The body of `plan` as `body` says: JSON, the raw file, or a multipart form, opened anew for each attempt. */
function attachBody(plan: RequestPlan, body: BodySpec, fields: IDataObject, upload: UploadSource | undefined): void {
	const headers = plan.headers!;
	if (body.kind === 'json') {
		plan.body = async () => fields;
		headers['Content-Type'] = 'application/json';
	} else if (body.kind === 'binary' && upload) {
		Object.assign(headers, rawUploadHeaders(upload));
		plan.body = async () => await upload.open();
	} else if ((body.kind === 'multipart' && upload) || body.kind === 'form') {
		const textFields: Record<string, string> = {};
		for (const [key, value] of Object.entries(fields)) textFields[key] = typeof value === 'string' ? value : JSON.stringify(value);
		// Each attempt needs its own form: a form-data stream is spent once sent.
		plan.body = async () => {
			const form =
				body.kind === 'multipart' && upload
					? await buildMultipartBody(upload, body.fileField, textFields, { fileNameEncoding: body.fileNameEncoding })
					: buildFormBody(textFields);
			for (const key of Object.keys(headers)) if (/^content-(type|length)$/i.test(key)) delete headers[key];
			Object.assign(headers, form.headers);
			return form.body;
		};
	}
}

/** A file answer streamed into the binary store, with its record (and, asked for, its text). */
async function downloadFile(
	input: OperationInput,
	provider: ProviderSpec,
	plan: RequestPlan,
	response: Extract<ResponseSpec, { kind: 'binary' }>,
	limit: DownloadLimit,
): Promise<INodeExecutionData[]> {
	const { ctx, itemIndex } = input;
	const outputField = (ctx.getNodeParameter(response.outputParameter, itemIndex, 'data') as string) || 'data';
	const fallback = response.fallback?.(input) ?? {};
	// Read before anything is sent, so that a bad limit fails first.
	const textContent = response.textContent ? readTextContentOptions(ctx, itemIndex) : undefined;
	const items = await sendRequest(ctx, provider, plan, itemIndex, async (result) => {
		if (!isStream(result.body)) throw new Error('Expected a file in the response');
		const binary = await storeDownload(ctx, result.body, result.headers, fallback, limit);
		const json = response.json?.(input) ?? { fileName: binary.fileName, mimeType: binary.mimeType };
		return [{ json, binary: { [outputField]: binary } }];
	});
	if (textContent?.include) {
		// After the transfer, from the stored file: a retried download is read once, whole.
		for (const item of items) {
			const binary = item.binary?.[outputField];
			if (binary) item.json = { ...item.json, ...(await textContentOf(ctx, binary, textContent.maxBytes)) };
		}
	}
	return items;
}

/** Return All reads at most this many pages (100,000 records at 100 a page). */
export const MAX_PAGES = 1000;

function endlessPages(ctx: IExecuteFunctions, provider: ProviderSpec, itemIndex: number, why: string): NodeApiError {
	const message = `${provider.displayName}'s list did not end: ${why}`;
	return new NodeApiError(ctx.getNode(), { message } as JsonObject, {
		message,
		description: `Return All stopped here rather than read pages forever. Turn Return All off and set a Limit to get the first records.`,
		itemIndex,
	});
}

async function executeList(
	ctx: IExecuteFunctions,
	provider: ProviderSpec,
	plan: RequestPlan,
	itemIndex: number,
	response: Extract<ResponseSpec, { kind: 'list' }>,
): Promise<INodeExecutionData[]> {
	const returnAll = ctx.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? Infinity : (ctx.getNodeParameter('limit', itemIndex, 50) as number);
	if (!returnAll && (!Number.isInteger(limit) || limit < 1)) {
		throw new NodeOperationError(ctx.getNode(), 'The parameter "Limit" must be a whole number of at least 1', { itemIndex });
	}
	const pagination = response.pagination;
	const records: IDataObject[] = [];
	let query: IDataObject = { ...(plan.qs ?? {}) };
	// Every page asked for, so that one given twice (a page token or offset that does not move)
	// stops Return All instead of reading the same pages forever.
	const asked = new Set<string>();
	for (let pages = 1; ; pages++) {
		if (pagination?.pageSize) {
			query[pagination.pageSize.name] = Math.min(pagination.pageSize.max, limit - records.length);
		}
		asked.add(JSON.stringify(query));
		const page = await sendRequest<FullResponse>(ctx, provider, { ...plan, qs: query }, itemIndex);
		expectJson(ctx, provider, page, itemIndex);
		records.push(...response.items(page.body));
		if (records.length >= limit) break;
		const next = pagination?.next(page.body, query);
		if (!next) break;
		query = { ...query, ...next };
		if (asked.has(JSON.stringify(query))) throw endlessPages(ctx, provider, itemIndex, 'it gave a next page it had given before');
		if (pages >= MAX_PAGES) throw endlessPages(ctx, provider, itemIndex, `it still had more after ${MAX_PAGES} pages (${records.length} records)`);
	}
	return records.slice(0, limit).map((json) => ({ json }));
}
