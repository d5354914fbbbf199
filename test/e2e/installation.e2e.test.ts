/**
 * The package as the Community Nodes panel installs it (scripts/n8n-host/install-package.sh: npm
 * pack, unpack into .n8n/nodes/node_modules/<name>, drop dev/peer/optional dependencies,
 * `npm install --install-strategy=shallow`), loaded by a real n8n 2.41.1: every node and
 * credential package.json declares is there, and nothing was installed beside the package. The
 * n8n is the project's running one (support/server.ts), whose user folder the package was
 * installed into before it started; what it loaded is read from the type files it wrote for its
 * editor at start-up (<user folder>/.cache/n8n/public/types; over HTTP they need a login).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { PACKAGE_NAME } from './support/n8n';
import { connectN8n } from './support/server';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

interface PackageJson {
	name: string;
	version: string;
	files?: string[];
	dependencies?: Record<string, string>;
	devDependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	n8n: { nodes?: string[]; credentials?: string[] };
}

const repoPackage = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;

/**
 * The types n8n registers for a built node or credential file: the class's `name` (nodes prefixed
 * with the package name), plus `<name>Tool` for a node that is `usableAsTool` (n8n adds the AI tool
 * variant itself).
 */
function declaredTypes(file: string, kind: 'node' | 'credential'): string[] {
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- the built file, as n8n loads it
	const exported = require(path.join(REPO_ROOT, file)) as Record<string, new () => { name?: string; description?: { name: string; usableAsTool?: boolean } }>;
	// The class named as its file, as n8n's loader takes it (a file may export constants beside it).
	const instance = new exported[path.basename(file).split('.')[0]]();
	if (kind === 'credential') return [instance.name!];
	const name = `${repoPackage.name}.${instance.description!.name}`;
	return instance.description!.usableAsTool ? [name, `${name}Tool`] : [name];
}

/** Module folders under a node_modules folder (scoped ones as @scope/name), without npm's own files. */
function modulesIn(dir: string): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.filter((entry) => !entry.startsWith('.'))
		.flatMap((entry) => (entry.startsWith('@') ? readdirSync(path.join(dir, entry)).map((sub) => `${entry}/${sub}`) : [entry]));
}

/** The node and credential types n8n wrote for its editor when it started (names, each once). */
function loadedTypes(userFolder: string): { nodes: string[]; credentials: string[] } {
	const read = (file: string) => JSON.parse(readFileSync(path.join(userFolder, '.cache', 'n8n', 'public', 'types', file), 'utf8')) as Array<{ name: string }>;
	return { nodes: [...new Set(read('nodes.json').map((type) => type.name))], credentials: [...new Set(read('credentials.json').map((type) => type.name))] };
}

describe('the package installed as the Community Nodes panel installs it', () => {
	let userFolder: string;
	let installed: string;

	beforeAll(async () => {
		userFolder = (await connectN8n()).userFolder;
		installed = path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	});

	it('has no node_modules beyond its runtime dependencies (none), and only what `files` packs', () => {
		const panelWouldInstall = Object.keys(repoPackage.dependencies ?? {}).sort();
		expect(panelWouldInstall).toEqual([]);
		expect(modulesIn(path.join(installed, 'node_modules')).sort()).toEqual(panelWouldInstall);
		// Beside the package, the nodes folder holds nothing of its own either (shallow install).
		expect(modulesIn(path.join(userFolder, '.n8n', 'nodes', 'node_modules'))).toEqual([PACKAGE_NAME]);

		const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as PackageJson;
		expect(manifest).toMatchObject({ name: repoPackage.name, version: repoPackage.version });
		expect(Object.keys(manifest)).not.toEqual(expect.arrayContaining(['devDependencies']));
		expect(manifest.peerDependencies).toBeUndefined();
		expect(manifest.optionalDependencies).toBeUndefined();
		expect(readdirSync(installed).sort()).toEqual(['LICENSE', 'README.md', 'dist', 'index.js', 'package.json']);
		for (const file of [...(repoPackage.n8n.nodes ?? []), ...(repoPackage.n8n.credentials ?? [])]) {
			expect(existsSync(path.join(installed, file))).toBe(true);
		}
	});

	it('is loaded by n8n: every node and credential package.json declares', async () => {
		const expectedNodes = (repoPackage.n8n.nodes ?? []).flatMap((file) => declaredTypes(file, 'node'));
		const expectedCredentials = (repoPackage.n8n.credentials ?? []).flatMap((file) => declaredTypes(file, 'credential'));
		expect(expectedNodes).toContain(`${PACKAGE_NAME}.xeroAttachment`);

		const types = loadedTypes(userFolder);
		expect(types.nodes.filter((name) => name.startsWith(`${PACKAGE_NAME}.`)).sort()).toEqual(expectedNodes.sort());
		expect(types.credentials).toEqual(expect.arrayContaining(expectedCredentials));
	});
});
