/** Reading Asana's `{ data: … }` envelopes. */
import type { IDataObject } from 'n8n-workflow';

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
