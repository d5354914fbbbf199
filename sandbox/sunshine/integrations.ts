/**
 * Custom integrations with webhooks, and messages that trigger them, for the Sunshine emulator.
 *
 * Contract: /work/shared/specs/sunshine_conversations.yaml (v17.12.1): `POST/GET /v2/apps/{appId}/integrations`
 * (Create Integration takes `{ type: "custom", displayName, webhooks: [one webhook] }` and answers
 * with the integration, its webhook and the webhook's `secret`), `GET/DELETE …/integrations/{id}`,
 * `GET …/integrations/{id}/webhooks`, and `POST …/conversations/{conversationId}/messages` (Post
 * Message). A posted message is delivered, as Sunshine delivers it, to every webhook of the app
 * subscribed to `conversation:message`: a POST of `{ app: { id }, webhook: { id, version }, events:
 * [{ id, type, createdAt, payload: { conversation, message } }] }` (the spec's `x-webhooks`
 * "Webhook Event") with the webhook's secret in `X-API-Key`. A delivery answered with a 5xx or not
 * at all is sent again (`retries`, with the same event ID, as Sunshine retries); any answer below
 * 500 ends it. A file or image message whose `mediaUrl` is one of the emulator's uploads gets that
 * upload's `mediaType` and `mediaSize`, as Sunshine fills them in.
 */
import { randomBytes } from 'crypto';

import { InFlight, postWebhook } from '../common/webhooks';
import { type Reply, errorReply, jsonReply } from './http';
import type { AttachmentRecord } from './store';

export interface SunshineWebhook {
	id: string;
	version: 'v2';
	target: string;
	triggers: string[];
	secret: string;
	includeFullUser: boolean;
	includeFullSource: boolean;
}

export interface SunshineIntegration {
	id: string;
	appId: string;
	type: 'custom';
	status: 'active';
	displayName?: string;
	webhooks: SunshineWebhook[];
}

/** One attempt to deliver a payload to a webhook. */
export interface WebhookDelivery {
	/** 1-based, in the order attempts started. */
	seq: number;
	integrationId: string;
	webhookId: string;
	target: string;
	/** The event IDs the payload carries. */
	eventIds: string[];
	/** The JSON sent, byte for byte. */
	body: string;
	headers: Record<string, string>;
	/** 1 for the first attempt, 2… for retries and redeliveries of the same payload. */
	attempt: number;
	/** The status it was answered with; undefined while in flight or when the connection failed. */
	status?: number;
	responseBody?: string;
	error?: string;
	ms?: number;
}

export interface IntegrationOptions {
	/** The upload a media URL names (for mediaType and mediaSize). */
	mediaRecord(mediaUrl: string): AttachmentRecord | undefined;
	/** Attempts after the first for a delivery answered 5xx or not at all. Default 2. */
	retries?: number;
	/** Wait before a retry, ms. Default 250. */
	retryDelayMs?: number;
	/** How long a delivery may take, ms. Default 10,000. */
	deliveryTimeoutMs?: number;
}

export type IntegrationRoute =
	| { kind: 'createIntegration' | 'listIntegrations'; appId: string }
	| { kind: 'getIntegration' | 'deleteIntegration' | 'listWebhooks'; appId: string; integrationId: string }
	| { kind: 'postMessage'; appId: string; conversationId: string }
	| { kind: 'methodNotAllowed'; allow: string };

const HEX24 = () => randomBytes(12).toString('hex');

function decode(segment: string): string | undefined {
	try {
		return decodeURIComponent(segment);
	} catch {
		return undefined;
	}
}

