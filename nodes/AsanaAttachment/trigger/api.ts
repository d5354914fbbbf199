/**
 * The Asana calls of the trigger's webhook lifecycle (asana_oas.yaml, "Webhooks" and
 * "Workspaces"), as data, sent through the shared transport (`sendRequest`: the credential signs
 * them, 429s and transient faults are retried where repeating is harmless, answers are bounded,
 * errors carry Asana's message and none of the credential's secrets).
 */
import type { IDataObject } from 'n8n-workflow';

import { buildPath, sendRequest } from '../../shared/transport';
import type { HttpMethod, TransportContext } from '../../shared/transport';
import { asanaApiBase, asanaProvider } from '../provider';

interface WebhookCall {
	method: HttpMethod;
	path: string;
	/** Whether sending it twice does what sending it once does (see RequestPlan.idempotent). */
	idempotent: boolean;
	/** A 404 of a repeated attempt means an earlier one did it (a DELETE whose answer was lost). */
	missingOnRetryMeansDone?: boolean;
}

export const WEBHOOK_CALLS = {
	/** Establish a webhook: Asana shakes hands with the target before it answers 201. */
	create: { method: 'POST', path: '/webhooks', idempotent: false },
	get: { method: 'GET', path: '/webhooks/{webhook_gid}', idempotent: true },
	/** The webhooks of a workspace (`workspace` is required), those of one resource with `resource`. */
	list: { method: 'GET', path: '/webhooks', idempotent: true },
	remove: { method: 'DELETE', path: '/webhooks/{webhook_gid}', idempotent: true, missingOnRetryMeansDone: true },
	workspaces: { method: 'GET', path: '/workspaces', idempotent: true },
} satisfies Record<string, WebhookCall>;

export type WebhookCallName = keyof typeof WEBHOOK_CALLS;

export interface CallInput {
	path?: Record<string, string>;
	qs?: IDataObject;
	/** A JSON body (Asana's `{ data: … }`). */
	body?: IDataObject;
}

/** Sends one of the calls with the credential `credentialType`; the parsed JSON answer, or a NodeApiError. */
export async function callAsana(ctx: TransportContext, credentialType: string, name: WebhookCallName, input: CallInput = {}): Promise<IDataObject> {
	const call: WebhookCall = WEBHOOK_CALLS[name];
	const base = await asanaApiBase(ctx, credentialType);
	const body = input.body;
	const response = await sendRequest(
		ctx,
		asanaProvider,
		{
			method: call.method,
			url: `${base}${buildPath(call.path, input.path ?? {})}`,
			qs: input.qs,
			headers: body ? { 'Content-Type': 'application/json' } : {},
			body: body ? async () => body : undefined,
			idempotent: call.idempotent,
			missingOnRetryMeansDone: call.missingOnRetryMeansDone,
			credentialType,
		},
		0,
	);
	return response.body && typeof response.body === 'object' ? (response.body as IDataObject) : {};
}
