/**
 * Webhooks of the Wix emulator: what a Wix app's dashboard subscription delivers when a contact's
 * attachment is created (an upload completed) or deleted through the API.
 *
 * Wix sends each event as an HTTP POST whose whole body is a JWT (RS256) signed with the app's
 * key, `Content-Type: text/plain`; the app verifies it with the public key the dashboard shows
 * (Webhooks → Get Public Key). The JWT's payload is `{ data, iat, exp }` where `data` is a JSON
 * string of `{ eventType, instanceId, data, identity }`, whose `data` is again a JSON string: the
 * event `{ id, entityFqdn, slug, entityId, eventTime, triggeredByAnonymizeRequest, createdEvent: {
 * entity } | deletedEvent: {} }` (dev.wix.com "About the Structure of Events"; the envelopes of
 * `@wix/auto_sdk_crm_attachments` 1.0.59: `wix.contacts.v4.attachment_created` carries the
 * attachment as `entity`, `wix.contacts.v4.attachment_deleted` only the event's metadata, and
 * neither names the contact). A delivery answered with anything but 2xx, or not at all, is sent
 * again (`retries`), as Wix retries.
 *
 * The key pair is made when the emulator starts (node:crypto, RSA 2048): no private key is kept
 * anywhere but in this process.
 */
import { generateKeyPairSync, randomUUID, sign as signData } from 'crypto';
import type { KeyObject } from 'crypto';

import { InFlight, postWebhook } from '../common/webhooks';

export const ATTACHMENT_CREATED = 'wix.contacts.v4.attachment_created';
export const ATTACHMENT_DELETED = 'wix.contacts.v4.attachment_deleted';

export interface WixSubscription {
	url: string;
	eventTypes: string[];
}

export interface WixDelivery {
	seq: number;
	url: string;
	eventType: string;
	eventId: string;
	/** The body sent: the JWT. */
	jwt: string;
	attempt: number;
	status?: number;
	responseBody?: string;
	error?: string;
}

export interface WixWebhookOptions {
	appId: string;
	/** Retries after a non-2xx answer or none. Default 2. */
	retries?: number;
	retryDelayMs?: number;
	/** exp − iat of the JWTs. Default 3600. */
	tokenTtlSeconds?: number;
}