/** The route of an integrations or messages call (path without `/sc`), or undefined for any other path. */
export function integrationRouteOf(method: string, apiPath: string): IntegrationRoute | undefined {
	const segments = apiPath.split('/');
	if (segments[0] !== '' || segments[1] !== 'v2' || segments[2] !== 'apps' || segments.length < 5) return undefined;
	const appId = decode(segments[3]);
	if (!appId) return undefined;
	const notAllowed = (allow: string): IntegrationRoute => ({ kind: 'methodNotAllowed', allow });
	if (segments[4] === 'integrations') {
		if (segments.length === 5) {
			if (method === 'POST') return { kind: 'createIntegration', appId };
			return method === 'GET' ? { kind: 'listIntegrations', appId } : notAllowed('GET, POST');
		}
		const integrationId = decode(segments[5]);
		if (!integrationId) return undefined;
		if (segments.length === 6) {
			if (method === 'GET') return { kind: 'getIntegration', appId, integrationId };
			return method === 'DELETE' ? { kind: 'deleteIntegration', appId, integrationId } : notAllowed('GET, PATCH, DELETE');
		}
		if (segments.length === 7 && segments[6] === 'webhooks') {
			return method === 'GET' ? { kind: 'listWebhooks', appId, integrationId } : notAllowed('GET, POST');
		}
		return undefined;
	}
	if (segments[4] === 'conversations' && segments.length === 7 && segments[6] === 'messages') {
		const conversationId = decode(segments[5]);
		if (!conversationId) return undefined;
		return method === 'POST' ? { kind: 'postMessage', appId, conversationId } : notAllowed('GET, POST, DELETE');
	}
	return undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export class SunshineIntegrations {
	private readonly byId = new Map<string, SunshineIntegration>();
	readonly deliveries: WebhookDelivery[] = [];
	/** Every message posted, in order. */
	readonly messages: Array<{ appId: string; conversationId: string; message: Record<string, unknown> }> = [];
	private readonly inFlight = new InFlight();
	private deliverySeq = 0;
	private lostCreateAnswers = 0;

	constructor(private readonly options: IntegrationOptions) {}

	/** The next `count` Create Integration calls make the integration, then answer 500 (an answer lost after the work was done). */
	loseNextCreateAnswers(count: number): void {
		this.lostCreateAnswers += count;
	}

	list(appId?: string): SunshineIntegration[] {
		return [...this.byId.values()].filter((integration) => appId === undefined || integration.appId === appId);
	}

	reset(): void {
		this.byId.clear();
		this.deliveries.length = 0;
		this.messages.length = 0;
		this.deliverySeq = 0;
		this.lostCreateAnswers = 0;
	}

	/** Resolves when no delivery (retries included) is in flight. */
	async settle(): Promise<void> {
		await this.inFlight.settle();
	}

	/** Answers an integrations or messages call; `body` is the parsed JSON body (already checked to be an object where needed). */
	handle(route: Exclude<IntegrationRoute, { kind: 'methodNotAllowed' }>, body: Record<string, unknown> | undefined): Reply {
		switch (route.kind) {
			case 'createIntegration':
				return this.create(route.appId, body ?? {});
			case 'listIntegrations':
				return jsonReply(200, { integrations: this.list(route.appId).map((integration) => this.json(integration)), meta: { hasMore: false } });
			case 'getIntegration': {
				const integration = this.find(route.appId, route.integrationId);
				return integration ? jsonReply(200, { integration: this.json(integration) }) : errorReply(404, 'integration_not_found', 'Integration not found');
			}
			case 'deleteIntegration': {
				const integration = this.find(route.appId, route.integrationId);
				if (!integration) return errorReply(404, 'integration_not_found', 'Integration not found');
				this.byId.delete(integration.id);
				return jsonReply(200, {});
			}
			case 'listWebhooks': {
				const integration = this.find(route.appId, route.integrationId);
				return integration ? jsonReply(200, { webhooks: integration.webhooks }) : errorReply(404, 'integration_not_found', 'Integration not found');
			}
			case 'postMessage':
				return this.postMessage(route.appId, route.conversationId, body ?? {});
		}
	}

	private find(appId: string, integrationId: string): SunshineIntegration | undefined {
		const integration = this.byId.get(integrationId);
		return integration && integration.appId === appId ? integration : undefined;
	}

	/** As Get Integration answers: the custom integration with its webhooks (secrets included). */
	private json(integration: SunshineIntegration): Record<string, unknown> {
		const { id, type, status, displayName } = integration;
		return { id, type, status, ...(displayName !== undefined ? { displayName } : {}), webhooks: integration.webhooks.map((webhook) => ({ ...webhook })) };
	}

	private create(appId: string, body: Record<string, unknown>): Reply {
		if (body.type !== 'custom') return errorReply(400, 'bad_request', 'Invalid integration type');
		const webhooks = body.webhooks;
		if (!Array.isArray(webhooks) || webhooks.length !== 1 || !isObject(webhooks[0])) {
			return errorReply(400, 'bad_request', 'A custom integration takes exactly one webhook');
		}
		const given = webhooks[0];
		let target: URL;
		try {
			target = new URL(String(given.target));
		} catch {
			return errorReply(400, 'bad_request', 'webhooks[0].target must be a URL');
		}
		if (target.protocol !== 'http:' && target.protocol !== 'https:') return errorReply(400, 'bad_request', 'webhooks[0].target must be an http(s) URL');
		const triggers = given.triggers;
		if (!Array.isArray(triggers) || triggers.length === 0 || triggers.some((trigger) => typeof trigger !== 'string')) {
			return errorReply(400, 'bad_request', 'webhooks[0].triggers must be a non-empty array of strings');
		}
		const displayName = typeof body.displayName === 'string' ? body.displayName : undefined;
		if (displayName !== undefined && displayName.length > 100) return errorReply(400, 'bad_request', 'displayName is longer than 100 characters');
		const integration: SunshineIntegration = {
			id: HEX24(),
			appId,
			type: 'custom',
			status: 'active',
			...(displayName !== undefined ? { displayName } : {}),
			webhooks: [
				{
					id: HEX24(),
					version: 'v2',
					target: target.href,
					triggers: triggers as string[],
					secret: randomBytes(16).toString('hex'),
					includeFullUser: given.includeFullUser === true,
					includeFullSource: given.includeFullSource === true,
				},
			],
		};
		this.byId.set(integration.id, integration);
		if (this.lostCreateAnswers > 0) {
			this.lostCreateAnswers--;
			return errorReply(500, 'internal_error', 'Internal server error');
		}
		return jsonReply(201, { integration: this.json(integration) });
	}

	private postMessage(appId: string, conversationId: string, body: Record<string, unknown>): Reply {
		const author = body.author;
		const content = body.content;
		if (!isObject(author) || (author.type !== 'user' && author.type !== 'business')) return errorReply(400, 'bad_request', 'author.type must be user or business');
		if (!isObject(content) || typeof content.type !== 'string') return errorReply(400, 'bad_request', 'content.type is required');
		const message: Record<string, unknown> = {
			id: HEX24(),
			received: new Date().toISOString(),
			author: { ...author },
			content: { ...content },
			source: { type: 'api:conversations' },
		};
		if (content.type === 'file' || content.type === 'image') {
			if (typeof content.mediaUrl !== 'string' || !/^https?:\/\//.test(content.mediaUrl)) return errorReply(400, 'bad_request', 'content.mediaUrl must be a URL');
			const record = this.options.mediaRecord(content.mediaUrl);
			const filled = message.content as Record<string, unknown>;
			if (record) {
				filled.mediaType = record.mediaType;
				filled.mediaSize = record.size;
			}
			filled.altText ??= record?.fileName ?? decode(new URL(content.mediaUrl).pathname.split('/').pop() ?? '') ?? 'file';
		} else if (content.type === 'text') {
			if (typeof content.text !== 'string' || content.text === '') return errorReply(400, 'bad_request', 'content.text is required');
		}
		this.messages.push({ appId, conversationId, message });
		const conversation = { id: conversationId, type: 'personal' };
		for (const integration of this.list(appId)) {
			for (const webhook of integration.webhooks) {
				if (!webhook.triggers.includes('conversation:message')) continue;
				const event = { id: HEX24(), type: 'conversation:message', createdAt: new Date().toISOString(), payload: { conversation, message } };
				const payload = JSON.stringify({ app: { id: appId }, webhook: { id: webhook.id, version: webhook.version }, events: [event] });
				this.track(this.deliver(integration, webhook, payload, [event.id], 1, this.options.retries ?? 2));
			}
		}
		return jsonReply(201, { messages: [message] });
	}

	/** Sends a payload delivered before again, as a Sunshine retry would (same body, same secret). */
	async redeliver(seq: number, headers: Record<string, string> = {}): Promise<WebhookDelivery> {
		const earlier = this.deliveries.find((delivery) => delivery.seq === seq);
		if (!earlier) throw new RangeError(`No delivery ${seq}`);
		const integration = this.byId.get(earlier.integrationId);
		const webhook = integration?.webhooks.find((candidate) => candidate.id === earlier.webhookId);
		if (!integration || !webhook) throw new RangeError(`The webhook of delivery ${seq} is gone`);
		const attempt = Math.max(...this.deliveries.filter((d) => d.body === earlier.body).map((d) => d.attempt)) + 1;
		const done = this.send(integration, webhook, earlier.body, earlier.eventIds, attempt, headers);
		this.track(done.then(() => undefined));
		return await done;
	}

	private track(promise: Promise<void>): void {
		void this.inFlight.track(promise);
	}

	private async deliver(integration: SunshineIntegration, webhook: SunshineWebhook, payload: string, eventIds: string[], attempt: number, retriesLeft: number): Promise<void> {
		const delivery = await this.send(integration, webhook, payload, eventIds, attempt);
		const failed = delivery.status === undefined || delivery.status >= 500;
		if (failed && retriesLeft > 0) {
			await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 250));
			if (this.byId.has(integration.id)) await this.deliver(integration, webhook, payload, eventIds, attempt + 1, retriesLeft - 1);
		}
	}

	private async send(
		integration: SunshineIntegration,
		webhook: SunshineWebhook,
		payload: string,
		eventIds: string[],
		attempt: number,
		extraHeaders: Record<string, string> = {},
	): Promise<WebhookDelivery> {
		const body = Buffer.from(payload, 'utf8');
		const headers: Record<string, string> = {
			'content-type': 'application/json',
			'user-agent': 'Sunshine Conversations webhooks (emulator)',
			'x-api-key': webhook.secret,
			...extraHeaders,
		};
		const delivery: WebhookDelivery = { seq: ++this.deliverySeq, integrationId: integration.id, webhookId: webhook.id, target: webhook.target, eventIds, body: payload, headers, attempt };
		this.deliveries.push(delivery);
		const answer = await postWebhook(webhook.target, headers, body, this.options.deliveryTimeoutMs ?? 10_000);
		Object.assign(delivery, { status: answer.status, responseBody: answer.body?.slice(0, 2000), error: answer.error, ms: answer.durationMs });
		return delivery;
	}
}
