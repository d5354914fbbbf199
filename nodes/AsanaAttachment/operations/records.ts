/** Reading Asana's `{ data: … }` envelopes. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { runsAsTool } from '../../shared/transport';

/** The record of a `{ data: {…} }` answer (none when Asana sent no object). */
export function dataRecord(body: unknown): IDataObject[] {
	const data = (body as { data?: unknown } | undefined)?.data;
	return data && typeof data === 'object' && !Array.isArray(data) ? [data as IDataObject] : [];
}

/** The records of a `{ data: […] }` answer. */
export function dataList(body: unknown): IDataObject[] {
	const data = (body as { data?: unknown } | undefined)?.data;
	return Array.isArray(data) ? (data.filter((record) => record && typeof record === 'object') as IDataObject[]) : [];
}

/**
 * The records as an AI agent gets them. `download_url` is a pre-signed link of Asana's storage:
 * whoever holds it reads the file, without any Asana credential, for about two minutes. Handed to a
 * model it could end up in a chat reply, a log or another tool's call, so, when the node runs as a
 * tool, it is left out; the attachment's `gid` is the handle (Get with Download File gives the
 * file, and its text with Include Text Content), and `view_url`/`permanent_url` need an Asana login.
 * In a workflow the record keeps it, as before (a workflow may pass it to an HTTP Request node).
 */
export function forAgents(ctx: Pick<IExecuteFunctions, 'getNode'>, items: INodeExecutionData[]): INodeExecutionData[] {
	if (!runsAsTool(ctx)) return items;
	return items.map((item) => {
		if (!('download_url' in item.json)) return item;
		const json = { ...item.json };
		delete json.download_url;
		return { ...item, json };
	});
}
