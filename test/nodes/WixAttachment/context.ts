/**
 * Shared set-up of the Wix integration tests: the local Wix emulator, the two credentials
 * pointing at it, a runner for the node through n8n's real execution code, and the spec check
 * of every request the emulator's REST gateway received.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { WixAttachmentApi } from '../../../credentials/WixAttachmentApi.credentials';
import { WixAttachmentAppOAuthApi } from '../../../credentials/WixAttachmentAppOAuthApi.credentials';
import { WixAttachment } from '../../../nodes/WixAttachment/WixAttachment.node';
import { WIX_CONTACTS_SPEC } from '../../../sandbox/wix/demo';
import { asTool, toolType } from '../../support/tool';
import { runListSearch, runNode, runWorkflow } from '../../support/n8n-harness';
import type { HarnessItem, HarnessWorkflow, RunNodeResult } from '../../support/n8n-harness';
import { expectRequestsConform, header, useEmulator } from '../../support/emulator';
import { SPEC_FILES, loadSpecValidator, requireSpecs } from '../../support/spec';
import type { SpecValidator } from '../../support/spec';
import { DEFAULT_API_KEY, DEFAULT_APP, DEFAULT_CONTACT, DEFAULT_INSTANCE_ID, DEFAULT_SITE_ID, startWixServer } from '../../../sandbox/wix/server';
import type { RecordedRequest, WixServer, WixServerOptions } from '../../../sandbox/wix/server';

export const NODE_TYPE = 'n8n-nodes-attachments.wixAttachment';
export const CONTACT_ID = DEFAULT_CONTACT.id;
export const API_KEY_CREDENTIAL = 'wixAttachmentApi';
export const APP_CREDENTIAL = 'wixAttachmentAppOAuthApi';
export const SECRETS = [DEFAULT_API_KEY, DEFAULT_APP.appSecret];

export function apiKeyCredentials(server: WixServer, apiKey = DEFAULT_API_KEY): ICredentialDataDecryptedObject {
	return { apiKey, siteId: DEFAULT_SITE_ID, baseUrl: server.url };
}

export function appCredentials(server: WixServer, overrides: IDataObject = {}): ICredentialDataDecryptedObject {
	return {
		appId: DEFAULT_APP.appId,
		appSecret: DEFAULT_APP.appSecret,
		instanceId: DEFAULT_INSTANCE_ID,
		baseUrl: server.url,
		accessToken: '',
		...overrides,
	} as ICredentialDataDecryptedObject;
}

export interface RunWixOptions {
	input?: HarnessItem[];
	continueOnFail?: boolean;
	/** Default: the API key credential; with `authentication: 'appOAuth'`, the app credential. */
	credentials?: ICredentialDataDecryptedObject;
	/** Run the node as an AI agent's tool runs it (type `…wixAttachmentTool`, see test/support/tool.ts). */
	asTool?: boolean;
}

function credentialsFor(
	server: WixServer,
	parameters: INodeParameters,
	given?: ICredentialDataDecryptedObject,
): Record<string, ICredentialDataDecryptedObject> {
	return parameters.authentication === 'appOAuth'
		? { [APP_CREDENTIAL]: given ?? appCredentials(server) }
		: { [API_KEY_CREDENTIAL]: given ?? apiKeyCredentials(server) };
}

export async function runWix(server: WixServer, parameters: INodeParameters, options: RunWixOptions = {}): Promise<RunNodeResult> {
	return await runNode({
		nodeTypes: [options.asTool ? asTool(new WixAttachment()) : new WixAttachment()],
		credentialTypes: [new WixAttachmentApi(), new WixAttachmentAppOAuthApi()],
		node: {
			type: options.asTool ? toolType(NODE_TYPE) : NODE_TYPE,
			parameters: { resource: 'contactAttachment', ...parameters },
			continueOnFail: options.continueOnFail,
		},
		input: options.input,
		credentials: credentialsFor(server, parameters, options.credentials),
	});
}

