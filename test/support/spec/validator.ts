/**
 * Checks requests recorded by our fake vendor servers against the vendors' OpenAPI specs with
 * Stoplight Prism's own request validation (the code `prism mock|proxy --errors` runs), used
 * programmatically from `@stoplight/prism-http` 5.16.0 (brought by @stoplight/prism-cli):
 *
 *  - loading: `getHttpOperationsFromSpec` (the loader prism-cli uses: ref-parser + http-spec);
 *  - routing: Prism's router: an unknown path or method is a violation;
 *  - `validateSecurity` and `validateInput`: security schemes, path/query/header parameters
 *    (JSON schema incl. formats such as `uuid`; deprecation → warning), body presence, body media
 *    type against the declared contents, and the body against its schema.
 *
 * The router and validators are not re-exported by the package index, and the index itself cannot
 * be loaded under jest (it pulls Prism's mocker → ESM-only @faker-js/faker), so the same modules are
 * imported from `dist/` (the package has no `exports` map).
 *
 * Requests are converted as Prism's HTTP server converts them: path = URL pathname (percent-
 * encoding kept; the router decodes segments), query = URLSearchParams (decoded; repeated keys →
 * arrays), headers as received, body = parsed JSON for `application/json` / `application/*+json`,
 * otherwise the UTF-8 text.
 *
 * Additions and differences (each documented where it is done):
 *  - The spec's server base path (e.g. `/api.xro/2.0`) is stripped first (a Prism mock serves paths
 *    relative to the server); a path outside every server base path is a violation.
 *  - `content-length` is synthesised from `bodySize` when absent (chunked uploads); Prism would
 *    otherwise skip the media-type check. A non-empty body without Content-Type is a violation
 *    (Prism accepts it).
 *  - Binary bodies (`format: binary`): Prism checks presence and media type (Xero's patched spec
 *    declares a wildcard type); the bytes themselves cannot be checked further.
 *  - `multipart/form-data`: Prism parses the parts (package `parse-multipart-data`) and validates the
 *    field map (values and files as strings) against the schema: required fields, enums, types. It
 *    does not check the framing and throws on some valid parts (a file part without Content-Type, an
 *    unquoted filename), so the framing is parsed here too (broken framing / unnamed parts are
 *    violations) and, if Prism's parser throws, Prism is re-fed a normalised copy of the same parts
 *    (warning). Per-part Content-Type and `encoding` objects are not checked.
 *  - Bodies not recorded (`body` absent, `bodySize > 0`): only presence and media type are checked
 *    (schemas stripped from a copy of the operation); a warning says so.
 *  - Schemas Prism's ajv cannot compile would silently validate nothing; they are violations here.
 *  - When the operation the router picked fails and another one with an equally templated path
 *    matches (Xero `…/Attachments/{AttachmentID}` vs `…/{FileName}`), the request is valid if any of
 *    them accepts it: the real server has to disambiguate such paths too.
 *  - Query parameters the operation does not declare are warnings (Prism ignores them).
 *  - Specs are handed to Prism with responses reduced (see "Loading" below).
 */
import * as path from 'path';
// Not the package index (see above).
import type { IHttpRequest } from '@stoplight/prism-http';
import route from '@stoplight/prism-http/dist/router';
import { matchPath } from '@stoplight/prism-http/dist/router/matchPath';
import { MatchType } from '@stoplight/prism-http/dist/router/types';
import { validateInput, validateSecurity } from '@stoplight/prism-http/dist/validator';
import { headerParameters } from '../../../sandbox/common/http';
import { type HttpOperation, type LoadedSpec, type PathFilter, clearSpecCache, loadSpec, operationKey, resolveSpecFile, searchParamsToNameValues } from '../../../sandbox/prism/specs';

export { clearSpecCache, resolveSpecFile };
export type { HttpOperation, LoadedSpec };

/** A request as recorded by the fake servers. */
export interface RecordedRequest {
	method: string;
	/** Raw request target as received: path + query string, percent-encoding untouched. */
	url: string;
	/** Node's IncomingHttpHeaders (lower-case names). */
	headers: Record<string, string | string[] | undefined>;
	/** May be absent for big uploads. */
	body?: Buffer;
	bodySize: number;
}

