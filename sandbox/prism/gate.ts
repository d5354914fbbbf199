/**
 * A Prism proxy that streams: what `prism proxy <spec> <upstream> --errors` does, run from Prism's
 * own pipeline, with the bodies passed through byte for byte.
 *
 * Why not the `prism proxy` CLI itself (5.16.0, checked on this machine): its HTTP server reads every
 * request body as UTF-8 text (limit 10 MB) and its forwarder reads every upstream response with
 * `response.text()`. A 5 MiB random download came out as 9.5 MB, a 3 MiB upload reached the server
 * as 5.7 MB, a 12 MB upload got `413 Body exceeded 10mb limit` (stoplightio/prism#1321, #2349).
 * Every SHA-256 check of the e2e suite would fail, and no PDF would survive the trip.
 *
 * What runs here is Prism's: `createInstance`'s factory (`@stoplight/prism-core`) with Prism's router,
 * `validateSecurity`, `validateInput` and `validateOutput` (`@stoplight/prism-http`), and the CLI's
 * proxy configuration (validate request and response, check security, `errors: true`). Only two
 * components are replaced:
 *  - the HTTP server: it parses bodies as Prism's does (JSON for `application/json` and `+json`,
 *    text for the other textual types) but keeps the raw bytes, and hands Prism a placeholder string
 *    for a binary body (`format: binary` schemas accept any string; the bytes were never checkable);
 *  - the forwarder: it sends the raw request bytes upstream (binary bodies streamed), reads JSON and
 *    text responses for Prism to validate, and streams binary responses to the client only after
 *    Prism has accepted status, headers and media type.
 * Answers when the spec refuses are Prism's own, byte for byte in shape: 404 NO_PATH_MATCHED_ERROR,
 * 405 NO_METHOD_MATCHED_ERROR, 401 UNAUTHORIZED, 422 UNPROCESSABLE_ENTITY with `validation`, and
 * 500 VIOLATIONS for a response the spec rejects. Warnings go in `sl-violations`, as Prism does.
 *
 * Differences, on purpose: headers and query string are forwarded as received (Prism re-encodes the
 * query and adds `Accept: application/json, text/plain, *\/*` when there is none, which would hide a
 * node that forgets to ask for JSON); an upstream 501 is passed on (Prism would answer with a mock).
 *
 * One gate can carry several specs of one API (Xero: accounting under /api.xro/2.0 and identity at
 * the root): a request goes to the spec whose server base path it is under (longest first), the
 * base path is stripped before routing (Prism serves paths relative to the server), and among specs
 * with the same base path the first one whose router knows the path and method wins.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { factory } from '@stoplight/prism-core/dist/factory';
import type { IHttpConfig, IHttpRequest, IHttpResponse, PrismHttpComponents } from '@stoplight/prism-http';
import route from '@stoplight/prism-http/dist/router';
import { ProblemJsonError } from '@stoplight/prism-http/dist/types';
import { validateInput, validateOutput, validateSecurity } from '@stoplight/prism-http/dist/validator';

import { type HttpOperation, type LoadedSpec, type SpecDefinition, loadSpec, operationKey, searchParamsToNameValues } from './specs';

export interface PrismGateOptions {
	/** Shown in logs and messages, e.g. "xero". */
	name: string;
	/** The emulator, e.g. http://127.0.0.1:4011 (requests keep their full path). */
	upstream: string;
	specs: SpecDefinition[];
	/** 0 (default) = a random free port. */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	/** Called with one line per exchange (and the full Prism answer when it refused). */
	log?: (line: string) => void;
}

export interface Violation {
	location: string[];
	severity: string;
	code?: string | number;
	message: string;
}

export interface Exchange {
	seq: number;
	method: string;
	/** Raw request target. */
	url: string;
	/** Spec file that routed it. */
	spec?: string;
	/** `GET /Invoices/{InvoiceID}/Attachments` of the spec, and its operationId. */
	operation?: string;
	status: number;
	/** Set when Prism refused the request or the response: its problem+json answer. */
	refused?: { status: number; type: string; title: string; detail: string; validation?: Violation[] };
	/** Violations Prism reported without refusing (warnings, sent in `sl-violations`). */
	warnings: Violation[];
	requestBytes: number;
	responseBytes: number;
	/** SHA-256 of the response body the client got, when it was streamed or read through. */
	responseSha256?: string;
	durationMs: number;
}

