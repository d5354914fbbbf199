/**
 * Xero: the emulator of sandbox/xero/server.ts behind one Prism gate that carries both of
 * Xero's specs, routed by their server base paths as Prism does:
 *   /api.xro/2.0/…  → xero_accounting.prism-patched.yaml (server https://api.xero.com/api.xro/2.0)
 *   /Connections    → xero-identity.yaml                  (server https://api.xero.com)
 * The node calls `${baseUrl}/api.xro/2.0/…` and `${baseUrl}/Connections`, so the credential's
 * Base URL Override is the gate's URL and both kinds of call pass through Prism.
 *
 * The OAuth2 token endpoint (/identity/connect/token) is in neither spec: the demo credential's
 * Access Token URL points at the emulator directly. The demo token never expires, so n8n never
 * needs it unless the emulator is told to expire the token.
 */
import { DEFAULT_ACCESS_TOKEN, DEFAULT_REFRESH_TOKEN, DEFAULT_TENANT, PARENT_TYPES, startXeroServer, type XeroServer } from './server';
import { demoPdf, demoText } from '../demo/files';
import { startBehindGate } from '../demo/behind-gate';
import { XERO_DOWNLOAD_MEDIA_TYPES, XERO_IDENTITY_DATES } from '../prism/specs';
import { loadDemoCredentials } from '../demo/credentials';
import type { DemoCredential, SandboxProvider } from '../types';

/** The demo data, also used by the examples and the e2e suite. */
export const XERO_DEMO = {
	tenant: DEFAULT_TENANT,
	accessToken: DEFAULT_ACCESS_TOKEN,
	refreshToken: DEFAULT_REFRESH_TOKEN,
	/** The invoice the examples use (the ID of Xero's own API examples). */
	invoiceId: '4074292c-09b3-456d-84e7-add864c6c39b',
	/** A contact with a text attachment. */
	contactId: '9e4d5a1c-7b0f-4c2e-8a61-3f5d2c8b7e90',
	receipt: {
		fileName: 'receipt.pdf',
		mimeType: 'application/pdf',
		content: demoPdf(['Demo Company (Global)', 'Receipt for invoice INV-0042', 'Total: 118.00 NZD', 'Served by the local Xero sandbox']),
	},
	contactNote: {
		fileName: 'contract-notes.txt',
		mimeType: 'text/plain',
		content: demoText(['Notes on the supply contract with the demo contact.', 'Served by the local Xero sandbox.']),
	},
} as const;

export const XERO_CREDENTIAL_TYPE = 'xeroAttachmentOAuth2Api';

/**
 * Xero's operations the nodes use: the attachment ones (all parent types), and the documents'
 * lists the trigger reads (`/Invoices`, `/Contacts`, … the 11 parent types).
 */
const ATTACHMENT_PATHS = new RegExp(`/Attachments(/|$)|^/(${PARENT_TYPES.join('|')})$`);

/** The demo credentials of examples/credentials/xero.json, pointed at a running gate and emulator. */
export function xeroCredentials(gateUrl: string, emulatorUrl: string): DemoCredential[] {
	return loadDemoCredentials('xero', gateUrl, { accessTokenUrl: `${emulatorUrl}/identity/connect/token` });
}

export const xeroProvider: SandboxProvider<XeroServer> = {
	name: 'xero',
	displayName: 'Xero',
	emulatorFile: 'sandbox/xero/server.ts',
	nodeType: 'n8n-nodes-attachments.xeroAttachment',
	nodeFile: 'dist/nodes/XeroAttachment/XeroAttachment.node.js',
	defaultPorts: { prism: 4010, emulator: 4011 },

	async start(options) {
		return await startBehindGate(xeroProvider, options, {
			emulator: await startXeroServer({ port: options.ports?.emulator ?? 0 }),
			specs: [
				{ file: 'xero_accounting.prism-patched.yaml', fullPaths: ATTACHMENT_PATHS, patches: [XERO_DOWNLOAD_MEDIA_TYPES] },
				{ file: 'xero-identity.yaml', patches: [XERO_IDENTITY_DATES] },
			],
			seedDemo(emulator) {
				const { receipt, contactNote } = XERO_DEMO;
				emulator.seedAttachment('Invoices', XERO_DEMO.invoiceId, receipt.fileName, receipt.content, receipt.mimeType);
				emulator.seedAttachment('Contacts', XERO_DEMO.contactId, contactNote.fileName, contactNote.content, contactNote.mimeType);
				return [
					`organization "${XERO_DEMO.tenant.tenantName}" (tenant ${XERO_DEMO.tenant.tenantId})`,
					`invoice ${XERO_DEMO.invoiceId} with ${receipt.fileName} (${receipt.content.length} bytes)`,
					`contact ${XERO_DEMO.contactId} with ${contactNote.fileName}`,
					`access token "${XERO_DEMO.accessToken}" (never expires)`,
				];
			},
			credentials: (gateUrl, emulator) => xeroCredentials(gateUrl, emulator.url),
		});
	},
};
