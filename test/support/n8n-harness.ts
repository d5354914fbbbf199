/**
 * Integration-test harness: runs nodes through n8n-core's real `WorkflowExecute`, with the real
 * `this.helpers` (HTTP, auth, OAuth2 refresh, binary store), against servers on 127.0.0.1.
 *
 * What is real: WorkflowExecute, ExecuteContext and all its helpers, OutboundHttp (axios),
 * requestOAuth2 + @n8n/client-oauth2 token refresh, LockService, BinaryDataService in
 * filesystem mode, n8n-workflow's expression engine and parameter defaults.
 * What is ours: the credentials store/helper (n8n's lives in packages/cli and needs a DB),
 * the logger/error reporter sinks, a start node and a "Fixture Source" node, and the
 * `oAuth2Api` base credential type (it lives in n8n-nodes-base, which we don't have).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';

import {
	BinaryDataConfig,
	BinaryDataService,
	ExecutionLifecycleHooks,
	InstanceSettings,
	LoadOptionsContext,
	PollContext,
	TriggersAndPollers,
	WorkflowExecute,
	getAdditionalKeys,
} from 'n8n-core';
import {
	ICredentialsHelper,
	LoggerProxy,
	NodeHelpers,
	UnexpectedError,
	Workflow,
	createRunExecutionData,
	getCredentialOwnRequestAllowedDomains,
	isExpression,
} from 'n8n-workflow';
import type {
	CredentialInformation,
	IBinaryData,
	IConnections,
	ICredentialDataDecryptedObject,
	ICredentialType,
	ICredentials,
	ICredentialsExpressionResolveValues,
	IDataObject,
	IExecuteData,
	IExecuteFunctions,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentials,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeListSearchResult,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IRun,
	IRunData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
	Logger as WorkflowLogger,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { optionsProperty } from './test-node';

/*
 * n8n-core has its OWN nested copies of @n8n/di and @n8n/backend-common
 * (node_modules/n8n-core/node_modules/...), different versions from the top-level ones.
 * A DI registration only counts if it uses n8n-core's `Container` and n8n-core's class
 * objects as keys, so resolve these two packages from n8n-core's directory. (Jest's
 * `require.resolve(id, { paths })` keeps us inside Jest's module registry, so the instances
 * are the very ones n8n-core loaded.)
 */