export interface SpecValidatorOptions {
	/**
	 * Base path the fake server is mounted at, stripped from the request path before routing
	 * (`''` = none). Default: the path parts of the spec's `servers` URLs (longest match first).
	 */
	serverPrefix?: string;
	/** Run Prism's security-scheme check (default true). */
	checkSecurity?: boolean;
	/**
	 * Fully load only the operations whose path template (as written in the spec, e.g.
	 * `/Invoices/{InvoiceID}/Attachments/{FileName}`) matches this RegExp or is in this list. All
	 * other operations are still routed (so unknown paths stay violations), but a request routed to
	 * one of them is reported as a violation ("not loaded"), never silently accepted. Loading only
	 * Xero's attachment paths takes well under a second instead of ~10–20 s.
	 */
	paths?: RegExp | readonly string[];
}

export interface SpecCheckResult {
	/** The operation the request was validated against (absent when none matched). */
	operation?: { id?: string; method: string; path: string };
	/** Human-readable violations; empty = the spec accepts the request. */
	violations: string[];
	/** Prism warnings (e.g. deprecated parameters) and notes on what could not be checked. */
	warnings: string[];
}

export interface SpecValidator {
	/** Absolute path of the spec. */
	readonly specFile: string;
	readonly operationCount: number;
	/** Milliseconds Prism took to load the spec (first load in this process; later loads are cached). */
	readonly loadMs: number;
	/** Base paths stripped from request paths before routing. */
	readonly basePaths: readonly string[];
	/** Violations of the spec by `req` (empty = valid). */
	validate(req: RecordedRequest): string[];
	/** Like {@link validate}, with the matched operation and warnings. */
	check(req: RecordedRequest): SpecCheckResult;
}

type PrismValidation = ReturnType<typeof validateInput>;
type PrismDiagnostic = Extract<PrismValidation, { _tag: 'Left' }>['left'][number];
type HttpMethod = IHttpRequest['method'];

const PRISM_VALIDATOR_DIR = path.dirname(require.resolve('@stoplight/prism-http/dist/validator/validators/utils'));

/** A module exactly as Prism's code resolves it (transitive dependencies are not ours to import). */
function requireFromPrism<T>(id: string, fromDir = PRISM_VALIDATOR_DIR): T {
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved from Prism's own folder at run time
	return require(require.resolve(id, { paths: [fromDir] })) as T;
}

/* ------------------------------------------------------------------------------------------------
 * Loading: the one spec loader of sandbox/prism/specs.ts, the one the sandbox's Prism gates use,
 * with `responses: 'codes'`: Prism is handed the document parsed by the same YAML parser its
 * ref-parser uses, with each operation's `responses` reduced to their codes and descriptions
 * (request validation never looks at them; the load time roughly halves), and with `paths` as its
 * `fullPaths` (see SpecValidatorOptions). Cached per spec file and filter per process (module
 * instance: in jest, per test file); the YAML is parsed once per machine.
 * ---------------------------------------------------------------------------------------------- */

/** Prism's operations of a spec, reduced for request validation (cached per file and filter). */
export function loadSpecOperations(specFile: string, paths?: PathFilter): Promise<LoadedSpec> {
	return loadSpec({ file: specFile, fullPaths: paths, responses: 'codes' });
}

/** A validator for requests against `specFile` (a file name in the specs directory, or a path). */
export async function loadSpecValidator(specFile: string, opts: SpecValidatorOptions = {}): Promise<SpecValidator> {
	const spec = await loadSpecOperations(specFile, opts.paths);
	const basePaths =
		opts.serverPrefix !== undefined ? [normaliseBasePath(opts.serverPrefix)] : serverBasePaths(spec.operations);
	const checkSecurity = opts.checkSecurity ?? true;
	const check = (req: RecordedRequest) => checkRequest(spec, basePaths, checkSecurity, req);
	return {
		specFile: spec.file,
		operationCount: spec.operations.length,
		loadMs: spec.loadMs,
		basePaths,
		check,
		validate: (req) => check(req).violations,
	};
}

/* ------------------------------------------------------------------------------------------------
 * Server base paths
 * ---------------------------------------------------------------------------------------------- */

