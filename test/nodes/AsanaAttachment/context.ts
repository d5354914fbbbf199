/**
 * Shared set-up of the Asana integration tests: the local Asana emulator, credentials pointing at
 * it (personal access token or OAuth2), a runner for the node through n8n's real execution code,
 * and the spec check of every API request the emulator received.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameterResourceLocator, INodeParameters } from 'n8n-workflow';

import { AsanaAttachmentApi } from '../../../credentials/AsanaAttachmentApi.credentials';
import { AsanaAttachmentOAuth2Api } from '../../../credentials/AsanaAttachmentOAuth2Api.credentials';
import { AsanaAttachment } from '../../../nodes/AsanaAttachment/AsanaAttachment.node';
import { asTool, toolType } from '../../support/tool';
import { runListSearch, runNode, runWorkflow } from '../../support/n8n-harness';
import type { HarnessItem, HarnessWorkflow, RunNodeResult } from '../../support/n8n-harness';
import { expectRequestsConform, header, useEmulator } from '../../support/emulator';
import { SPEC_FILES, loadSpecValidator, requireSpecs } from '../../support/spec';
import type { SpecValidator } from '../../support/spec';
import {
	DEFAULT_OAUTH_ACCESS_TOKEN,
	DEFAULT_PERSONAL_ACCESS_TOKEN,
	DEFAULT_REFRESH_TOKEN,
	startAsanaServer,
} from '../../../sandbox/asana/server';
import type { AsanaServer, AsanaServerOptions, RecordedRequest } from '../../../sandbox/asana/server';

export const NODE_TYPE = 'n8n-nodes-attachments.asanaAttachment';
export const CLIENT_ID = 'asana-test-client-id';
export const CLIENT_SECRET = 'sentinel-asana-client-secret-8d2e4f';
export const SECRETS = [DEFAULT_PERSONAL_ACCESS_TOKEN, DEFAULT_OAUTH_ACCESS_TOKEN, DEFAULT_REFRESH_TOKEN, CLIENT_SECRET];

export type Auth = 'accessToken' | 'oAuth2';

export function tokenCredentials(server: AsanaServer, accessToken = DEFAULT_PERSONAL_ACCESS_TOKEN): ICredentialDataDecryptedObject {
	return { accessToken, baseUrl: server.url };
}

export function oauthCredentials(server: AsanaServer, accessToken = DEFAULT_OAUTH_ACCESS_TOKEN): ICredentialDataDecryptedObject {
	return {
		grantType: 'authorizationCode',
		authUrl: server.authorizeUrl,
		accessTokenUrl: server.tokenUrl,
		clientId: CLIENT_ID,
		clientSecret: CLIENT_SECRET,
		scope: 'attachments:read attachments:write attachments:delete workspaces:read workspaces.typeahead:read webhooks:read webhooks:write webhooks:delete',
		authQueryParameters: '',
		authentication: 'body',
		baseUrl: server.url,
		oauthTokenData: { access_token: accessToken, refresh_token: DEFAULT_REFRESH_TOKEN, token_type: 'bearer' },
	};
}

export function credentialsFor(server: AsanaServer, auth: Auth): Record<string, ICredentialDataDecryptedObject> {
	return auth === 'oAuth2'
		? { asanaAttachmentOAuth2Api: oauthCredentials(server) }
		: { asanaAttachmentApi: tokenCredentials(server) };
}

export const nodeTypes = () => [new AsanaAttachment()];
export const credentialTypes = () => [new AsanaAttachmentApi(), new AsanaAttachmentOAuth2Api()];

export interface RunAsanaOptions {
	input?: HarnessItem[];
	continueOnFail?: boolean;
	auth?: Auth;
	/** Replaces the credentials made for `auth`. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Run the node as an AI agent's tool runs it (type `…asanaAttachmentTool`, see test/support/tool.ts). */
	asTool?: boolean;
}

/** `{ __rl: true, mode, value }` of a resource locator. */
export function locator(value: string, mode: 'id' | 'url' | 'list' = 'id'): INodeParameterResourceLocator {
	return { __rl: true, mode, value };
}

export async function runAsana(server: AsanaServer, parameters: INodeParameters, options: RunAsanaOptions = {}): Promise<RunNodeResult> {
	const auth = options.auth ?? 'accessToken';
	return await runNode({
		nodeTypes: options.asTool ? nodeTypes().map(asTool) : nodeTypes(),
		credentialTypes: credentialTypes(),
		node: {
			type: options.asTool ? toolType(NODE_TYPE) : NODE_TYPE,
			parameters: { authentication: auth, resource: 'attachment', ...parameters },
			continueOnFail: options.continueOnFail,
		},
		input: options.input,
		credentials: options.credentials ?? credentialsFor(server, auth),
	});
}

export async function runParentSearch(server: AsanaServer, filter?: string, auth: Auth = 'accessToken') {
	return await runListSearch({
		nodeTypes: nodeTypes(),
		credentialTypes: credentialTypes(),
		node: { type: NODE_TYPE, parameters: { authentication: auth, resource: 'attachment', operation: 'getAll' } },
		credentials: credentialsFor(server, auth),
		method: 'searchParents',
		filter,
	});
}

/** Runs a workflow fixture of `workflows/` with its Asana node's parameters overridden. */
export async function runAsanaWorkflow(server: AsanaServer, fixture: string, overrides: IDataObject = {}) {
	const workflow = JSON.parse(fs.readFileSync(path.join(__dirname, 'workflows', fixture), 'utf8')) as HarnessWorkflow;
	const node = workflow.nodes.find((candidate) => candidate.type === NODE_TYPE);
	if (!node) throw new Error(`${fixture} has no Asana Attachment node`);
	node.parameters = { ...node.parameters, ...overrides } as INodeParameters;
	const auth = (node.parameters.authentication as Auth | undefined) ?? 'accessToken';
	const result = await runWorkflow(workflow, {
		nodeTypes: nodeTypes(),
		credentialTypes: credentialTypes(),
		credentials: credentialsFor(server, auth),
	});
	return { ...result, output: result.error ? [] : result.outputOf(node.name) };
}

export const startServer = startAsanaServer;

/** Loads Asana's spec (attachment, user and workspace paths) unless it is missing outside CI. */
export async function loadAsanaValidator(): Promise<SpecValidator | undefined> {
	if (!requireSpecs([SPEC_FILES.asana], 'Asana spec conformance checks')) return undefined;
	return await loadSpecValidator(SPEC_FILES.asana, {
		paths: ['/attachments', '/attachments/{attachment_gid}', '/users/{user_gid}', '/workspaces', '/workspaces/{workspace_gid}/typeahead'],
	});
}

/** Every API request the emulator received (OAuth token calls aside) must be one Asana's spec accepts. */
export function expectConformingRequests(validator: SpecValidator | undefined, requests: RecordedRequest[]): void {
	if (validator) expectRequestsConform(requests, (request) => (request.path.startsWith('/api/1.0/') ? validator : undefined));
}

export { header };

/**
 * The Asana emulator of a test file (or describe block): started before its tests, reset before
 * each, every API request of each checked against Asana's spec, closed after them.
 */
export const useAsanaEmulator = (options: AsanaServerOptions = {}): AsanaServer =>
	useEmulator({ name: 'Asana', start: () => startAsanaServer(options), loadSpecs: loadAsanaValidator, expectConforming: (validator, server) => expectConformingRequests(validator, server.requests) });

/** The API requests as `METHOD target` lines. */
export function targets(requests: RecordedRequest[]): string[] {
	return requests.map((request) => `${request.method} ${request.url}`);
}
