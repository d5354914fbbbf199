/**
 * A scripted OpenAI-compatible model (sandbox/model/server.ts) for the example "AI agent with
 * attachments": n8n's OpenAI Chat Model node, its credential's Base URL pointed here, gets the
 * answers a model following the example's prompt would give. Not a model and not an API with a
 * spec: there is no Prism gate (its gate checks nothing) and no node of this package.
 *
 * The script: list the task's attachments (the tool described "Get many attachments…"), read the
 * first text file among them ("Get an attachment…", whose output carries its textContent), attach a
 * summary of it as summary.md ("Attach a file or text…"), then answer in words. It picks the tools
 * by their descriptions and fills their parameters by name, so it works only with workflows shaped
 * like the example; anything else gets an answer saying what it expected.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { EXAMPLE_CREDENTIALS } from '../../examples';
import { messageText, startModelServer, toolResults, type ChatRequest, type ChatTool, type ModelReply, type ModelServer } from './server';
import type { PrismGate } from '../prism/gate';
import type { DemoCredential, SandboxProvider } from '../types';

const EXAMPLES_DIR = path.resolve(__dirname, '..', '..', 'examples');

function findTool(request: ChatRequest, description: RegExp): ChatTool | undefined {
	return request.tools?.find((tool) => description.test(tool.function.description ?? ''));
}

/** Arguments for a tool, by the names of its schema's properties. */
function argumentsFor(tool: ChatTool, values: { id?: string; fileName?: string; text?: string }): Record<string, unknown> {
	const properties = Object.keys((tool.function.parameters?.properties as Record<string, unknown> | undefined) ?? {});
	const args: Record<string, unknown> = {};
	for (const name of properties) {
		if (/name/i.test(name)) args[name] = values.fileName;
		else if (/text|content/i.test(name)) args[name] = values.text;
		else if (/id$/i.test(name)) args[name] = values.id;
	}
	return args;
}

const TEXT_FILE = /\.(md|markdown|txt|csv|json)$/i;

/** The example's script (see the module comment). */
export function exampleScript(request: ChatRequest): ModelReply {
	const list = findTool(request, /^Get many attachments/);
	const read = findTool(request, /^Get an attachment/);
	const attach = findTool(request, /^Attach a file or text/);
	if (!list || !read || !attach) {
		return {
			content: `The scripted model of the sandbox plays the example "AI agent with attachments" only: it needs three Asana Attachment tools (Get Many, Get with Download File, Upload). Offered: ${(request.tools ?? []).map((tool) => tool.function.name).join(', ') || 'none'}.`,
		};
	}
	const prompt = request.messages.filter((message) => message.role === 'user').map(messageText).join('\n');
	const taskId = /\b\d{16}\b/.exec(prompt)?.[0];
	const results = toolResults(request);
	const listed = results.find((result) => result.name === list.function.name);
	const readResult = results.find((result) => result.name === read.function.name);
	const attached = results.find((result) => result.name === attach.function.name);
	if (!listed) return { toolCalls: [{ name: list.function.name, arguments: argumentsFor(list, { id: taskId }) }] };
	if (!readResult) {
		const records = JSON.parse(listed.content) as Array<{ gid?: string; name?: string }>;
		const chosen = records.find((record) => TEXT_FILE.test(record.name ?? '')) ?? records[0];
		if (!chosen?.gid) return { content: `Task ${taskId} has no attachments to read.` };
		return { toolCalls: [{ name: read.function.name, arguments: argumentsFor(read, { id: chosen.gid }) }] };
	}
	if (!attached) {
		const [record] = JSON.parse(readResult.content) as Array<{ name?: string; textContent?: string }>;
		const lines = String(record?.textContent ?? '')
			.split('\n')
			.map((line) => line.replace(/^[#\-*\s]+/, '').trim())
			.filter(Boolean);
		const text = `# Summary of ${record?.name ?? 'the notes'}\n\n${lines.map((line) => `- ${line}`).join('\n')}\n`;
		return { toolCalls: [{ name: attach.function.name, arguments: argumentsFor(attach, { id: taskId, fileName: 'summary.md', text }) }] };
	}
	const [record] = JSON.parse(readResult.content) as Array<{ name?: string }>;
	return { content: `I read "${record?.name}" and attached a summary of it, summary.md, to task ${taskId}.` };
}

/** A gate that checks nothing: the model has no spec. */
function noGate(url: string): PrismGate {
	return { name: 'model', url, specs: [], exchanges: [], refusals: () => [], problems: () => [], reset() {}, close: async () => undefined };
}

export const modelProvider: SandboxProvider<ModelServer> = {
	name: 'model',
	displayName: 'Scripted model (OpenAI-compatible)',
	emulatorFile: 'sandbox/model/server.ts',
	nodeType: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
	// Not a node of this package: n8n's own OpenAI Chat Model talks to it.
	nodeFile: '',
	defaultPorts: { prism: 4050 },

	async start(options) {
		const emulator = await startModelServer({ script: exampleScript, port: options.ports?.prism ?? 0 });
		const file = EXAMPLE_CREDENTIALS.model;
		const credentials = (JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as DemoCredential[]).map((credential) => ({
			...credential,
			data: { ...credential.data, url: emulator.baseUrl },
		}));
		return {
			name: 'model',
			displayName: 'Scripted model (OpenAI-compatible)',
			emulator,
			emulatorUrl: emulator.baseUrl,
			gate: noGate(emulator.baseUrl),
			baseUrl: emulator.baseUrl,
			credentials,
			demo: [`chat completions at ${emulator.baseUrl} (credential Base URL), scripted for the example "AI agent with attachments"`],
			close: async () => await emulator.close(),
		};
	},
};
