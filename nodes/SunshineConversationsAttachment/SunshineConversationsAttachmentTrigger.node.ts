/**
 * Sunshine Conversations Attachment Trigger: starts a workflow when a message with a file or an
 * image is sent in a conversation of the chosen app, one item per file, with the file itself.
 *
 * - Registration (`webhookMethods`, trigger/integration.ts): on activation a custom integration
 *   with one webhook (`conversation:message`) pointing at this node's URL; its ID and secret are
 *   kept in the node's static data; removed on deactivation.
 * - Delivery (`webhook`): the `X-API-Key` header must equal the webhook's secret (compared in
 *   constant time), else 401 and nothing starts; one item per file or image message
 *   (trigger/events.ts); an event or message seen before starts nothing (bounded memory).
 * - The file (`execute`, the execution's first step: on a worker in queue mode): with Download
 *   File, fetched from the media URL through the shared transport (trigger/download.ts).
 */
import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { acknowledge, claimNewEvents, DELIVERY_WEBHOOK, headerValue, itemsWithFiles, refuse, sameSecret } from '../shared/trigger';
import { sunshineCredentials, sunshineIcon } from './description';
import { searchApps } from './methods/listSearch';
import { SUNSHINE_CONCURRENCY, sunshineProvider } from './provider';
import { sunshineTriggerProperties } from './trigger/description';
import { downloadMessageFile } from './trigger/download';
import { fileEventsOf } from './trigger/events';
import type { AuthorType, ContentType } from './trigger/events';
import { createRegistration, deleteRegistration, registrationExists, registrationOf } from './trigger/integration';

export class SunshineConversationsAttachmentTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sunshine Conversations Attachment Trigger',
		name: 'sunshineConversationsAttachmentTrigger',
		icon: sunshineIcon,
		group: ['trigger'],
		version: 1,
		subtitle: '={{"App " + ($parameter["appId"].cachedResultName || $parameter["appId"].value || "")}}',
		description: 'Starts the workflow when a file or an image is sent in a Sunshine Conversations (Zendesk messaging) conversation, with the file',
		defaults: { name: 'Sunshine Conversations Attachment Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: sunshineCredentials,
		webhooks: DELIVERY_WEBHOOK,
		properties: sunshineTriggerProperties,
	};

	methods = { listSearch: { searchApps } };

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await registrationExists(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await createRegistration(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await deleteRegistration(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const registration = registrationOf(this.getWorkflowStaticData('node'));
		// Only Sunshine knows the secret it gave at registration; a delivery without it is refused.
		if (!registration || !sameSecret(headerValue(this, 'x-api-key'), registration.secret)) {
			return refuse(this, 401, 'The X-API-Key header is missing or is not the secret of this webhook');
		}
		const contentTypes = this.getNodeParameter('contentTypes', ['file', 'image']) as ContentType[];
		const authorTypes = this.getNodeParameter('authorTypes', ['user', 'business']) as AuthorType[];
		const events = fileEventsOf(this.getBodyData(), { appId: registration.appId, contentTypes, authorTypes });
		const fresh = claimNewEvents(
			this,
			events.map((event) => event.keys),
		);
		const items = events.filter((_, index) => fresh[index]).map((event) => event.item);
		if (items.length === 0) {
			return acknowledge(events.length ? 'Every file of this delivery was received before' : 'No file or image in this delivery', { files: 0 });
		}
		return { workflowData: [items] };
	}

	/**
	 * The first step of the execution a delivery started: the items `webhook` made, each with its
	 * file when Download File is on.
	 */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await itemsWithFiles(this, sunshineProvider, SUNSHINE_CONCURRENCY.other.default, async (itemIndex, record) => await downloadMessageFile(this, itemIndex, record));
	}
}