export interface SignOptions {
	/** Seconds from now (negative: already expired). Default the emulator's token lifetime. */
	expiresIn?: number;
	/** `iat`, in seconds from now (a clock ahead). Default 0. */
	issuedIn?: number;
	/** Sign with this key instead of the app's (a forger's). */
	privateKey?: KeyObject;
	/** The JWT header's `alg` (the signature is RS256 whatever it says). */
	alg?: string;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A fresh RSA key pair: the private key and the public key as PEM (SPKI). */
export function newKeyPair(): { privateKey: KeyObject; publicKeyPem: string } {
	const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
	return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export class WixWebhooks {
	/** Made on first use (RSA key generation takes a moment; most emulator runs never sign). */
	private keyPair?: { privateKey: KeyObject; publicKeyPem: string };
	private readonly subscribed: WixSubscription[] = [];
	readonly deliveries: WixDelivery[] = [];
	private readonly inFlight = new InFlight();
	private seq = 0;

	constructor(private readonly options: WixWebhookOptions) {}

	private get keys(): { privateKey: KeyObject; publicKeyPem: string } {
		this.keyPair ??= newKeyPair();
		return this.keyPair;
	}

	/** The public key the app dashboard shows (PEM). */
	get publicKeyPem(): string {
		return this.keys.publicKeyPem;
	}

	/** What a developer does in the app dashboard: a callback URL for some event types. */
	subscribe(url: string, eventTypes: string[] = [ATTACHMENT_CREATED, ATTACHMENT_DELETED]): void {
		this.subscribed.push({ url, eventTypes: [...eventTypes] });
	}

	unsubscribe(url: string): void {
		for (let i = this.subscribed.length - 1; i >= 0; i--) if (this.subscribed[i].url === url) this.subscribed.splice(i, 1);
	}

	subscriptions(): WixSubscription[] {
		return this.subscribed.map((s) => ({ ...s, eventTypes: [...s.eventTypes] }));
	}

	reset(): void {
		this.subscribed.length = 0;
		this.deliveries.length = 0;
		this.seq = 0;
	}

	async settle(): Promise<void> {
		await this.inFlight.settle();
	}

	/** A JWT as Wix signs it, of any payload (tests forge and expire tokens with it). */
	sign(payload: Record<string, unknown>, options: SignOptions = {}): string {
		const now = Math.floor(Date.now() / 1000);
		const iat = now + (options.issuedIn ?? 0);
		const header = base64url(JSON.stringify({ kid: randomUUID(), alg: options.alg ?? 'RS256' }));
		const claims = base64url(JSON.stringify({ ...payload, iat, exp: now + (options.expiresIn ?? this.options.tokenTtlSeconds ?? 3600) }));
		const signature = signData('RSA-SHA256', Buffer.from(`${header}.${claims}`), options.privateKey ?? this.keys.privateKey);
		return `${header}.${claims}.${base64url(signature)}`;
	}

	/** The JWT payload of an event, as Wix nests it (JSON strings inside JSON strings). */
	envelope(eventType: string, instanceId: string, event: Record<string, unknown>): Record<string, unknown> {
		const identity = { identityType: 'APP', appId: this.options.appId };
		return { data: JSON.stringify({ eventType, instanceId, data: JSON.stringify(event), identity: JSON.stringify(identity) }) };
	}

	/** An attachment was created or deleted: every subscription to that event type gets it. */
	emit(kind: 'created' | 'deleted', instanceId: string, attachment: Record<string, unknown>): void {
		const eventType = kind === 'created' ? ATTACHMENT_CREATED : ATTACHMENT_DELETED;
		const event: Record<string, unknown> = {
			id: randomUUID(),
			entityFqdn: 'wix.contacts.v4.attachment',
			slug: kind,
			entityId: attachment.id,
			eventTime: new Date().toISOString(),
			triggeredByAnonymizeRequest: false,
			...(kind === 'created' ? { createdEvent: { entity: attachment } } : { deletedEvent: {} }),
		};
		for (const subscription of this.subscribed) {
			if (!subscription.eventTypes.includes(eventType)) continue;
			const jwt = this.sign(this.envelope(eventType, instanceId, event));
			this.track(this.deliver(subscription.url, eventType, String(event.id), jwt, 1, this.options.retries ?? 2));
		}
	}

	/** Sends a body to a URL as Wix would (tests replay deliveries and send forged ones with it). */
	async post(url: string, jwt: string, meta: { eventType?: string; eventId?: string; attempt?: number } = {}): Promise<WixDelivery> {
		const delivery: WixDelivery = { seq: ++this.seq, url, eventType: meta.eventType ?? '', eventId: meta.eventId ?? '', jwt, attempt: meta.attempt ?? 1 };
		this.deliveries.push(delivery);
		const answer = await postWebhook(url, { 'content-type': 'text/plain; charset=utf-8', 'user-agent': 'Wix webhooks (emulator)' }, Buffer.from(jwt, 'utf8'), 10_000);
		Object.assign(delivery, { status: answer.status, responseBody: answer.body?.slice(0, 2000), error: answer.error });
		return delivery;
	}

	/** The same JWT to the same URL again (a Wix retry). */
	async redeliver(seq: number): Promise<WixDelivery> {
		const earlier = this.deliveries.find((delivery) => delivery.seq === seq);
		if (!earlier) throw new RangeError(`No delivery ${seq}`);
		const attempt = Math.max(...this.deliveries.filter((d) => d.jwt === earlier.jwt).map((d) => d.attempt)) + 1;
		const done = this.post(earlier.url, earlier.jwt, { eventType: earlier.eventType, eventId: earlier.eventId, attempt });
		this.track(done.then(() => undefined));
		return await done;
	}

	private track(promise: Promise<void>): void {
		void this.inFlight.track(promise);
	}

	private async deliver(url: string, eventType: string, eventId: string, jwt: string, attempt: number, retriesLeft: number): Promise<void> {
		const delivery = await this.post(url, jwt, { eventType, eventId, attempt });
		const ok = delivery.status !== undefined && delivery.status >= 200 && delivery.status < 300;
		if (!ok && retriesLeft > 0) {
			await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 250));
			await this.deliver(url, eventType, eventId, jwt, attempt + 1, retriesLeft - 1);
		}
	}
}
