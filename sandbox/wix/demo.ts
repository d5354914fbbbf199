/**
 * Wix: the emulator of sandbox/wix/server.ts behind a Prism gate carrying
 * wix_contact_attachments.yaml and ../prism/wix_contacts_v4.yaml (List and Query Contacts, which
 * the credential test and the Contact picker call; server https://www.wixapis.com, paths at the
 * root). The upload URL and the file links the API hands out point at the emulator's media host (Wix's are its upload
 * and static-media hosts): no spec describes them, so they are used directly.
 */
import * as path from 'node:path';

import { ATTACHMENT_CREATED, DEFAULT_API_KEY, DEFAULT_CONTACT, DEFAULT_SITE_ID, startWixServer, type WixServer } from './server';
import { demoPdf } from '../demo/files';
import { startBehindGate } from '../demo/behind-gate';
import { loadDemoCredentials } from '../demo/credentials';
import { EXAMPLE_TRIGGER_CREDENTIALS } from '../../examples';
import type { SandboxProvider } from '../types';

/** Wix Contacts V4 (list and query), written from Wix's SDK: see its header. */
export const WIX_CONTACTS_SPEC = path.resolve(__dirname, 'wix_contacts_v4.yaml');

export const WIX_DEMO = {
	apiKey: DEFAULT_API_KEY,
	siteId: DEFAULT_SITE_ID,
	contact: DEFAULT_CONTACT,
	form: {
		fileName: 'signed-form.pdf',
		mimeType: 'application/pdf',
		content: demoPdf(['Signed membership form (demo)', 'Ada Lovelace', 'Served by the local Wix sandbox']),
	},
} as const;

/**
 * What a developer does in the Wix app's dashboard for examples/wix-trigger.json: subscribe its
 * trigger's Production and Test URLs (on the n8n of `n8nUrl`) to Attachment Created. Returns the URLs.
 */
export function subscribeDemoWebhooks(emulator: WixServer, n8nUrl: string, webhookId: string): string[] {
	const urls = [`${n8nUrl}/webhook/${webhookId}/webhook`, `${n8nUrl}/webhook-test/${webhookId}/webhook`];
	for (const url of urls) emulator.webhooks.subscribe(url, [ATTACHMENT_CREATED]);
	return urls;
}

export const wixProvider: SandboxProvider<WixServer> = {
	name: 'wix',
	displayName: 'Wix',
	emulatorFile: 'sandbox/wix/server.ts',
	nodeType: 'n8n-nodes-attachments.wixAttachment',
	nodeFile: 'dist/nodes/WixAttachment/WixAttachment.node.js',
	defaultPorts: { prism: 4030, emulator: 4031, media: 4032 },

	async start(options) {
		return await startBehindGate(wixProvider, options, {
			emulator: await startWixServer({ port: options.ports?.emulator ?? 0, mediaPort: options.ports?.media ?? 0 }),
			// The contacts calls (the credential test, the Contact picker) have no shared spec: ours
			// is written from Wix's SDK, as the attachments one is.
			specs: [{ file: 'wix_contact_attachments.yaml' }, { file: WIX_CONTACTS_SPEC }],
			seedDemo(emulator) {
				const { form, contact } = WIX_DEMO;
				emulator.seedAttachment(contact.id, form.fileName, form.content, form.mimeType);
				return [
					`site ${DEFAULT_SITE_ID}, contact ${contact.firstName} ${contact.lastName} (${contact.id}) with ${form.fileName}`,
					`API key "${DEFAULT_API_KEY}"; media host (upload URLs, file links) ${emulator.mediaUrl}`,
				];
			},
			credentials: (gateUrl) => loadDemoCredentials('wix', gateUrl),
			// The trigger's webhook credential holds the public key of the emulator's app (a key pair
			// made when it starts: no private key is kept anywhere but in the emulator's process).
			triggerCredentials: (gateUrl, emulator) => loadDemoCredentials('wix', gateUrl, { publicKey: emulator.webhooks.publicKeyPem }, EXAMPLE_TRIGGER_CREDENTIALS.wix),
		});
	},
};
