/**
 * The one loader of the vendors' OpenAPI files, for the sandbox's Prism gates (./gate.ts) and the
 * tests' request validator (test/support/spec/validator.ts). It loads them the way
 * `prism proxy <spec>` does (Prism's own YAML parser and `getHttpOperationsFromSpec`), with three
 * documented additions:
 *
 *  - `fullPaths`: only the operations whose path template matches (a RegExp, or a list of
 *    templates) are loaded in full. The others stay in the document as routing skeletons, so that
 *    a request to them is still routed by Prism and then refused ("not loaded") instead of being
 *    accepted. Loading Xero's 235 operations takes ~10 s on an idle core; its 30-odd attachment
 *    operations take well under one.
 *  - `responses: 'codes'`: request validation never looks at responses, so the tests hand Prism
 *    each operation's `responses` reduced to their codes and descriptions. The request side stays
 *    the same: identical for Asana, Sunshine and Wix (asserted by test/spec-validator); in Xero's
 *    recursive schemas (Contact ↔ ContactGroups, CreditNote ↔ Allocations) the depth at which
 *    Prism's decycle cuts the recursion moves, which does not change what they accept. The load
 *    time roughly halves. The gates validate responses too and keep them (`'full'`, the default).
 *  - `patches`: named, explained edits of the parsed document before Prism sees it (see
 *    XERO_DOWNLOAD_MEDIA_TYPES). Every patch says what it changed; the sandbox prints them.
 *
 * The YAML is parsed once per machine (./parse-cache.ts), the operations once per process and
 * definition. The specs live in ../shared/specs beside the checkout, or in
 * $N8N_ATTACHMENTS_SPECS_DIR (./specs-dir.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

import { getHttpOperationsFromSpec } from '@stoplight/prism-http/dist/utils/operations';

import { packageIdOf, parseSpecFile } from './parse-cache';
import { SPECS_DIR_ENV, specPath, specsDir } from './specs-dir';

export { SPECS_DIR_ENV, specsDir };

export type HttpOperation = Awaited<ReturnType<typeof getHttpOperationsFromSpec>>[number];
type Json = Record<string, unknown>;

export interface SpecPatch {
	/** One line: what is changed and why (printed at start-up). */
	description: string;
	/** Edits the parsed document in place; returns how many places it changed (0 = the patch no longer applies). */
	apply(doc: Json): number;
}

/** Path templates (as the spec writes them) to load in full: a RegExp, or a list. */
export type PathFilter = RegExp | readonly string[];

export interface SpecDefinition {
	/** A file name in {@link specsDir}, or a path. */
	file: string;
	/** Load in full only these path templates; default: all. */
	fullPaths?: PathFilter;
	patches?: SpecPatch[];
	/** `'full'` (default: the gates validate responses) or `'codes'` (request validation only). */
	responses?: 'full' | 'codes';
}

export interface LoadedSpec {
	file: string;
	name: string;
	operations: HttpOperation[];
	/** `${method} ${path}` of the operations kept as routing skeletons only. */
	skeletons: Set<string>;
	/** Path parts of the spec's `servers` URLs ('' for a server at the host's root), longest first. */
	basePaths: string[];
	/** What the patches changed, one line each. */
	notes: string[];
	loadMs: number;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
export const operationKey = (method: string, pathTemplate: string): string => `${method.toLowerCase()} ${pathTemplate}`;

type YamlParse = (text: string, options: { ignoreDuplicateKeys: boolean; mergeKeys: boolean }) => {
	data: unknown;
	diagnostics: Array<{ severity: number; message: string; range: { start: { line: number } } }>;
};

/** `@stoplight/yaml` exactly as Prism's ref-parser resolves it (a dependency of Prism, not of ours), and its package name and version. */
function prismYamlParser(): { parse: YamlParse; id: string } {
	const prismHttpDir = path.dirname(require.resolve('@stoplight/prism-http/dist/utils/operations'));
	const refParserDir = path.dirname(require.resolve('@stoplight/json-schema-ref-parser', { paths: [prismHttpDir] }));
	const file = require.resolve('@stoplight/yaml', { paths: [refParserDir] });
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved from Prism's own folder at run time
	return { parse: (require(file) as { parseWithPointers: YamlParse }).parseWithPointers, id: packageIdOf(file) };
}

/** A bare file name is one in the specs directory; a path is resolved against the cwd. */
export function resolveSpecFile(file: string): string {
	return path.isAbsolute(file) || file.includes('/') || file.includes(path.sep) ? path.resolve(file) : specPath(file);
}

/** Path parts of the `servers` URLs (template variables allowed in the host), longest first. */
export function serverBasePaths(doc: Json): string[] {
	const servers = Array.isArray(doc.servers) ? doc.servers : [];
	const paths = new Set<string>();
	for (const server of servers) {
		if (!isObject(server) || typeof server.url !== 'string') continue;
		const withoutVariables = server.url.replace(/\{[^}]*\}/g, 'x');
		try {
			paths.add(new URL(withoutVariables, 'http://relative.invalid').pathname.replace(/\/+$/, ''));
		} catch {
			// not a URL: ignored, as Prism's router ignores servers it cannot match
		}
	}
	if (paths.size === 0) paths.add('');
	return [...paths].sort((a, b) => b.length - a.length);
}

