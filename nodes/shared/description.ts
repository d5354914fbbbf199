/**
 * Parameters every node of the package shows the same way, named and worded as n8n's own
 * nodes do, so that users (and AI agents) meet one convention everywhere.
 */
import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

/** "Return All" and "Limit" (default 50) of a Get Many operation. */
export function returnAllAndLimit(displayOptions: IDisplayOptions, maxLimit?: number): INodeProperties[] {
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
export function inputBinaryField(displayOptions: IDisplayOptions): INodeProperties {
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
export function outputBinaryField(displayOptions: IDisplayOptions, name = 'binaryPropertyName'): INodeProperties {
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

/** The longest wait n8n's HTTP client accepts (a 32-bit timer). */
export const MAX_TIMEOUT_MS = 2_147_483_647;
export const DEFAULT_TIMEOUT_MS = 300_000;

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

/** An Options collection holding only "Timeout", for operations that have no other option. */
export function timeoutOnlyOptions(displayOptions: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions,
		options: [timeoutOption],
	};
}
