/**
 * A scripted OpenAI-compatible model on 127.0.0.1, for n8n's AI Agent with the OpenAI Chat Model
 * (`lmChatOpenAi`, Responses API off: `POST /v1/chat/completions`). No model runs: a script looks
 * at each request (the tools offered, the messages so far) and says what the "model" answers: tool
 * calls or a final text. Every request is recorded for tests to assert on (the tools offered, what
 * the model was given back by each tool).
 *
 *   const model = await startModelServer({ script: (request) => … });
 *   credential openAiApi: { apiKey: 'anything', url: model.baseUrl }   // http://127.0.0.1:PORT/v1
 *
 * Answers `stream: false` requests with one JSON completion and `stream: true` ones with the same
 * content as server-sent chunks. `GET /v1/models` lists one model (the editor's model picker).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatToolCall {
	id: string;
	type: 'function';
	function: { name: string; arguments: string };
}

export interface ChatMessage {
	role: 'system' | 'user' | 'assistant' | 'tool' | 'developer';
	content?: string | null | Array<{ type: string; text?: string }>;
	tool_calls?: ChatToolCall[];
	tool_call_id?: string;
	name?: string;
}

export interface ChatTool {
	type: 'function';
	function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface ChatRequest {
	model: string;
	messages: ChatMessage[];
	tools?: ChatTool[];
	stream?: boolean;
	[key: string]: unknown;
}

/** What the model answers: tool calls (name and arguments), or a final text. */
export type ModelReply = { toolCalls: Array<{ name: string; arguments: Record<string, unknown> }> } | { content: string };

export type ModelScript = (request: ChatRequest) => ModelReply;

export interface ModelServer {
	/** http://127.0.0.1:PORT/v1: the openAiApi credential's Base URL. */
	baseUrl: string;
	/** Every chat completion request, parsed, in order. */
	requests: ChatRequest[];
	/** Replaces the script (tests set one per case). */
	setScript(script: ModelScript): void;
	reset(): void;
	close(): Promise<void>;
}

export const SCRIPTED_MODEL_ID = 'scripted-model';

/** The text of a message's content (string or parts). */
export function messageText(message: ChatMessage): string {
	if (typeof message.content === 'string') return message.content;
	if (Array.isArray(message.content)) return message.content.map((part) => part.text ?? '').join('');
	return '';
}

/** The tool results so far, in order: the tool call each answers and its content. */
export function toolResults(request: ChatRequest): Array<{ name: string; arguments: Record<string, unknown>; content: string }> {
	const calls = new Map<string, ChatToolCall>();
	for (const message of request.messages) for (const call of message.tool_calls ?? []) calls.set(call.id, call);
	return request.messages
		.filter((message) => message.role === 'tool')
		.map((message) => {
			const call = calls.get(message.tool_call_id ?? '');
			return {
				name: call?.function.name ?? message.name ?? '',
				arguments: call ? (JSON.parse(call.function.arguments || '{}') as Record<string, unknown>) : {},
				content: messageText(message),
			};
		});
}

function completion(reply: ModelReply, turn: number): Record<string, unknown> {
	const message =
		'toolCalls' in reply
			? {
					role: 'assistant',
					content: null,
					tool_calls: reply.toolCalls.map((call, index) => ({
						id: `call_${turn}_${index}`,
						type: 'function',
						function: { name: call.name, arguments: JSON.stringify(call.arguments) },
					})),
				}
			: { role: 'assistant', content: reply.content };
	return {
		id: `chatcmpl-scripted-${turn}`,
		object: 'chat.completion',
		created: Math.floor(Date.now() / 1000),
		model: SCRIPTED_MODEL_ID,
		choices: [{ index: 0, message, logprobs: null, finish_reason: 'toolCalls' in reply ? 'tool_calls' : 'stop' }],
		usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
	};
}

/** The same completion as `chat.completion.chunk` events: the whole delta, then the finish. */
function chunks(body: Record<string, unknown>): string {
	const [choice] = body.choices as Array<{ message: Record<string, unknown>; finish_reason: string }>;
	const base = { id: body.id, object: 'chat.completion.chunk', created: body.created, model: body.model };
	const toolCalls = (choice.message.tool_calls as Array<Record<string, unknown>> | undefined)?.map((call, index) => ({ index, ...call }));
	const delta = toolCalls ? { role: 'assistant', content: null, tool_calls: toolCalls } : { role: 'assistant', content: choice.message.content };
	return [
		{ ...base, choices: [{ index: 0, delta, finish_reason: null }] },
		{ ...base, choices: [{ index: 0, delta: {}, finish_reason: choice.finish_reason }], usage: body.usage },
	]
		.map((event) => `data: ${JSON.stringify(event)}\n\n`)
		.concat('data: [DONE]\n\n')
		.join('');
}

export async function startModelServer(options: { script: ModelScript; port?: number; host?: string }): Promise<ModelServer> {
	let script = options.script;
	const requests: ChatRequest[] = [];
	const server = createServer((req, res) => {
		const chunksIn: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunksIn.push(chunk));
		req.on('end', () => {
			const path = (req.url ?? '').split('?')[0].replace(/\/+$/, '');
			const send = (status: number, body: unknown) => {
				const text = JSON.stringify(body);
				res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
				res.end(text);
			};
			if (req.method === 'GET' && path.endsWith('/models')) {
				send(200, { object: 'list', data: [{ id: SCRIPTED_MODEL_ID, object: 'model', created: 0, owned_by: 'n8n-nodes-attachments' }] });
				return;
			}
			if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
				send(404, { error: { message: `The scripted model answers POST /v1/chat/completions only, not ${req.method} ${req.url}`, type: 'invalid_request_error' } });
				return;
			}
			let request: ChatRequest;
			let reply: ModelReply;
			try {
				request = JSON.parse(Buffer.concat(chunksIn).toString('utf8')) as ChatRequest;
				requests.push(request);
				reply = script(request);
			} catch (error) {
				send(400, { error: { message: `Scripted model: ${(error as Error).message}`, type: 'invalid_request_error' } });
				return;
			}
			const body = completion(reply, requests.length);
			if (request.stream) {
				res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
				res.end(chunks(body));
				return;
			}
			send(200, body);
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}/v1`,
		requests,
		setScript(next) {
			script = next;
		},
		reset() {
			requests.length = 0;
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
