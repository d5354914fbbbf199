/**
 * Shared set-up of the Xero integration tests: the local Xero emulator, the credential pointing
 * at it, a runner for the node through n8n's real execution code, and the spec check of every
 * request the emulator received.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { XeroAttachmentOAuth2Api } from '../../../credentials/XeroAttachmentOAuth2Api.credentials';
import { XeroAttachment } from '../../../nodes/XeroAttachment/XeroAttachment.node';
import { asTool, toolType } from '../../support/tool';
import { runNode, runWorkflow } from '../../support/n8n-harness';
import type { HarnessItem, HarnessWorkflow, RunNodeResult } from '../../support/n8n-harness';
import { expectRequestsConform, header, useEmulator } from '../../support/emulator';
import { SPEC_FILES, loadSpecValidator, requireSpecs } from '../../support/spec';
import type { SpecValidator } from '../../support/spec';
import { DEFAULT_ACCESS_TOKEN, DEFAULT_REFRESH_TOKEN, DEFAULT_TENANT, startXeroServer } from '../../../sandbox/xero/server';
import type { RecordedRequest, XeroServer, XeroServerOptions } from '../../../sandbox/xero/server';

export const TENANT_ID = DEFAULT_TENANT.tenantId;
export const CLIENT_SECRET = 'sentinel-client-secret-5f1c2b';
export const NODE_TYPE = 'n8n-nodes-attachments.xeroAttachment';

export function xeroCredentials(server: XeroServer, accessToken = DEFAULT_ACCESS_TOKEN): ICredentialDataDecryptedObject {
	return {
		grantType: 'authorizationCode',
		authUrl: `${server.url}/identity/connect/authorize`,
		accessTokenUrl: server.tokenUrl,
		clientId: 'test-client-id',
		clientSecret: CLIENT_SECRET,
		scope: 'offline_access accounting.attachments',
		authQueryParameters: '',
		authentication: 'header',
		baseUrl: server.url,
		oauthTokenData: { access_token: accessToken, refresh_token: DEFAULT_REFRESH_TOKEN, token_type: 'Bearer' },
	};
}

export interface RunXeroOptions {
	input?: HarnessItem[];
	continueOnFail?: boolean;
	credentials?: ICredentialDataDecryptedObject;
	/** Run the node as an AI agent's tool runs it (type `…xeroAttachmentTool`, see test/support/tool.ts). */
	asTool?: boolean;
}

export async function runXero(server: XeroServer, parameters: INodeParameters, options: RunXeroOptions = {}): Promise<RunNodeResult> {
	return await runNode({
		nodeTypes: [options.asTool ? asTool(new XeroAttachment()) : new XeroAttachment()],
		credentialTypes: [new XeroAttachmentOAuth2Api()],
		node: {
			type: options.asTool ? toolType(NODE_TYPE) : NODE_TYPE,
			parameters: { tenantId: { __rl: true, mode: 'id', value: TENANT_ID }, ...parameters },
			continueOnFail: options.continueOnFail,
		},
		input: options.input,
		credentials: { xeroAttachmentOAuth2Api: options.credentials ?? xeroCredentials(server) },
	});
}

/** Runs a workflow fixture of `workflows/` with its Xero node's parameters overridden. */
export async function runXeroWorkflow(server: XeroServer, fixture: string, overrides: IDataObject = {}) {
	const workflow = JSON.parse(fs.readFileSync(path.join(__dirname, 'workflows', fixture), 'utf8')) as HarnessWorkflow;
	const node = workflow.nodes.find((candidate) => candidate.type === NODE_TYPE);
	if (!node) throw new Error(`${fixture} has no Xero Attachment node`);
	node.parameters = { ...node.parameters, ...overrides } as INodeParameters;
	const result = await runWorkflow(workflow, {
		nodeTypes: [new XeroAttachment()],
		credentialTypes: [new XeroAttachmentOAuth2Api()],
		credentials: { xeroAttachmentOAuth2Api: xeroCredentials(server) },
	});
	return { ...result, output: result.error ? [] : result.outputOf(node.name) };
}

export async function startServer(options: XeroServerOptions = {}): Promise<XeroServer> {
	return await startXeroServer({ defaultFormat: 'xml', ...options });
}

/** Loads the Xero specs (attachment and identity paths only) unless they are missing outside CI. */
export async function loadXeroValidators(): Promise<{ accounting: SpecValidator; identity: SpecValidator } | undefined> {
	if (!requireSpecs([SPEC_FILES.xeroAccounting, SPEC_FILES.xeroIdentity], 'Xero spec conformance checks')) return undefined;
	const accounting = await loadSpecValidator(SPEC_FILES.xeroAccounting, { paths: /Attachments/ });
	const identity = await loadSpecValidator(SPEC_FILES.xeroIdentity, { serverPrefix: '' });
	return { accounting, identity };
}

/**
 * Every request the emulator received must be one Xero's specs accept; the OAuth token endpoint
 * (`/identity/connect/token`, n8n's refresh) is in neither spec: the tests check those requests.
 */
export function expectConformingRequests(
	validators: { accounting: SpecValidator; identity: SpecValidator } | undefined,
	requests: RecordedRequest[],
): void {
	if (!validators) return;
	expectRequestsConform(requests, (request) => {
		const pathname = request.path.toLowerCase();
		if (pathname.startsWith('/identity/')) return undefined;
		return pathname.startsWith('/connections') ? validators.identity : validators.accounting;
	});
}

export { header };

/**
 * The Xero emulator of a test file (or describe block), answering XML unless asked for JSON as
 * Xero does: started before its tests, reset before each, every request of each checked against
 * Xero's specs, closed after them.
 */
export const useXeroEmulator = (options: XeroServerOptions = {}): XeroServer =>
	useEmulator({ name: 'Xero', start: () => startServer(options), loadSpecs: loadXeroValidators, expectConforming: (validators, server) => expectConformingRequests(validators, server.requests) });
