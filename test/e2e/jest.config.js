/**
 * End-to-end tests: this package installed into a real n8n (the pinned one that
 * scripts/n8n-host/prepare.sh puts in .n8n-host/), as the Community Nodes panel installs it.
 *
 *   npx jest -c test/e2e/jest.config.js                       # both binary stores
 *   npx jest -c test/e2e/jest.config.js --selectProjects database
 *
 * Two projects, one per binary store n8n runs with: `filesystem` (n8n's default in one process:
 * files stream to disk) runs every file; `database` (the default in queue mode: n8n buffers each
 * file and keeps it in its database) runs every file that downloads or uploads, the operations,
 * the examples and the hostile provider. test/e2e/support/n8n.ts reads the project's `globals.E2E_BINARY_MODE`.
 *
 * Each project's global set-up installs the package once and starts one `n8n start` with that
 * store; every test file of the project drives it through its REST API (test/e2e/support/server.ts)
 * and the global teardown stops it. The first run prepares the host (several minutes, progress on
 * stderr); later runs reuse it. One worker: the test files share their project's n8n.
 */
const path = require('node:path');

const rootDir = path.resolve(__dirname, '..', '..');
const project = (mode, testMatch) => ({
	displayName: mode,
	rootDir,
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch,
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
	},
	globals: { E2E_BINARY_MODE: mode },
	globalSetup: `<rootDir>/test/e2e/support/global-setup-${mode}.ts`,
	globalTeardown: '<rootDir>/test/e2e/support/global-teardown.ts',
	slowTestThreshold: 60,
});

module.exports = {
	rootDir,
	projects: [
		project('filesystem', ['**/*.e2e.test.ts']),
		project('database', ['**/*-operations.e2e.test.ts', '**/examples.e2e.test.ts', '**/hostile.e2e.test.ts']),
	],
	maxWorkers: 1,
	testTimeout: 300_000,
};