function normaliseBasePath(p: string): string {
	let out = p.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/[?#].*$/, '').replace(/\/+$/, '');
	if (out !== '' && !out.startsWith('/')) out = `/${out}`;
	return out;
}

/** Path parts of all server URLs of the spec, longest first (`''` when a server has none). */
function serverBasePaths(operations: HttpOperation[]): string[] {
	const set = new Set<string>();
	for (const op of operations) for (const server of op.servers ?? []) set.add(normaliseBasePath(server.url));
	if (set.size === 0) set.add('');
	return [...set].sort((a, b) => b.length - a.length);
}

/** `pathname` without the first base path it lies under (`{var}` in a base path matches one segment). */
function stripBasePath(pathname: string, basePaths: readonly string[]): string | undefined {
	for (const base of basePaths) {
		if (base === '') return pathname;
		const pattern = base
			.split(/(\{[^}]+\})/)
			.map((part) => (/^\{[^}]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
			.join('');
		const m = new RegExp(`^${pattern}(?=/|$)`).exec(pathname);
		if (m) return pathname.slice(m[0].length) || '/';
	}
	return undefined;
}

/* ------------------------------------------------------------------------------------------------
 * Request conversion (as prism-http-server does it)
 * ---------------------------------------------------------------------------------------------- */

function parseContentType(value: string | undefined): { mediaType?: string; boundary?: string } {
	if (!value) return {};
	const [essence, ...params] = value.split(';');
	let boundary: string | undefined;
	for (const param of params) {
		const m = /^\s*boundary\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;]+))\s*$/i.exec(param);
		if (m) boundary = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
	}
	return { mediaType: essence.trim().toLowerCase(), boundary };
}

const isJsonMediaType = (mt: string | undefined) => !!mt && (mt === 'application/json' || /^application\/[^/]+\+json$/.test(mt));

function flattenHeaders(headers: RecordedRequest['headers']): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value === undefined) continue;
		out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
	}
	return out;
}

/* ------------------------------------------------------------------------------------------------
 * multipart/form-data framing (RFC 7578 / RFC 2046), checked here because Prism does not
 * ---------------------------------------------------------------------------------------------- */

export interface MultipartPart {
	name?: string;
	filename?: string;
	contentType?: string;
	data: Buffer;
}

export function parseMultipart(body: Buffer, boundary: string): { parts: MultipartPart[]; errors: string[] } {
	const errors: string[] = [];
	const parts: MultipartPart[] = [];
	const delimiter = Buffer.from(`--${boundary}`, 'latin1');
	const crlfDelimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
	let pos = body.subarray(0, delimiter.length).equals(delimiter) ? 0 : body.indexOf(crlfDelimiter);
	if (pos < 0) return { parts, errors: [`no "--${boundary}" delimiter in the body`] };
	if (pos > 0) pos += 2; // preamble
	for (;;) {
		pos += delimiter.length;
		if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return { parts, errors }; // close delimiter
		while (body[pos] === 0x20 || body[pos] === 0x09) pos++; // transport padding
		if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) {
			errors.push(`delimiter #${parts.length + 1} is not followed by CRLF`);
			return { parts, errors };
		}
		pos += 2;
		const next = body.indexOf(crlfDelimiter, pos);
		if (next < 0) {
			errors.push('no closing delimiter "--' + boundary + '--"');
			return { parts, errors };
		}
		const raw = body.subarray(pos, next);
		const headerEnd = raw.subarray(0, 2).toString('latin1') === '\r\n' ? 0 : raw.indexOf('\r\n\r\n');
		if (headerEnd < 0) {
			errors.push(`part #${parts.length + 1} has no blank line after its headers`);
		} else {
			const headers: Record<string, string> = {};
			for (const line of raw.subarray(0, headerEnd).toString('utf8').split('\r\n')) {
				const i = line.indexOf(':');
				if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
			}
			const disposition = headers['content-disposition'];
			const part: MultipartPart = {
				contentType: headers['content-type'],
				data: raw.subarray(headerEnd === 0 ? 2 : headerEnd + 4),
			};
			if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) {
				errors.push(`part #${parts.length + 1} has no "Content-Disposition: form-data" header`);
			} else {
				const params = headerParameters(disposition);
				part.name = params.name;
				part.filename = params.filename ?? params['filename*'];
				if (!part.name) errors.push(`part #${parts.length + 1} has no name in its Content-Disposition`);
			}
			parts.push(part);
		}
		pos = next + 2;
	}
}

