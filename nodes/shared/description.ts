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

/** The value n8n gives the "Custom API Call" option it adds to Resource and Operation. */
export const CUSTOM_API_CALL_VALUE = '__CUSTOM_API_CALL__';

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
