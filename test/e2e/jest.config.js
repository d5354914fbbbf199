/**
 * End-to-end tests: this package installed into a real n8n (the pinned one that
 * scripts/n8n-host/prepare.sh puts in .n8n-host/) and driven through n8n's CLI.
 *
 *   npx jest -c test/e2e/jest.config.js
 *
 * The first run prepares the host (several minutes, progress on stderr); later runs reuse it.
 * One worker: each test boots n8n processes of ~400 MB that are CPU-bound while starting.
 */
const path = require('node:path');

module.exports = {
	rootDir: path.resolve(__dirname, '..', '..'),
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
	},
	globalSetup: '<rootDir>/test/e2e/support/global-setup.ts',
	maxWorkers: 1,
	testTimeout: 300_000,
	slowTestThreshold: 60,
};
