import { stopServers } from './server';

/** Stops every n8n the projects' global set-ups started (and their task runners), and removes their user folders. */
export default async function globalTeardown(): Promise<void> {
	await stopServers();
}
