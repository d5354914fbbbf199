/**
 * Shared set-up of the Sunshine Conversations integration tests: the local Sunshine emulator, the
 * two credentials pointing at it, a runner for the node through n8n's real execution code, the
 * spec check of every request the emulator received, and an independent JWT check.
 */
import { createHmac } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { SunshineConversationsAttachmentApi } from '../../../credentials/SunshineConversationsAttachmentApi.credentials';
import { SunshineConversationsAttachmentJwtApi } from '../../../credentials/SunshineConversationsAttachmentJwtApi.credentials';
import { SunshineConversationsAttachment } from '../../../nodes/SunshineConversationsAttachment/SunshineConversationsAttachment.node';
import { runNode, runWorkflow } from '../../support/n8n-harness';
import type { HarnessItem, HarnessWorkflow, RunNodeResult } from '../../support/n8n-harness';
import { expectRequestsConform, header, useEmulator } from '../../support/emulator';
import { SPEC_FILES, loadSpecValidator, requireSpecs } from '../../support/spec';
import type { SpecValidator } from '../../support/spec';
import { DEFAULT_APP, DEFAULT_APP_KEY, startSunshineServer } from '../../../sandbox/sunshine/server';
import type { RecordedRequest, SunshineKey, SunshineServer, SunshineServerOptions } from '../../../sandbox/sunshine/server';

export const NODE_TYPE = 'n8n-nodes-attachments.sunshineConversationsAttachment';
export const APP_ID = DEFAULT_APP.id;
export const BASIC = 'sunshineConversationsAttachmentApi';
export const JWT = 'sunshineConversationsAttachmentJwtApi';
export type Authentication = 'apiKey' | 'jwt';

export const nodeTypes = () => [new SunshineConversationsAttachment()];
export const credentialTypes = () => [new SunshineConversationsAttachmentApi(), new SunshineConversationsAttachmentJwtApi()];

/** A credential of either type aimed at the emulator (region "Custom URL"). */
export function sunshineCredentials(
	server: SunshineServer,
	key: SunshineKey = DEFAULT_APP_KEY,
	overrides: ICredentialDataDecryptedObject = {},
): ICredentialDataDecryptedObject {
	return { region: 'custom', baseUrl: server.url, keyId: key.id, secret: key.secret, appId: key.appId ?? '', ...overrides };
}

export interface RunSunshineOptions {
	input?: HarnessItem[];
	continueOnFail?: boolean;
	authentication?: Authentication;
	/** The key both credentials carry (default: the app key of DEFAULT_APP). */
	key?: SunshineKey;
	/** Replaces the credential data of both types. */
	credentials?: ICredentialDataDecryptedObject;
}

export async function runSunshine(server: SunshineServer, parameters: INodeParameters, options: RunSunshineOptions = {}): Promise<RunNodeResult> {
	const credentials = options.credentials ?? sunshineCredentials(server, options.key);
	return await runNode({
		nodeTypes: nodeTypes(),
		credentialTypes: credentialTypes(),
		node: {
			type: NODE_TYPE,
			parameters: {
				authentication: options.authentication ?? 'apiKey',
				resource: 'attachment',
				appId: { __rl: true, mode: 'id', value: APP_ID },
				...parameters,
			},
			continueOnFail: options.continueOnFail,
		},
		input: options.input,
		credentials: { [BASIC]: credentials, [JWT]: credentials },
	});
}

/** Runs a workflow fixture of `workflows/` with the parameters of its Sunshine node(s) overridden. */
export async function runSunshineWorkflow(server: SunshineServer, fixture: string, overrides: IDataObject = {}) {
	const workflow = JSON.parse(fs.readFileSync(path.join(__dirname, 'workflows', fixture), 'utf8')) as HarnessWorkflow;
	const nodes = workflow.nodes.filter((candidate) => candidate.type === NODE_TYPE);
	if (nodes.length === 0) throw new Error(`${fixture} has no Sunshine Conversations Attachment node`);
	for (const node of nodes) node.parameters = { ...node.parameters, ...overrides } as INodeParameters;
	const credentials = sunshineCredentials(server);
	const result = await runWorkflow(workflow, {
		nodeTypes: nodeTypes(),
		credentialTypes: credentialTypes(),
		credentials: { [BASIC]: credentials, [JWT]: credentials },
	});
	const last = nodes[nodes.length - 1];
	return { ...result, output: result.error ? [] : result.outputOf(last.name) };
}

