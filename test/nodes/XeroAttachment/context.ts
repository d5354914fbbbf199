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
import { SPEC_FILES, loadSpecValidator, requireSpecs } from '../../support/spec';
import type { SpecValidator } from '../../support/spec';
import { DEFAULT_ACCESS_TOKEN, DEFAULT_REFRESH_TOKEN, DEFAULT_TENANT, startXeroServer } from '../../../sandbox/xero/server';
import type { RecordedRequest, XeroServer } from '../../../sandbox/xero/server';

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

export async function startServer(): Promise<XeroServer> {
	return await startXeroServer({ defaultFormat: 'xml' });
}

/** Loads the Xero specs (attachment and identity paths only) unless they are missing outside CI. */
export async function loadXeroValidators(): Promise<{ accounting: SpecValidator; identity: SpecValidator } | undefined> {
	if (!requireSpecs([SPEC_FILES.xeroAccounting, SPEC_FILES.xeroIdentity], 'Xero spec conformance checks')) return undefined;
	const accounting = await loadSpecValidator(SPEC_FILES.xeroAccounting, { paths: /Attachments/ });
	const identity = await loadSpecValidator(SPEC_FILES.xeroIdentity, { serverPrefix: '' });
	return { accounting, identity };
}

/** Every request the emulator received must be one Xero's spec accepts. */
export function expectConformingRequests(
	validators: { accounting: SpecValidator; identity: SpecValidator } | undefined,
	requests: RecordedRequest[],
): void {
	if (!validators) return;
	for (const request of requests) {
		const validator = request.path.toLowerCase().startsWith('/connections') ? validators.identity : validators.accounting;
		const violations = validator.validate(request);
		expect({ request: `${request.method} ${request.url}`, violations }).toEqual({
			request: `${request.method} ${request.url}`,
			violations: [],
		});
	}
}

export function header(request: RecordedRequest, name: string): string | undefined {
	const value = request.headers[name.toLowerCase()];
	return Array.isArray(value) ? value.join(', ') : value;
}
