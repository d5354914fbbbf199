/** Unit and integration tests run the TypeScript sources through ts-jest. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// The end-to-end suite runs in a real n8n (`npm run test:e2e`); the fault suite is `npm run test:faults`;
	// the queue-mode suite is `npm run test:queue`, the editor suite `npm run test:ui`.
	testPathIgnorePatterns: ['/node_modules/', '\\.e2e\\.test\\.ts$', '\\.faults\\.test\\.ts$', '\\.queue\\.test\\.ts$', '\\.ui\\.test\\.ts$'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
	},
	testTimeout: 60000,
	// As many workers as cores (jest's default is one less: on a 2-core machine one worker, in band).
	// Each test file starts its own servers on free ports of 127.0.0.1 and measures memory in its own
	// process, so files run side by side without sharing anything.
	maxWorkers: '100%',
};
