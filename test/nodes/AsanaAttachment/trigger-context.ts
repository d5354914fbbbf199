/**
 * Shared set-up of the Asana Attachment Trigger tests: the emulator (webhooks on), the trigger in
 * n8n-core's real webhook and execution contexts (test/support/n8n-webhooks.ts) with either
 * credential, and the spec check of every API request the emulator received.
 */
import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import { AsanaAttachmentTrigger } from '../../../nodes/AsanaAttachment/AsanaAttachmentTrigger.node';
import { SPEC_FILES, loadSpecValidator, requireSpecs } from '../../support/spec';
import type { SpecValidator } from '../../support/spec';
import { useEmulator } from '../../support/emulator';
import { startTriggerHarness, useTriggerHarnesses } from '../../support/n8n-webhooks';
import type { TriggerHarness } from '../../support/n8n-webhooks';
import { startAsanaServer } from '../../../sandbox/asana/server';
import type { AsanaServer, AsanaServerOptions } from '../../../sandbox/asana/server';
import { type Auth, credentialTypes, credentialsFor, expectConformingRequests, locator } from './context';

export const TRIGGER_TYPE = 'n8n-nodes-attachments.asanaAttachmentTrigger';

export interface TriggerOptions {
	auth?: Auth;
	/** The credential's base URL (default the emulator's): a fault proxy's, say. */
	baseUrl?: string;
	continueOnFail?: boolean;
	/** Replaces the credentials made for `auth` (and `baseUrl`). */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
}

/** The trigger on `resource`, with these parameters over the defaults (events: added; Download File on). */
export async function startTrigger(server: AsanaServer, resource: string, parameters: INodeParameters = {}, options: TriggerOptions = {}): Promise<TriggerHarness> {
	const auth = options.auth ?? 'accessToken';
	const credentials =
		options.credentials ?? Object.fromEntries(Object.entries(credentialsFor(server, auth)).map(([type, data]) => [type, { ...data, baseUrl: options.baseUrl ?? server.url }]));
	return await startTriggerHarness({
		nodeTypes: [new AsanaAttachmentTrigger()],
		credentialTypes: credentialTypes(),
		credentials,
		node: {
			type: TRIGGER_TYPE,
			name: 'Asana Attachment Trigger',
			parameters: { authentication: auth, parent: locator(resource), events: ['added'], download: true, binaryPropertyName: 'data', options: {}, ...parameters },
			continueOnFail: options.continueOnFail,
		},
	});
}

/** Asana's spec for what the trigger calls: webhooks, workspaces, attachments. */
export async function loadTriggerValidator(): Promise<SpecValidator | undefined> {
	if (!requireSpecs([SPEC_FILES.asana], 'Asana spec conformance checks')) return undefined;
	return await loadSpecValidator(SPEC_FILES.asana, {
		paths: ['/webhooks', '/webhooks/{webhook_gid}', '/workspaces', '/attachments', '/attachments/{attachment_gid}', '/users/{user_gid}', '/workspaces/{workspace_gid}/typeahead'],
	});
}

/** The emulator's webhooks retry a refused delivery after 100 and 200 ms in these tests. */
export const TRIGGER_SERVER_OPTIONS: AsanaServerOptions = { webhooks: { retryDelaysMs: [100, 200] } };

/**
 * The Asana emulator of a trigger test file (webhooks on; reset before each test; after each, its
 * deliveries settled and every API request checked against Asana's spec) and the function that
 * starts the trigger on it, each harness closed after its test.
 */
export function useAsanaTrigger(options: AsanaServerOptions = TRIGGER_SERVER_OPTIONS) {
	// Declared first, so that after each test the harnesses close before the spec check.
	const start = useAsanaTriggers(() => server);
	const server = useEmulator({
		name: 'Asana',
		start: () => startAsanaServer(options),
		loadSpecs: loadTriggerValidator,
		expectConforming: (validator, emulator) => expectConformingRequests(validator, emulator.requests),
	});
	return { server, start };
}

/** Starts the trigger on the emulator `server()` gives (see startTrigger); each harness closed after its test, once Asana's deliveries settled. */
export const useAsanaTriggers = (server: () => AsanaServer) =>
	useTriggerHarnesses(
		(resource: string, parameters?: INodeParameters, options?: TriggerOptions) => startTrigger(server(), resource, parameters, options),
		() => server().webhooks.idle(),
	);