export interface PrismGate {
	name: string;
	/** http://127.0.0.1:PORT */
	url: string;
	specs: LoadedSpec[];
	/** Every exchange, in the order they finished. */
	exchanges: Exchange[];
	/** The exchanges Prism refused. */
	refusals(): Exchange[];
	/** One readable line per refusal: the request and Prism's message (empty = all passed). */
	problems(): string[];
	reset(): void;
	close(): Promise<void>;
}

/** The configuration `prism proxy --errors <spec> <upstream>` runs with (prism-cli createServer). */
function proxyConfig(upstream: URL): IHttpConfig {
	return {
		validateRequest: true,
		validateResponse: true,
		checkSecurity: true,
		errors: true,
		upstreamProxy: undefined,
		isProxy: true,
		upstream,
		mock: { dynamic: false },
	};
}

/* ------------------------------------------------------------------------------------------------
 * Bodies
 * ---------------------------------------------------------------------------------------------- */

type BodyKind = 'none' | 'json' | 'text' | 'binary';

function mediaTypeOf(contentType: string | undefined): string {
	return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function isJsonType(mediaType: string): boolean {
	return mediaType === 'application/json' || /^application\/[^/]+\+json$/.test(mediaType);
}

/** Types Prism's server and forwarder read as text and that can be validated as text. */
function isTextType(mediaType: string): boolean {
	return (
		mediaType.startsWith('text/') ||
		mediaType === 'application/xml' ||
		/\+xml$/.test(mediaType) ||
		mediaType === 'application/x-www-form-urlencoded' ||
		mediaType.startsWith('multipart/')
	);
}

/** As prism-http-server's parseRequestBody decides whether there is a body, then what it is. */
function requestBodyKind(headers: IncomingHttpHeaders): BodyKind {
	if (headers['content-length'] === '0' || (headers['transfer-encoding'] === undefined && headers['content-length'] === undefined)) {
		return 'none';
	}
	const mediaType = mediaTypeOf(headers['content-type']);
	if (isJsonType(mediaType)) return 'json';
	if (isTextType(mediaType)) return 'text';
	return 'binary';
}

function responseBodyKind(method: string, status: number, headers: IncomingHttpHeaders): BodyKind {
	if (method === 'HEAD' || status === 204 || status === 304) return 'none';
	const mediaType = mediaTypeOf(headers['content-type']);
	if (isJsonType(mediaType)) return 'json';
	if (isTextType(mediaType) || mediaType === '') return 'text';
	return 'binary';
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** Placeholder Prism validates instead of binary bytes (any string satisfies `format: binary`). */
function binaryPlaceholder(bytes: number | undefined): string {
	return `<binary body${bytes === undefined ? '' : ` of ${bytes} bytes`}, streamed by the sandbox's Prism gate>`;
}

/** Waits for the first chunk (or the end) of a body without losing it: '' when it is empty. */
async function peekFirstChunk(req: IncomingMessage): Promise<Buffer | undefined> {
	return await new Promise((resolve, reject) => {
		const onData = (chunk: Buffer) => {
			cleanup();
			req.pause();
			resolve(chunk);
		};
		const onEnd = () => {
			cleanup();
			resolve(undefined);
		};
		const onError = (error: Error) => {
			cleanup();
			reject(error);
		};
		const cleanup = () => {
			req.off('data', onData);
			req.off('end', onEnd);
			req.off('error', onError);
		};
		req.on('data', onData);
		req.on('end', onEnd);
		req.on('error', onError);
	});
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
	const flat: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(',') : value;
	}
	return flat;
}

/** prism-http's forwarder drops these from the upstream response (node-fetch has decoded the body). */
const HOP_BY_HOP = ['transfer-encoding', 'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailers', 'upgrade'];

/* ------------------------------------------------------------------------------------------------
 * Prism's answers
 * ---------------------------------------------------------------------------------------------- */

interface Diagnostic {
	path?: string[];
	severity: number;
	code?: string | number;
	message: string;
	tags?: string[];
}

const SEVERITY = ['Error', 'Warning', 'Information', 'Hint'];

/** As prism-http's forwarder: any input diagnostic refuses the request (401 for security, else 422). */
function refuseInput(validations: Diagnostic[]): ProblemJsonError {
	const security = validations.find((v) => v.code === 401);
	if (security) {
		return ProblemJsonError.fromTemplate(
			{ type: 'UNAUTHORIZED', title: 'Invalid security scheme used', status: 401 },
			'Your request does not fullfil the security requirements and no HTTP unauthorized response was found in the spec, so Prism is generating this error for you.',
			security.tags && security.tags.length ? { headers: { 'WWW-Authenticate': security.tags.join(',') } } : undefined,
		);
	}
	return ProblemJsonError.fromTemplate(
		{ type: 'UNPROCESSABLE_ENTITY', title: 'Invalid request', status: 422 },
		'Your request is not valid and no HTTP validation response was found in the spec, so Prism is generating this error for you.',
		{
			validation: validations.map((detail) => ({
				location: detail.path,
				severity: SEVERITY[detail.severity],
				code: detail.code,
				message: detail.message,
			})),
		},
	);
}

function toViolation(prefix: string, detail: Diagnostic): Violation {
	return { location: [prefix, ...(detail.path ?? [])], severity: SEVERITY[detail.severity], code: detail.code, message: detail.message };
}

/* ------------------------------------------------------------------------------------------------
 * The gate
 * ---------------------------------------------------------------------------------------------- */

const RAW = Symbol('raw upstream response');

interface UpstreamAnswer extends IHttpResponse {
	[RAW]: { res: IncomingMessage; kind: BodyKind; buffered?: Buffer };
}

interface PendingRequest {
	send(): Promise<UpstreamAnswer>;
}

interface Candidate {
	spec: LoadedSpec;
	path: string;
}

export async function startPrismGate(options: PrismGateOptions): Promise<PrismGate> {
	const specs = await Promise.all(options.specs.map((definition) => loadSpec(definition)));
	const upstream = new URL(options.upstream);
	const log = options.log ?? (() => undefined);
	const exchanges: Exchange[] = [];
	let seq = 0;
	const pending = new WeakMap<IHttpRequest, PendingRequest>();

	const forward: PrismHttpComponents['forward'] = (prismInput) => () => async () => {
		const { data, validations } = prismInput;
		if (validations.length > 0) return { _tag: 'Left', left: refuseInput(validations as Diagnostic[]) };
		if (['get', 'head'].includes(data.method) && data.body !== null && data.body !== undefined) {
			return {
				_tag: 'Left',
				left: ProblemJsonError.fromTemplate({
					type: 'PROXY_UNSUPPORTED_REQUEST_BODY',
					title:
						'The Prism proxy does not support sending a GET/HEAD request with a message body to an upstream server. See: https://github.com/stoplightio/prism/issues/2259',
					status: 501,
				}),
			};
		}
		try {
			return { _tag: 'Right', right: await pending.get(data)!.send() };
		} catch (error) {
			return { _tag: 'Left', left: error as Error };
		}
	};

	const silent = {
		child: () => silent,
		info: () => undefined,
		warn: () => undefined,
		error: () => undefined,
		debug: () => undefined,
		trace: () => undefined,
		fatal: () => undefined,
		success: () => undefined,
	};
	const prism = factory<HttpOperation, IHttpRequest, IHttpResponse, IHttpConfig>(proxyConfig(upstream), {
		route,
		validateInput,
		validateOutput,
		// Typed for a narrower input (headers and URL), which a request is; Prism's createInstance passes it the same way.
		validateSecurity: validateSecurity as unknown as PrismHttpComponents['validateSecurity'],
		forward,
		mock: () => () => ({ _tag: 'Left', left: new Error('the sandbox gate does not mock') }),
		logger: silent as unknown as PrismHttpComponents['logger'],
	});

	/** Specs whose base path the request path is under, longest base path first, with the stripped path. */
	function candidates(pathname: string): Candidate[] {
		const found: Array<Candidate & { baseLength: number }> = [];
		for (const spec of specs) {
			for (const base of spec.basePaths) {
				if (base === '' || pathname === base || pathname.startsWith(`${base}/`)) {
					found.push({ spec, path: pathname.slice(base.length) || '/', baseLength: base.length });
					break;
				}
			}
		}
		return found.sort((a, b) => b.baseLength - a.baseLength);
	}

	function record(exchange: Exchange): void {
		exchanges.push(exchange);
		const what = `[prism ${options.name}] ${exchange.method} ${exchange.url} → ${exchange.status}`;
		if (exchange.refused) {
			const details = (exchange.refused.validation ?? []).map((v) => `\n    ${v.severity} ${v.location.join('.')}: ${v.message}`).join('');
			log(`${what} REFUSED by Prism: ${exchange.refused.title}. ${exchange.refused.detail}${details}`);
		} else {
			const warnings = exchange.warnings.map((w) => `\n    ${w.severity} ${w.location.join('.')}: ${w.message}`).join('');
			log(`${what}${exchange.operation ? ` (${exchange.operation})` : ''}${warnings}`);
		}
	}

	/** As prism-http-server answers a Left: problem+json, with the error's `additional.headers`. */
	function sendProblem(
		res: ServerResponse,
		error: Error & { status?: number; detail?: string; additional?: Record<string, unknown> },
		extraHeaders: Record<string, string> = {},
	): NonNullable<Exchange['refused']> {
		const problem = ProblemJsonError.toProblemJson(error) as unknown as NonNullable<Exchange['refused']>;
		const headers = (error.additional?.headers ?? {}) as Record<string, string>;
		if (!res.headersSent) {
			const body = JSON.stringify(problem);
			res.writeHead(problem.status, {
				...extraHeaders,
				...headers,
				'content-type': 'application/problem+json',
				'content-length': Buffer.byteLength(body),
			});
			res.end(body);
		} else {
			res.destroy();
		}
		return problem;
	}

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const started = Date.now();
		const target = req.url ?? '/';
		const method = (req.method ?? 'GET').toUpperCase();
		const exchange: Exchange = {
			seq: ++seq,
			method,
			url: target,
			status: 0,
			warnings: [],
			requestBytes: 0,
			responseBytes: 0,
			durationMs: 0,
		};
		let requestConsumed = false;
		try {
			const { pathname, searchParams, search } = new URL(target, 'http://gate.invalid');
			const kind = requestBodyKind(req.headers);
			let body: unknown = null;
			let rawBody: Buffer | undefined;
			let firstChunk: Buffer | undefined;
			if (kind === 'json' || kind === 'text') {
				rawBody = await readAll(req);
				requestConsumed = true;
				exchange.requestBytes = rawBody.length;
				if (kind === 'json') {
					try {
						body = JSON.parse(rawBody.toString('utf8'));
					} catch (error) {
						// micri's json() refuses it before Prism sees it.
						exchange.status = 400;
						exchange.refused = { status: 400, type: 'invalid_json', title: 'Invalid JSON', detail: (error as Error).message };
						res.writeHead(400, { 'content-type': 'text/plain' }).end('Invalid JSON');
						return;
					}
				} else {
					body = rawBody.toString('utf8');
				}
			} else if (kind === 'binary') {
				const length = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
				if (length === undefined) firstChunk = await peekFirstChunk(req);
				body = length === undefined && !firstChunk ? '' : binaryPlaceholder(length);
			}

			const input: IHttpRequest = {
				method: method.toLowerCase() as IHttpRequest['method'],
				url: { path: pathname, query: searchParamsToNameValues(searchParams) },
				headers: flattenHeaders(req.headers),
				body,
			};
			// Route first (as Prism will) to pick the spec, and to refuse operations the sandbox did not load.
			const found = candidates(pathname);
			let chosen: Candidate | undefined;
			for (const candidate of found) {
				const routed = route({ resources: candidate.spec.operations, input: { ...input, url: { ...input.url, path: candidate.path } } });
				if (routed._tag === 'Left') continue;
				chosen = candidate;
				const operation = routed.right;
				exchange.operation = `${operation.method.toUpperCase()} ${operation.path}${operation.iid ? ` [${operation.iid}]` : ''}`;
				if (candidate.spec.skeletons.has(operationKey(operation.method, operation.path))) {
					if (!requestConsumed) req.resume();
					exchange.refused = sendProblem(
						res,
						new ProblemJsonError(
							'https://n8n-nodes-attachments.invalid/sandbox#OPERATION_NOT_LOADED',
							'Operation not loaded by the sandbox',
							501,
							`${exchange.operation} is in ${candidate.spec.name}, but the sandbox loads only the operations the nodes use (fullPaths in sandbox/<provider>/demo.ts). Add it there if a node needs it.`,
						),
					);
					exchange.status = exchange.refused.status;
					return;
				}
				break;
			}
			// No spec knows the path or method: Prism itself answers (404/405) from the first candidate.
			const target0 = chosen ?? found[0];
			const spec = target0?.spec ?? specs[0];
			exchange.spec = spec.name;
			input.url.path = target0?.path ?? pathname;

			pending.set(input, {
				send: () =>
					new Promise<UpstreamAnswer>((resolve, reject) => {
						const headers: Record<string, string | string[]> = {};
						for (const [name, value] of Object.entries(req.headers)) {
							if (value !== undefined && name !== 'host' && name !== 'connection' && name !== 'keep-alive') headers[name] = value;
						}
						headers.host = upstream.host;
						if (rawBody) {
							delete headers['transfer-encoding'];
							headers['content-length'] = String(rawBody.length);
						}
						// A connection of its own per exchange: a kept-alive socket that the emulator closes
						// after its idle timeout (5 s) just as the next upload is written to it resets that
						// upload (seen when n8n took ~5 s between two calls, storing a file in its database).
						const upstreamReq = http.request(
							{ protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method, path: pathname + search, headers, agent: false },
							(upstreamRes) => {
								const responseKind = responseBodyKind(method, upstreamRes.statusCode ?? 0, upstreamRes.headers);
								const headersForPrism: Record<string, string> = {};
								for (const [name, value] of Object.entries(upstreamRes.headers)) {
									if (value !== undefined && !HOP_BY_HOP.includes(name)) headersForPrism[name] = Array.isArray(value) ? value.join(',') : value;
								}
								const answer = (bodyForPrism: unknown, buffered?: Buffer): UpstreamAnswer => ({
									statusCode: upstreamRes.statusCode ?? 502,
									headers: headersForPrism,
									body: bodyForPrism,
									[RAW]: { res: upstreamRes, kind: responseKind, buffered },
								});
								if (responseKind === 'binary') {
									upstreamRes.pause();
									const length = upstreamRes.headers['content-length'];
									resolve(answer(length === '0' ? '' : binaryPlaceholder(length === undefined ? undefined : Number(length))));
									return;
								}
								readAll(upstreamRes).then((buffered) => {
									if (responseKind === 'none') return resolve(answer(buffered.length ? buffered.toString('utf8') : undefined, buffered));
									if (responseKind === 'text') return resolve(answer(buffered.toString('utf8'), buffered));
									try {
										resolve(answer(buffered.length ? JSON.parse(buffered.toString('utf8')) : '', buffered));
									} catch (error) {
										// node-fetch's response.json() fails the same way inside Prism.
										reject(new Error(`invalid json response body: ${(error as Error).message}`));
									}
								}, reject);
							},
						);
						upstreamReq.on('error', reject);
						// The client went away: so does the request upstream (no half-sent upload left hanging).
						res.once('close', () => {
							if (!res.writableFinished) upstreamReq.destroy();
						});
						if (rawBody) {
							upstreamReq.end(rawBody);
						} else if (kind === 'binary') {
							requestConsumed = true;
							if (firstChunk) upstreamReq.write(firstChunk);
							req.on('data', (chunk: Buffer) => (exchange.requestBytes += chunk.length));
							if (firstChunk) exchange.requestBytes += firstChunk.length;
							req.on('aborted', () => upstreamReq.destroy());
							req.pipe(upstreamReq);
							req.resume();
						} else {
							upstreamReq.end();
						}
					}),
			});

			const outcome = await prism.request(input, spec.operations)();
			if (outcome._tag === 'Left') {
				if (!requestConsumed) req.resume();
				exchange.refused = sendProblem(res, outcome.left as Error);
				exchange.status = exchange.refused.status;
				return;
			}
			const { output, validations } = outcome.right;
			const raw = (output as UpstreamAnswer)[RAW];
			const inputViolations = (validations.input as Diagnostic[]).map((v) => toViolation('request', v));
			const outputViolations = (validations.output as Diagnostic[]).map((v) => toViolation('response', v));
			const all = [...inputViolations, ...outputViolations];
			const errors = outputViolations.filter((v) => v.severity === 'Error');
			if (errors.length > 0) {
				raw.res.destroy();
				const problem = ProblemJsonError.fromTemplate(
					{ type: 'VIOLATIONS', title: 'Request/Response not valid', status: 500 },
					'Your request/response is not valid and the --errors flag is set, so Prism is generating this error for you.',
					{ validation: errors },
				);
				exchange.refused = sendProblem(res, problem, { 'sl-violations': violationHeader(all) });
				exchange.status = 500;
				return;
			}
			exchange.warnings = all;
			const headers: Record<string, string | string[]> = {};
			for (const [name, value] of Object.entries(raw.res.headers)) {
				if (value !== undefined && !HOP_BY_HOP.includes(name)) headers[name] = value;
			}
			if (all.length > 0) headers['sl-violations'] = violationHeader(all);
			exchange.status = output.statusCode;
			const hash = createHash('sha256');
			if (raw.kind === 'binary') {
				res.writeHead(output.statusCode, headers);
				raw.res.on('data', (chunk: Buffer) => {
					exchange.responseBytes += chunk.length;
					hash.update(chunk);
				});
				await new Promise<void>((resolve) => {
					raw.res.pipe(res);
					res.on('close', () => {
						if (!raw.res.complete) raw.res.destroy();
						resolve();
					});
					raw.res.on('error', () => {
						res.destroy();
						resolve();
					});
					raw.res.resume();
				});
			} else {
				const buffered = raw.buffered ?? Buffer.alloc(0);
				headers['content-length'] = String(buffered.length);
				res.writeHead(output.statusCode, headers);
				res.end(method === 'HEAD' ? undefined : buffered);
				exchange.responseBytes = buffered.length;
				hash.update(buffered);
			}
			exchange.responseSha256 = hash.digest('hex');
		} catch (error) {
			if (!requestConsumed) req.resume();
			exchange.refused = sendProblem(res, error as Error);
			exchange.status = exchange.refused.status;
		} finally {
			exchange.durationMs = Date.now() - started;
			record(exchange);
		}
	}

	const server = http.createServer((req, res) => void handle(req, res));
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
	});
	const address = server.address() as AddressInfo;

	return {
		name: options.name,
		url: `http://${address.address}:${address.port}`,
		specs,
		exchanges,
		refusals: () => exchanges.filter((exchange) => exchange.refused),
		problems: () =>
			exchanges
				.filter((exchange) => exchange.refused)
				.map((exchange) => {
					const refused = exchange.refused!;
					const details = (refused.validation ?? []).map((v) => ` [${v.location.join('.')}] ${v.message}`).join(';');
					return `Prism (${options.name}) refused ${exchange.method} ${exchange.url}: ${refused.status} ${refused.title}. ${refused.detail}${details}`;
				}),
		reset() {
			exchanges.length = 0;
			seq = 0;
		},
		async close() {
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
	};
}

const MAX_SAFE_HEADER_LENGTH = 8 * 1024 - 100;

/** As prism-http-server's addViolationHeader. */
function violationHeader(violations: Violation[]): string {
	let value = JSON.stringify(violations);
	if (value.length > MAX_SAFE_HEADER_LENGTH) value = `Too many violations! ${value.substring(0, MAX_SAFE_HEADER_LENGTH)}`;
	return value;
}
