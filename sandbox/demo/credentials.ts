import * as fs from 'node:fs';
import * as path from 'node:path';

import { EXAMPLE_CREDENTIALS } from '../../examples';
import type { DemoCredential } from '../types';

const EXAMPLES_DIR = path.resolve(__dirname, '..', '..', 'examples');

/**
 * The demo credentials of examples/credentials/<provider>.json (named in examples/index.ts), with
 * `baseUrl` pointed at a running Prism gate, plus `extra` fields (e.g. a token URL); or those of
 * another file of examples/ (`file`, e.g. one of EXAMPLE_TRIGGER_CREDENTIALS).
 */
export function loadDemoCredentials(provider: string, gateUrl: string, extra: Record<string, unknown> = {}, file: string | undefined = EXAMPLE_CREDENTIALS[provider]): DemoCredential[] {
	if (!file) throw new Error(`examples/index.ts names no demo credentials for "${provider}"`);
	const credentials = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as DemoCredential[];
	return credentials.map((credential) => ({ ...credential, data: { ...credential.data, baseUrl: gateUrl, ...extra } }));
}
