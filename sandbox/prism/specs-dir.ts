/**
 * Where the vendors' OpenAPI specs live, and how tests behave when they are missing.
 *
 * The specs are data beside the checkout (`<repo root>/../shared/specs`), not part of the package.
 * `N8N_ATTACHMENTS_SPECS_DIR` points elsewhere. Rule: spec tests FAIL when `CI=true` and a spec is
 * missing, and are SKIPPED with one clear warning everywhere else.
 */
import * as fs from 'fs';
import * as path from 'path';

/** Environment variable that overrides the specs directory. */
export const SPECS_DIR_ENV = 'N8N_ATTACHMENTS_SPECS_DIR';

/** File names of the specs in the shared directory (see its README.md). */
export const SPEC_FILES = {
	xeroAccounting: 'xero_accounting.prism-patched.yaml',
	xeroAccountingOriginal: 'xero_accounting.yaml',
	xeroIdentity: 'xero-identity.yaml',
	asana: 'asana_oas.yaml',
	sunshine: 'sunshine_conversations.yaml',
	sunshineLegacy: 'sunshine_conversations_v12.8.0_legacy.yaml',
	wix: 'wix_contact_attachments.yaml',
} as const;

/** The repository root: the nearest directory above this file holding a package.json. */
export function repoRoot(): string {
	let dir = __dirname;
	for (;;) {
		if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
		const parent = path.dirname(dir);
		if (parent === dir) return path.resolve(__dirname, '..', '..');
		dir = parent;
	}
}

/** `$N8N_ATTACHMENTS_SPECS_DIR` (resolved against the cwd) if set and non-empty, else `<repo root>/../shared/specs`. */
export function specsDir(): string {
	const fromEnv = process.env[SPECS_DIR_ENV];
	if (fromEnv !== undefined && fromEnv.trim() !== '') return path.resolve(fromEnv.trim());
	return path.resolve(repoRoot(), '..', 'shared', 'specs');
}

/** Absolute path of a spec file in {@link specsDir}. */
export function specPath(fileName: string): string {
	return path.join(specsDir(), fileName);
}

/** Which of `fileNames` are not (readable) files in {@link specsDir}. */
export function missingSpecs(fileNames: readonly string[]): string[] {
	return fileNames.filter((name) => {
		try {
			return !fs.statSync(specPath(name)).isFile();
		} catch {
			return true;
		}
	});
}

function isCi(): boolean {
	return process.env.CI === 'true';
}

function describeMissing(missing: string[]): string {
	return (
		`missing spec file(s) ${missing.join(', ')} in ${specsDir()} ` +
		`(set ${SPECS_DIR_ENV} to the directory holding the vendor OpenAPI specs, ` +
		`default <repo root>/../shared/specs)`
	);
}

const warned = new Set<string>();

/**
 * True when all `fileNames` are present. When some are missing: throws if `CI=true` (spec tests
 * must not silently vanish in CI), otherwise returns false after one `console.warn` per distinct
 * message and process saying which spec tests are skipped and why.
 *
 * @param what  what is skipped, for the message (e.g. the describe title)
 */
export function requireSpecs(fileNames: readonly string[], what = 'spec contract tests'): boolean {
	const missing = missingSpecs(fileNames);
	if (missing.length === 0) return true;
	const reason = describeMissing(missing);
	if (isCi()) {
		throw new Error(`CI=true and ${reason}; ${what} cannot run.`);
	}
	const message = `[spec tests] Skipping ${what}: ${reason}.`;
	if (!warned.has(message)) {
		warned.add(message);
		console.warn(message);
	}
	return false;
}

/**
 * `describe` when all spec files are present; otherwise `describe.skip` with the reason in its
 * title (or a thrown error when `CI=true`, see {@link requireSpecs}).
 */
export function describeWithSpecs(name: string, fileNames: readonly string[], fn: () => void): void {
	const ok = requireSpecs(fileNames, `"${name}"`);
	if (ok) {
		describe(name, fn);
		return;
	}
	const skip = describe.skip;
	skip(`${name} [SKIPPED: ${describeMissing(missingSpecs(fileNames))}]`, fn);
}
