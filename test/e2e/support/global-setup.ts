import { prepareHost } from './n8n';

/** Prepares the real-n8n host once, before any e2e test file runs (minutes the first time). */
export default async function globalSetup(): Promise<void> {
	await prepareHost();
}