/** The same parts re-serialised in the exact shape Prism's multipart parser handles. */
function normaliseMultipart(parts: MultipartPart[], boundary: string): Buffer {
	const chunks: Buffer[] = [];
	for (const part of parts) {
		let head = `--${boundary}\r\nContent-Disposition: form-data; name="${(part.name ?? '').replace(/[";\r\n]/g, '_')}"`;
		if (part.filename !== undefined) {
			head += `; filename="${part.filename.replace(/[";=\r\n\\]/g, '_')}"\r\nContent-Type: ${part.contentType ?? 'application/octet-stream'}`;
		}
		chunks.push(Buffer.from(`${head}\r\n\r\n`, 'utf8'), part.data, Buffer.from('\r\n'));
	}
	chunks.push(Buffer.from(`--${boundary}--\r\n`));
	return Buffer.concat(chunks);
}

/* ------------------------------------------------------------------------------------------------
 * Schemas Prism cannot compile
 *
 * Prism's `validateAgainstSchema` wraps ajv's compile in `O.tryCatch`: a schema ajv cannot compile
 * (e.g. an unresolvable $ref left by Prism's own bundling of Xero's recursive Invoice/Contact
 * schemas) validates NOTHING, silently. To keep the validator from being vacuous, ajv's compile,
 * as loaded by Prism, is wrapped to record such failures; they are reported as violations.
 * ---------------------------------------------------------------------------------------------- */

const AJV_PROBE = Symbol.for('n8n-nodes-attachments.spec-validator.ajv-compile-failures');
type AjvPrototype = { compile: (...args: unknown[]) => unknown; [AJV_PROBE]?: Error[] };

function ajvCompileFailures(): Error[] {
	// The ajv Prism resolves (prism-http has its own nested copy); all its classes extend ajv/dist/core.
	const proto = requireFromPrism<{ default: { prototype: AjvPrototype } }>('ajv/dist/core').default.prototype;
	let failures = proto[AJV_PROBE];
	if (!failures) {
		const recorded: Error[] = [];
		const compile = proto.compile;
		proto.compile = function (this: unknown, ...args: unknown[]) {
			try {
				return compile.apply(this, args);
			} catch (e) {
				recorded.push(e as Error);
				throw e;
			}
		};
		proto[AJV_PROBE] = failures = recorded;
	}
	return failures;
}

let compileFailures: Error[] | undefined;

/** Runs a Prism validation and returns it with the ajv compile errors Prism swallowed meanwhile. */
function withCompileFailures<T>(run: () => T): { result: T; failures: Error[] } {
	compileFailures ??= ajvCompileFailures();
	const before = compileFailures.length;
	try {
		const result = run();
		return { result, failures: compileFailures.splice(before) };
	} catch (e) {
		compileFailures.splice(before);
		throw e;
	}
}

/* ------------------------------------------------------------------------------------------------
 * Validation
 * ---------------------------------------------------------------------------------------------- */

const SEVERITY_ERROR = 0; // DiagnosticSeverity.Error of @stoplight/types

function describeSecurity(op: HttpOperation): string {
	return (op.security ?? [])
		.map((alternative) =>
			alternative.length === 0
				? 'no auth'
				: alternative
						.map((s) => {
							if (s.type === 'http') return `${s.key} (http ${s.scheme})`;
							if (s.type === 'apiKey') return `${s.key} (apiKey in ${s.in} "${s.name}")`;
							return `${s.key} (${s.type}: "Authorization: Bearer …")`;
						})
						.join(' + '),
		)
		.join(' | ');
}

function formatDiagnostic(op: HttpOperation, d: PrismDiagnostic, security: boolean): string {
	if (security) return `security: ${d.message} (Prism answers 401); the operation accepts: ${describeSecurity(op)}`;
	if (d.code === 415) return `body media type: ${d.message}`;
	return d.message;
}

function opLabel(op: HttpOperation): string {
	return `${op.method.toUpperCase()} ${op.path}${op.iid ? ` [${op.iid}]` : ''}`;
}

function withoutBodySchemas(op: HttpOperation): HttpOperation {
	const body = op.request?.body;
	if (!body?.contents) return op;
	return {
		...op,
		request: { ...op.request, body: { ...body, contents: body.contents.map((content) => {
			const copy = { ...content };
			delete copy.schema;
			return copy;
		}) } },
	};
}

interface PreparedRequest {
	input: IHttpRequest;
	bodySize: number;
	/** validate against body-schema-less copies of the operations */
	skipBodySchema: boolean;
	/** alternative body for Prism when its multipart parser throws */
	normalisedMultipart?: string;
	violations: string[];
	warnings: string[];
}

