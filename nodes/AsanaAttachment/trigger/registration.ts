/**
 * The trigger's webhook at Asana, registered and removed by n8n's webhook lifecycle
 * (`webhookMethods.default`): `checkExists` when the workflow is activated (or n8n starts, or the
 * editor listens for a test event), `create` when it does not exist, `delete` on deactivation.
 *
 * - create: `POST /webhooks` with the resource (the task or project), the target (the node's
 *   webhook URL) and filters for the chosen events (see deliveries.ts). Asana calls the target with
 *   `X-Hook-Secret` before it answers; the handshake's secret (deliveries.ts `handshakes`, or the
 *   201's own `X-Hook-Secret`) goes into the node's static data with the webhook's gid, for the
 *   signature checks. A webhook made without a secret known here is deleted again. When the POST
 *   fails in a way Asana may have acted on (5xx, a timeout), webhooks of this target on the
 *   resource are looked for and removed: an activation that fails leaves nothing registered.
 * - checkExists: true only for the webhook this node registered (gid and secret in its static
 *   data) that Asana still has, active, for the same resource, target and events; anything else of
 *   this target on the resource is removed (its secret is not known here), so create() starts clean.
 * - delete: `DELETE /webhooks/{gid}` (gone already counts as deleted), and the static data cleared.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IHookFunctions } from 'n8n-workflow';

import { asanaCredentialType } from '../provider';
import { parseParentReference } from '../parent';
import { callAsana } from './api';
import { handshakes, registrationKey } from './deliveries';
import type { TriggerEvent, TriggerState } from './deliveries';

/** Workspaces searched for leftover webhooks, and pages of webhooks read in each. */
const MAX_WORKSPACES = 100;
const MAX_PAGES = 10;

interface Wanted {
	credentialType: string;
	resource: string;
	target: string;
	events: TriggerEvent[];
	key: string;
}

/** The Asana filters of the chosen events (deliveries.ts says why these). */
export function filtersFor(events: readonly TriggerEvent[]): IDataObject[] {
	const filters: IDataObject[] = [];
	if (events.includes('added')) filters.push({ resource_type: 'attachment', action: 'added' });
	if (events.includes('removed')) filters.push({ resource_type: 'attachment', action: 'removed' }, { resource_type: 'attachment', action: 'deleted' });
	return filters;
}

function wanted(ctx: IHookFunctions): Wanted {
	const credentialType = asanaCredentialType(ctx.getNodeParameter('authentication', 'accessToken'));
	const value = ctx.getNodeParameter('parent', '', { extractValue: true });
	const reference = parseParentReference(typeof value === 'string' ? value.trim() : value);
	if ('problem' in reference) throw new NodeOperationError(ctx.getNode(), `Invalid "Task or Project": ${reference.problem}`);
	const target = ctx.getNodeWebhookUrl('default');
	if (!target) throw new NodeOperationError(ctx.getNode(), 'n8n gave no webhook URL for the Asana Attachment Trigger');
	const chosen = ctx.getNodeParameter('events', ['added']) as unknown;
	const events = (Array.isArray(chosen) ? chosen : [chosen]).filter((event): event is TriggerEvent => event === 'added' || event === 'removed');
	if (events.length === 0) throw new NodeOperationError(ctx.getNode(), 'Choose at least one of the Events (Attachment Added, Attachment Removed)');
	const test = ctx.getMode() === 'manual';
	return { credentialType, resource: reference.gid, target, events: [...new Set(events)].sort(), key: registrationKey(ctx.getWorkflow().id, ctx.getNode().id, test) };
}

function state(ctx: IHookFunctions): TriggerState {
	return ctx.getWorkflowStaticData('node') as TriggerState;
}

function forget(data: TriggerState): void {
	delete data.webhookId;
	delete data.hookSecret;
	delete data.resource;
	delete data.target;
	delete data.events;
}

const httpCodeOf = (error: unknown) => (error instanceof NodeApiError ? error.httpCode : undefined);

/** The error as n8n's (the transport's are NodeApiErrors already). */
function nodeError(ctx: IHookFunctions, error: unknown): NodeApiError | NodeOperationError {
	return error instanceof NodeApiError || error instanceof NodeOperationError ? error : new NodeOperationError(ctx.getNode(), error as Error);
}

/** DELETE /webhooks/{gid}; one Asana no longer has counts as deleted. */
async function removeWebhook(ctx: IHookFunctions, credentialType: string, gid: string): Promise<void> {
	try {
		await callAsana(ctx, credentialType, 'remove', { path: { webhook_gid: gid } });
	} catch (error) {
		if (httpCodeOf(error) !== '404') throw nodeError(ctx, error);
	}
}

/** The gids of the webhooks of `target` on `resource`, in every workspace of the credential's user. */
async function webhooksOf(ctx: IHookFunctions, credentialType: string, resource: string, target: string): Promise<string[]> {
	const workspaces = ((await callAsana(ctx, credentialType, 'workspaces', { qs: { limit: MAX_WORKSPACES } })).data as IDataObject[] | undefined) ?? [];
	const found: string[] = [];
	for (const workspace of workspaces.slice(0, MAX_WORKSPACES)) {
		let offset: string | undefined;
		for (let page = 0; page < MAX_PAGES; page++) {
			const qs: IDataObject = { workspace: String(workspace.gid), resource, limit: 100 };
			if (offset) qs.offset = offset;
			const answer = await callAsana(ctx, credentialType, 'list', { qs });
			for (const hook of (answer.data as IDataObject[] | undefined) ?? []) {
				if (hook.target === target && typeof hook.gid === 'string') found.push(hook.gid);
			}
			const next = (answer.next_page as IDataObject | null | undefined)?.offset;
			if (typeof next !== 'string' || next === offset) break;
			offset = next;
		}
	}
	return found;
}

