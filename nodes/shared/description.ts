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