/** The attachment picker, as the editor runs it. */
export async function searchAttachments(
	server: WixServer,
	parameters: INodeParameters,
	options: { filter?: string; paginationToken?: string; credentials?: ICredentialDataDecryptedObject } = {},
) {
	return await runListSearch({
		nodeTypes: [new WixAttachment()],
		credentialTypes: [new WixAttachmentApi(), new WixAttachmentAppOAuthApi()],
		node: { type: NODE_TYPE, parameters: { resource: 'contactAttachment', operation: 'get', ...parameters } },
		credentials: credentialsFor(server, parameters, options.credentials),
		method: 'searchAttachments',
		filter: options.filter,
		paginationToken: options.paginationToken,
	});
}

/** The Contact picker, as the editor runs it. */
export async function searchContacts(
	server: WixServer,
	options: { filter?: string; paginationToken?: string; parameters?: INodeParameters } = {},
) {
	const parameters = options.parameters ?? {};
	return await runListSearch({
		nodeTypes: [new WixAttachment()],
		credentialTypes: [new WixAttachmentApi(), new WixAttachmentAppOAuthApi()],
		node: { type: NODE_TYPE, parameters: { resource: 'contactAttachment', operation: 'getAll', ...parameters } },
		credentials: credentialsFor(server, parameters),
		method: 'searchContacts',
		filter: options.filter,
		paginationToken: options.paginationToken,
	});
}

/** Runs a workflow fixture of `workflows/` with its Wix node's parameters overridden. */
export async function runWixWorkflow(server: WixServer, fixture: string, overrides: IDataObject = {}) {
	const workflow = JSON.parse(fs.readFileSync(path.join(__dirname, 'workflows', fixture), 'utf8')) as HarnessWorkflow;
	const node = workflow.nodes.find((candidate) => candidate.type === NODE_TYPE);
	if (!node) throw new Error(`${fixture} has no Wix Attachment node`);
	node.parameters = { ...node.parameters, ...overrides } as INodeParameters;
	const result = await runWorkflow(workflow, {
		nodeTypes: [new WixAttachment()],
		credentialTypes: [new WixAttachmentApi(), new WixAttachmentAppOAuthApi()],
		credentials: { [API_KEY_CREDENTIAL]: apiKeyCredentials(server), [APP_CREDENTIAL]: appCredentials(server) },
	});
	return { ...result, output: result.error ? [] : result.outputOf(node.name) };
}

export const startServer = startWixServer;

export interface WixValidators {
	attachments: SpecValidator;
	/** List and Query Contacts: the sandbox's spec, written from Wix's SDK (no shared spec has them). */
	contacts: SpecValidator;
}

/** Loads the Wix specs unless the shared one is missing outside CI. */
export async function loadWixValidator(): Promise<WixValidators | undefined> {
	if (!requireSpecs([SPEC_FILES.wix], 'Wix spec conformance checks')) return undefined;
	return { attachments: await loadSpecValidator(SPEC_FILES.wix), contacts: await loadSpecValidator(WIX_CONTACTS_SPEC) };
}

/**
 * Every request the REST gateway received for the attachments or contacts API must be one Wix's
 * spec accepts. The token endpoint (`/oauth2/token`) is outside the specs: tests check those
 * requests one by one. Media host requests are checked one by one too.
 */
export function expectConformingRequests(validators: WixValidators | undefined, requests: RecordedRequest[]): void {
	if (!validators) return;
	expectRequestsConform(requests, (request) =>
		request.host !== 'api'
			? undefined
			: request.path.startsWith('/contacts/v4/attachments')
				? validators.attachments
				: request.path.startsWith('/contacts/v4/contacts')
					? validators.contacts
					: undefined,
	);
}

export { header };

/**
 * The Wix emulator of a test file (or describe block): started before its tests, reset before
 * each, every attachments and contacts request of each checked against Wix's specs, closed after
 * them.
 */
export const useWixEmulator = (options: WixServerOptions = {}): WixServer =>
	useEmulator({ name: 'Wix', start: () => startWixServer(options), loadSpecs: loadWixValidator, expectConforming: (validators, server) => expectConformingRequests(validators, server.requests) });

export function apiCalls(server: WixServer): string[] {
	return server.requests.map((r) => `${r.host} ${r.method} ${r.url}`);
}
