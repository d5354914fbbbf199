/**
 * Generate Media Token: `POST /v2/apps/{appId}/attachments/token` with `{ "paths": [...] }`.
 * Only API v12.8.0 and earlier document this call (see the legacy spec); newer versions dropped it.
 * Outputs one item per path: `{ path, token }`.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { forOperation } from '../../shared/description';
import type { OperationInput, OperationSpec } from '../../shared/transport';
import { APP_ID_EXAMPLE, appIdField } from '../provider';

/** Besides App, Options and the notice of the legacy calls, which several operations show (see description/index.ts). */
export const description: INodeProperties[] = forOperation({ operation: ['generateMediaToken'] }, [
	{
		displayName: 'Paths',
		name: 'paths',
		type: 'string',
		typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Path' },
		required: true,
		default: [],
		placeholder: `e.g. /apps/${APP_ID_EXAMPLE}`,
		description: 'Attachment paths to open, one token each (e.g. /apps/{appId} for every file of the app)',
	},
]);

/** The Paths parameter as a list: its values, or an array or comma-free text from an expression. */
function readPaths({ ctx, itemIndex }: OperationInput): unknown {
	const raw = ctx.getNodeParameter('paths', itemIndex, []) as unknown;
	const values = Array.isArray(raw) ? raw : raw === undefined || raw === null || raw === '' ? [] : [raw];
	const paths = values.map((value) => (typeof value === 'string' ? value.trim() : value)).filter((value) => value !== '');
	return paths.length ? paths : undefined;
}

function validatePaths(value: unknown): string | undefined {
	const paths = value as unknown[];
	for (const path of paths) {
		if (typeof path !== 'string') return `expected text for every path, got ${JSON.stringify(path)}`;
		// eslint-disable-next-line no-control-regex
		if (/[\u0000-\u001f\u007f]/.test(path)) return `"${path}" holds control characters (such as line breaks)`;
	}
	return undefined;
}

function tokensOf(body: unknown): IDataObject[] {
	const tokens = (body as { tokens?: unknown } | undefined)?.tokens;
	if (typeof tokens !== 'object' || tokens === null) return [];
	return Object.entries(tokens as Record<string, unknown>).map(([path, token]) => ({ path, token: token as string }));
}

export const generateMediaTokenOperation: OperationSpec = {
	method: 'POST',
	path: '/v2/apps/{appId}/attachments/token',
	fields: [appIdField, { in: 'body', name: 'paths', label: 'Paths', compute: readPaths, required: true, validate: validatePaths }],
	body: { kind: 'json' },
	response: { kind: 'json', items: (body) => tokensOf(body) },
	// Asking again only mints fresh tokens.
	idempotent: true,
};