const coreDir = path.dirname(require.resolve('n8n-core'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fromCore = (id: string): unknown => require(require.resolve(id, { paths: [coreDir] }));
const { Container } = fromCore('@n8n/di') as typeof import('@n8n/di');
const { Logger } = fromCore('@n8n/backend-common') as typeof import('@n8n/backend-common');

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface HarnessBinaryInput {
	/** Raw bytes (a string is taken as UTF-8 text, handy in workflow JSON fixtures). */
	data?: Buffer | string;
	filePath?: string;
	/** Deterministic pseudo-random bytes, streamed chunk by chunk (see `generatedStats`). */
	generate?: { size: number; seed?: number };
	fileName?: string;
	mimeType?: string;
}
export interface HarnessItem {
	json?: IDataObject;
	binary?: Record<string, HarnessBinaryInput>;
}
export interface RunNodeOptions {
	/** Node classes, registered under `description.name` (a `package.` prefix on a type is ignored). */
	nodeTypes: Array<INodeType | IVersionedNodeType> | Record<string, INodeType | IVersionedNodeType>;
	credentialTypes: ICredentialType[];
	node: {
		type: string;
		parameters: INodeParameters;
		/** Default: one `{ id, name }` per credential type the node declares and `credentials` has. */
		credentials?: INodeCredentials;
		continueOnFail?: boolean;
		name?: string;
		typeVersion?: number;
	};
	/** Items fed into the node under test (default: one empty item). */
	input?: HarnessItem[];
	/** Decrypted credential data by credential TYPE name. Copied; the copy is `credentialsStore`. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
}
export interface HarnessLogEntry {
	level: string;
	message: string;
	meta?: unknown;
}
export interface RunNodeResult {
	/** Output 0 of the node under test (empty when it failed). */
	items: INodeExecutionData[];
	/** The error the node threw (the instance itself when it came from `execute`), if the run failed. */
	error?: Error;
	run: IRun;
	/** The credential store after the run: OAuth2 refreshes and preAuthentication land here. */
	credentialsStore: Record<string, ICredentialDataDecryptedObject>;
	/** Everything n8n logged (DI Logger, LoggerProxy, ErrorReporter's log fallback) during the run. */
	logs: HarnessLogEntry[];
}
export interface HarnessWorkflow {
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
}
export interface RunWorkflowResult {
	run: IRun;
	/** Output 0 of the last run of `nodeName` ([] if it did not run or produced nothing). */
	outputOf(nodeName: string): INodeExecutionData[];
	error?: Error;
	credentialsStore: Record<string, ICredentialDataDecryptedObject>;
	logs: HarnessLogEntry[];
}

/*
 * Webhook triggers (their webhookMethods and webhook, and the execution a delivery starts) run
 * through n8n-core's HookContext and WebhookContext in test/support/n8n-webhooks.ts, which
 * uses the set-up, node types, credentials and additional data exported here.
 */

/** Type of the harness start node; `n8n-nodes-base.manualTrigger` is mapped to it too. */
export const START_NODE_TYPE = 'harnessStart';
/** Type of the node that emits `HarnessItem`s (in JSON fixtures: parameter `items`). */
export const FIXTURE_SOURCE_NODE_TYPE = 'harnessFixtureSource';

// ---------------------------------------------------------------------------------------------
// Logging: one capturing sink for n8n's DI Logger and LoggerProxy.
// AsyncLocalStorage routes each entry to the run that caused it, even if runs overlap.
// ---------------------------------------------------------------------------------------------

export const runContext = new AsyncLocalStorage<HarnessLogEntry[]>();
/** Log entries emitted outside any run (e.g. during setup). */
export const orphanLogs: HarnessLogEntry[] = [];

function record(level: string, message: unknown, meta?: unknown) {
	const entry: HarnessLogEntry = { level, message: String(message) };
	if (meta !== undefined) entry.meta = meta;
	(runContext.getStore() ?? orphanLogs).push(entry);
}

const capturingLogger = {
	error: (message: string, meta?: unknown) => record('error', message, meta),
	warn: (message: string, meta?: unknown) => record('warn', message, meta),
	info: (message: string, meta?: unknown) => record('info', message, meta),
	debug: (message: string, meta?: unknown) => record('debug', message, meta),
	scoped: () => capturingLogger,
};

/** All log entries as one string (messages and meta, deep-inspected) to search for secrets. */
export function logsText(logs: HarnessLogEntry[]): string {
	return logs
		.map((l) => `${l.level} ${l.message} ${l.meta === undefined ? '' : inspect(l.meta, { depth: 8 })}`)
		.join('\n');
}

// ---------------------------------------------------------------------------------------------
// One-time n8n-core setup (per Jest module registry, i.e. per test file)
// ---------------------------------------------------------------------------------------------

const harnessDir = mkdtempSync(path.join(tmpdir(), 'n8n-harness-'));
/** Where BinaryDataService (filesystem mode) keeps binaries for this test file. */
export const binaryDataDir = path.join(harnessDir, 'binary-data');
if (typeof afterAll === 'function') {
	afterAll(() => rmSync(harnessDir, { recursive: true, force: true }));
}

let setupPromise: Promise<void> | undefined;

/**
 * The binary stores n8n-core itself provides: `filesystem` (streams to disk) and `default`
 * (n8n's deprecated in-memory mode: the whole file as base64 in the item, read with `data`/`end`
 * listeners like the database store of n8n's cli package, which the e2e suite runs).
 */
export const CORE_BINARY_MODES = ['filesystem', 'default'] as const;
export type CoreBinaryMode = (typeof CORE_BINARY_MODES)[number];
let currentBinaryMode: CoreBinaryMode = 'filesystem';

/**
 * Switches the binary store of this test file's n8n-core (BinaryDataService is a singleton; its
 * init() picks the mode again). Applies to the runs started after it.
 */
export async function useBinaryDataMode(mode: CoreBinaryMode): Promise<void> {
	currentBinaryMode = mode;
	await setupN8nCore();
	Container.get(BinaryDataConfig).mode = mode;
	await Container.get(BinaryDataService).init();
}

export function setupN8nCore(): Promise<void> {
	setupPromise ??= (async () => {
		LoggerProxy.init(capturingLogger as unknown as WorkflowLogger);
		Container.set(Logger, capturingLogger as unknown as InstanceType<typeof Logger>);

		// The real InstanceSettings reads/creates ~/.n8n/config on construction. Every
		// ExecuteContext asks for it; these are the fields the execution path reads.
		const n8nFolder = path.join(harnessDir, '.n8n');
		mkdirSync(n8nFolder, { recursive: true });
		const instanceSettings = {
			n8nFolder,
			staticCacheDir: path.join(harnessDir, 'cache'),
			instanceId: 'harness-instance',
			hmacSignatureSecret: 'harness-hmac-secret',
			encryptionKey: 'harness-encryption-key',
			instanceType: 'main',
			instanceRole: 'leader',
			isLeader: true,
		};
		Container.set(InstanceSettings, instanceSettings as unknown as InstanceSettings);

		// BinaryDataConfig's constructor also needs InstanceSettings & friends; hand it the values
		// directly. `mode: 'filesystem'` is what makes prepareBinaryData write to disk.
		const binaryDataConfig = {
			mode: currentBinaryMode,
			availableModes: ['filesystem'],
			localStoragePath: binaryDataDir,
			signingSecret: 'harness-signing-secret',
			dbMaxFileSize: 512,
		} as unknown as BinaryDataConfig;
		Container.set(BinaryDataConfig, binaryDataConfig);
		await Container.get(BinaryDataService).init();
		// Everything else n8n-core asks the Container for (ErrorReporter, OutboundHttp, LockService
		// for OAuth2 refresh, ExecutionContextService, ...) is constructed for real by the Container.
		// ErrorReporter without Sentry init logs reported errors through the Logger, so they land
		// in `logs` exactly as n8n would log them.
	})();
	return setupPromise;
}

// ---------------------------------------------------------------------------------------------
// Deterministic generated bytes (AES-256-CTR keystream: fast, native, any chunking gives the same bytes)
// ---------------------------------------------------------------------------------------------

const GENERATE_CHUNK = 64 * 1024;

async function* generateChunks(size: number, seed = 1): AsyncGenerator<Buffer> {
	const key = createHash('sha256').update(`n8n-harness-seed:${seed}`).digest();
	const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
	const zeros = Buffer.alloc(GENERATE_CHUNK);
	for (let remaining = size; remaining > 0; remaining -= GENERATE_CHUNK) {
		const n = Math.min(GENERATE_CHUNK, remaining);
		yield cipher.update(n === GENERATE_CHUNK ? zeros : zeros.subarray(0, n));
	}
}

/** A readable stream of `size` deterministic pseudo-random bytes for `seed`; never held in memory. */
export function generatedStream(size: number, seed = 1): Readable {
	return Readable.from(generateChunks(size, seed));
}

/** Size and sha256 (hex) of `generatedStream(size, seed)`, computed chunk-wise. */
export async function generatedStats(size: number, seed = 1): Promise<{ size: number; sha256: string }> {
	return await streamStats(generatedStream(size, seed));
}

/** Size and sha256 (hex) of any readable stream, without buffering it. */
export async function streamStats(
	stream: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
): Promise<{ size: number; sha256: string }> {
	const hash = createHash('sha256');
	let size = 0;
	for await (const chunk of stream) {
		const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
		hash.update(buf);
		size += buf.length;
	}
	return { size, sha256: hash.digest('hex') };
}

/**
 * Runs `fn` while sampling `process.memoryUsage().arrayBuffers` (where Buffers live) and returns
 * the peak growth over the value at the start. Whole-file buffering shows up as a peak of at least
 * the file size; GC lag adds a few tens of MiB of noise, so use files of 128 MiB or more.
 */
export async function withMemoryPeak<T>(fn: () => Promise<T>, intervalMs = 2): Promise<{ result: T; peakBytes: number }> {
	const base = process.memoryUsage().arrayBuffers;
	let peak = 0;
	const sample = () => {
		peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
	};
	const timer = setInterval(sample, intervalMs);
	try {
		const result = await fn();
		sample();
		return { result, peakBytes: peak };
	} finally {
		clearInterval(timer);
	}
}

// ---------------------------------------------------------------------------------------------
// Reading output binaries back
// ---------------------------------------------------------------------------------------------

async function binaryReadable(binary: IBinaryData): Promise<Readable> {
	if (binary.id) {
		await setupN8nCore();
		return await Container.get(BinaryDataService).getAsStream(binary.id);
	}
	return Readable.from([Buffer.from(binary.data, 'base64')]);
}

/** The bytes of an output binary, from n8n's binary data store (or inline base64 if it has no id). */
export async function readBinary(binary: IBinaryData): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of await binaryReadable(binary)) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** Size and sha256 of an output binary, streamed from the store. */
export async function binaryStats(binary: IBinaryData): Promise<{ size: number; sha256: string }> {
	return await streamStats(await binaryReadable(binary));
}

// ---------------------------------------------------------------------------------------------
// Harness node types
// ---------------------------------------------------------------------------------------------

/** Stand-in for n8n's Manual Trigger: a trigger-group node that passes its seed item on. */
class HarnessStart implements INodeType {
	description = {
		displayName: 'Harness Start',
		name: START_NODE_TYPE,
		group: ['trigger'],
		version: 1,
		description: 'Start node of harness workflows',
		defaults: { name: 'Start' },
		inputs: [],
		outputs: ['main'],
		properties: [],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

function binaryInputStream(input: HarnessBinaryInput): Readable {
	if (input.generate) return generatedStream(input.generate.size, input.generate.seed);
	if (input.filePath) return createReadStream(input.filePath);
	if (input.data !== undefined) {
		return Readable.from([typeof input.data === 'string' ? Buffer.from(input.data, 'utf8') : input.data]);
	}
	throw new UnexpectedError('Harness binary input needs one of data, filePath or generate');
}

/**
 * Emits HarnessItems; every binary goes through the real `prepareBinaryData(stream, ...)`, so
 * it lands in the filesystem store exactly as a download would. Items come from `runNode`'s
 * `input` (closure, may hold Buffers) or, in workflow JSON fixtures, from parameter `items`.
 */
function fixtureSourceNode(closureItems?: HarnessItem[]): INodeType {
	return {
		description: {
			displayName: 'Fixture Source',
			name: FIXTURE_SOURCE_NODE_TYPE,
			group: ['transform'],
			version: 1,
			description: 'Emits harness input items',
			defaults: { name: 'Fixture Source' },
			inputs: ['main'],
			outputs: ['main'],
			properties: [{ displayName: 'Items', name: 'items', type: 'json', default: [] }],
		} as unknown as INodeType['description'],
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const items = closureItems ?? (this.getNodeParameter('items', 0, []) as unknown as HarnessItem[]);
			const out: INodeExecutionData[] = [];
			for (const item of items) {
				const binary: Record<string, IBinaryData> = {};
				for (const [key, input] of Object.entries(item.binary ?? {})) {
					binary[key] = await this.helpers.prepareBinaryData(
						binaryInputStream(input),
						input.fileName ?? input.filePath,
						input.mimeType,
					);
					// prepareBinaryData only sets fileName from its filePath argument.
					if (input.fileName) binary[key].fileName = input.fileName;
				}
				out.push({
					json: item.json ?? {},
					...(item.binary ? { binary } : {}),
					pairedItem: { item: 0 },
				});
			}
			return [out];
		},
	};
}

export type AnyNodeType = INodeType | IVersionedNodeType;

/** INodeTypes over a plain map. Also records the original error a node's `execute` throws. */
export class HarnessNodeTypes implements INodeTypes {
	private readonly wrapped = new Map<INodeType, INodeType>();

	constructor(
		private readonly types: Map<string, AnyNodeType>,
		private readonly thrown: Map<string, Error>,
	) {}

	getByName(type: string): AnyNodeType {
		const found = this.types.get(type) ?? this.types.get(type.slice(type.lastIndexOf('.') + 1));
		if (!found) throw new UnexpectedError(`Harness: unknown node type "${type}"`);
		return found;
	}

	getByNameAndVersion(type: string, version?: number): INodeType {
		const nodeType = NodeHelpers.getVersionedNodeType(this.getByName(type), version);
		const execute = nodeType.execute;
		if (typeof execute !== 'function') return nodeType;
		let wrapper = this.wrapped.get(nodeType);
		if (!wrapper) {
			// n8n records a node's error as a plain-object copy ({ ...error }); keep the instance so
			// tests can check its class. `apply` keeps both calling conventions n8n-core uses.
			const thrown = this.thrown;
			wrapper = Object.create(nodeType) as INodeType;
			wrapper.execute = async function (this: IExecuteFunctions, ...args: unknown[]) {
				try {
					return await (execute as (...a: unknown[]) => Promise<INodeExecutionData[][]>).apply(this, args);
				} catch (error) {
					const node = (args[0] as IExecuteFunctions | undefined)?.getNode?.() ?? this.getNode();
					if (error instanceof Error) thrown.set(node.name, error);
					throw error;
				}
			} as INodeType['execute'];
			this.wrapped.set(nodeType, wrapper);
		}
		return wrapper;
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

export function buildNodeTypes(opts: Pick<RunNodeOptions, 'nodeTypes'>, fixtureItems?: HarnessItem[]) {
	const types = new Map<string, AnyNodeType>();
	const start = new HarnessStart();
	types.set(START_NODE_TYPE, start);
	types.set('manualTrigger', start); // so exported n8n workflows (n8n-nodes-base.manualTrigger) run
	types.set(FIXTURE_SOURCE_NODE_TYPE, fixtureSourceNode(fixtureItems));
	const entries = Array.isArray(opts.nodeTypes)
		? opts.nodeTypes.map((t) => [t.description.name, t] as const)
		: Object.entries(opts.nodeTypes);
	for (const [key, nodeType] of entries) {
		types.set(key, nodeType);
		types.set(nodeType.description.name, nodeType);
	}
	return types;
}

// ---------------------------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------------------------

/** Minimal `oAuth2Api` (from n8n-nodes-base) so `extends: ['oAuth2Api']` and requestOAuth2 work. */
export class HarnessOAuth2Api implements ICredentialType {
	name = 'oAuth2Api';
	displayName = 'OAuth2 API';
	genericAuth = true;
	properties: INodeProperties[] = [
		{ displayName: 'Use Dynamic Client Registration', name: 'useDynamicClientRegistration', type: 'hidden', default: false },
		optionsProperty('Grant Type', 'grantType', { 'Authorization Code': 'authorizationCode', 'Client Credentials': 'clientCredentials', PKCE: 'pkce' }),
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'string',
			displayOptions: { show: { grantType: ['authorizationCode', 'pkce'] } },
			default: '',
			required: true,
		},
		{ displayName: 'Access Token URL', name: 'accessTokenUrl', type: 'string', default: '', required: true },
		{ displayName: 'Client ID', name: 'clientId', type: 'string', default: '', required: true },
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{ displayName: 'Scope', name: 'scope', type: 'string', default: '' },
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'string',
			displayOptions: { show: { grantType: ['authorizationCode', 'pkce'] } },
			default: '',
		},
		optionsProperty('Authentication', 'authentication', { Body: 'body', Header: 'header' }, 'header'),
		{ displayName: 'Ignore SSL Issues (Insecure)', name: 'ignoreSSLIssues', type: 'boolean', default: false, doNotInherit: true },
		{ displayName: 'Token Expired Status Code', name: 'tokenExpiredStatusCode', type: 'number', default: 401, doNotInherit: true },
	];
}

/**
 * ICredentialsHelper over an in-memory store of decrypted data keyed by credential type,
 * following packages/cli/src/credentials-helper.ts where it matters: generic `authenticate`
 * resolves `={{$credentials.x}}` with the workflow's expression engine; `preAuthentication`
 * only runs when the `expirable` field is empty or the credential expired and persists the
 * result; defaults come from the (parent-merged) credential properties; `={{…}}` values in
 * credential data are resolved. Deliberate difference: stored values always win, also for
 * hidden fields (like an admin's credential overwrite), so tests can point e.g. a hidden
 * `accessTokenUrl` at a 127.0.0.1 server.
 */
export class HarnessCredentialsHelper extends ICredentialsHelper {
	private readonly types = new Map<string, ICredentialType>();

	constructor(
		credentialTypes: ICredentialType[],
		readonly store: Record<string, ICredentialDataDecryptedObject>,
	) {
		super();
		for (const type of [new HarnessOAuth2Api(), ...credentialTypes]) this.types.set(type.name, type);
	}

	getCredentialType(name: string): ICredentialType {
		const type = this.types.get(name);
		if (!type) throw new UnexpectedError(`Harness: unknown credential type "${name}"`);
		return type;
	}

	getParentTypes(name: string): string[] {
		const parents = this.getCredentialType(name).extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	/** `oauth2` options declared on the type or a parent (n8n's nodes-testing helper has this). */
	getOAuth2Options(name: string): IDataObject | undefined {
		if (!this.types.has(name)) return undefined;
		for (const typeName of [name, ...this.getParentTypes(name)]) {
			const options = (this.getCredentialType(typeName) as { oauth2?: IDataObject }).oauth2;
			if (options !== undefined) return options;
		}
		return undefined;
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		const type = this.types.get(credentialType);
		if (!type?.restrictToSupportedNodes) return true;
		const shortName = nodeType.slice(nodeType.lastIndexOf('.') + 1);
		return (type.supportedNodes ?? []).some((n) => n === nodeType || n === shortName);
	}

	getCredentialsProperties(name: string): INodeProperties[] {
		const type = this.getCredentialType(name);
		if (type.extends === undefined) {
			if (name === 'oAuth2Api' || name === 'oAuth1Api') {
				return [
					...type.properties,
					{ displayName: 'oauthTokenData', name: 'oauthTokenData', type: 'json', required: false, default: {} },
				];
			}
			return type.properties;
		}
		const combined: INodeProperties[] = [];
		for (const parent of type.extends) {
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, type.properties);
		return combined;
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = this.store[type];
		if (stored === undefined) {
			throw new UnexpectedError(`Harness: no credentials of type "${type}" were given to the run`);
		}
		const original = structuredClone(stored);
		if (raw === true) return original;

		let data = NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			original as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		// Stored values win, also for fields getNodeParameters dropped (hidden/not displayed).
		data = { ...data, ...original };

		if (expressionResolveValues) {
			const { workflow, runExecutionData, runIndex, itemIndex, node, connectionInputData } =
				expressionResolveValues;
			data = workflow.expression.getParameterValue(
				data as INodeParameters,
				runExecutionData,
				runIndex,
				itemIndex,
				node.name,
				connectionInputData,
				mode,
				getAdditionalKeys(additionalData, mode, null, { isCredential: true }),
				executeData,
				false,
				data,
			) as ICredentialDataDecryptedObject;
		}
		return data;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.getCredentialType(typeName);
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (typeof authenticate === 'object' && authenticate.type === 'generic') {
			if (!workflow || !node) {
				throw new UnexpectedError('Workflow and node are required for declarative credential authentication');
			}
			const resolve = (value: string): string => {
				if (!isExpression(value)) return value;
				const result = workflow.expression.getSimpleParameterValue(
					node,
					value,
					'internal',
					{ $credentials: credentials },
					undefined,
					'',
				);
				return result ? result.toString() : '';
			};
			requestOptions.headers ??= {};
			for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
				const target = requestOptions as unknown as Record<string, Record<string, string>>;
				target[outerKey] ??= {};
				for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
					target[outerKey][resolve(key)] = resolve(value);
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.getCredentialType(typeName);
		const expirable = type.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable === true);
		if (expirable === undefined || typeof type.preAuthentication !== 'function') return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;

		const output = await type.preAuthentication.call(restrictToCredentialDomains(helpers, credentials), credentials);
		// Like n8n: output without the expirable field is not stored.
		if (output[expirable.name] === undefined) return undefined;
		if (node.credentials) {
			// Persist, but never overwrite a field stored as an expression (except the expirable one).
			const stored = this.store[typeName] ?? {};
			for (const [key, value] of Object.entries(output)) {
				if (key === expirable.name || !isExpression(stored[key])) stored[key] = value as CredentialInformation;
			}
			this.store[typeName] = stored;
			return Object.assign(credentials, output) as ICredentialDataDecryptedObject;
		}
		return undefined;
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.getCredentialType(typeName);
		if (typeof type.preAuthentication !== 'function') return undefined;
		const output = await type.preAuthentication.call(restrictToCredentialDomains(helpers, credentials), credentials);
		return (output as ICredentialDataDecryptedObject) ?? undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		// n8n-core never calls this; the CLI uses it to read encrypted DB rows. Use `store`.
		throw new UnexpectedError('Harness: getCredentials is not supported, read `store` instead');
	}

	async updateCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.store[type] = structuredClone(data);
	}

	async updateCredentialsOauthTokenData(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.store[type] = { ...this.store[type], oauthTokenData: structuredClone(data.oauthTokenData) };
	}
}

/** As in the CLI: preAuthentication's own requests obey the credential's domain allowlist. */
function restrictToCredentialDomains(
	helpers: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): IHttpRequestHelper {
	return {
		helpers: {
			httpRequest: async (requestOptions: IHttpRequestOptions) => {
				const allowedDomains = getCredentialOwnRequestAllowedDomains(credentials);
				if (allowedDomains === undefined) return await helpers.helpers.httpRequest(requestOptions);
				if (requestOptions.allowedDomains !== undefined) {
					throw new UnexpectedError('Credential domain allowlist cannot be combined with request allowedDomains');
				}
				return await helpers.helpers.httpRequest({ ...requestOptions, allowedDomains });
			},
		},
	} as IHttpRequestHelper;
}

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

let executionCounter = 0;
const notInHarness = (what: string) => async () => {
	throw new UnexpectedError(`Harness: ${what} is not available`);
};

/** A plain object instead of n8n's jest-mock-extended mock: only what the execution path reads. */
export function harnessAdditionalData(
	credentialsHelper: HarnessCredentialsHelper,
	hooks: ExecutionLifecycleHooks | undefined,
	executionId: string,
	workflowId: string,
): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper,
		hooks,
		executionId,
		workflowId,
		currentNodeExecutionIndex: 0,
		variables: {},
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		formBaseUrl: 'http://127.0.0.1/form',
		formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1/form-test',
		webhookBaseUrl: 'http://127.0.0.1/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
		mcpBaseUrl: 'http://127.0.0.1/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1/mcp-test',
		logAiEvent: () => {},
		executeWorkflow: notInHarness('executeWorkflow'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: notInHarness('startRunnerTask'),
	} as unknown as IWorkflowExecuteAdditionalData;
}

interface ExecuteArgs {
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	nodeTypes: Map<string, AnyNodeType>;
	credentialTypes: ICredentialType[];
	credentials?: Record<string, ICredentialDataDecryptedObject>;
}

async function execute(args: ExecuteArgs) {
	await setupN8nCore();
	const logs: HarnessLogEntry[] = [];
	const thrown = new Map<string, Error>();
	const credentialsStore = structuredClone(args.credentials ?? {});
	const credentialsHelper = new HarnessCredentialsHelper(args.credentialTypes, credentialsStore);
	const nodeTypes = new HarnessNodeTypes(args.nodeTypes, thrown);

	const workflowId = 'harness-workflow';
	const executionId = `harness-${process.pid}-${++executionCounter}`;
	const workflow = new Workflow({
		id: workflowId,
		name: 'Harness workflow',
		nodes: args.nodes,
		connections: args.connections,
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1', ...args.settings },
	});
	const startNode = pickStartNode(workflow);

	const workflowData = {
		id: workflowId,
		name: workflow.name,
		active: false,
		nodes: args.nodes,
		connections: args.connections,
		settings: workflow.settings,
		createdAt: new Date(),
		updatedAt: new Date(),
	} as unknown as IWorkflowBase;
	const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData);

	const additionalData = harnessAdditionalData(credentialsHelper, hooks, executionId, workflowId);

	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: startNode, data: { main: [[{ json: {} }]] }, source: null }],
		},
	});

	const run = await runContext.run(logs, async () => {
		const workflowExecute = new WorkflowExecute(additionalData, 'manual', runExecutionData);
		return await workflowExecute.processRunExecutionData(workflow);
	});

	const runData: IRunData = run.data.resultData.runData;
	const recorded = run.data.resultData.error;
	const failedNode = run.data.resultData.lastNodeExecuted;
	const error = recorded
		? ((failedNode ? thrown.get(failedNode) : undefined) ?? (recorded as unknown as Error))
		: undefined;
	const outputOf = (nodeName: string): INodeExecutionData[] => {
		const tasks = runData[nodeName];
		return tasks?.[tasks.length - 1]?.data?.main?.[0] ?? [];
	};
	return { run, outputOf, error, credentialsStore, logs };
}

