/**
 * The queue-mode suite (`npm run test:queue`): this package in n8n's queue mode (PostgreSQL,
 * Redis, n8n main and 2 workers), driven through production webhooks. Needs redis-server and
 * PostgreSQL's binaries (Debian's redis-server and postgresql packages; .ci/run installs them).
 *
 * One worker: the topology is five processes of its own on a 2-core machine.
 */
const path = require('node:path');

module.exports = {
	rootDir: path.resolve(__dirname, '..', '..'),
	testEnvironment: 'node',
	roots: ['<rootDir>/test/queue'],
	testMatch: ['**/*.queue.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
	},
	globalSetup: '<rootDir>/test/e2e/support/global-setup.ts',
	maxWorkers: 1,
	testTimeout: 600_000,
	slowTestThreshold: 120,
};
