/**
 * The nodes as an AI agent's tools, in a real n8n: the AI Agent node (3.1 on n8n 2.x, 3 on 1.x,
 * whose newest it is; 3.1 only adds a prompt source to the editor) with n8n's OpenAI Chat
 * Model (1.3, Responses API off) pointed at a scripted OpenAI-compatible model on 127.0.0.1
 * (sandbox/model/server.ts), and three Asana Attachment tools (asanaAttachmentTool) in front of
 * the Asana emulator behind Prism. The script lists a task's attachments, reads a text file and a
 * PDF, and attaches a note it wrote; the test checks what n8n offered the model (tool names,
 * descriptions, schemas), the calls it made, what the model was given back (the text of the text
 * file; no pre-signed link anywhere), and that the note reached the emulator byte for byte.
 * Also runs the example examples/ai-agent-attachments.json (AI Agent 3: valid on both lines) against
 * the sandbox's own scripted model. Runs in the filesystem project (n8n 2.41.1) and in n8n-1x (1.123.81).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { startSandbox, type RunningProvider, type Sandbox } from '../../sandbox';
import { ASANA_DEMO, asanaProvider } from '../../sandbox/asana/demo';
import type { AsanaServer } from '../../sandbox/asana/server';
import { startModelServer, toolResults, type ChatRequest, type ModelReply, type ModelServer } from '../../sandbox/model/server';
import { n8nLine, newId, type WorkflowToImport } from './support/n8n';
import { describeIfDeclared, expectSuccess, itemsOf, node, runWorkflow, sha256, type WorkflowNode } from './support/workflows';
import { connectN8n, type E2eN8n } from './support/server';

/** The demo's second task (no demo attachments); the example works on the first. */
const TASK = ASANA_DEMO.secondTask.gid;
const NOTES = { fileName: 'Besprechung – Notizen.md', mimeType: 'text/markdown', content: Buffer.from('# Besprechung\n\n- Preise fest bis März\n- Lieferung in 10 Tagen\n') };
const PDF = { fileName: 'contract.pdf', mimeType: 'application/pdf', content: Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n', 'latin1') };
/** What the scripted model writes, with characters that must survive every hop. */
const NOTE_TEXT = '# Zusammenfassung\n\n- Preise fest bis März ✓\n- Lieferung in 10 Tagen\n\n"quoted" \\ backslash\ttab\n';
const PROMPT = `Summarise the notes attached to Asana task ${TASK} and attach the summary to it.`;
const FINAL = 'Done: summary.md is attached to the task.';

const TOOL_DESCRIPTIONS = {
	List_attachments: 'Get many attachments of a task or project by its ID in Asana Attachment',
	Read_attachment: 'Get an attachment by its ID in Asana Attachment',
	Attach_a_note: 'Attach a file or text or link to a task or project in Asana Attachment',
};

/** The tool output the model got, as records (n8n sends the items' JSON). */
function records(content: string): Array<Record<string, unknown>> {
	const parsed = JSON.parse(content) as unknown;
	return (Array.isArray(parsed) ? parsed : [parsed]) as Array<Record<string, unknown>>;
}

/** List, read the notes, read the PDF, attach a note, answer. */
function script(request: ChatRequest): ModelReply {
	const results = toolResults(request);
	if (results.length === 0) return { toolCalls: [{ name: 'List_attachments', arguments: { taskId: TASK } }] };
	const listed = records(results[0].content);
	const gidOf = (name: string) => String(listed.find((record) => record.name === name)?.gid);
	if (results.length === 1) return { toolCalls: [{ name: 'Read_attachment', arguments: { attachmentId: gidOf(NOTES.fileName) } }] };
	if (results.length === 2) return { toolCalls: [{ name: 'Read_attachment', arguments: { attachmentId: gidOf(PDF.fileName) } }] };
	if (results.length === 3) return { toolCalls: [{ name: 'Attach_a_note', arguments: { taskId: TASK, fileName: 'summary.md', text: NOTE_TEXT } }] };
	return { content: FINAL };
}

describeIfDeclared(asanaProvider.nodeFile)('Asana Attachment tools of an AI agent in a real n8n', () => {
	let sandbox: Sandbox;
	let asana: RunningProvider<AsanaServer>;
	let model: ModelServer;
	let n8n: E2eN8n;
	let workflowId: string;
	let gids: { notes: string; pdf: string };

	beforeAll(async () => {
		// The sandbox's Asana and its scripted model (for the example); this suite's own model for its script.
		sandbox = await startSandbox({ only: ['asana', 'model'] });
		asana = sandbox.get<AsanaServer>('asana');
		model = await startModelServer({ script });
		gids = {
			notes: asana.emulator.seedAttachment(TASK, NOTES.fileName, NOTES.content, NOTES.mimeType).gid,
			pdf: asana.emulator.seedAttachment(TASK, PDF.fileName, PDF.content, PDF.mimeType).gid,
		};
		n8n = await connectN8n();
		const [asanaCredential] = await n8n.importCredentials(asana.credentials);
		const [openAi] = await n8n.importCredentials([{ name: 'Scripted model (e2e)', type: 'openAiApi', data: { apiKey: 'sk-e2e-not-a-secret', url: model.baseUrl } }]);
		const asanaCredentials = { asanaAttachmentApi: { id: asanaCredential.id, name: asanaCredential.name } };
		const tool = (name: string, parameters: Record<string, unknown>): WorkflowNode =>
			node(name, `${asanaProvider.nodeType}Tool`, { authentication: 'accessToken', resource: 'attachment', ...parameters }, { credentials: asanaCredentials });
		const taskId = "={{ $fromAI('taskId', 'The ID of the Asana task (digits only)', 'string') }}";
		const nodes: WorkflowNode[] = [
			node('Start', 'n8n-nodes-base.manualTrigger', {}),
			node('AI Agent', '@n8n/n8n-nodes-langchain.agent', { promptType: 'define', text: PROMPT, options: {} }, { typeVersion: n8nLine() === '1x' ? 3 : 3.1 }),
			node(
				'OpenAI Chat Model',
				'@n8n/n8n-nodes-langchain.lmChatOpenAi',
				{ model: { __rl: true, mode: 'id', value: 'scripted-model' }, responsesApiEnabled: false, options: {} },
				{ typeVersion: 1.3, credentials: { openAiApi: { id: openAi.id, name: openAi.name } } },
			),
			tool('List attachments', { operation: 'getAll', parent: { __rl: true, mode: 'id', value: taskId }, returnAll: true, options: {} }),
			tool('Read attachment', {
				operation: 'get',
				attachmentId: "={{ $fromAI('attachmentId', 'The gid of the attachment', 'string') }}",
				download: true,
				binaryPropertyName: 'data',
				options: {},
			}),
			tool('Attach a note', {
				operation: 'upload',
				parent: { __rl: true, mode: 'id', value: taskId },
				source: 'text',
				text: "={{ $fromAI('text', 'The note, in Markdown', 'string') }}",
				fileName: "={{ $fromAI('fileName', 'The file name with its extension', 'string') }}",
				options: {},
			}),
		];
		nodes.forEach((current, index) => (current.position = [240 * index, 0]));
		const toAgent = (type: string) => ({ [type]: [[{ node: 'AI Agent', type, index: 0 }]] });
		const agentWorkflow: WorkflowToImport = {
			id: newId(),
			name: 'e2e: AI agent with Asana Attachment tools',
			nodes,
			connections: {
				Start: toAgent('main'),
				'OpenAI Chat Model': toAgent('ai_languageModel'),
				'List attachments': toAgent('ai_tool'),
				'Read attachment': toAgent('ai_tool'),
				'Attach a note': toAgent('ai_tool'),
			},
			settings: { executionOrder: 'v1' },
		};
		const example = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'examples', 'ai-agent-attachments.json'), 'utf8')) as WorkflowToImport;
		await n8n.importCredentials(sandbox.get('model').credentials);
		await n8n.importWorkflows([agentWorkflow, example]);
		workflowId = agentWorkflow.id!;
	}, 30 * 60_000);

	afterAll(async () => {
		await model?.close();
		await sandbox?.close();
	});

	it('offers the tools with their descriptions and $fromAI schemas, calls them, and gives the model text, not links', async () => {
		const run = await runWorkflow(n8n, sandbox, workflowId);
		expectSuccess(run, sandbox);
		expect(itemsOf(run, 'AI Agent')[0].json).toMatchObject({ output: FINAL });

		// What the model was offered, on every turn the same.
		expect(model.requests).toHaveLength(5);
		for (const request of model.requests) {
			expect(request.stream).toBeFalsy();
			const offered = Object.fromEntries((request.tools ?? []).map((tool) => [tool.function.name, tool.function.description]));
			expect(offered).toEqual(TOOL_DESCRIPTIONS);
		}
		const schemas = Object.fromEntries((model.requests[0].tools ?? []).map((tool) => [tool.function.name, tool.function.parameters]));
		expect(schemas.List_attachments).toMatchObject({ type: 'object', properties: { taskId: { type: 'string', description: 'The ID of the Asana task (digits only)' } }, required: ['taskId'] });
		expect(Object.keys(schemas.List_attachments!.properties as object)).toEqual(['taskId']);
		expect(schemas.Read_attachment).toMatchObject({ properties: { attachmentId: { type: 'string', description: 'The gid of the attachment' } }, required: ['attachmentId'] });
		expect(Object.keys(schemas.Read_attachment!.properties as object)).toEqual(['attachmentId']);
		expect(schemas.Attach_a_note).toMatchObject({ properties: { taskId: { type: 'string' }, text: { type: 'string', description: 'The note, in Markdown' }, fileName: { type: 'string' } } });
		expect(Object.keys(schemas.Attach_a_note!.properties as object).sort()).toEqual(['fileName', 'taskId', 'text']);

		// The calls made and what each gave the model.
		const results = toolResults(model.requests[4]);
		// n8n's agent adds the call's `id` to the arguments when it sends the call back in the history.
		const sent = (args: Record<string, unknown>) => Object.fromEntries(Object.entries(args).filter(([key]) => key !== 'id'));
		expect(results.map((result) => ({ name: result.name, arguments: sent(result.arguments) }))).toEqual([
			{ name: 'List_attachments', arguments: { taskId: TASK } },
			{ name: 'Read_attachment', arguments: { attachmentId: gids.notes } },
			{ name: 'Read_attachment', arguments: { attachmentId: gids.pdf } },
			{ name: 'Attach_a_note', arguments: { taskId: TASK, fileName: 'summary.md', text: NOTE_TEXT } },
		]);
		expect(records(results[0].content).map((record) => record.name)).toEqual([NOTES.fileName, PDF.fileName]);
		const [notes] = records(results[1].content);
		expect(notes).toMatchObject({ gid: gids.notes, name: NOTES.fileName, textContent: NOTES.content.toString('utf8'), textContentTruncated: false });
		const [pdf] = records(results[2].content);
		expect(pdf).toMatchObject({ gid: gids.pdf, name: PDF.fileName, size: PDF.content.length });
		expect(pdf).not.toHaveProperty('textContent');
		// The records keep their handle (the gid), never Asana's pre-signed download link.
		for (const result of results) {
			expect(result.content).not.toContain('download_url');
			expect(result.content).not.toContain('X-Amz-Signature');
			expect(result.content).not.toContain(asana.emulator.filesUrl);
		}
		// The files were fetched (from the pre-signed URLs, without the token) even so.
		expect(asana.emulator.fileRequests.map((request) => request.headers.authorization)).toEqual([undefined, undefined]);

		// The note the model wrote, byte for byte at the emulator, as a Markdown file.
		const stored = asana.emulator.attachments(TASK).find((attachment) => attachment.name === 'summary.md');
		expect(stored).toMatchObject({ mimeType: 'text/markdown', size: Buffer.byteLength(NOTE_TEXT), sha256: sha256(Buffer.from(NOTE_TEXT, 'utf8')) });
		const upload = asana.emulator.requests.find((request) => request.method === 'POST' && request.path === '/api/1.0/attachments');
		expect(upload?.multipart?.parts.find((part) => part.name === 'file')).toMatchObject({ fileName: 'summary.md', contentType: 'text/markdown' });
		expect(records(results[3].content)[0]).toMatchObject({ gid: stored!.gid, name: 'summary.md' });
	});

	it('runs the example "AI agent with attachments" against the sandbox\'s scripted model', async () => {
		const scripted = sandbox.get<ModelServer>('model').emulator;
		scripted.reset();
		const demoTask = ASANA_DEMO.task.gid;
		const run = await runWorkflow(n8n, sandbox, 'agentExampleFlow01');
		expectSuccess(run, sandbox);
		expect(itemsOf(run, 'AI Agent')[0].json.output).toBe(`I read "${ASANA_DEMO.notes.fileName}" and attached a summary of it, summary.md, to task ${demoTask}.`);
		expect(scripted.requests.length).toBe(4);
		const summary = asana.emulator.attachments(demoTask).find((attachment) => attachment.name === 'summary.md');
		const expected = '# Summary of meeting-notes.md\n\n- Call with ACME Supplies\n- Prices fixed until March\n- Delivery within 10 working days\n- Renewal to be decided in Q4\n';
		expect(summary).toMatchObject({ mimeType: 'text/markdown', sha256: sha256(Buffer.from(expected, 'utf8')) });
	});
});