/** The harness/manual trigger if there is one, else the single node nothing connects into. */
function pickStartNode(workflow: Workflow): INode {
	const nodes = Object.values(workflow.nodes);
	const start = nodes.find((n) => workflow.nodeTypes.getByNameAndVersion(n.type, n.typeVersion).description.name === START_NODE_TYPE);
	if (start) return start;
	const roots = nodes.filter((n) => workflow.getParentNodes(n.name).length === 0);
	if (roots.length !== 1) {
		throw new UnexpectedError(`Harness: cannot pick a start node among ${roots.map((n) => n.name).join(', ')}`);
	}
	return roots[0];
}

export function latestVersion(nodeType: AnyNodeType): number {
	if ('nodeVersions' in nodeType) return nodeType.currentVersion;
	const { version } = nodeType.description;
	return Array.isArray(version) ? Math.max(...version) : version;
}

/**
 * Runs one node: [Start] → [Fixture Source emitting `input`] → [node under test], through
 * n8n-core's WorkflowExecute. Resolves (never rejects) for node failures: see `error`.
 */
export async function runNode(opts: RunNodeOptions): Promise<RunNodeResult> {
	const nodeTypes = buildNodeTypes(opts, opts.input ?? [{}]);
	const nodeName = opts.node.name ?? 'Node Under Test';
	const nodeType = nodeTypes.get(opts.node.type) ?? nodeTypes.get(opts.node.type.slice(opts.node.type.lastIndexOf('.') + 1));
	if (!nodeType) throw new UnexpectedError(`Harness: unknown node type "${opts.node.type}"`);
	const typeVersion = opts.node.typeVersion ?? latestVersion(nodeType);

	let credentials = opts.node.credentials;
	if (!credentials) {
		const declared = NodeHelpers.getVersionedNodeType(nodeType, typeVersion).description.credentials ?? [];
		credentials = {};
		for (const { name } of declared) {
			if (opts.credentials?.[name]) credentials[name] = { id: `harness-${name}`, name: `Harness ${name}` };
		}
	}

	const nodes: INode[] = [
		{ id: 'harness-start', name: 'Start', type: START_NODE_TYPE, typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: 'harness-fixture',
			name: 'Fixture Source',
			type: FIXTURE_SOURCE_NODE_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: {},
		},
		{
			id: 'harness-node-under-test',
			name: nodeName,
			type: opts.node.type,
			typeVersion,
			position: [400, 0],
			parameters: structuredClone(opts.node.parameters),
			credentials,
			...(opts.node.continueOnFail ? { continueOnFail: true } : {}),
		},
	];
	const connections: IConnections = {
		Start: { main: [[{ node: 'Fixture Source', type: 'main', index: 0 }]] },
		'Fixture Source': { main: [[{ node: nodeName, type: 'main', index: 0 }]] },
	};

	const { run, outputOf, error, credentialsStore, logs } = await execute({
		nodes,
		connections,
		nodeTypes,
		credentialTypes: opts.credentialTypes,
		credentials: opts.credentials,
	});
	return { items: outputOf(nodeName), error, run, credentialsStore, logs };
}

