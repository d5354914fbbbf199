/**
 * Sunshine Conversations: the emulator of sandbox/sunshine/server.ts behind a Prism gate
 * carrying two specs, tried in this order: the current one (v17.12.1: upload, remove, apps) and
 * the legacy v12.8.0 one, the last that documents the media token and cookie calls. Both serve
 * the API at the host's root (api.smooch.io) and under /sc (a Zendesk subdomain). Media URLs point
 * at the emulator's /media (Sunshine's media host): downloads go there directly.
 */
import { DEFAULT_APP, DEFAULT_APP_KEY, startSunshineServer, type SunshineServer } from './server';
import { startBehindGate } from '../demo/behind-gate';
import { loadDemoCredentials } from '../demo/credentials';
import type { SandboxProvider } from '../types';

export const SUNSHINE_DEMO = { app: DEFAULT_APP, key: DEFAULT_APP_KEY } as const;

export const sunshineProvider: SandboxProvider<SunshineServer> = {
	name: 'sunshine',
	displayName: 'Sunshine Conversations',
	emulatorFile: 'sandbox/sunshine/server.ts',
	nodeType: 'n8n-nodes-attachments.sunshineConversationsAttachment',
	nodeFile: 'dist/nodes/SunshineConversationsAttachment/SunshineConversationsAttachment.node.js',
	defaultPorts: { prism: 4040, emulator: 4041 },

	async start(options) {
		return await startBehindGate(sunshineProvider, options, {
			emulator: await startSunshineServer({ port: options.ports?.emulator ?? 0 }),
			specs: [{ file: 'sunshine_conversations.yaml' }, { file: 'sunshine_conversations_v12.8.0_legacy.yaml' }],
			seedDemo: (emulator) => [`app "${DEFAULT_APP.displayName}" (${DEFAULT_APP.id}); app key ${DEFAULT_APP_KEY.id}`, `media host ${emulator.mediaBaseUrl}`],
			credentials: (gateUrl) => loadDemoCredentials('sunshine', gateUrl),
		});
	},
};
