/**
 * Wix Attachment Trigger: starts a workflow when a file is attached to a Wix CRM contact (and,
 * chosen, when one is deleted), one item per attachment, with the file.
 *
 * - Registration: none. Wix subscribes webhooks in the app's dashboard only (no API registers
 *   them): n8n serves the node's URLs, the user pastes the Production URL at Wix (the panel's
 *   notice says where), and deactivating stops n8n accepting deliveries there (Wix keeps sending
 *   until the subscription is removed in the dashboard). Its `webhookMethods` only check the
 *   credential's public key at activation.
 * - Delivery (`webhook`): the body is a JWT Wix signed (RS256), verified with the credential's
 *   public key; a forged, altered, unsigned or expired one is answered 401 and starts nothing
 *   (trigger/jwt.ts). The envelope is decoded as Wix documents it (trigger/events.ts); an event
 *   seen before (Wix retries) starts nothing (bounded memory).
 * - The file (`execute`, the execution's first step: on a worker in queue mode): with Download
 *   File, fetched from the link in the attachment record through the shared transport.
 */
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	IHookFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { acknowledge, claimNewEvents, DELIVERY_WEBHOOK, itemsWithFiles, rawBodyOf, refuse } from '../shared/trigger';
import { wixIcon } from './description';
import { WIX_CONCURRENCY } from './provider';
import { wixTriggerProperties } from './trigger/description';
import { WIX_WEBHOOK_CREDENTIAL_TYPE, downloadAttachmentFile, wixTriggerProvider } from './trigger/download';
import { attachmentEventOf, envelopeOf } from './trigger/events';
import { readPublicKey, verifyWixJwt } from './trigger/jwt';

const PUBLIC_KEY_HINT = 'Copy the public key from the Wix app dashboard (Webhooks → Get Public Key) into the credential.';

export class WixAttachmentTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Wix Attachment Trigger',
		name: 'wixAttachmentTrigger',
		icon: wixIcon,
		group: ['trigger'],
		version: 1,
		subtitle: '={{($parameter["events"] || []).map(e => e.split("_").pop()).join(", ")}}',
		description: 'Starts the workflow when a file is attached to (or deleted from) a Wix CRM contact, with the file',
		documentationUrl: 'https://dev.wix.com/docs/rest/crm/members-contacts/contacts/attachments/attachment-v4/introduction',
		defaults: { name: 'Wix Attachment Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'wixAttachmentWebhookApi', required: true, testedBy: 'wixWebhookPublicKey' }],
		webhooks: DELIVERY_WEBHOOK,
		properties: wixTriggerProperties,
	};

	methods = {
		credentialTest: {
			/** The credential's test: the Public Key is an RSA public key (there is nothing at Wix to call with it). */
			async wixWebhookPublicKey(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				const read = readPublicKey(credential.data?.publicKey);
				return 'problem' in read ? { status: 'Error', message: read.problem } : { status: 'OK', message: 'The public key is an RSA public key' };
			},
		},
	};

	/**
	 * No registration: Wix subscribes webhooks in the app's dashboard only. Activation checks the
	 * credential's public key (so that a wrong one fails activation instead of every delivery);
	 * nothing is made at Wix, and nothing is removed there on deactivation.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const read = readPublicKey((await this.getCredentials(WIX_WEBHOOK_CREDENTIAL_TYPE)).publicKey);
				if ('problem' in read) throw new NodeOperationError(this.getNode(), read.problem, { description: PUBLIC_KEY_HINT });
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const read = readPublicKey((await this.getCredentials(WIX_WEBHOOK_CREDENTIAL_TYPE)).publicKey);
		// Every delivery would fail the same way: an error execution says what to fix.
		if ('problem' in read) throw new NodeOperationError(this.getNode(), read.problem, { description: PUBLIC_KEY_HINT });
		const body = rawBodyOf(this);
		const check = body ? verifyWixJwt(body, read.key) : { ok: false as const, reason: 'the body is empty' };
		if (!check.ok) return refuse(this, 401, `Not a webhook from Wix: ${check.reason}`);

		const envelope = envelopeOf(check.payload);
		const event = envelope ? attachmentEventOf(envelope) : undefined;
		const wanted = this.getNodeParameter('events', []) as string[];
		const instanceId = String(this.getNodeParameter('instanceId', '') ?? '').trim();
		if (!envelope || !event || !wanted.includes(envelope.eventType) || (instanceId && envelope.instanceId !== instanceId)) {
			return acknowledge('Not an event this trigger starts on', { attachments: 0 });
		}
		const [fresh] = claimNewEvents(this, [event.keys]);
		if (!fresh) return acknowledge('This event was received before', { attachments: 0 });
		return { workflowData: [[event.item]] };
	}

	/** The first step of the execution a delivery started: the item, with its file when Download File is on. */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await itemsWithFiles(this, wixTriggerProvider, WIX_CONCURRENCY.other.default, async (itemIndex, record) => await downloadAttachmentFile(this, itemIndex, record));
	}
}