/**
 * Runs a whole workflow (e.g. a JSON fixture). It starts at the harness start node (or an
 * `n8n-nodes-base.manualTrigger`), else at the only node without parents. Fixture nodes of type
 * `harnessFixtureSource` take their items from parameter `items` (HarnessItem[]).
 */
export async function runWorkflow(
	workflow: HarnessWorkflow,
	opts: Omit<RunNodeOptions, 'node' | 'input'>,
): Promise<RunWorkflowResult> {
	return await execute({
		nodes: structuredClone(workflow.nodes),
		connections: workflow.connections,
		settings: workflow.settings,
		nodeTypes: buildNodeTypes(opts),
		credentialTypes: opts.credentialTypes,
		credentials: opts.credentials,
	});
}

/** What a harness context is given of its one node (list search, poll, webhook trigger). */
export interface HarnessNodeSpec {
	type: string;
	parameters?: INodeParameters;
	credentials?: INodeCredentials;
	name?: string;
	typeVersion?: number;
	continueOnFail?: boolean;
	webhookId?: string;
}

/**
 * The node a context runs: its type found by full or short name, at `typeVersion` or the latest,
 * and (unless `spec.credentials` names them) every credential of its description that `credentials`
 * holds data for.
 */
export function resolveNode(
	nodeTypes: Map<string, AnyNodeType>,
	spec: HarnessNodeSpec,
	credentials: Record<string, ICredentialDataDecryptedObject> | undefined,
	/** The node's ID, and its name unless `spec.name` gives one (default: its type's default name). */
	defaults: { id: string; name?: string },
): { node: INode; versioned: INodeType } {
	const nodeType = nodeTypes.get(spec.type) ?? nodeTypes.get(spec.type.slice(spec.type.lastIndexOf('.') + 1));
	if (!nodeType) throw new UnexpectedError(`Harness: unknown node type "${spec.type}"`);
	const typeVersion = spec.typeVersion ?? latestVersion(nodeType);
	const versioned = NodeHelpers.getVersionedNodeType(nodeType, typeVersion);
	const nodeCredentials: INodeCredentials = spec.credentials ?? {};
	if (!spec.credentials) {
		for (const { name } of versioned.description.credentials ?? []) {
			if (credentials?.[name]) nodeCredentials[name] = { id: `harness-${name}`, name: `Harness ${name}` };
		}
	}
	const node: INode = {
		id: defaults.id,
		name: spec.name ?? defaults.name ?? String(versioned.description.defaults.name),
		type: spec.type,
		typeVersion,
		position: [0, 0],
		parameters: structuredClone(spec.parameters ?? {}),
		credentials: nodeCredentials,
		...(spec.webhookId ? { webhookId: spec.webhookId } : {}),
		...(spec.continueOnFail ? { continueOnFail: true } : {}),
	};
	return { node, versioned };
}

