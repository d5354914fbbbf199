/**
 * The Sunshine Conversations Attachment Trigger's registration: a custom integration of the app
 * with one webhook (trigger `conversation:message`) pointing at the node's webhook URL, made
 * when the workflow is activated (or listens for a test event) and deleted when it stops.
 *
 * The calls, as the current spec (v17.12.1) has them:
 * - Create Integration, `POST /v2/apps/{appId}/integrations` with `{ type: "custom",
 *   displayName, webhooks: [{ target, triggers }] }`: one call makes the integration and its
 *   webhook, and answers with the webhook's `secret`, which Sunshine then sends in `X-API-Key`
 *   with every delivery. (Create Webhook, `POST …/integrations/{id}/webhooks`, would need a
 *   second call and takes no account keys; an integration's one webhook is all the trigger needs.)
 * - Get Integration, `GET …/integrations/{integrationId}`: whether the registration still exists
 *   and still points at this URL.
 * - Delete Integration, `DELETE …/integrations/{integrationId}`: removes the integration and its
 *   webhook.
 * - List Integrations, `GET …/integrations?filter[types]=custom`: finds registrations of this
 *   trigger left behind (a create whose answer was lost, a crash before the answer was kept), by
 *   their display name, which names the webhook URL; they are deleted before a new one is made
 *   and after a create that failed, so that nothing stays half-registered.
 *
 * What is kept between activation and deliveries (the node's static data): the app, the
 * integration's and the webhook's IDs, the URL registered and the webhook's secret.
 */
import { createHash } from 'crypto';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IHookFunctions, JsonObject } from 'n8n-workflow';

import { encodePathSegment, sendRequest } from '../../shared/transport';
import type { FullResponse, HttpMethod, TransportContext } from '../../shared/transport';
import { APP_ID_EXAMPLE, credentialTypeFor, sunshineApiBase, sunshineId, sunshineProvider } from '../provider';

/** The webhook triggers the node subscribes to: a message was sent in a conversation of the app. */
export const WEBHOOK_TRIGGERS = ['conversation:message'];

/** What the node keeps in its static data once registered. */
export interface Registration {
	appId: string;
	integrationId: string;
	webhookId: string;
	target: string;
	secret: string;
}

const REGISTRATION_KEYS: Array<keyof Registration> = ['appId', 'integrationId', 'webhookId', 'target', 'secret'];

export function registrationOf(staticData: IDataObject): Registration | undefined {
	const found = REGISTRATION_KEYS.every((key) => typeof staticData[key] === 'string' && staticData[key] !== '');
	return found ? (Object.fromEntries(REGISTRATION_KEYS.map((key) => [key, staticData[key]])) as unknown as Registration) : undefined;
}

function forget(staticData: IDataObject): void {
	for (const key of REGISTRATION_KEYS) delete staticData[key];
}

/**
 * The integration's display name: says what made it, and names the webhook URL by a hash (the
 * URL itself may be long, and a test URL and a production URL of one node differ), so that the
 * registrations of this trigger can be found again and no other's is touched.
 */
export function integrationDisplayName(webhookUrl: string): string {
	return `n8n Attachment Trigger ${createHash('sha256').update(webhookUrl).digest('hex').slice(0, 16)}`;
}

/** The requests of the registration, as data: method, path under the app, body. */
const CALLS = {
	create: { method: 'POST', path: '/integrations', idempotent: false },
	get: { method: 'GET', path: '/integrations/{integrationId}', idempotent: true },
	delete: { method: 'DELETE', path: '/integrations/{integrationId}', idempotent: true },
	list: { method: 'GET', path: '/integrations', idempotent: true },
} as const satisfies Record<string, { method: HttpMethod; path: string; idempotent: boolean }>;

interface Target {
	ctx: IHookFunctions;
	credentialType: string;
	apiBase: string;
	appId: string;
}

/** The App parameter's value, checked as the action node checks it. */
function readAppId(ctx: IHookFunctions): string {
	const value = ctx.getNodeParameter('appId', '', { extractValue: true }) as unknown;
	const appId = typeof value === 'string' ? value.trim() : '';
	if (!appId) throw new NodeOperationError(ctx.getNode(), 'The parameter "App" is required');
	const problem = sunshineId(APP_ID_EXAMPLE)(appId);
	if (problem) throw new NodeOperationError(ctx.getNode(), `Invalid "App": ${problem}`);
	return appId;
}

