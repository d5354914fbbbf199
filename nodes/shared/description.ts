/**
 * Parameters every node of the package shows the same way, named and worded as n8n's own
 * nodes do, so that users (and AI agents) meet one convention everywhere.
 */
import type { IDisplayOptions, INodeCredentialDescription, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { CUSTOM_API_CALL_VALUE, DEFAULT_TEXT_CONTENT_MAX_BYTES, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS } from './transport/constants';
import type { ConcurrencyLimit, ConcurrencySpec } from './transport/constants';

export { CUSTOM_API_CALL_VALUE, DEFAULT_TEXT_CONTENT_MAX_BYTES, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS };
export type { ConcurrencyLimit, ConcurrencySpec };

/**
 * The credentials of a node with an Authentication parameter: one per value of it, required and
 * shown when that value is chosen (the action node and the trigger of a provider share them).
 */
export function credentialsByAuthentication(authenticationByCredential: Record<string, string>): INodeCredentialDescription[] {
	return Object.entries(authenticationByCredential).map(([name, value]) => ({ name, required: true, displayOptions: { show: { authentication: [value] } } }));
}

/** The Resource of a node with one resource, the attachment (n8n adds "Custom API Call" to it). */
export function attachmentResource(name = 'Attachment', value = 'attachment'): INodeProperties {
	return { displayName: 'Resource', name: 'resource', type: 'options', noDataExpression: true, options: [{ name, value }], default: value };
}

/** A trigger's "Download File" switch (on by default) and, shown when it is on, the binary field the file goes into. */
export function downloadFileFields(description: string, name = 'download'): INodeProperties[] {
	return [{ displayName: 'Download File', name, type: 'boolean', default: true, description }, outputBinaryField({ show: { [name]: [true] } })];
}

/**
 * The Base URL Override every credential of the package has (read by the transport as `baseUrl`):
 * empty for the vendor; a sandbox's or a proxy's URL (http://127.0.0.1:<port> in the sandboxes).
 */
export function baseUrlOverride(port: number, description: string): INodeProperties {
	return { displayName: 'Base URL Override', name: 'baseUrl', type: 'string', default: '', placeholder: `e.g. http://127.0.0.1:${port}`, description };
}

/**
 * The hidden fields of an OAuth2 credential (extending n8n's `oAuth2Api`) that n8n's OAuth2 flow
 * reads for the authorization-code grant: the grant type and the vendor's authorization and
 * token URLs. The scope, the auth query parameters and how the client authenticates follow them.
 */
export function authorizationCodeFields(authUrl: string, accessTokenUrl: string): INodeProperties[] {
	return [
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{ displayName: 'Authorization URL', name: 'authUrl', type: 'hidden', default: authUrl, required: true },
		{ displayName: 'Access Token URL', name: 'accessTokenUrl', type: 'hidden', default: accessTokenUrl, required: true },
	];
}

/** A mode of a picker that takes a typed value (an ID, a URL), checked by a regular expression. */
export interface TypedPickerMode {
	name: string;
	displayName: string;
	placeholder: string;
	regex: string;
	errorMessage: string;
	hint?: string;
}

/** The ID mode of a picker. */
export function idMode(placeholder: string, regex: string, errorMessage: string, hint?: string): TypedPickerMode {
	return { name: 'id', displayName: 'ID', placeholder, regex, errorMessage, ...(hint ? { hint } : {}) };
}

/**
 * A picker (resource locator) as every node of the package shows one: From List first (the
 * searchable list `searchListMethod` gives, the default mode), then the modes that take a typed
 * value, each checked by its regular expression.
 */
export function listPicker(
	field: Pick<INodeProperties, 'displayName' | 'name' | 'description' | 'displayOptions' | 'required'>,
	list: { searchListMethod: string; placeholder?: string },
	typed: TypedPickerMode[],
): INodeProperties {
	return {
		...field,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		modes: [
			{ displayName: 'From List', name: 'list', type: 'list', ...(list.placeholder ? { placeholder: list.placeholder } : {}), typeOptions: { searchListMethod: list.searchListMethod, searchable: true } },
			...typed.map(({ name, displayName, placeholder, hint, regex, errorMessage }) => ({
				displayName,
				name,
				type: 'string' as const,
				placeholder,
				...(hint ? { hint } : {}),
				validation: [{ type: 'regex' as const, properties: { regex, errorMessage } }],
			})),
		],
	};
}

/** "Return All" and "Limit" (default 50) of a Get Many operation. */
export function returnAllAndLimit(displayOptions: IDisplayOptions = {}, maxLimit?: number): INodeProperties[] {
	const show = displayOptions.show ?? {};
	const properties: INodeProperties[] = [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions,
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { ...displayOptions, show: { ...show, returnAll: [false] } },
		},
	];
	if (maxLimit) properties[1].typeOptions = { minValue: 1, maxValue: maxLimit };
	return properties;
}

