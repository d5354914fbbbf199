import { setUpProject } from './global-setup';

/** The e2e project of the filesystem binary store (n8n 2.41.1): its n8n (test/e2e/support/server.ts). */
export default async function globalSetup(_globalConfig: unknown, projectConfig: Parameters<typeof setUpProject>[0]): Promise<void> {
	await setUpProject(projectConfig);
}