export const startServer = startSunshineServer;

export interface SunshineValidators {
	current: SpecValidator;
	legacy: SpecValidator;
}

/** The current spec (upload, remove, apps) and the v12.8.0 one (media token, cookie), attachment and app paths only. */
export async function loadSunshineValidators(): Promise<SunshineValidators | undefined> {
	if (!requireSpecs([SPEC_FILES.sunshine, SPEC_FILES.sunshineLegacy], 'Sunshine Conversations spec conformance checks')) return undefined;
	const current = await loadSpecValidator(SPEC_FILES.sunshine, { paths: /^\/v2\/apps(\/\{appId\}(\/attachments(\/remove)?)?)?$/ });
	const legacy = await loadSpecValidator(SPEC_FILES.sunshineLegacy, { paths: /^\/v2\/apps\/\{appId\}\/attachments\/(token|cookie)$/ });
	return { current, legacy };
}

const LEGACY_PATH = /\/attachments\/(token|cookie)$/;

/** Every API request the emulator received must be one the spec of its call accepts. */
export function expectConformingRequests(validators: SunshineValidators | undefined, requests: RecordedRequest[]): void {
	if (!validators) return;
	expectRequestsConform(requests, (request) => {
		if (request.path.startsWith('/media/')) return undefined; // the media host, not the API
		if (!LEGACY_PATH.test(request.path)) return validators.current;
		// The v12.8.0 spec predates the Zendesk host (and its /sc prefix).
		return { validator: validators.legacy, as: request.url.startsWith('/sc/') ? { ...request, url: request.url.slice('/sc'.length) } : request };
	});
}

export { header };

/**
 * The Sunshine Conversations emulator of a test file (or describe block): started before its
 * tests, reset before each, every API request of each checked against the spec of its call
 * (current, or v12.8.0 for media tokens and cookies), closed after them.
 */
export const useSunshineEmulator = (options: SunshineServerOptions = {}): SunshineServer =>
	// Two specs, the current one of 3 MB: slow to load in a busy jest worker.
	useEmulator({ name: 'Sunshine Conversations', start: () => startSunshineServer(options), loadSpecs: loadSunshineValidators, expectConforming: (validators, server) => expectConformingRequests(validators, server.requests), setupTimeoutMs: 120_000 });

/** `Basic base64(keyId:secret)`. */
export function basicHeader(key: SunshineKey): string {
	return `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}`;
}

/**
 * Checks a Bearer JWT independently of the node and the emulator: exactly the header
 * `{ alg: HS256, typ: JWT, kid }` and the payload `{ scope, iat, exp }` (issued now, valid five
 * minutes), HMAC-SHA256 signed with the secret.
 */
export function expectSunshineJwt(authorization: string | undefined, key: SunshineKey, scope: 'app' | 'account' = key.scope): void {
	const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization ?? '');
	expect(match).not.toBeNull();
	const [, header64, payload64, signature] = match!;
	expect(JSON.parse(Buffer.from(header64, 'base64url').toString('utf8'))).toEqual({ alg: 'HS256', typ: 'JWT', kid: key.id });
	const payload = JSON.parse(Buffer.from(payload64, 'base64url').toString('utf8')) as { iat: number };
	expect(payload).toEqual({ scope, iat: expect.any(Number), exp: payload.iat + 300 });
	expect(Math.abs(payload.iat - Date.now() / 1000)).toBeLessThan(120);
	const expected = createHmac('sha256', key.secret).update(`${header64}.${payload64}`).digest('base64url');
	expect(signature).toBe(expected);
}

/** Authorization as the given authentication sends it for the key. */
export function expectAuthorization(request: RecordedRequest, authentication: Authentication, key: SunshineKey = DEFAULT_APP_KEY): void {
	if (authentication === 'apiKey') expect(header(request, 'authorization')).toBe(basicHeader(key));
	else expectSunshineJwt(header(request, 'authorization'), key);
}

/** GETs a URL of the emulator (e.g. a media URL) with Node's own client. */
export async function fetchLocal(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
	if (!url.startsWith('http://127.0.0.1:')) throw new Error(`Refusing to fetch ${url}: tests only talk to 127.0.0.1`);
	const response = await fetch(url, { headers });
	return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}