/** "Input Binary Field": where the file to upload is. */
export function inputBinaryField(displayOptions: IDisplayOptions = {}): INodeProperties {
	return {
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		required: true,
		default: 'data',
		hint: 'The name of the input binary field containing the file to upload',
		displayOptions,
	};
}

/** "Put Output File in Field": where a downloaded file goes. */
export function outputBinaryField(displayOptions: IDisplayOptions = {}, name = 'binaryPropertyName'): INodeProperties {
	return {
		displayName: 'Put Output File in Field',
		name,
		type: 'string',
		required: true,
		default: 'data',
		hint: 'The name of the output binary field to put the file in',
		displayOptions,
	};
}

/** "Timeout" of an Options collection: how long a silent server is waited for. */
export const timeoutOption: INodeProperties = {
	displayName: 'Timeout',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: MAX_TIMEOUT_MS },
	default: DEFAULT_TIMEOUT_MS,
	description:
		'How long to wait, in milliseconds, while the server sends nothing, before giving up on the request (it is retried when that is safe). A large file that keeps moving is never cut off.',
};

/** Options → "Concurrency": how many items run at once, within what the provider allows. */
export function concurrencyOption(limit: ConcurrencyLimit, providerLimit: string): INodeProperties {
	const { default: defaultValue, max } = limit;
	return {
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: max, numberPrecision: 0 },
		default: defaultValue,
		description: `How many items to process at once, from 1 to ${max}. ${providerLimit} The output keeps the order of the input.`,
	};
}

/**
 * The node's properties with Options → Concurrency added to every Options collection, with the
 * default and maximum of the operations that collection is shown for (the smallest, if several).
 */
export function withConcurrencyOption(properties: INodeProperties[], spec: ConcurrencySpec): INodeProperties[] {
	return properties.map((property) => {
		if (property.name !== 'options' || property.type !== 'collection') return property;
		const shownFor = property.displayOptions?.show?.operation;
		const operations = Array.isArray(shownFor) ? shownFor.filter((value): value is string => typeof value === 'string') : [];
		const limits = operations.length ? operations.map((operation) => spec.byOperation?.[operation] ?? spec.other) : [spec.other];
		const limit = { default: Math.min(...limits.map((l) => l.default)), max: Math.min(...limits.map((l) => l.max)) };
		const options = [...((property.options ?? []) as INodeProperties[])];
		// In alphabetical order, as n8n's lint wants a collection's options.
		const at = options.findIndex((option) => option.displayName.localeCompare('Concurrency') > 0);
		options.splice(at === -1 ? options.length : at, 0, concurrencyOption(limit, spec.limit));
		return { ...property, options };
	});
}

/**
 * The "Options" collection of an operation. Its display options stand before its options, even
 * when `forOperation` fills them in later: the node descriptions have always listed them there.
 */
export function optionsCollection(options: INodeProperties[], displayOptions: IDisplayOptions = {}): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions,
		options,
	};
}

/** An Options collection holding only "Timeout", for operations that have no other option. */
export function timeoutOnlyOptions(displayOptions: IDisplayOptions = {}): INodeProperties {
	return optionsCollection([timeoutOption], displayOptions);
}

