import { setUpProject } from './global-setup';

/** The e2e project of n8n 1.123.81 (the 1.x line), filesystem binary store: its n8n (test/e2e/support/server.ts). */
export default async function globalSetup(_globalConfig: unknown, projectConfig: Parameters<typeof setUpProject>[0]): Promise<void> {
	await setUpProject(projectConfig);
}
