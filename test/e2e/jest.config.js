/**
 * End-to-end tests: this package installed into a real n8n (a pinned one that
 * scripts/n8n-host/prepare.sh puts in .n8n-host/ or .n8n-host-1x/), as the Community Nodes panel
 * installs it.
 *
 *   npm run test:e2e        # n8n 2.41.1, both binary stores (--selectProjects filesystem database)
 *   npm run test:e2e:1x     # n8n 1.123.81 (--selectProjects n8n-1x)
 *   npx jest -c test/e2e/jest.config.js --selectProjects database
 *
 * Three projects, each with its own n8n (its binary store and n8n line):
 * - `filesystem`, n8n 2.41.1 with the filesystem store (n8n's default in one process: files stream
 *   to disk): every file;
 * - `database`, n8n 2.41.1 with the database store (the default in queue mode: n8n buffers each
 *   file and keeps it in its database): the files that download or upload, the operations, the
 *   examples and the hostile provider;
 * - `n8n-1x`, n8n 1.123.81 (the 1.x line, under Node 22) with the filesystem store: what n8n loads
 *   from the package (installation), every operation, every example (the agent's with its model's
 *   calls checked), the hostile provider. The filesystem store is 1.x's usual one outside queue mode; its database
 *   store is opt-in (N8N_AVAILABLE_BINARY_DATA_MODES must list it) and not run here.
 * test/e2e/support/n8n.ts reads the project's globals (E2E_PROJECT, E2E_BINARY_MODE, E2E_N8N_LINE).
 *
 * Each project's global set-up installs the package once and starts one `n8n start` of its line
 * with its store; every test file of the project drives it through its REST API
 * (test/e2e/support/server.ts) and the global teardown stops it. The first run prepares the host
 * (several minutes, progress on stderr); later runs reuse it. One worker: the test files share
 * their project's n8n.
 */
const path = require('node:path');

const rootDir = path.resolve(__dirname, '..', '..');
const project = (name, { mode, line }, testMatch) => ({
	displayName: name,
	rootDir,
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch,
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
	},
	globals: { E2E_PROJECT: name, E2E_BINARY_MODE: mode, E2E_N8N_LINE: line },
	globalSetup: `<rootDir>/test/e2e/support/global-setup-${name}.ts`,
	globalTeardown: '<rootDir>/test/e2e/support/global-teardown.ts',
	slowTestThreshold: 60,
});

module.exports = {
	rootDir,
	projects: [
		project('filesystem', { mode: 'filesystem', line: '2x' }, ['**/*.e2e.test.ts']),
		project('database', { mode: 'database', line: '2x' }, ['**/*-operations.e2e.test.ts', '**/examples.e2e.test.ts', '**/hostile.e2e.test.ts']),
		project('n8n-1x', { mode: 'filesystem', line: '1x' }, [
			'**/installation.e2e.test.ts',
			'**/*-operations.e2e.test.ts',
			'**/examples.e2e.test.ts',
			'**/agent.e2e.test.ts',
			'**/hostile.e2e.test.ts',
			'**/*-trigger.e2e.test.ts',
		]),
	],
	maxWorkers: 1,
	testTimeout: 300_000,
};