export interface RunListSearchOptions {
	nodeTypes: RunNodeOptions['nodeTypes'];
	credentialTypes: ICredentialType[];
	node: { type: string; parameters?: INodeParameters; credentials?: INodeCredentials; typeVersion?: number };
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Name of the method in the node's `methods.listSearch`. */
	method: string;
	filter?: string;
	paginationToken?: string;
}

/**
 * Runs a picker (`methods.listSearch`) the way the editor does, with n8n-core's real
 * LoadOptionsContext: its requests are signed by the credential like a node's.
 */
export async function runListSearch(
	opts: RunListSearchOptions,
): Promise<{ result: INodeListSearchResult; credentialsStore: Record<string, ICredentialDataDecryptedObject>; logs: HarnessLogEntry[] }> {
	await setupN8nCore();
	const logs: HarnessLogEntry[] = [];
	const credentialsStore = structuredClone(opts.credentials ?? {});
	const credentialsHelper = new HarnessCredentialsHelper(opts.credentialTypes, credentialsStore);
	const nodeTypes = buildNodeTypes(opts);
	const { node, versioned } = resolveNode(nodeTypes, opts.node, opts.credentials, { id: 'harness-node-under-test', name: 'Node Under Test' });
	const search = versioned.methods?.listSearch?.[opts.method];
	if (!search) throw new UnexpectedError(`Harness: the node has no list search method "${opts.method}"`);
	const workflow = new Workflow({
		id: 'harness-workflow',
		name: 'Harness workflow',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new HarnessNodeTypes(nodeTypes, new Map()),
		settings: { executionOrder: 'v1' },
	});
	const additionalData = harnessAdditionalData(credentialsHelper, undefined, `harness-${process.pid}-${++executionCounter}`, 'harness-workflow');
	const context = new LoadOptionsContext(workflow, node, additionalData, 'parameters');
	const result = await runContext.run(logs, async () => await search.call(context, opts.filter, opts.paginationToken));
	return { result, credentialsStore, logs };
}