async function targetOf(ctx: IHookFunctions, appId = readAppId(ctx)): Promise<Target> {
	const credentialType = credentialTypeFor(ctx.getNodeParameter('authentication', 'apiKey'));
	return { ctx, credentialType, apiBase: await sunshineApiBase(ctx as unknown as TransportContext, credentialType), appId };
}

async function call(
	target: Target,
	name: keyof typeof CALLS,
	options: { integrationId?: string; body?: IDataObject; qs?: IDataObject } = {},
): Promise<FullResponse> {
	const spec = CALLS[name];
	const path = spec.path.replace('{integrationId}', encodePathSegment(options.integrationId ?? ''));
	const body = options.body;
	return await sendRequest(
		target.ctx as unknown as TransportContext,
		sunshineProvider,
		{
			method: spec.method,
			url: `${target.apiBase}/v2/apps/${encodePathSegment(target.appId)}${path}`,
			qs: options.qs,
			headers: body ? { 'Content-Type': 'application/json' } : {},
			body: body ? async () => body : undefined,
			idempotent: spec.idempotent,
			credentialType: target.credentialType,
			// Only a 404 of Delete means "already gone"; Get reads its 404 itself.
			missingOnRetryMeansDone: name === 'delete',
		},
		0,
	);
}

const isObject = (value: unknown): value is IDataObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The transport's errors are NodeApiErrors already; anything else is wrapped. */
function nodeErrorOf(ctx: IHookFunctions, error: unknown): NodeApiError | NodeOperationError {
	return error instanceof NodeApiError || error instanceof NodeOperationError ? error : new NodeOperationError(ctx.getNode(), error as Error);
}

function statusOf(error: unknown): number | undefined {
	const code = error instanceof NodeApiError ? Number(error.httpCode) : Number.NaN;
	return Number.isInteger(code) ? code : undefined;
}

/** Whether Sunshine may have made the integration although the create failed (not a refusal before any work). */
function mayHaveCreated(error: unknown): boolean {
	const status = statusOf(error);
	if (status !== undefined) return status >= 500;
	const text = `${(error as Error)?.message ?? ''} ${(error as { description?: string })?.description ?? ''}`;
	// Refused or unresolved: the request never reached Sunshine (see the transport's network messages).
	return !/connection refused|did not resolve/i.test(text);
}

/** The custom integrations of the app named as this URL's registrations (at most 10 pages of 100). */
async function leftovers(target: Target, webhookUrl: string): Promise<string[]> {
	const name = integrationDisplayName(webhookUrl);
	const found: string[] = [];
	let after: string | undefined;
	for (let page = 0; page < 10; page++) {
		const response = await call(target, 'list', { qs: { 'filter[types]': 'custom', 'page[size]': 100, ...(after ? { 'page[after]': after } : {}) } });
		const body = isObject(response.body) ? response.body : {};
		const integrations = Array.isArray(body.integrations) ? body.integrations.filter(isObject) : [];
		for (const integration of integrations) {
			if (integration.displayName === name && typeof integration.id === 'string') found.push(integration.id);
		}
		const meta = isObject(body.meta) ? body.meta : {};
		if (meta.hasMore !== true || typeof meta.afterCursor !== 'string' || meta.afterCursor === after) break;
		after = meta.afterCursor;
	}
	return found;
}

async function deleteIntegration(target: Target, integrationId: string): Promise<void> {
	try {
		await call(target, 'delete', { integrationId });
	} catch (error) {
		if (statusOf(error) !== 404) throw nodeErrorOf(target.ctx, error); // else already gone
	}
}

async function removeLeftovers(target: Target, webhookUrl: string): Promise<number> {
	const ids = await leftovers(target, webhookUrl);
	for (const id of ids) await deleteIntegration(target, id);
	return ids.length;
}

/** The webhook of a created or fetched integration: `{ id, target, secret }` when it has them. */
function webhookOf(body: unknown): { integrationId?: string; webhookId?: string; target?: string; secret?: string } {
	const integration = isObject(body) && isObject(body.integration) ? body.integration : undefined;
	const webhooks = Array.isArray(integration?.webhooks) ? integration.webhooks.filter(isObject) : [];
	const webhook = webhooks[0];
	const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
	return { integrationId: text(integration?.id), webhookId: text(webhook?.id), target: text(webhook?.target), secret: text(webhook?.secret) };
}

function activationError(ctx: IHookFunctions, error: unknown, cleanup: string): Error {
	const message = `Sunshine Conversations did not register the webhook: ${(error as Error).message}`;
	if (error instanceof NodeApiError) {
		error.message = message;
		error.description = [error.description, cleanup].filter(Boolean).join(' ');
		return error;
	}
	return new NodeOperationError(ctx.getNode(), message, { description: cleanup });
}

