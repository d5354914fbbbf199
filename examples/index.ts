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
	/**
	 * The node type of its trigger, for an example a provider's event starts (published, or
	 * listening for a test event; a polling trigger's first run outputs the newest file) rather
	 * than a manual trigger: the suites that run examples from a manual trigger leave it out; its
	 * trigger's e2e file (test/e2e/<provider>-trigger.e2e.test.ts) runs it, and the editor suite
	 * runs it from the editor (test/ui/triggers.ui.test.ts).
	 */
	trigger?: string;
}

/** Demo credentials (JSON arrays as `n8n import:credentials` takes them), per provider, in this folder. */
export const EXAMPLE_CREDENTIALS: Record<string, string> = {
	xero: 'credentials/xero.json',
	asana: 'credentials/asana.json',
	wix: 'credentials/wix.json',
	sunshine: 'credentials/sunshine.json',
	model: 'credentials/model.json',
};

/**
 * Demo credentials that only a trigger example uses, per provider, in this folder: Wix's webhook
 * key (the public key of the sandbox's app, made when the sandbox starts and filled in then).
 * `npm start` imports them beside those of EXAMPLE_CREDENTIALS; they have no connection test.
 */
export const EXAMPLE_TRIGGER_CREDENTIALS: Record<string, string> = {
	wix: 'credentials/wix-webhook.json',
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
		provider: 'xero',
		file: 'xero-trigger.json',
		workflowId: 'xeroTriggerFlow01',
		title: 'Example: Xero trigger, a file attached to an invoice',
		trigger: 'n8n-nodes-attachments.xeroAttachmentTrigger',
		steps: [
			'Execute workflow (or "Fetch Test Event" on the trigger): the newest attachment of an invoice at once, receipt.pdf of the demo invoice',
			'Publish it: it polls the sandbox\'s invoices every minute; its first poll only takes stock',
			'Run "Example: Xero invoice attachments": its Upload attaches "receipt (copy).pdf" to the demo invoice, and within a minute this workflow runs with the file in "data"',
			'What arrived: the file\'s name, size, document type and document',
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
		provider: 'asana',
		file: 'asana-trigger.json',
		workflowId: 'asanaTriggerFlow01',
		title: 'Example: Asana trigger, a file attached to a task',
		trigger: 'n8n-nodes-attachments.asanaAttachmentTrigger',
		steps: [
			'Publish it (or open the trigger and click "Listen for test event"): n8n registers a webhook on the demo task "Collect Q3 receipts" at the sandbox',
			'Run "Example: Asana task attachments": its Upload attaches a file to that task, the sandbox delivers the signed event, and this workflow runs with the file in "data"',
			'What arrived: the file\'s name, size, task and who attached it',
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
		provider: 'wix',
		file: 'wix-trigger.json',
		workflowId: 'wixTriggerFlow01',
		title: 'Example: Wix trigger, a file attached to a contact',
		trigger: 'n8n-nodes-attachments.wixAttachmentTrigger',
		steps: [
			'Publish it (or click "Execute workflow": it listens for a test event); the sandbox\'s Wix app is already subscribed to its URLs, as you would paste them in a Wix app\'s dashboard',
			'Run "Example: Wix contact attachments": its Upload attaches a copy to Ada Lovelace, the sandbox sends the signed "attachment created" event, and this workflow runs with the file in "data"',
			'What arrived: the file\'s name, type, attachment ID and event',
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
		provider: 'sunshine',
		file: 'sunshine-trigger.json',
		workflowId: 'sunshineTriggerFlow1',
		title: 'Example: Sunshine Conversations trigger, a customer sends a file',
		trigger: 'n8n-nodes-attachments.sunshineConversationsAttachmentTrigger',
		steps: [
			'Publish it (or click "Execute workflow": it listens for a test event): n8n adds an integration with a webhook to the demo app "Support Messaging" at the sandbox',
			'Send a customer\'s message with a file: the curl command printed under Sunshine Conversations below; the sandbox delivers it with the webhook\'s secret, and this workflow runs with the file in "data"',
			'What arrived: the file\'s name, size, conversation and who sent it',
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