function filterAccepts(filter: PathFilter | undefined, pathTemplate: string): boolean {
	if (!filter) return true;
	if (filter instanceof RegExp) {
		filter.lastIndex = 0;
		return filter.test(pathTemplate);
	}
	return filter.includes(pathTemplate);
}

/** Keeps only the `components` entries reachable through local $refs from the rest of the document. */
function pruneComponents(doc: Json): Json {
	const components = doc.components;
	if (!isObject(components)) return doc;
	const reached = new Set<string>();
	const resolve = (ref: string): unknown =>
		ref
			.slice(2)
			.split('/')
			.map((segment) => decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~'))
			.reduce<unknown>((node, key) => (isObject(node) || Array.isArray(node) ? (node as Json)[key] : undefined), doc);
	const walk = (value: unknown): void => {
		if (Array.isArray(value)) return value.forEach(walk);
		if (!isObject(value)) return;
		if (typeof value.$ref === 'string' && value.$ref.startsWith('#/') && !reached.has(value.$ref)) {
			reached.add(value.$ref);
			walk(resolve(value.$ref));
		}
		for (const child of Object.values(value)) walk(child);
	};
	const rest: Json = { ...doc };
	delete rest.components;
	walk(rest);
	walk(components.securitySchemes);
	const kept: Json = {};
	for (const [kind, entries] of Object.entries(components)) {
		if (kind === 'securitySchemes' || !isObject(entries)) {
			kept[kind] = entries;
			continue;
		}
		const pointer = (name: string) => `#/components/${kind}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
		kept[kind] = Object.fromEntries(Object.entries(entries).filter(([name]) => reached.has(pointer(name))));
	}
	return { ...doc, components: kept };
}

/**
 * The document as the definition asks: operations outside `fullPaths` reduced to what routing
 * needs (operationId, servers, security, response codes); with `responses: 'codes'`, the
 * responses of the others reduced to their codes and descriptions too.
 */
function reduce(doc: Json, filter: PathFilter | undefined, responses: 'full' | 'codes', skeletons: Set<string>): Json {
	if (!isObject(doc.paths) || (!filter && responses === 'full')) return doc;
	const paths: Json = {};
	for (const [pathTemplate, item] of Object.entries(doc.paths)) {
		const full = filterAccepts(filter, pathTemplate);
		if (!isObject(item) || (full && responses === 'full')) {
			paths[pathTemplate] = item;
			continue;
		}
		const reduced: Json = {};
		// Same key order as the spec: Prism's router breaks ties by operation order.
		for (const [key, operation] of Object.entries(item)) {
			if (!HTTP_METHODS.includes(key.toLowerCase()) || !isObject(operation)) {
				if (full || key === 'servers') reduced[key] = operation;
				continue;
			}
			const codes: Json = {};
			for (const [code, response] of Object.entries(isObject(operation.responses) ? operation.responses : {})) {
				codes[code] = { description: isObject(response) && typeof response.description === 'string' ? response.description : '' };
			}
			if (full) {
				reduced[key] = { ...operation, responses: codes };
				continue;
			}
			skeletons.add(operationKey(key, pathTemplate));
			const skeleton: Json = { responses: codes };
			for (const field of ['operationId', 'servers', 'security']) if (field in operation) skeleton[field] = operation[field];
			reduced[key] = skeleton;
		}
		paths[pathTemplate] = reduced;
	}
	const out = { ...doc, paths };
	return filter ? pruneComponents(out) : out;
}

function hasNonLocalRef(value: unknown): boolean {
	if (Array.isArray(value)) return value.some(hasNonLocalRef);
	if (!isObject(value)) return false;
	if (typeof value.$ref === 'string' && !value.$ref.startsWith('#')) return true;
	return Object.values(value).some(hasNonLocalRef);
}

const filterKey = (filter: PathFilter | undefined) => (filter === undefined ? '' : filter instanceof RegExp ? String(filter) : JSON.stringify(filter));
const cache = new Map<string, Promise<LoadedSpec>>();

/** Loads a spec as `definition` says (once per process and definition). */
export function loadSpec(definition: SpecDefinition): Promise<LoadedSpec> {
	const file = resolveSpecFile(definition.file);
	const responses = definition.responses ?? 'full';
	const key = [file, filterKey(definition.fullPaths), responses, ...(definition.patches ?? []).map((p) => p.description)].join('\u0000');
	let loading = cache.get(key);
	if (!loading) {
		loading = (async (): Promise<LoadedSpec> => {
			if (!fs.existsSync(file)) {
				throw new Error(`OpenAPI spec not found: ${file} (set ${SPECS_DIR_ENV} to the folder holding the vendor specs)`);
			}
			const started = performance.now();
			// The parser and options of @stoplight/json-schema-ref-parser's YAML plugin, which Prism uses;
			// parsed once per machine and spec version (./parse-cache.ts). JSON files are read as JSON.
			const parser = prismYamlParser();
			let doc = parseSpecFile(file, parser.parse, parser.id, { ignoreDuplicateKeys: true, mergeKeys: false }).data as Json;
			// A document with external $refs is loaded from its file so that they resolve (unpatched, unreduced then).
			const fromFile = !isObject(doc) || hasNonLocalRef(doc);
			const notes: string[] = [];
			for (const patch of fromFile ? [] : (definition.patches ?? [])) {
				const changed = patch.apply(doc);
				if (changed === 0) throw new Error(`${path.basename(file)}: the patch "${patch.description}" no longer applies (the spec changed?)`);
				notes.push(`${patch.description} (${changed} place${changed === 1 ? '' : 's'})`);
			}
			const skeletons = new Set<string>();
			if (!fromFile) doc = reduce(doc, definition.fullPaths, responses, skeletons);
			const operations = fromFile ? await getHttpOperationsFromSpec(file) : await getHttpOperationsFromSpec(doc);
			return {
				file,
				name: path.basename(file),
				operations,
				skeletons,
				basePaths: isObject(doc) ? serverBasePaths(doc) : [''],
				notes,
				loadMs: Math.round(performance.now() - started),
			};
		})();
		cache.set(key, loading);
		loading.catch(() => cache.delete(key));
	}
	return loading;
}

/** Drops the specs loaded so far (frees the memory: the full Xero spec takes ~150 MB of heap once parsed). */
export function clearSpecCache(): void {
	cache.clear();
}

/* ------------------------------------------------------------------------------------------------
 * Patches
 * ---------------------------------------------------------------------------------------------- */

/**
 * Xero's spec declares the 200 response of every attachment download (`GET …/Attachments/{AttachmentID}`
 * and `…/{FileName}`) as `application/octet-stream` only. The emulator answers with the
 * attachment's own MIME type (the one it was uploaded with, which the listing reports as
 * `MimeType`), as its author models Xero; with `--errors`, Prism turned every PDF download into a
 * 500 "The received media type "application/pdf" does not match". The patch adds a `*\/*` binary
 * content next to octet-stream, as shared/specs' xero_accounting.prism-patched.yaml already does for
 * the upload bodies (if Xero does send octet-stream, the patch only widens the check).
 */
export const XERO_DOWNLOAD_MEDIA_TYPES: SpecPatch = {
	description: 'Xero attachment downloads: 200 responses may have any media type (*/*), not only application/octet-stream',
	apply(doc) {
		let changed = 0;
		const paths = isObject(doc.paths) ? doc.paths : {};
		for (const [pathTemplate, item] of Object.entries(paths)) {
			if (!/\/Attachments\/\{(AttachmentID|FileName)\}$/.test(pathTemplate) || !isObject(item) || !isObject(item.get)) continue;
			const ok = isObject(item.get.responses) ? item.get.responses['200'] : undefined;
			const content = isObject(ok) && isObject(ok.content) ? ok.content : undefined;
			const octet = content?.['application/octet-stream'];
			if (!content || !isObject(octet) || '*/*' in content) continue;
			content['*/*'] = { schema: { type: 'string', format: 'binary' } };
			changed++;
		}
		return changed;
	},
};

/**
 * Xero identity's `Connection.createdDateUtc` and `updatedDateUtc` are declared `format: date-time`,
 * which JSON Schema defines as RFC 3339 with a UTC offset. Xero writes them without one, as the
 * spec's own example shows ("2019-12-07T18:46:19.5165400"), and the emulator copies that shape;
 * Prism refused every `GET /Connections` with "must match format \"date-time\"". The format is
 * replaced by a pattern for Xero's shape (date, time, optional fraction, optional offset).
 */
export const XERO_IDENTITY_DATES: SpecPatch = {
	description: 'Xero identity: Connection dates may omit the UTC offset, as Xero writes them (format date-time → pattern)',
	apply(doc) {
		let changed = 0;
		const schemas = isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {};
		const connection = schemas.Connection;
		const properties = isObject(connection) && isObject(connection.properties) ? connection.properties : {};
		for (const name of ['createdDateUtc', 'updatedDateUtc']) {
			const property = properties[name];
			if (!isObject(property) || property.format !== 'date-time') continue;
			delete property.format;
			property.pattern = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})?$';
			changed++;
		}
		return changed;
	},
};

/** A query as Prism's validators take it: one value a name, or the list of a repeated one. */
export function searchParamsToNameValues(searchParams: URLSearchParams): Record<string, string | string[]> {
	const params: Record<string, string | string[]> = {};
	for (const key of new Set(searchParams.keys())) {
		const values = searchParams.getAll(key);
		params[key] = values.length === 1 ? values[0] : values;
	}
	return params;
}
