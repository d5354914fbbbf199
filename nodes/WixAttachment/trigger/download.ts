/**
 * The file of a created attachment, fetched by the trigger's `execute` (the execution's first
 * step: on a worker in queue mode) into Put Output File in Field, through the shared transport:
 * from the link the event's record holds (Wix's media host; a signed link, so no credential goes
 * with it), checked like any URL from a provider's answer (https on a public host, or the host of
 * the credential's Base URL Override), named and typed by the record.
 *
 * The transport reads the API base of the node's credential (the webhook credential: its Base
 * URL Override, else Wix's), which decides which host may be reached over plain http.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executeOperation, recordFileDownload } from '../../shared/transport';
import type { ProviderSpec } from '../../shared/transport';
import { wixBaseUrl, wixProvider } from '../provider';

export const WIX_WEBHOOK_CREDENTIAL_TYPE = 'wixAttachmentWebhookApi';

/** Wix, as the trigger reaches it: with the webhook credential (which signs nothing). */
export const wixTriggerProvider: ProviderSpec = {
	...wixProvider,
	credentialType: () => WIX_WEBHOOK_CREDENTIAL_TYPE,
	baseUrl: async (ctx, credentialType) => await wixBaseUrl(ctx, credentialType),
	// Nothing it sends is signed: a 401 is final.
	credentialRefresh: false,
};

// Wix's media host names files by media ID: the record's name and type are the file's.
const downloadFile = recordFileDownload({ target: 'the file URL of the attachment event', fields: { fileName: 'fileName', mimeType: 'mimeType' }, authoritative: true });

/** The item with its file, when it is a created attachment with a link; as it is otherwise. */
export async function downloadAttachmentFile(ctx: IExecuteFunctions, itemIndex: number, record: IDataObject): Promise<INodeExecutionData[]> {
	if (record.event !== 'attachmentCreated' || typeof record.mediaUrl !== 'string') return [{ json: record }];
	const [item] = await executeOperation(ctx, wixTriggerProvider, downloadFile, itemIndex, { values: { record, url: record.mediaUrl } });
	return [{ ...item, json: record }];
}