export interface RunPollOptions {
	nodeTypes: RunNodeOptions['nodeTypes'];
	credentialTypes: ICredentialType[];
	node: { type: string; parameters: INodeParameters; credentials?: INodeCredentials; name?: string; typeVersion?: number };
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/**
	 * The workflow's static data, kept by the caller from one poll to the next as n8n keeps it in
	 * the workflow (the node's part is under `node:<name>`). Mutated in place.
	 */
	staticData: IDataObject;
	/** n8n's activation mode of the poll context (default `update`, as n8n's poll scheduler gives it). */
	activation?: WorkflowActivateMode;
}

export interface RunPollResult {
	/** What the poll handed to n8n (`__emit`), or undefined when it returned nothing (null). */
	emitted?: INodeExecutionData[][];
	/** What the poll threw (n8n would record it with `__emitError`). */
	error?: Error;
	credentialsStore: Record<string, ICredentialDataDecryptedObject>;
	logs: HarnessLogEntry[];
}

/**
 * One poll of an activated workflow's polling node, the way n8n runs it between two Poll Times:
 * n8n-core's real PollContext (mode `trigger`, the workflow's static data, the request and binary
 * helpers) and TriggersAndPollers.runPollFunction; what n8n does with the answer is recorded as
 * n8n-core's PollTriggerExecutor does it (`__emit` for items, `__emitError` for an error).
 */
