import { config } from '@n8n/node-cli/eslint';

/**
 * n8n's own community-node rules over the whole repository. The restrictions that exist because
 * node code runs inside n8n (no process, timers or fs, only n8n-workflow imports) do not apply to
 * the tests, tools and build files, which run on the developer's machine and in CI.
 */
export default [
	...config,
	{ ignores: ['dist/**', 'coverage/**', '.n8n-host/**', 'node_modules/**'] },
	{
		files: ['test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'sandbox/**/*.ts'],
		rules: {
			'@n8n/community-nodes/no-restricted-globals': 'off',
			'@n8n/community-nodes/no-restricted-imports': 'off',
			'@n8n/community-nodes/no-dangerous-functions': 'off',
			'@n8n/community-nodes/no-hardcoded-secrets': 'off',
			// Rules about what n8n shows its users; test servers and harnesses are not nodes.
			'@n8n/community-nodes/require-node-api-error': 'off',
			'@n8n/community-nodes/credential-password-field': 'off',
			// Tests report figures and skipped spec checks on the console.
			'no-console': 'off',
		},
	},
];