/**
 * The parameters of one operation (its part of the node description), shown only for it: `show`,
 * e.g. `{ operation: ['get'] }`, comes first, then each parameter's own conditions (such as
 * `source: ['binary']`), in the order the descriptions have always listed them.
 */
export function forOperation(show: NonNullable<IDisplayOptions['show']>, properties: INodeProperties[]): INodeProperties[] {
	return properties.map((property) => ({
		...property,
		displayOptions: { ...property.displayOptions, show: { ...show, ...property.displayOptions?.show } },
	}));
}

/** Merges `show` conditions into display options. */
function showing(displayOptions: IDisplayOptions, show: NonNullable<IDisplayOptions['show']>): IDisplayOptions {
	return { ...displayOptions, show: { ...(displayOptions.show ?? {}), ...show } };
}

/** The two sources every upload takes: a file from a binary field, or text written in place. */
export const BINARY_SOURCE: INodePropertyOptions = { name: 'Binary File', value: 'binary', description: 'A file from an input binary field' };
export const TEXT_SOURCE: INodePropertyOptions = {
	name: 'Text',
	value: 'text',
	description: 'Text given here (or by an AI agent), uploaded as a file: a note, CSV, JSON, Markdown…',
};

export const URL_SOURCE: INodePropertyOptions = {
	name: 'URL',
	value: 'url',
	description: 'A file on the web (or given by an AI agent), streamed from its address into the upload',
};

/** "Source" of an upload: Binary File (default, as before the choice existed), Text or URL. */
export function uploadSourceField(displayOptions: IDisplayOptions = {}, options: INodePropertyOptions[] = [BINARY_SOURCE, TEXT_SOURCE, URL_SOURCE]): INodeProperties {
	return {
		displayName: 'Source',
		name: 'source',
		type: 'options',
		options,
		default: 'binary',
		description: 'What to upload',
		displayOptions,
	};
}

/**
 * The file of an upload from text: its content, its name (a main field: the text has no name of
 * its own) and its MIME type (from the name's extension when left empty). A binary file's name is
 * an override, so it is an option instead (`fileNameOption`). `sizeNote` names the provider's limit.
 */
export function textUploadFields(displayOptions: IDisplayOptions = {}, sizeNote?: string): INodeProperties[] {
	const show = showing(displayOptions, { source: ['text'] });
	return [
		{
			displayName: 'Text',
			name: 'text',
			type: 'string',
			typeOptions: { rows: 6 },
			required: true,
			default: '',
			placeholder: 'e.g. Meeting notes…',
			description: `The content of the file, uploaded as UTF-8 exactly as given${sizeNote ? ` (${sizeNote})` : ''}`,
			displayOptions: show,
		},
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. notes.md',
			description: 'Name to give the file, with its extension',
			displayOptions: show,
		},
		mimeTypeParameter(
			"The file's type. Leave empty to take it from the file name's extension (e.g. text/csv for .csv, text/markdown for .md, the JSON, HTML, XML and YAML types for theirs; text/plain for any other).",
			show,
			'e.g. text/csv',
		),
	];
}

/** A "MIME Type" parameter (a field or an option): a file's type where the provider needs one given. */
export function mimeTypeParameter(description: string, displayOptions?: IDisplayOptions, placeholder = 'e.g. application/pdf'): INodeProperties {
	return { displayName: 'MIME Type', name: 'mimeType', type: 'string', default: '', placeholder, description, ...(displayOptions ? { displayOptions } : {}) };
}

/**
 * The file of an upload from a URL: its address, and whether that address may be on this
 * machine's own network. The name and type come from the answer (or Options → File Name).
 */
