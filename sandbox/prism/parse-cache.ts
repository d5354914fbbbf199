/**
 * The vendors' OpenAPI files parsed once per machine, not once per test file: YAML parsing is most
 * of a spec's load time (Asana's 3 MB file: about 1.3 s on an idle core, several seconds in a busy
 * jest worker), and every jest test file is a module registry of its own, so an in-memory cache
 * is lost between files.
 *
 * The document parsed by the given parser is kept as JSON in a git-ignored folder
 * (node_modules/.cache/n8n-nodes-attachments/specs, or $N8N_ATTACHMENTS_SPEC_CACHE_DIR), named by
 * the SHA-256 of the spec file's bytes, the parser's identity and its options: a changed spec, or
 * another parser version, is parsed afresh. Only documents that parsed without error and that
 * JSON represents exactly are kept (checked when written, by comparing the JSON read back with
 * the parsed document); test/spec-validator/parse-cache.test.ts checks this for every spec. Files
 * are written to a temporary name and renamed, so parallel workers never read half a file.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const SPEC_CACHE_DIR_ENV = 'N8N_ATTACHMENTS_SPEC_CACHE_DIR';

export function specCacheDir(): string {
	const fromEnv = process.env[SPEC_CACHE_DIR_ENV]?.trim();
	return fromEnv ? path.resolve(fromEnv) : path.join(REPO_ROOT, 'node_modules', '.cache', 'n8n-nodes-attachments', 'specs');
}

export interface ParseDiagnostic {
	severity: number;
	message: string;
	range: { start: { line: number } };
}

export type YamlParse<O> = (text: string, options: O) => { data: unknown; diagnostics: ParseDiagnostic[] };

export interface ParsedSpec {
	data: unknown;
	/** Where the parsed document came from. */
	source: 'parsed' | 'cache';
	cacheFile: string;
}

/**
 * The document of a spec file: JSON files are read as JSON; YAML files with `parse` (which names
 * itself by `parserId`, e.g. its package name and version) and `options`, or from the cache.
 * Throws on the parser's first error, naming the file and line.
 */
export function parseSpecFile<O>(file: string, parse: YamlParse<O>, parserId: string, options: O): ParsedSpec {
	const bytes = fs.readFileSync(file);
	const key = createHash('sha256').update(bytes).update('\0').update(parserId).update('\0').update(JSON.stringify(options)).digest('hex');
	const cacheFile = path.join(specCacheDir(), `${path.basename(file).replace(/[^\w.-]/g, '_')}.${key.slice(0, 32)}.json`);
	if (/\.json$/i.test(file)) return { data: JSON.parse(bytes.toString('utf8')) as unknown, source: 'parsed', cacheFile };
	try {
		return { data: JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as unknown, source: 'cache', cacheFile };
	} catch {
		// not cached yet (or unreadable): parse
	}
	const parsed = parse(bytes.toString('utf8'), options);
	const error = parsed.diagnostics.find((diagnostic) => diagnostic.severity === 0);
	if (error) throw new Error(`${file}: ${error.message} at line ${error.range.start.line + 1}`);
	try {
		const json = JSON.stringify(parsed.data);
		if (isDeepStrictEqual(JSON.parse(json), parsed.data)) {
			fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
			const temporary = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
			fs.writeFileSync(temporary, json);
			fs.renameSync(temporary, cacheFile);
		}
	} catch {
		// a cache that cannot be written only costs the next parse
	}
	return { data: parsed.data, source: 'parsed', cacheFile };
}

/** The name and version of the package a module file belongs to (the nearest package.json above it). */
export function packageIdOf(moduleFile: string): string {
	for (let dir = path.dirname(moduleFile); dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const manifest = path.join(dir, 'package.json');
		if (!fs.existsSync(manifest)) continue;
		const { name, version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
		if (name) return `${name}@${version ?? '?'}`;
	}
	return moduleFile;
}
