/**
 * What a Sunshine Conversations webhook delivery holds, as the current spec's `x-webhooks`
 * ("Webhook Event") describes it: `{ app: { id }, webhook: { id, version }, events: [...] }`, each
 * event `{ id, type, createdAt, payload }`; for `conversation:message` the payload has the
 * `conversation` (`id`, `type`) and the `message` (`id`, `received`, `author`, `content`,
 * `source`). A message with a file or an image has `content.type` `file` or `image` and
 * `content.mediaUrl`, `mediaType`, `mediaSize` (bytes) and `altText` (the file name by default).
 * Deliveries may batch several events, of several conversations: each file or image message is
 * one output item; every other event is skipped.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { safeFileName } from '../../shared/transport';

export type ContentType = 'file' | 'image';
export type AuthorType = 'user' | 'business';

export interface EventFilter {
	/** The app the trigger was registered for: events of another app are skipped. */
	appId: string;
	contentTypes: ContentType[];
	authorTypes: AuthorType[];
}

/** One event of a delivery with its output item, and the keys that tell it apart from any other. */
export interface FileEvent {
	keys: string[];
	item: INodeExecutionData;
}

const isObject = (value: unknown): value is IDataObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const size = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined);

/** The file's name: its media URL's last segment (Sunshine names uploads so), else the alt text, as a base name. */
export function fileNameOf(mediaUrl: string, altText: string | undefined): string {
	let fromUrl = '';
	try {
		const last = new URL(mediaUrl).pathname.split('/').pop() ?? '';
		fromUrl = decodeURIComponent(last);
	} catch {
		fromUrl = '';
	}
	const candidate = /\.[A-Za-z0-9]{1,10}$/.test(fromUrl) ? fromUrl : (altText ?? fromUrl);
	return safeFileName(candidate, 'file');
}

/** The file and image messages of a delivery that pass the filter, in the order of its events. */
export function fileEventsOf(body: unknown, filter: EventFilter): FileEvent[] {
	if (!isObject(body) || !Array.isArray(body.events)) return [];
	const appId = isObject(body.app) ? text(body.app.id) : undefined;
	if (appId !== undefined && appId !== filter.appId) return [];
	const found: FileEvent[] = [];
	for (const event of body.events) {
		if (!isObject(event) || event.type !== 'conversation:message' || !isObject(event.payload)) continue;
		const { conversation, message } = event.payload;
		if (!isObject(message) || !isObject(message.content)) continue;
		const content = message.content;
		const type = content.type;
		const mediaUrl = text(content.mediaUrl);
		if ((type !== 'file' && type !== 'image') || !filter.contentTypes.includes(type) || !mediaUrl) continue;
		const author = isObject(message.author) ? message.author : {};
		if (!filter.authorTypes.includes(author.type as AuthorType)) continue;
		const altText = text(content.altText);
		const json: IDataObject = {
			appId: filter.appId,
			conversationId: isObject(conversation) ? (text(conversation.id) ?? null) : null,
			messageId: text(message.id) ?? null,
			received: text(message.received) ?? null,
			author: {
				type: text(author.type) ?? null,
				userId: text(author.userId) ?? null,
				displayName: text(author.displayName) ?? null,
				...(Array.isArray(author.subtypes) ? { subtypes: author.subtypes } : {}),
			},
			type,
			mediaUrl,
			mediaType: text(content.mediaType) ?? null,
			mediaSize: size(content.mediaSize) ?? null,
			fileName: fileNameOf(mediaUrl, altText),
			altText: altText ?? null,
			text: text(content.text) ?? null,
			eventId: text(event.id) ?? null,
			eventCreatedAt: text(event.createdAt) ?? null,
		};
		const keys = [text(event.id) && `event:${event.id as string}`, text(message.id) && `message:${message.id as string}`].filter((key): key is string => !!key);
		found.push({ keys, item: { json } });
	}
	return found;
}