function prepare(req: RecordedRequest, strippedPath: string, searchParams: URLSearchParams): PreparedRequest {
	const violations: string[] = [];
	const warnings: string[] = [];
	const headers = flattenHeaders(req.headers);
	// A body shorter than bodySize was truncated by the recorder: treat it as not recorded.
	const recorded = req.body !== undefined && req.body.length >= req.bodySize ? req.body : undefined;
	const bodySize = Math.max(req.bodySize, req.body?.length ?? 0);
	if (bodySize > 0 && headers['content-length'] === undefined) headers['content-length'] = String(bodySize);
	const { mediaType, boundary } = parseContentType(headers['content-type']);

	let body: unknown;
	let skipBodySchema = false;
	let normalisedMultipart: string | undefined;
	if (bodySize > 0 && !recorded) {
		skipBodySchema = true;
		body = '<body not recorded>';
		warnings.push(`body of ${bodySize} bytes was not recorded: only its presence and media type were checked`);
	} else if (recorded && recorded.length > 0) {
		if (isJsonMediaType(mediaType)) {
			try {
				body = JSON.parse(recorded.toString('utf8'));
			} catch (e) {
				violations.push(`body: declared ${mediaType} but is not valid JSON (${(e as Error).message})`);
				skipBodySchema = true;
				body = '<invalid JSON>';
			}
		} else {
			body = recorded.toString('utf8');
			if (mediaType === 'multipart/form-data' && boundary) {
				const { parts, errors } = parseMultipart(recorded, boundary);
				for (const e of errors) violations.push(`multipart/form-data body (framing checked by the test validator, not Prism): ${e}`);
				if (errors.length === 0) normalisedMultipart = normaliseMultipart(parts, boundary).toString('utf8');
			}
		}
	}
	const input: IHttpRequest = {
		method: req.method.toLowerCase() as HttpMethod,
		url: { path: strippedPath, query: searchParamsToNameValues(searchParams) },
		headers,
		body,
	};
	return { input, bodySize, skipBodySchema, normalisedMultipart, violations, warnings };
}

interface OperationOutcome {
	op: HttpOperation;
	violations: string[];
	warnings: string[];
}

function validateAgainst(op: HttpOperation, prepared: PreparedRequest, checkSecurity: boolean): OperationOutcome {
	const resource = prepared.skipBodySchema ? withoutBodySchemas(op) : op;
	const violations: string[] = [];
	const warnings: string[] = [];
	const collect = (diagnostics: readonly PrismDiagnostic[], security: boolean) => {
		for (const d of diagnostics) {
			(d.severity === SEVERITY_ERROR ? violations : warnings).push(formatDiagnostic(op, d, security));
		}
	};
	if (checkSecurity) {
		const security = validateSecurity({ resource, element: prepared.input });
		if (security._tag === 'Left') collect(security.left, true);
	}
	let result: PrismValidation;
	const notCompiled = (failures: Error[]) => {
		for (const message of new Set(failures.map((f) => f.message))) {
			violations.push(
				`not validated: Prism could not compile a JSON schema of the operation and would accept anything there (ajv: ${message.slice(0, 300)})`,
			);
		}
	};
	try {
		const run = withCompileFailures(() => validateInput({ resource, element: prepared.input }));
		result = run.result;
		notCompiled(run.failures);
	} catch (e) {
		if (prepared.normalisedMultipart === undefined) {
			violations.push(`Prism could not validate the request: ${(e as Error).message}`);
			return { op, violations, warnings };
		}
		// Prism's multipart parser (parse-multipart-data) throws on some valid parts, e.g. a file part
		// without Content-Type; the framing was checked above, so let Prism check the fields of a
		// normalised copy.
		warnings.push(`Prism's multipart parser failed on the raw body (${(e as Error).message}); fields validated on a normalised copy`);
		try {
			const normalised = { ...prepared.input, body: prepared.normalisedMultipart };
			const run = withCompileFailures(() => validateInput({ resource, element: normalised }));
			result = run.result;
			notCompiled(run.failures);
		} catch (e2) {
			violations.push(`Prism could not validate the request: ${(e2 as Error).message}`);
			return { op, violations, warnings };
		}
	}
	if (result._tag === 'Left') collect(result.left, false);
	const contents = op.request?.body?.contents ?? [];
	if (prepared.bodySize > 0 && !prepared.input.headers?.['content-type'] && contents.length > 0) {
		// Prism skips the media-type check when there is no Content-Type; a body the server has to
		// guess the type of is a bug for us (e.g. Xero stores the MIME type from this header).
		violations.push(
			`body of ${prepared.bodySize} bytes sent without Content-Type (the operation declares ${contents.map((c) => c.mediaType).join(', ')}; checked by the test validator, Prism accepts it)`,
		);
	}

	const declared = new Set((op.request?.query ?? []).map((q) => q.name.toLowerCase()));
	for (const name of Object.keys(prepared.input.url.query ?? {})) {
		if (!declared.has(name.toLowerCase())) warnings.push(`query parameter "${name}" is not declared by the operation (Prism ignores it)`);
	}
	return { op, violations, warnings };
}

