/**
 * sandbox/prism/parse-cache.ts: a spec read from the cache is exactly the document Prism's
 * YAML parser makes of the file, for every spec the tests and sandboxes load; a changed file is
 * parsed afresh; a parse error is never cached.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';

import { SPEC_CACHE_DIR_ENV, packageIdOf, parseSpecFile, type YamlParse } from '../../sandbox/prism/parse-cache';
import { SPEC_FILES, describeWithSpecs, specPath } from '../support/spec';

type Options = { ignoreDuplicateKeys: boolean; mergeKeys: boolean };
const OPTIONS: Options = { ignoreDuplicateKeys: true, mergeKeys: false };

/** @stoplight/yaml as Prism's ref-parser resolves it (as both loaders do). */
const prismHttpDir = path.dirname(require.resolve('@stoplight/prism-http/dist/utils/operations'));
const refParserDir = path.dirname(require.resolve('@stoplight/json-schema-ref-parser', { paths: [prismHttpDir] }));
const yamlFile = require.resolve('@stoplight/yaml', { paths: [refParserDir] });
// eslint-disable-next-line @typescript-eslint/no-require-imports -- Prism's own copy
const parse = (require(yamlFile) as { parseWithPointers: YamlParse<Options> }).parseWithPointers;
const parserId = packageIdOf(yamlFile);

let cacheDir: string;
const saved = process.env[SPEC_CACHE_DIR_ENV];
beforeEach(() => {
	cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spec-cache-'));
	process.env[SPEC_CACHE_DIR_ENV] = cacheDir;
});
afterEach(() => {
	fs.rmSync(cacheDir, { recursive: true, force: true });
	if (saved === undefined) delete process.env[SPEC_CACHE_DIR_ENV];
	else process.env[SPEC_CACHE_DIR_ENV] = saved;
});

it('names the parser by its package and version', () => {
	expect(parserId).toMatch(/^@stoplight\/yaml@\d+\.\d+\.\d+/);
});

const SPECS = Object.values(SPEC_FILES);
describeWithSpecs('every spec, parsed and then read from the cache', SPECS, () => {
	const files = [...SPECS.map((name) => specPath(name)), path.resolve(__dirname, '..', '..', 'sandbox', 'wix', 'wix_contacts_v4.yaml')];
	it.each(files.map((file) => [path.basename(file), file]))('%s: the cached document is the parsed one', (_name, file) => {
		const fresh = parse(fs.readFileSync(file, 'utf8'), OPTIONS);
		const first = parseSpecFile(file, parse, parserId, OPTIONS);
		const second = parseSpecFile(file, parse, parserId, OPTIONS);
		expect({ first: first.source, second: second.source }).toEqual({ first: 'parsed', second: 'cache' });
		expect(fs.existsSync(second.cacheFile)).toBe(true);
		expect(isDeepStrictEqual(second.data, fresh.data)).toBe(true);
		// Key order too (Prism's router breaks ties by operation order).
		expect(JSON.stringify(second.data)).toBe(JSON.stringify(fresh.data));
	});
});

it('parses a changed file afresh, under another name, and never caches a parse error', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spec-file-'));
	try {
		const file = path.join(dir, 'spec.yaml');
		fs.writeFileSync(file, 'openapi: 3.0.0\ninfo: { title: one, version: "1" }\npaths: {}\n');
		const one = parseSpecFile(file, parse, parserId, OPTIONS);
		expect(parseSpecFile(file, parse, parserId, OPTIONS)).toMatchObject({ source: 'cache', data: { info: { title: 'one' } } });
		fs.writeFileSync(file, 'openapi: 3.0.0\ninfo: { title: two, version: "1" }\npaths: {}\n');
		const two = parseSpecFile(file, parse, parserId, OPTIONS);
		expect(two).toMatchObject({ source: 'parsed', data: { info: { title: 'two' } } });
		expect(two.cacheFile).not.toBe(one.cacheFile);
		// Another parser version is another entry.
		expect(parseSpecFile(file, parse, `${parserId}-other`, OPTIONS).source).toBe('parsed');

		fs.writeFileSync(file, 'openapi: 3.0.0\npaths: [\n');
		expect(() => parseSpecFile(file, parse, parserId, OPTIONS)).toThrow(/spec\.yaml: .* at line \d+/);
		expect(() => parseSpecFile(file, parse, parserId, OPTIONS)).toThrow(/spec\.yaml: /);
		expect(fs.readdirSync(cacheDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
});
