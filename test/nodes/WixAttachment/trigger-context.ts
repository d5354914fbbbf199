/**
 * Shared set-up of the Wix Attachment Trigger tests: the trigger in the webhook harness (n8n-core's
 * HookContext, WebhookContext and WorkflowExecute; test/support/n8n-webhooks.ts) with the
 * webhook credential holding the emulator's public key, the subscription a developer makes in the
 * Wix app dashboard, and attachments made and deleted through Wix's API (as a site would), which
 * the emulator turns into signed webhooks.
 */
import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import { WixAttachmentWebhookApi } from '../../../credentials/WixAttachmentWebhookApi.credentials';
import { WixAttachmentTrigger } from '../../../nodes/WixAttachment/WixAttachmentTrigger.node';
import { useEmulator } from '../../support/emulator';
import { startTriggerHarness, useTriggerHarnesses } from '../../support/n8n-webhooks';
import type { TriggerHarness } from '../../support/n8n-webhooks';
import { DEFAULT_API_KEY, DEFAULT_CONTACT, DEFAULT_SITE_ID, startWixServer } from '../../../sandbox/wix/server';
import type { WixServer, WixServerOptions } from '../../../sandbox/wix/server';

export const TRIGGER_TYPE = 'n8n-nodes-attachments.wixAttachmentTrigger';
export const WEBHOOK_CREDENTIAL = 'wixAttachmentWebhookApi';
export const CONTACT_ID = DEFAULT_CONTACT.id;

export function webhookCredentials(server: WixServer, overrides: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject {
	return { publicKey: server.webhooks.publicKeyPem, baseUrl: server.url, ...overrides };
}

/** The trigger in the webhook harness, not yet activated. */
export async function startTrigger(server: WixServer, parameters: INodeParameters = {}, credentials?: ICredentialDataDecryptedObject): Promise<TriggerHarness> {
	return await startTriggerHarness({
		nodeTypes: [new WixAttachmentTrigger()],
		credentialTypes: [new WixAttachmentWebhookApi()],
		credentials: { [WEBHOOK_CREDENTIAL]: credentials ?? webhookCredentials(server) },
		node: { type: TRIGGER_TYPE, parameters },
	});
}

const apiHeaders = { authorization: DEFAULT_API_KEY, 'wix-site-id': DEFAULT_SITE_ID, 'content-type': 'application/json' };

/** Attaches a file to a contact through Wix's API (Generate Attachment Upload Url, then the PUT); resolves with its ID. */
export async function attachFile(server: WixServer, fileName: string, mimeType: string, content: Buffer, contactId = CONTACT_ID): Promise<string> {
	const answer = await fetch(`${server.url}/contacts/v4/attachments/${contactId}/upload-url`, { method: 'POST', headers: apiHeaders, body: JSON.stringify({ fileName, mimeType }) });
	if (answer.status !== 200) throw new Error(`upload-url: ${answer.status} ${await answer.text()}`);
	const uploadUrl = new URL(((await answer.json()) as { uploadUrl: string }).uploadUrl);
	uploadUrl.searchParams.set('filename', fileName);
	const put = await fetch(uploadUrl, { method: 'PUT', headers: { 'content-type': mimeType }, body: new Uint8Array(content) });
	if (put.status !== 200) throw new Error(`upload: ${put.status} ${await put.text()}`);
	const record = server.attachments(contactId).find((candidate) => candidate.fileName === fileName);
	if (!record) throw new Error('the upload made no attachment');
	return record.id;
}

/** Deletes an attachment through Wix's API. */
export async function deleteFile(server: WixServer, attachmentId: string, contactId = CONTACT_ID): Promise<void> {
	const answer = await fetch(`${server.url}/contacts/v4/attachments/${contactId}/${attachmentId}`, { method: 'DELETE', headers: apiHeaders });
	if (answer.status !== 200) throw new Error(`delete: ${answer.status} ${await answer.text()}`);
}

export type { TriggerHarness };

/**
 * The Wix emulator of a trigger test file (reset before each test; after each, its deliveries
 * settled) and the functions that start the trigger on it (`startSubscribed`: activated and
 * subscribed too), each harness closed after its test.
 * The trigger calls no Wix API (only the file links), so there is no spec check here.
 */
export function useWixTrigger(options: WixServerOptions = {}) {
	const server = useEmulator({ name: 'Wix', start: () => startWixServer(options) });
	const start = useTriggerHarnesses((parameters?: INodeParameters, credentials?: ICredentialDataDecryptedObject) => startTrigger(server, parameters, credentials), () => server.webhooks.settle());
	/** The trigger activated, its production URL subscribed in the "app dashboard" to both events. */
	const startSubscribed = async (parameters?: INodeParameters): Promise<TriggerHarness> => {
		const harness = await start(parameters);
		await harness.activate();
		server.webhooks.subscribe(harness.productionUrl);
		return harness;
	};
	return { server, start, startSubscribed };
}
