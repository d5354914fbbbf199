/**
 * The owner account `npm start` (and `npm start -- --queue`) gives its n8n: a local demo login,
 * not a secret. Its own module so that the editor suite can log in without loading
 * scripts/start/main.ts, and both start modes set up the same account.
 */
import path from 'node:path';

import * as hostEnv from '../n8n-host/env';

export const DEMO_OWNER = { email: 'demo@example.com', password: 'Sandbox-demo-1', firstName: 'Demo', lastName: 'User' };

/** N8N_INSTANCE_OWNER_*: bcrypt of the demo password, with the bcryptjs n8n itself uses (from the host). */
export function ownerEnv(): Record<string, string> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- n8n's own copy, resolved at run time from the host
	const bcrypt = require(path.join(hostEnv.hostPaths.n8nDir, 'node_modules', 'bcryptjs')) as { hashSync(password: string, rounds: number): string };
	return {
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: DEMO_OWNER.email,
		N8N_INSTANCE_OWNER_FIRST_NAME: DEMO_OWNER.firstName,
		N8N_INSTANCE_OWNER_LAST_NAME: DEMO_OWNER.lastName,
		N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(DEMO_OWNER.password, 10),
	};
}
