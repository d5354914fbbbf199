/**
 * The example workflows of this folder, one per node, and the demo credentials they use.
 *
 * `npm start` imports them into its n8n (with the credentials pointed at the local sandboxes), the
 * e2e suite runs each of them, and you can import any of them into your own n8n:
 *   n8n import:workflow --input=examples/xero-attachments.json
 * or, in the editor, "Import from File…". Their credentials are referenced by ID: in your own n8n,
 * pick one of your credentials on each node instead.
 */

export interface Example {
	/** The sandbox provider it runs against (sandbox/<provider>/demo.ts). */
	provider: string;
	/** Workflow file in this folder. */
	file: string;
	/** The ID the workflow file carries (kept by `n8n import:workflow`). */
	workflowId: string;
	title: string;
	/** What it does, one line per step. */
	steps: string[];
	/** Other sandboxes whose credentials it uses (e.g. `model`, the scripted OpenAI-compatible model). */
	uses?: string[];
}

/** Demo credentials (JSON arrays as `n8n import:credentials` takes them), per provider, in this folder. */
export const EXAMPLE_CREDENTIALS: Record<string, string> = {
	xero: 'credentials/xero.json',
	asana: 'credentials/asana.json',
	wix: 'credentials/wix.json',
	sunshine: 'credentials/sunshine.json',
	model: 'credentials/model.json',
};

export const EXAMPLES: Example[] = [
	{
		provider: 'xero',
		file: 'xero-attachments.json',
		workflowId: 'xeroExampleFlow01',
		title: 'Example: Xero invoice attachments (list, download, upload)',
		steps: [
			'List invoice attachments: Get Many on the demo invoice',
			'Download receipt.pdf: Get by file name into the binary field "data"',
			'Upload it again as a copy: Upload with Replace Existing, as "receipt (copy).pdf"',
		],
	},
	{
		provider: 'asana',
		file: 'asana-attachments.json',
		workflowId: 'asanaExampleFlow01',
		title: 'Example: Asana task attachments (list, download, upload)',
		steps: [
			'List task attachments: Get Many on the demo task "Review the supplier contract"',
			'Download each attachment: Get with Download on, into the binary field "data"',
			'Upload to another task: Upload to "Collect Q3 receipts" (every run adds another copy: Asana has no replace)',
		],
	},
	{
		provider: 'wix',
		file: 'wix-attachments.json',
		workflowId: 'wixExampleFlow01',
		title: 'Example: Wix contact attachments (list, download, upload)',
		steps: [
			'List contact attachments: Get Many on the demo contact Ada Lovelace',
			'Download signed-form.pdf: Get with Download on',
			'Upload it again as a copy: Upload as "signed-form (copy).pdf"',
			'List them again: Get Many, now with the copy (every run adds another copy: Wix has no replace)',
		],
	},
	{
		provider: 'sunshine',
		file: 'sunshine-conversations-attachments.json',
		workflowId: 'sunshineExampleFlow1',
		title: 'Example: Sunshine Conversations attachments (upload, media token, delete)',
		steps: [
			'Some text, Make a file: a small text file in the binary field "data"',
			'Upload to the app: Upload to the demo app "Support Messaging"',
			'Generate a media token: for the app\'s path (private attachments)',
			'Delete the upload: Delete by its media URL',
		],
	},
	{
		provider: 'asana',
		uses: ['model'],
		file: 'ai-agent-attachments.json',
		workflowId: 'agentExampleFlow01',
		title: 'Example: AI agent with attachments',
		steps: [
			'AI Agent, asked to summarise the notes attached to the demo task "Review the supplier contract"',
			'OpenAI Chat Model: the sandbox\'s scripted model (credential "Scripted model (local sandbox)"); pick your own model credential instead to use a real one',
			'Tool "List task attachments": Get Many, the task ID from the model',
			'Tool "Read attachment": Get with Download File; as a tool it returns a text file\'s content as text (no binary reaches an agent)',
			'Tool "Attach a note": Upload from text, the file name and text from the model: every run adds another copy of the note',
		],
	},
];