export async function runPoll(opts: RunPollOptions): Promise<RunPollResult> {
	await setupN8nCore();
	const logs: HarnessLogEntry[] = [];
	const credentialsStore = structuredClone(opts.credentials ?? {});
	const credentialsHelper = new HarnessCredentialsHelper(opts.credentialTypes, credentialsStore);
	const nodeTypes = buildNodeTypes(opts);
	const { node } = resolveNode(nodeTypes, opts.node, opts.credentials, { id: 'harness-poll-node', name: 'Poll Node' });
	const workflow = new Workflow({
		id: 'harness-workflow',
		name: 'Harness workflow',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes: new HarnessNodeTypes(nodeTypes, new Map()),
		staticData: opts.staticData,
		settings: { executionOrder: 'v1' },
	});
	const additionalData = harnessAdditionalData(credentialsHelper, undefined, '', 'harness-workflow');
	// A poll runs outside any execution: no execution ID yet (n8n gives one when it starts the run).
	(additionalData as { executionId?: string }).executionId = undefined;
	const result: RunPollResult = { credentialsStore, logs };
	const context = new PollContext(
		workflow,
		node,
		additionalData,
		'trigger',
		opts.activation ?? 'update',
		(data) => (result.emitted = data),
		(error) => (result.error = error),
	);
	await runContext.run(logs, async () => {
		try {
			const response = await Container.get(TriggersAndPollers).runPollFunction(workflow, node, context);
			if (response !== null) context.__emit(response);
		} catch (error) {
			context.__emitError(error as Error);
		}
	});
	return result;
}