/** Removes every webhook of `target` on `resource`; how many there were. */
async function removeLeftovers(ctx: IHookFunctions, want: Wanted): Promise<number> {
	const gids = await webhooksOf(ctx, want.credentialType, want.resource, want.target);
	for (const gid of gids) await removeWebhook(ctx, want.credentialType, gid);
	return gids.length;
}

/**
 * An activation's failure, saying what failed and that nothing stays registered. The provider's
 * own message (a NodeApiError's: "Could not connect to Asana (connection refused)", Asana's error
 * text) comes first.
 */
function activationError(ctx: IHookFunctions, doing: string, error: unknown, target: string): NodeOperationError {
	const cause = nodeError(ctx, error);
	return new NodeOperationError(ctx.getNode(), `Could not ${doing} the webhook at Asana: ${cause.message}`, {
		description: [
			cause.description,
			`The Asana Attachment Trigger registers a webhook on the task or project (POST /webhooks) when the workflow is activated, and Asana must then reach ${target} to confirm it. Nothing was left registered; activate the workflow again once Asana answers and can reach that address.`,
		]
			.filter(Boolean)
			.join(' '),
	});
}

export async function checkExists(this: IHookFunctions): Promise<boolean> {
	const want = wanted(this);
	try {
		return await findOrClear(this, want);
	} catch (error) {
		throw activationError(this, 'check for', error, want.target);
	}
}

/** checkExists's work: whether the node's webhook is there as it should be; anything else of it removed. */
async function findOrClear(ctx: IHookFunctions, want: Wanted): Promise<boolean> {
	const data = state(ctx);
	if (data.webhookId && data.hookSecret && data.resource === want.resource && data.target === want.target && (data.events ?? []).join() === want.events.join()) {
		try {
			const hook = ((await callAsana(ctx, want.credentialType, 'get', { path: { webhook_gid: data.webhookId } })).data ?? {}) as IDataObject;
			const resource = (hook.resource as IDataObject | undefined)?.gid;
			if (hook.active !== false && hook.target === want.target && resource === want.resource) return true;
			await removeWebhook(ctx, want.credentialType, data.webhookId);
		} catch (error) {
			if (httpCodeOf(error) !== '404') throw nodeError(ctx, error);
		}
		forget(data);
	} else if (data.webhookId) {
		// Registered with other settings (or without its secret): it goes, create() registers anew.
		await removeWebhook(ctx, want.credentialType, data.webhookId);
		forget(data);
	}
	const removed = await removeLeftovers(ctx, want);
	if (removed > 0) ctx.logger.info(`Asana Attachment Trigger: removed ${removed} earlier webhook(s) of this node whose secret was not known`);
	return false;
}

/** Whether Asana may have carried out a POST that failed this way (it answered 5xx, or did not answer). */
function mayHaveActed(error: unknown): boolean {
	const code = httpCodeOf(error);
	if (code !== undefined) return Number(code) >= 500;
	return !/connection refused|did not resolve/i.test((error as Error)?.message ?? '');
}

export async function create(this: IHookFunctions): Promise<boolean> {
	const want = wanted(this);
	const data = state(this);
	const pending: { secret?: string } = {};
	handshakes.set(want.key, pending);
	let answer: IDataObject;
	try {
		answer = await callAsana(this, want.credentialType, 'create', { body: { data: { resource: want.resource, target: want.target, filters: filtersFor(want.events) } } });
	} catch (error) {
		if (mayHaveActed(error)) {
			await removeLeftovers(this, want).catch((cleanup: Error) =>
				this.logger.warn(`Asana Attachment Trigger: could not check for a webhook the failed registration may have left: ${cleanup.message}`),
			);
		}
		throw activationError(this, 'register', error, want.target);
	} finally {
		handshakes.delete(want.key);
	}
	const hook = (answer.data ?? {}) as IDataObject;
	const gid = typeof hook.gid === 'string' ? hook.gid : undefined;
	const fromBody = typeof answer['X-Hook-Secret'] === 'string' ? (answer['X-Hook-Secret'] as string) : undefined;
	const secret = pending.secret ?? fromBody;
	if (!gid) throw new NodeOperationError(this.getNode(), 'Asana answered the webhook registration without the webhook\'s ID');
	if (!secret || (pending.secret && fromBody && pending.secret !== fromBody)) {
		await removeWebhook(this, want.credentialType, gid).catch(() => undefined);
		throw new NodeOperationError(this.getNode(), 'Asana registered the webhook, but its secret did not reach this n8n process, so deliveries could not be checked; the webhook was removed again', {
			description: `Asana sends the secret in its handshake to ${want.target}. Make sure that address reaches the n8n process that activates workflows, then activate again.`,
		});
	}
	Object.assign(data, { webhookId: gid, hookSecret: secret, resource: want.resource, target: want.target, events: want.events });
	return true;
}

export async function remove(this: IHookFunctions): Promise<boolean> {
	const data = state(this);
	if (data.webhookId) {
		const credentialType = asanaCredentialType(this.getNodeParameter('authentication', 'accessToken'));
		await removeWebhook(this, credentialType, data.webhookId);
	}
	forget(data);
	delete data.seen;
	return true;
}
