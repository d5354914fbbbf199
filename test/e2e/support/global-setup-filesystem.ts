import { setUpProject } from './global-setup';

/** The e2e project of the filesystem binary store: its n8n (test/e2e/support/server.ts). */
export default async function globalSetup(): Promise<void> {
	await setUpProject('filesystem');
}