function isMatch(requestPath: string, op: HttpOperation, type: MatchType): boolean {
	const m = matchPath(requestPath, op.path);
	return m._tag === 'Right' && m.right === type;
}

function checkRequest(spec: LoadedSpec, basePaths: readonly string[], checkSecurity: boolean, req: RecordedRequest): SpecCheckResult {
	const { operations, skeletons } = spec;
	const where = `${req.method.toUpperCase()} ${req.url}`;
	let url: URL;
	try {
		url = new URL(req.url, 'http://127.0.0.1');
	} catch {
		return { violations: [`${where}: not a valid request target`], warnings: [] };
	}
	const stripped = stripBasePath(url.pathname, basePaths);
	if (stripped === undefined) {
		return {
			violations: [`${where}: path is not under the spec's server base path (${basePaths.map((b) => `"${b}"`).join(', ')})`],
			warnings: [],
		};
	}
	const prepared = prepare(req, stripped, url.searchParams);

	const routed = route({ resources: operations, input: prepared.input });
	if (routed._tag === 'Left') {
		const err = routed.left as Error & { detail?: string };
		return {
			violations: [...prepared.violations.map((v) => `${where}: ${v}`), `${where}: ${err.message}${err.detail ? `: ${err.detail}` : ''}`],
			warnings: prepared.warnings.map((w) => `${where}: ${w}`),
		};
	}
	let chosen = routed.right;
	const isSkeleton = (op: HttpOperation) => skeletons.has(operationKey(op.method, op.path));
	const sameTemplatedMatch = (op: HttpOperation) =>
		op !== chosen && !isSkeleton(op) && op.method.toLowerCase() === prepared.input.method && isMatch(stripped, op, MatchType.TEMPLATED);
	if (isSkeleton(chosen) && isMatch(stripped, chosen, MatchType.TEMPLATED)) {
		chosen = operations.find(sameTemplatedMatch) ?? chosen;
	}
	if (isSkeleton(chosen)) {
		return {
			operation: { id: chosen.iid, method: chosen.method, path: chosen.path },
			violations: [`${where} → ${opLabel(chosen)}: not validated: the operation was not loaded (outside the \`paths\` option of loadSpecValidator)`],
			warnings: [],
		};
	}
	let outcome = validateAgainst(chosen, prepared, checkSecurity);
	const alternatives: OperationOutcome[] = [];
	if (outcome.violations.length > 0 && isMatch(stripped, chosen, MatchType.TEMPLATED)) {
		// Equally templated paths of the same method (e.g. Xero {AttachmentID} vs {FileName}).
		for (const op of operations) {
			if (!sameTemplatedMatch(op)) continue;
			const alternative = validateAgainst(op, prepared, checkSecurity);
			if (alternative.violations.length === 0) {
				outcome = alternative;
				break;
			}
			alternatives.push(alternative);
		}
	}
	const label = `${where} → ${opLabel(outcome.op)}`;
	const warnings = [...prepared.warnings, ...outcome.warnings].map((w) => `${label}: ${w}`);
	if (outcome.violations.length > 0) {
		for (const alt of alternatives) warnings.push(`${where}: also fails ${opLabel(alt.op)}: ${alt.violations.join('; ')}`);
	}
	return {
		operation: { id: outcome.op.iid, method: outcome.op.method, path: outcome.op.path },
		violations: [...prepared.violations, ...outcome.violations].map((v) => `${label}: ${v}`),
		warnings,
	};
}
