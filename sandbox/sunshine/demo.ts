/**
 * Sunshine Conversations: the emulator of sandbox/sunshine/server.ts behind a Prism gate
 * carrying two specs, tried in this order: the current one (v17.12.1: upload, remove, apps) and
 * the legacy v12.8.0 one, the last that documents the media token and cookie calls. Both serve
 * the API at the host's root (api.smooch.io) and under /sc (a Zendesk subdomain). Media URLs point
 * at the emulator's /media (Sunshine's media host): downloads go there directly.
 */
import { DEFAULT_APP, DEFAULT_APP_KEY, startSunshineServer, type SunshineServer } from './server';
import { startBehindGate } from '../demo/behind-gate';
import { demoPdf } from '../demo/files';
import { loadDemoCredentials } from '../demo/credentials';
import type { SandboxProvider } from '../types';

export const SUNSHINE_DEMO = {
	app: DEFAULT_APP,
	key: DEFAULT_APP_KEY,
	/** A customer's conversation of the demo app, and the file a customer sends in it (examples/sunshine-trigger.json). */
	conversationId: 'c616a583e4c240a871818541',
	customer: { type: 'user', userId: '26508c10541a4b0ff472e5e2', displayName: 'Demo Customer' },
	deliveryNote: { fileName: 'delivery-note.pdf', mediaType: 'application/pdf', content: demoPdf(['Delivery note (demo)', 'Parcel 4711, damaged on arrival', 'Served by the local Sunshine Conversations sandbox']) },
} as const;

/**
 * What a customer's app does to send the demo file in the demo conversation: Post Message with
 * the app key, straight to the emulator (the gate's spec has a Post Message body schema Prism
 * cannot compile), as a curl command line.
 */
export function customerMessageCommand(emulatorUrl: string, mediaUrl: string): string {
	const { app, key, conversationId, customer } = SUNSHINE_DEMO;
	const body = JSON.stringify({ author: customer, content: { type: 'file', mediaUrl } });
	return `curl -u ${key.id}:${key.secret} -H 'content-type: application/json' -d '${body}' ${emulatorUrl}/v2/apps/${app.id}/conversations/${conversationId}/messages`;
}

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
			seedDemo: (emulator) => {
				const { deliveryNote, conversationId } = SUNSHINE_DEMO;
				const note = emulator.seedAttachment(DEFAULT_APP.id, deliveryNote.fileName, deliveryNote.content, deliveryNote.mediaType, { conversationId });
				return [
					`app "${DEFAULT_APP.displayName}" (${DEFAULT_APP.id}); app key ${DEFAULT_APP_KEY.id}`,
					`media host ${emulator.mediaBaseUrl}`,
					`a customer sends ${deliveryNote.fileName} in conversation ${conversationId} (starts "Example: Sunshine Conversations trigger" once published or listening):`,
					`  ${customerMessageCommand(emulator.url, emulator.mediaUrl(note))}`,
				];
			},
			credentials: (gateUrl) => loadDemoCredentials('sunshine', gateUrl),
		});
	},
};
