/**
 * What the package's webhook triggers share: checking a delivery's secret in constant time,
 * refusing a delivery (nothing starts), telling a delivery seen before (a provider's retry, a
 * replay) from a new one with bounded memory, and the raw body n8n read.
 *
 * A trigger's `webhook` only checks and shapes what arrived (it runs where the delivery is
 * received: n8n's main process in queue mode) and answers at once; the files are fetched by the
 * node's `execute`, which n8n runs as the first step of the execution (on a worker in queue
 * mode), through the shared transport like every other download of the package.
 */
import { createHash, timingSafeEqual } from 'crypto';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, IWebhookDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { protectError, protectOutput, runForEachItem } from '../transport';
import type { ProviderSpec } from '../transport';

/**
 * Whether `given` equals `expected`, in time that does not depend on where they differ or on
 * their lengths (both are hashed first, so the comparison is always of 32 bytes).
 */
export function sameSecret(given: unknown, expected: unknown): boolean {
	if (typeof given !== 'string' || typeof expected !== 'string' || expected === '') return false;
	const a = createHash('sha256').update(given, 'utf8').digest();
	const b = createHash('sha256').update(expected, 'utf8').digest();
	return timingSafeEqual(a, b);
}

/** One value of a request header (the first, when it was sent several times). */
export function headerValue(ctx: IWebhookFunctions, name: string): string | undefined {
	const value = ctx.getHeaderData()[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

/**
 * Answers the delivery with `status` and a short JSON message and starts nothing: n8n writes no
 * answer of its own and starts no execution when the webhook says it answered itself.
 */
export function refuse(ctx: IWebhookFunctions, status: number, message: string): IWebhookResponseData {
	const res = ctx.getResponseObject();
	res.status(status).json({ message });
	return { noWebhookResponse: true };
}

/** An answer to a delivery that starts nothing (e.g. every event in it was seen before or is of no interest). */
export function acknowledge(message: string, extra: IDataObject = {}): IWebhookResponseData {
	return { webhookResponse: { message, ...extra } };
}

/**
 * The body as it came over the wire: n8n keeps it as `rawBody` on the request (its body parser
 * reads every webhook body into it); a string body (text/plain) otherwise.
 */
export function rawBodyOf(ctx: IWebhookFunctions): string | undefined {
	const request = ctx.getRequestObject() as unknown as { rawBody?: unknown; body?: unknown };
	if (Buffer.isBuffer(request.rawBody) && request.rawBody.length > 0) return request.rawBody.toString('utf8');
	if (typeof request.body === 'string') return request.body;
	return undefined;
}

/** How many delivery keys a trigger remembers (the oldest are forgotten first). */
export const REMEMBERED_DELIVERIES = 1000;
/** How many triggers the in-process memory holds (the least recently used are forgotten first). */
const REMEMBERED_TRIGGERS = 500;
/** Keys longer than this are hashed, so that a hostile delivery cannot make the memory large. */
const MAX_KEY_LENGTH = 128;

/** Per trigger (workflow, node, test or production), the keys it saw, oldest first. */
const inProcess = new Map<string, string[]>();

function boundedKey(key: string): string {
	return key.length <= MAX_KEY_LENGTH ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

function remember(list: string[], keys: string[]): void {
	for (const key of keys) if (!list.includes(key)) list.push(key);
	if (list.length > REMEMBERED_DELIVERIES) list.splice(0, list.length - REMEMBERED_DELIVERIES);
}

/**
 * Which of a delivery's events are new. Each event is named by one or more keys (an event ID, the
 * ID of the message or attachment it is about); an event is new when none of its keys was seen
 * before by this trigger, and its keys are then remembered. Two memories, both bounded to the
 * last REMEMBERED_DELIVERIES keys: the workflow's static data (kept by n8n with the workflow,
 * across restarts, saved after each delivery) and this process's own (which also catches the
 * same event delivered twice at once, before either delivery's static data is saved). A
 * duplicate that arrives after both have forgotten it, or at another n8n process while the first
 * delivery is still running, starts a second execution.
 */
export function claimNewEvents(ctx: IWebhookFunctions, eventKeys: string[][]): boolean[] {
	const staticData = ctx.getWorkflowStaticData('node') as IDataObject & { recentDeliveries?: unknown };
	const stored = Array.isArray(staticData.recentDeliveries) ? (staticData.recentDeliveries as unknown[]).filter((key): key is string => typeof key === 'string') : [];
	const trigger = `${ctx.getWorkflow().id ?? ''}|${ctx.getNode().id}|${ctx.getMode()}`;
	const local = inProcess.get(trigger) ?? [];
	inProcess.delete(trigger);
	inProcess.set(trigger, local);
	if (inProcess.size > REMEMBERED_TRIGGERS) inProcess.delete(inProcess.keys().next().value as string);

	const seen = new Set([...stored, ...local]);
	const claimed = eventKeys.map((keys) => {
		const bounded = keys.filter((key) => key !== '').map(boundedKey);
		if (bounded.length === 0) return true; // nothing to tell it by: never taken for a duplicate
		if (bounded.some((key) => seen.has(key))) return false;
		for (const key of bounded) seen.add(key);
		remember(stored, bounded);
		remember(local, bounded);
		return true;
	});
	if (claimed.some(Boolean)) staticData.recentDeliveries = stored;
	return claimed;
}

/** Forgets what every trigger of this process saw (tests). */
export function forgetDeliveriesInProcess(): void {
	inProcess.clear();
}

/**
 * A webhook trigger's `execute()`: the outputs `outputsOf` makes of each item `webhook` started
 * the workflow with (its record read, its file fetched), `concurrency` items at a time, in order;
 * outputs and errors kept free of the credential's secrets, as every operation's are.
 */
export async function triggerOutputs(
	ctx: IExecuteFunctions,
	provider: ProviderSpec,
	concurrency: number,
	outputsOf: (itemIndex: number) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[][]> {
	return await runForEachItem(
		ctx,
		async (itemIndex) => {
			const done = await outputsOf(itemIndex).then(
				(outputs) => ({ outputs }),
				(error: Error) => ({ error }),
			);
			if ('error' in done) throw await protectError(ctx, provider, itemIndex, done.error);
			return await protectOutput(ctx, provider, itemIndex, done.outputs);
		},
		concurrency,
	);
}

/**
 * The one webhook of each webhook trigger: n8n's production and test URLs end in `/webhook`; a
 * delivery is answered as soon as `webhook` has checked it (`onReceived`), and its files are
 * fetched in the execution it starts (on a worker in queue mode), not while the provider waits.
 */
export const DELIVERY_WEBHOOK: IWebhookDescription[] = [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }];

/**
 * A webhook trigger's `execute()` where Download File (`download`) decides: off, the items as
 * `webhook` made them; on, each with its file (`fileOf`, through triggerOutputs).
 */
export async function itemsWithFiles(
	ctx: IExecuteFunctions,
	provider: ProviderSpec,
	concurrency: number,
	fileOf: (itemIndex: number, record: IDataObject) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	if (!(ctx.getNodeParameter('download', 0, true) as boolean)) return [items];
	return await triggerOutputs(ctx, provider, concurrency, async (itemIndex) => await fileOf(itemIndex, items[itemIndex].json));
}
