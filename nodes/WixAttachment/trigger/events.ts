/**
 * A Wix webhook, once its JWT verified, as Wix documents it ("About the Structure of Events"):
 * the payload's `data` is a JSON string of `{ eventType, instanceId, data, identity }`, and that
 * `data` is again a JSON string, the event: `{ id, entityFqdn, slug, entityId, eventTime, … }` with
 * `createdEvent: { entity }` (older events: `entityAsJson`, a JSON string) or `deletedEvent`.
 *
 * For the contact attachment events (Wix's SDK `@wix/auto_sdk_crm_attachments` 1.0.59):
 * - `wix.contacts.v4.attachment_created`: the entity is the attachment record (`id`, `fileName`,
 *   `mimeType`, `attachmentType`, and `image` or `document` with the file's `url`);
 * - `wix.contacts.v4.attachment_deleted`: the event's metadata only; `entityId` is the attachment.
 * Neither names the contact the attachment belongs to: `contactId` is given when an event carries
 * one, and is null otherwise.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { mediaUrlOf } from '../operations/get';

export const ATTACHMENT_CREATED = 'wix.contacts.v4.attachment_created';
export const ATTACHMENT_DELETED = 'wix.contacts.v4.attachment_deleted';

export interface WixEnvelope {
	eventType: string;
	instanceId: string | null;
	event: IDataObject;
}

const isObject = (value: unknown): value is IDataObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** A JSON string (or, leniently, the object itself) as an object. */
function objectOf(value: unknown): IDataObject | undefined {
	if (isObject(value)) return value;
	if (typeof value !== 'string') return undefined;
	try {
		const parsed = JSON.parse(value) as unknown;
		return isObject(parsed) ? parsed : undefined;
	} catch {
		return undefined;
	}
}

/** The envelope inside a verified JWT payload, or undefined when it is not one. */
export function envelopeOf(payload: Record<string, unknown>): WixEnvelope | undefined {
	const outer = objectOf(payload.data);
	const eventType = text(outer?.eventType);
	const event = objectOf(outer?.data);
	if (!outer || !eventType || !event) return undefined;
	return { eventType, instanceId: text(outer.instanceId) ?? null, event };
}

/** The attachment record a created event carries. */
function createdEntity(event: IDataObject): IDataObject | undefined {
	const created = isObject(event.createdEvent) ? event.createdEvent : undefined;
	return objectOf(created?.entity) ?? objectOf(created?.entityAsJson);
}

/** The record a deleted event may carry (Wix's attachment events carry none). */
function deletedEntity(event: IDataObject): IDataObject | undefined {
	const deleted = isObject(event.deletedEvent) ? event.deletedEvent : undefined;
	return objectOf(deleted?.deletedEntity) ?? objectOf(deleted?.deletedEntityAsJson);
}

export interface AttachmentEvent {
	keys: string[];
	item: INodeExecutionData;
}

/** The item of an attachment event (one attachment each), or undefined for any other event. */
export function attachmentEventOf(envelope: WixEnvelope): AttachmentEvent | undefined {
	const { eventType, instanceId, event } = envelope;
	if (eventType !== ATTACHMENT_CREATED && eventType !== ATTACHMENT_DELETED) return undefined;
	const created = eventType === ATTACHMENT_CREATED;
	const attachment = created ? createdEntity(event) : deletedEntity(event);
	if (created && !attachment) return undefined;
	const attachmentId = text(attachment?.id) ?? text(event.entityId) ?? null;
	const json: IDataObject = {
		event: created ? 'attachmentCreated' : 'attachmentDeleted',
		eventType,
		eventId: text(event.id) ?? null,
		eventTime: text(event.eventTime) ?? null,
		instanceId,
		attachmentId,
		contactId: text(attachment?.contactId) ?? null,
		fileName: text(attachment?.fileName) ?? null,
		mimeType: text(attachment?.mimeType) ?? null,
		attachmentType: text(attachment?.attachmentType) ?? null,
		mediaUrl: attachment ? (mediaUrlOf(attachment) ?? null) : null,
		attachment: attachment ?? null,
	};
	const keys = [text(event.id) && `event:${event.id as string}`, attachmentId && `${json.event as string}:${attachmentId}`].filter((key): key is string => !!key);
	return { keys, item: { json } };
}
