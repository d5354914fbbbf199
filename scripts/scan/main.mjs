#!/usr/bin/env node
/**
 * `npm run scan`: the static analysis of n8n's verification gate (@n8n/scan-community-package,
 * pinned in devDependencies), run offline on this checkout.
 *
 * The gate (`npx @n8n/scan-community-package <name>@<version>`) works on a published version:
 *   1. provenance: the registry's metadata for the version must carry an npm provenance
 *      attestation (predicate https://slsa.dev/provenance/v1);
 *   2. source: it downloads the GitHub commit that the attestation names and lints, in the folder
 *      whose package.json has this package's name, `package.json` and `{nodes,credentials}/**`;
 *   3. tarball: it lints the published tarball's `**\/*.js` and `package.json`.
 * Steps 2 and 3 are the scanner's own `analyzePackage` with its own rule set; this script calls
 * exactly that, on the working tree (step 2) and on what `npm pack` makes from the built dist/
 * (step 3, the same bytes `npm publish` uploads). Step 1 needs a published version and the
 * network: it is not run here, and the output says so, with the offline preconditions for it.
 *
 * Needs a built dist/ (`npm run build`). Exits non-zero on any violation.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const scannerPath = require.resolve('@n8n/scan-community-package/scanner/scanner.mjs', {
	paths: [root],
});
const scannerVersion = JSON.parse(
	fs.readFileSync(path.join(path.dirname(scannerPath), '..', 'package.json'), 'utf8'),
).version;
// The scanner makes a temporary folder when it is loaded and removes it on exit only when asked.
createRequire(scannerPath)('tmp').setGracefulCleanup();
const { analyzePackage, findPackageRoot, SOURCE_FILE_PATTERNS } = await import(scannerPath);
const glob = createRequire(scannerPath)('fast-glob');

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const TARBALL_PATTERNS = ['**/*.js', 'package.json'];
let failures = 0;

function run(cmd, args, cwd) {
	const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
	if (r.status !== 0) {
		throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
	}
	return r.stdout;
}

function countFiles(dir, patterns) {
	// The same selection analyzePackage lints.
	return glob.sync(patterns, { cwd: dir, ignore: ['node_modules/**', '**/package-lock.json'] })
		.length;
}

async function leg(title, dir, patterns) {
	const files = countFiles(dir, patterns);
	const result = await analyzePackage(dir, patterns);
	if (result.passed) {
		console.log(`✅ ${title}: ${files} files linted (${patterns.join(', ')}), 0 violations`);
	} else {
		failures++;
		console.log(`❌ ${title}: ${files} files linted (${patterns.join(', ')}): ${result.message}`);
		if (result.details) console.log(result.details);
	}
}

function check(ok, good, bad) {
	if (ok) console.log(`✅ ${good}`);
	else {
		failures++;
		console.log(`❌ ${bad}`);
	}
}

console.log(
	`@n8n/scan-community-package ${scannerVersion}: its analyzePackage and rule set, offline, on ${pkg.name}@${pkg.version}`,
);

// The gate picks the source folder by the name in package.json: in the committed tree this
// package's name must be declared once, at the top.
const committedManifests = run('git', ['ls-files', '--', 'package.json', '**/package.json'], root)
	.split('\n')
	.filter(Boolean)
	.filter((f) => {
		try {
			return JSON.parse(fs.readFileSync(path.join(root, f), 'utf8')).name === pkg.name;
		} catch {
			return false;
		}
	});
const found = findPackageRoot(root, pkg.name);
check(
	committedManifests.length === 1 && committedManifests[0] === 'package.json' && found === root,
	`source root: the repository's top folder is the one package.json named ${pkg.name}`,
	`source root: package.json files named ${pkg.name}: ${committedManifests.join(', ') || 'none'}; the gate would lint ${found}`,
);

// Step 2: the source.
await leg('source (working tree)', root, SOURCE_FILE_PATTERNS);

// Step 3: the tarball npm publish would upload.
const missing = [...pkg.n8n.nodes, ...pkg.n8n.credentials].filter(
	(f) => !fs.existsSync(path.join(root, f)),
);
if (missing.length > 0) {
	failures++;
	console.log(`❌ tarball: not built (missing ${missing.join(', ')}); run \`npm run build\` first`);
} else {
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-'));
	try {
		const packed = JSON.parse(
			run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], root),
		)[0];
		const unpacked = path.join(tmp, 'package');
		fs.mkdirSync(unpacked);
		run('tar', ['-xzf', path.join(tmp, packed.filename), '-C', unpacked, '--strip-components=1'], tmp);
		const listed = new Set(packed.files.map((f) => f.path));
		const notPacked = [...pkg.n8n.nodes, ...pkg.n8n.credentials].filter((f) => !listed.has(f));
		check(
			notPacked.length === 0,
			`tarball ${packed.filename}: ${packed.entryCount} files, ${packed.size} bytes, every node and credential of package.json's "n8n" section in it`,
			`tarball ${packed.filename} lacks ${notPacked.join(', ')}`,
		);
		await leg(`tarball (npm pack)`, unpacked, TARBALL_PATTERNS);
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

// Step 1, provenance: what can be checked without the registry.
console.log('');
console.log('Not checked offline — provenance, the gate\'s first step:');
console.log(
	'  the registry must show an npm provenance attestation (https://slsa.dev/provenance/v1) for the\n' +
		'  published version, and the gate lints the GitHub commit that attestation names. Only a publish\n' +
		'  from GitHub Actions (.github/workflows/publish.yml: id-token: write, npm publish --provenance)\n' +
		'  from a public repository gives it. After a release, check it with:\n' +
		`    npx @n8n/scan-community-package@${scannerVersion} ${pkg.name}@<version>`,
);
const workflowPath = path.join(root, '.github', 'workflows', 'publish.yml');
const workflow = fs.existsSync(workflowPath) ? fs.readFileSync(workflowPath, 'utf8') : '';
check(
	/id-token:\s*write/.test(workflow) && /npm publish[^\n]*--provenance/.test(workflow),
	'precondition: .github/workflows/publish.yml publishes with --provenance and id-token: write',
	'precondition: .github/workflows/publish.yml missing, or without id-token: write and npm publish --provenance',
);
const repoUrl = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
check(
	/^git\+https:\/\/github\.com\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\.git$/.test(repoUrl ?? ''),
	`precondition: package.json repository.url is a GitHub repository (${repoUrl}); npm refuses a provenance publish from any other repository`,
	`precondition: package.json repository.url (${repoUrl}) is not git+https://github.com/<owner>/<repo>.git`,
);

console.log('');
if (failures > 0) {
	console.log(`scan: ${failures} check(s) failed`);
	process.exit(1);
}
console.log('scan: 0 violations (provenance is checked online after publishing, see above)');
