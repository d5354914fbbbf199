/**
 * The fault and bad-input suite (`npm run test:faults`): every node against local servers that
 * rate-limit, fail, drop connections, stall and cut files short; odd inputs; sentinel secrets;
 * Continue On Fail. Each case is recorded and the summary table is printed at the end.
 */
const path = require('node:path');

module.exports = {
	rootDir: path.resolve(__dirname, '..', '..'),
	testEnvironment: 'node',
	roots: ['<rootDir>/test/faults'],
	testMatch: ['**/*.faults.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
	},
	globalSetup: '<rootDir>/test/faults/support/global-setup.ts',
	globalTeardown: '<rootDir>/test/faults/support/global-teardown.ts',
	testTimeout: 120_000,
};