/** `checkExists`: whether the registration kept in static data still exists and points at this URL. */
export async function registrationExists(ctx: IHookFunctions): Promise<boolean> {
	const staticData = ctx.getWorkflowStaticData('node');
	const kept = registrationOf(staticData);
	if (!kept) return false;
	const webhookUrl = ctx.getNodeWebhookUrl('default') as string;
	const appId = readAppId(ctx);
	const target = await targetOf(ctx, kept.appId);
	let response: FullResponse;
	try {
		response = await call(target, 'get', { integrationId: kept.integrationId });
	} catch (error) {
		if (statusOf(error) !== 404) throw nodeErrorOf(ctx, error);
		forget(staticData);
		return false;
	}
	const found = webhookOf(response.body);
	// Sunshine's answer names the webhook's URL; a registration for another URL or app is not this one.
	if (kept.appId !== appId || kept.target !== webhookUrl || (found.target !== undefined && found.target !== webhookUrl)) {
		await deleteIntegration(target, kept.integrationId);
		forget(staticData);
		return false;
	}
	return true;
}

/** `create`: the integration and its webhook, the secret kept; nothing left behind when it fails. */
export async function createRegistration(ctx: IHookFunctions): Promise<boolean> {
	const webhookUrl = ctx.getNodeWebhookUrl('default') as string;
	const target = await targetOf(ctx);
	const staticData = ctx.getWorkflowStaticData('node');
	// A registration of this URL left by an earlier run would deliver every event twice.
	try {
		await removeLeftovers(target, webhookUrl);
	} catch (error) {
		throw activationError(ctx, error, 'Nothing was registered.');
	}
	const body: IDataObject = {
		type: 'custom',
		displayName: integrationDisplayName(webhookUrl),
		webhooks: [{ target: webhookUrl, triggers: WEBHOOK_TRIGGERS, includeFullUser: false, includeFullSource: false }],
	};
	let response: FullResponse;
	try {
		response = await call(target, 'create', { body });
	} catch (error) {
		if (!mayHaveCreated(error)) throw activationError(ctx, error, 'Nothing was registered.');
		// The answer was lost: Sunshine may have made it. Look, and remove what is there.
		const cleanup = await removeLeftovers(target, webhookUrl).then(
			(removed) => (removed > 0 ? `The integration Sunshine made anyway (${removed}) was deleted again: nothing is left registered.` : 'Sunshine has no integration of it: nothing is left registered.'),
			() =>
				`Whether Sunshine made the integration could not be checked. If the app's integrations (Admin Center → Apps and integrations → Conversations integrations) list one named "${integrationDisplayName(webhookUrl)}", delete it; activating the workflow again also removes it.`,
		);
		throw activationError(ctx, error, cleanup);
	}
	const made = webhookOf(response.body);
	if (!made.integrationId || !made.webhookId || !made.secret) {
		if (made.integrationId) await deleteIntegration(target, made.integrationId).catch(() => undefined);
		const message = 'Sunshine Conversations answered the registration without the integration\'s ID, its webhook or the webhook\'s secret';
		throw new NodeApiError(ctx.getNode(), { message } as JsonObject, {
			message,
			description: 'Without the secret no delivery could be checked, so the integration was deleted again and the workflow was not activated.',
		});
	}
	Object.assign(staticData, { appId: target.appId, integrationId: made.integrationId, webhookId: made.webhookId, target: webhookUrl, secret: made.secret } satisfies Registration);
	return true;
}

/** `delete`: the integration removed at Sunshine (already gone is fine), then forgotten. */
export async function deleteRegistration(ctx: IHookFunctions): Promise<boolean> {
	const staticData = ctx.getWorkflowStaticData('node');
	const kept = registrationOf(staticData);
	if (!kept) return true;
	const target = await targetOf(ctx, kept.appId);
	try {
		await deleteIntegration(target, kept.integrationId);
	} catch (error) {
		const failed = nodeErrorOf(ctx, error);
		failed.message = `Sunshine Conversations did not delete the webhook's integration ${kept.integrationId}: ${failed.message}`;
		failed.description = [failed.description, 'Until it is deleted, Sunshine keeps sending messages to the URL, where n8n refuses them. Deactivating the workflow again tries once more.']
			.filter(Boolean)
			.join(' ');
		throw failed;
	}
	forget(staticData);
	return true;
}
