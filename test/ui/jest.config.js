/**
 * The editor suite: Debian's chromium, driven by playwright-core, against the n8n of `npm start`
 * (started by the suite on a port and user folder of its own, and stopped at its end).
 *
 *   npm run test:ui
 *
 * One worker and one browser at a time: n8n, the sandboxes and chromium share 2 cores.
 */
const path = require('node:path');

module.exports = {
	rootDir: path.resolve(__dirname, '..', '..'),
	testEnvironment: 'node',
	roots: ['<rootDir>/test/ui'],
	testMatch: ['**/*.ui.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
	},
	maxWorkers: 1,
	testTimeout: 120_000,
	slowTestThreshold: 30,
};
