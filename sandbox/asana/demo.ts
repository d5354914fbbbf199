/**
 * Asana: the emulator of sandbox/asana/server.ts behind a Prism gate carrying asana_oas.yaml
 * (server https://app.asana.com/api/1.0, so the gate serves it under /api/1.0, as the node calls
 * `${baseUrl}/api/1.0/…`). Downloads follow the attachments' `download_url`, short-lived
 * pre-signed URLs of the emulator's file host (Asana's are S3's): they are not Asana API calls and
 * no spec describes them, so they go to the file host directly, as they would to S3.
 */
import {
	DEFAULT_PERSONAL_ACCESS_TOKEN,
	DEFAULT_PROJECT,
	DEFAULT_TASK,
	DEFAULT_WORKSPACE,
	SECOND_TASK,
	startAsanaServer,
	type AsanaServer,
} from './server';
import { demoPdf } from '../demo/files';
import { startBehindGate } from '../demo/behind-gate';
import { loadDemoCredentials } from '../demo/credentials';
import type { SandboxProvider } from '../types';

export const ASANA_DEMO = {
	token: DEFAULT_PERSONAL_ACCESS_TOKEN,
	workspace: DEFAULT_WORKSPACE,
	project: DEFAULT_PROJECT,
	task: DEFAULT_TASK,
	secondTask: SECOND_TASK,
	contract: {
		fileName: 'supplier-contract.pdf',
		mimeType: 'application/pdf',
		content: demoPdf(['Supplier contract (demo)', 'Between Demo Workspace and ACME Supplies', 'Served by the local Asana sandbox']),
	},
	/** A text file, for the example "AI agent with attachments" (its agent reads it as text). */
	notes: {
		fileName: 'meeting-notes.md',
		mimeType: 'text/markdown',
		content: Buffer.from('# Call with ACME Supplies\n\n- Prices fixed until March\n- Delivery within 10 working days\n- Renewal to be decided in Q4\n'),
	},
} as const;

/**
 * A file attached to a task or project through Asana's API (multipart `POST /attachments` at
 * `baseUrl`, e.g. the gate), as a user's upload makes one: what starts the Asana Attachment
 * Trigger's examples and tests. Resolves with the attachment's gid.
 */
export async function attachThroughApi(baseUrl: string, parent: string, fileName: string, content: Buffer, mimeType: string): Promise<string> {
	const form = new FormData();
	form.append('parent', parent);
	// Asana asks for a non-ASCII file name percent-encoded.
	form.append('file', new Blob([new Uint8Array(content)], { type: mimeType }), encodeURIComponent(fileName));
	const response = await fetch(`${baseUrl}/api/1.0/attachments`, { method: 'POST', headers: { authorization: `Bearer ${DEFAULT_PERSONAL_ACCESS_TOKEN}`, accept: 'application/json' }, body: form });
	const text = await response.text();
	if (response.status !== 200) throw new Error(`POST /attachments: ${response.status} ${text}`);
	return (JSON.parse(text) as { data: { gid: string } }).data.gid;
}

export const asanaProvider: SandboxProvider<AsanaServer> = {
	name: 'asana',
	displayName: 'Asana',
	emulatorFile: 'sandbox/asana/server.ts',
	nodeType: 'n8n-nodes-attachments.asanaAttachment',
	nodeFile: 'dist/nodes/AsanaAttachment/AsanaAttachment.node.js',
	defaultPorts: { prism: 4020, emulator: 4021, files: 4022 },

	async start(options) {
		return await startBehindGate(asanaProvider, options, {
			emulator: await startAsanaServer({ port: options.ports?.emulator ?? 0, filesPort: options.ports?.files ?? 0 }),
			specs: [{ file: 'asana_oas.yaml' }],
			seedDemo(emulator) {
				const { contract, notes } = ASANA_DEMO;
				emulator.seedAttachment(DEFAULT_TASK.gid, contract.fileName, contract.content, contract.mimeType);
				emulator.seedAttachment(DEFAULT_TASK.gid, notes.fileName, notes.content, notes.mimeType);
				return [
					`workspace "${DEFAULT_WORKSPACE.name}" (${DEFAULT_WORKSPACE.gid}), project "${DEFAULT_PROJECT.name}" (${DEFAULT_PROJECT.gid})`,
					`task "${DEFAULT_TASK.name}" (${DEFAULT_TASK.gid}) with ${contract.fileName} and ${notes.fileName}; task "${SECOND_TASK.name}" (${SECOND_TASK.gid})`,
					`personal access token "${ASANA_DEMO.token}"; file host (download URLs) ${emulator.filesUrl}`,
				];
			},
			credentials: (gateUrl) => loadDemoCredentials('asana', gateUrl),
		});
	},
};
