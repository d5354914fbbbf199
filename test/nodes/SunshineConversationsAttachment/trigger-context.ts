/**
 * Shared set-up of the Sunshine Conversations Attachment Trigger tests: the trigger in the
 * webhook harness (n8n-core's HookContext, WebhookContext and WorkflowExecute; see
 * test/support/n8n-webhooks.ts) with both credentials pointing at the emulator, messages
 * posted through the emulator's API (Post Message, which delivers them to the registered webhook),
 * and the spec check of every API request, integrations and messages included.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { SunshineConversationsAttachmentTrigger } from '../../../nodes/SunshineConversationsAttachment/SunshineConversationsAttachmentTrigger.node';
import { useEmulator } from '../../support/emulator';
import { startTriggerHarness, useTriggerHarnesses } from '../../support/n8n-webhooks';
import type { TriggerHarness } from '../../support/n8n-webhooks';
import { SPEC_FILES, loadSpecValidator, requireSpecs } from '../../support/spec';
import type { SpecValidator } from '../../support/spec';
import { DEFAULT_APP_KEY, startSunshineServer } from '../../../sandbox/sunshine/server';
import type { RecordedRequest, SunshineKey, SunshineServer, SunshineServerOptions } from '../../../sandbox/sunshine/server';
import { APP_ID, BASIC, JWT, basicHeader, credentialTypes, sunshineCredentials } from './context';
import type { Authentication } from './context';

export const TRIGGER_TYPE = 'n8n-nodes-attachments.sunshineConversationsAttachmentTrigger';
export const CONVERSATION_ID = 'c616a583e4c240a871818541';

export interface TriggerOptions {
	authentication?: Authentication;
	/** Replaces the credential data of both types (default: the app key, pointed at the emulator). */
	credentials?: ICredentialDataDecryptedObject;
	key?: SunshineKey;
}

/** The trigger in the webhook harness, not yet activated. */
export async function startTrigger(server: SunshineServer, parameters: INodeParameters = {}, options: TriggerOptions = {}): Promise<TriggerHarness> {
	const credentials = options.credentials ?? sunshineCredentials(server, options.key);
	return await startTriggerHarness({
		nodeTypes: [new SunshineConversationsAttachmentTrigger()],
		credentialTypes: credentialTypes(),
		credentials: { [BASIC]: credentials, [JWT]: credentials },
		node: {
			type: TRIGGER_TYPE,
			parameters: { authentication: options.authentication ?? 'apiKey', appId: { __rl: true, mode: 'id', value: APP_ID }, ...parameters },
		},
	});
}

/** Sends a message through the emulator's API (Post Message), as a client would; resolves with the API's answer. */
export async function postMessage(
	server: SunshineServer,
	content: IDataObject,
	options: { conversationId?: string; author?: IDataObject; appId?: string; key?: SunshineKey } = {},
): Promise<{ status: number; body: IDataObject }> {
	const appId = options.appId ?? APP_ID;
	const response = await fetch(`${server.url}/v2/apps/${appId}/conversations/${options.conversationId ?? CONVERSATION_ID}/messages`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: basicHeader(options.key ?? DEFAULT_APP_KEY) },
		body: JSON.stringify({ author: options.author ?? { type: 'user', userId: '26508c10541a4b0ff472e5e2', displayName: 'Steve Rogers' }, content }),
	});
	return { status: response.status, body: (await response.json()) as IDataObject };
}

/** A file uploaded to the emulator (as an upload would store it) and its media URL. */
export function mediaOf(server: SunshineServer, fileName: string, content: Buffer, mediaType: string): { mediaUrl: string; size: number } {
	const record = server.seedAttachment(APP_ID, fileName, content, mediaType, { conversationId: CONVERSATION_ID });
	return { mediaUrl: server.mediaUrl(record), size: record.size };
}

/** The current spec, for the attachment, app, integration and message paths. */
export async function loadTriggerValidator(): Promise<SpecValidator | undefined> {
	if (!requireSpecs([SPEC_FILES.sunshine], 'Sunshine Conversations spec conformance checks')) return undefined;
	return await loadSpecValidator(SPEC_FILES.sunshine, {
		paths: /^\/v2\/apps(\/\{appId\}(\/attachments(\/remove)?|\/integrations(\/\{integrationId\}(\/webhooks)?)?)?)?$/,
	});
}

/**
 * Every API request the emulator received from the node (not its media host; not the messages
 * the tests post as a client would) is one the current spec accepts. (The spec's Post Message
 * body schema is one Prism's ajv cannot compile: "type: null contradicts nullable: false".)
 */
export function expectConformingTriggerRequests(validator: SpecValidator | undefined, requests: RecordedRequest[]): void {
	if (!validator) return;
	for (const request of requests) {
		if (request.path.startsWith('/media/') || /\/conversations\/[^/]+\/messages$/.test(request.path)) continue;
		const label = `${request.method} ${request.url}`;
		expect({ request: label, violations: validator.validate(request) }).toEqual({ request: label, violations: [] });
	}
}

/**
 * The Sunshine emulator of a trigger test file (reset before each test; after each, its deliveries
 * settled and, with `specCheck`, every API request checked against the spec) and the function that
 * starts the trigger on it, each harness closed after its test.
 */
export function useSunshineTrigger(options: SunshineServerOptions = {}, specCheck = true) {
	// Declared first, so that after each test the harnesses close before the spec check.
	const start = useTriggerHarnesses((parameters?: INodeParameters, triggerOptions?: TriggerOptions) => startTrigger(server, parameters, triggerOptions), () => server.integrations.settle());
	const server = useEmulator({
		name: 'Sunshine Conversations',
		start: () => startSunshineServer(options),
		...(specCheck ? { loadSpecs: loadTriggerValidator, expectConforming: (validator: SpecValidator, emulator: SunshineServer) => expectConformingTriggerRequests(validator, emulator.requests) } : {}),
		setupTimeoutMs: 120_000,
	});
	return { server, start };
}