export function urlUploadFields(displayOptions: IDisplayOptions = {}, sizeNote?: string): INodeProperties[] {
	const show = showing(displayOptions, { source: ['url'] });
	return [
		{
			displayName: 'File URL',
			name: 'sourceUrl',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. https://example.com/invoices/2026-031.pdf',
			description: `The address of the file, fetched and streamed into the upload without being stored first${sizeNote ? ` (${sizeNote})` : ''}. It must answer with the file's size (Content-Length).`,
			displayOptions: show,
		},
		{
			displayName: 'Allow Internal Addresses',
			name: 'allowInternalUrl',
			type: 'boolean',
			default: false,
			description:
				"Whether the File URL may use plain http or point at this machine's own network (localhost, private or link-local addresses). Leave off for files on the internet: the URL is then https and public only, as an AI agent's is checked too.",
			displayOptions: show,
		},
	];
}

/** Options → "File Name" of an upload from a binary field: a new name for the file. */
export function fileNameOption(description = "Name to give the file. Leave empty to use the file's own name.", placeholder = 'e.g. receipt.pdf'): INodeProperties {
	return {
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		default: '',
		placeholder,
		description,
		displayOptions: { show: { '/source': ['binary', 'url'] } },
	};
}

/** Options → "Include Text Content" and its limit, for downloads (see transport/text-content.ts). */
export const textContentOptions: INodeProperties[] = [
	{
		displayName: 'Include Text Content',
		name: 'includeTextContent',
		type: 'boolean',
		default: false,
		description:
			'Whether to output the content of a text file (text/*, JSON, XML, YAML, CSV…) as text in "textContent", next to the binary. Off unless set, except when the node runs as an AI agent\'s tool: an agent gets no binary data, so there it is on unless set to off.',
	},
	{
		displayName: 'Text Content Limit (Bytes)',
		name: 'textContentMaxBytes',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: DEFAULT_TEXT_CONTENT_MAX_BYTES,
		description:
			'The most of a text file to output in "textContent". A longer file is cut at this size (at a character boundary) and "textContentTruncated" is true.',
	},
];

function optionNames(parameter: INodeProperties): Record<string, string> {
	const names: Record<string, string> = { [CUSTOM_API_CALL_VALUE]: 'Custom API Call' };
	for (const option of parameter.options ?? []) {
		if ('value' in option && typeof option.value === 'string') names[option.value] = option.name;
	}
	return names;
}

/**
 * The canvas subtitle, "<Operation>: <Resource>" in the words of the option lists (e.g.
 * "Get Many: Invoice"), or "Custom API Call". A value no list knows (an expression) shows as is.
 */
export function operationSubtitle(operation: INodeProperties, resource: INodeProperties): string {
	const operations = JSON.stringify(optionNames(operation));
	const resources = JSON.stringify(optionNames(resource));
	const op = '$parameter["operation"]';
	const res = '$parameter["resource"]';
	const custom = JSON.stringify(CUSTOM_API_CALL_VALUE);
	return (
		`={{ ${res} === ${custom} || ${op} === ${custom} ? "Custom API Call" : ` +
		`((${operations})[${op}] || ${op}) + ": " + ((${resources})[${res}] || ${res}) }}`
	);
}

function optionValues(parameter: INodeProperties): string[] {
	return (parameter.options ?? []).flatMap((option) => ('value' in option && typeof option.value === 'string' ? [option.value] : []));
}

/**
 * Shows every parameter but Authentication, Resource and Operation only for the node's own
 * resources and operations. n8n adds "Custom API Call" to the Resource and Operation lists of
 * nodes whose credentials can sign other requests, and hides the other parameters under it: a
 * parameter shown for any operation would still be required there, and the node could not run.
 */
export function onlyForOwnOperations(
	properties: INodeProperties[],
	resource: INodeProperties,
	operation: INodeProperties,
): INodeProperties[] {
	const resources = optionValues(resource);
	const operations = optionValues(operation);
	return properties.map((property) => {
		if (['authentication', resource.name, operation.name].includes(property.name)) return property;
		const show = { ...(property.displayOptions?.show ?? {}) };
		if (!show[resource.name]) show[resource.name] = resources;
		if (!show[operation.name]) show[operation.name] = operations;
		return { ...property, displayOptions: { ...property.displayOptions, show } };
	});
}
