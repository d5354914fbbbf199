/**
 * The specs-directory rules: env override, default beside the checkout, fail in CI, skip (with one
 * warning) elsewhere. Needs no spec files itself.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SPECS_DIR_ENV, describeWithSpecs, missingSpecs, repoRoot, requireSpecs, specPath, specsDir } from '../support/spec';

describe('spec directory helpers', () => {
	const savedEnv = { dir: process.env[SPECS_DIR_ENV], ci: process.env.CI };
	let tmp: string;

	beforeEach(() => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'specs-dir-'));
		fs.writeFileSync(path.join(tmp, 'present.yaml'), 'openapi: 3.0.0\n');
	});

	afterEach(() => {
		fs.rmSync(tmp, { recursive: true, force: true });
		const restore = (name: string, value: string | undefined) => {
			if (value === undefined) delete process.env[name];
			else process.env[name] = value;
		};
		restore(SPECS_DIR_ENV, savedEnv.dir);
		restore('CI', savedEnv.ci);
		jest.restoreAllMocks();
	});

	it('defaults to <repo root>/../shared/specs and honours the environment variable', () => {
		delete process.env[SPECS_DIR_ENV];
		expect(fs.existsSync(path.join(repoRoot(), 'package.json'))).toBe(true);
		expect(specsDir()).toBe(path.resolve(repoRoot(), '..', 'shared', 'specs'));
		process.env[SPECS_DIR_ENV] = '  ';
		expect(specsDir()).toBe(path.resolve(repoRoot(), '..', 'shared', 'specs'));
		process.env[SPECS_DIR_ENV] = tmp;
		expect(specsDir()).toBe(tmp);
		expect(specPath('present.yaml')).toBe(path.join(tmp, 'present.yaml'));
		expect(missingSpecs(['present.yaml', 'absent.yaml'])).toEqual(['absent.yaml']);
	});

	it('returns true when all specs are present', () => {
		process.env[SPECS_DIR_ENV] = tmp;
		const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
		expect(requireSpecs(['present.yaml'])).toBe(true);
		expect(warn).not.toHaveBeenCalled();
	});

	it('throws when CI=true and a spec is missing, naming the files and the variable', () => {
		process.env[SPECS_DIR_ENV] = tmp;
		process.env.CI = 'true';
		expect(() => requireSpecs(['present.yaml', 'absent.yaml'])).toThrow(/absent\.yaml.*N8N_ATTACHMENTS_SPECS_DIR/s);
	});

	it('outside CI, returns false with a single clear warning', () => {
		process.env[SPECS_DIR_ENV] = tmp;
		delete process.env.CI;
		const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
		expect(requireSpecs(['gone.yaml'], 'the gone tests')).toBe(false);
		expect(requireSpecs(['gone.yaml'], 'the gone tests')).toBe(false);
		expect(warn).toHaveBeenCalledTimes(1);
		expect(String(warn.mock.calls[0][0])).toMatch(/Skipping the gone tests: missing spec file\(s\) gone\.yaml in .*N8N_ATTACHMENTS_SPECS_DIR/);
	});

	it('describeWithSpecs uses describe, or describe.skip with the reason in the title', () => {
		process.env[SPECS_DIR_ENV] = tmp;
		delete process.env.CI;
		jest.spyOn(console, 'warn').mockImplementation(() => undefined);
		const calls: string[] = [];
		const realDescribe = global.describe;
		const fake = Object.assign((name: string) => calls.push(`describe ${name}`), {
			skip: (name: string) => calls.push(`skip ${name}`),
		});
		(global as unknown as { describe: unknown }).describe = fake;
		try {
			describeWithSpecs('has specs', ['present.yaml'], () => undefined);
			describeWithSpecs('lacks specs', ['nope.yaml'], () => undefined);
		} finally {
			global.describe = realDescribe;
		}
		expect(calls[0]).toBe('describe has specs');
		expect(calls[1]).toMatch(/^skip lacks specs \[SKIPPED: missing spec file\(s\) nope\.yaml in /);
	});
});
