/**
 * The file of a message, fetched by the trigger's `execute` (the first step of the execution,
 * on a worker in queue mode) into Put Output File in Field, through the shared transport: the
 * media URL is checked like any URL from a provider's answer (https, public addresses, or the
 * host the credential points at), the answer is bounded by the size the message gave, and a
 * transfer cut short is retried.
 *
 * Sunshine serves media from its own host: for Zendesk accounts `https://{subdomain}.zendesk.com/sc/…`,
 * the API's own origin. There the request carries the credential, as private attachments need
 * it; a media URL on any other origin is fetched without it (a credential goes only to its origin).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executeOperation, recordFileDownload } from '../../shared/transport';
import { sunshineApiBase, sunshineProvider } from '../provider';

const downloadSpec = (signed: boolean) =>
	recordFileDownload({ target: 'the media URL of the message', fields: { fileName: 'fileName', mimeType: 'mediaType', size: 'mediaSize' }, signed });

const SIGNED = downloadSpec(true);
const ANONYMOUS = downloadSpec(false);

function originOf(url: string): string | undefined {
	try {
		return new URL(url).origin;
	} catch {
		return undefined;
	}
}

/** The item with its file in the output binary field (the record's file name made the stored file's). */
export async function downloadMessageFile(ctx: IExecuteFunctions, itemIndex: number, record: IDataObject): Promise<INodeExecutionData[]> {
	const mediaUrl = String(record.mediaUrl);
	const credentialType = sunshineProvider.credentialType(ctx, itemIndex);
	const apiOrigin = originOf(await sunshineApiBase(ctx, credentialType));
	const spec = apiOrigin !== undefined && originOf(mediaUrl) === apiOrigin ? SIGNED : ANONYMOUS;
	const [item] = await executeOperation(ctx, sunshineProvider, spec, itemIndex, { values: { record, url: mediaUrl } });
	const field = Object.keys(item.binary ?? {})[0];
	const stored = field ? item.binary![field] : undefined;
	return [{ ...item, json: { ...record, ...(stored?.fileName ? { fileName: stored.fileName } : {}) } }];
}
