/**
 * Trigger workflows in the project's real n8n (2.41.1 or 1.123.81), through the REST calls of
 * support/server.ts (importWorkflows, activate/deactivate, listen, executions): a workflow whose
 * first node is a trigger with a webhook ID of its own, or an example of examples/ as `npm start`
 * imports it; the URLs n8n serves for it; the executions its deliveries start.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { Example } from '../../../examples';
import { newId, type WorkflowToImport } from './n8n';
import type { E2eN8n, RunResult } from './server';
import type { WorkflowNode } from './workflows';

/** A workflow of the trigger (given a webhook ID of its own) and the nodes after it, in a row, to import. */
export function triggerWorkflow(name: string, trigger: WorkflowNode, next: WorkflowNode[] = []): WorkflowToImport & { id: string; webhookId: string } {
	const webhookId = randomUUID();
	const nodes = [{ ...trigger, webhookId }, ...next].map((current, column) => ({ ...current, position: [240 * column, 0] }));
	const connections: Record<string, { main: Array<Array<{ node: string; type: 'main'; index: 0 }>> }> = {};
	for (let i = 1; i < nodes.length; i++) connections[nodes[i - 1].name] = { main: [[{ node: nodes[i].name, type: 'main', index: 0 }]] };
	return { id: newId(), name, nodes, connections, settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveManualExecutions: true }, webhookId };
}

/** An example workflow of examples/, as `npm start` imports it, and its trigger's webhook ID (if it has one). */
export function exampleWorkflow(example: Example): WorkflowToImport & { id: string; webhookId?: string } {
	const workflow = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'examples', example.file), 'utf8')) as WorkflowToImport & { id: string };
	const nodes = workflow.nodes as Array<{ type: string; webhookId?: string }>;
	return { ...workflow, webhookId: nodes.find((node) => node.type === example.trigger)?.webhookId };
}

/** The production and test URLs of a trigger's webhook (what n8n registers: localhost and its port). */
export function webhookUrls(n8n: E2eN8n, webhookId: string, urlPath = 'webhook'): { production: string; test: string } {
	const origin = `http://localhost:${new URL(n8n.url).port}`;
	return { production: `${origin}/webhook/${webhookId}/${urlPath}`, test: `${origin}/webhook-test/${webhookId}/${urlPath}` };
}

/** Resolves with the probe's first value other than undefined (probed every 200 ms), or rejects naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

/** An execution of a trigger's workflow: n8n's saved execution and its mode (`webhook`, `trigger`, `manual`). */
export type TriggerExecution = RunResult & { mode: string };

/** Waits until the workflow has `count` executions; resolves with them once ended, oldest first. */
export async function waitForExecutions(n8n: E2eN8n, workflowId: string, count: number, timeoutMs = 60_000): Promise<TriggerExecution[]> {
	const listed = await until(`${count} execution(s) of workflow ${workflowId}`, async () => {
		const found = await n8n.executions(workflowId);
		return found.length >= count ? found : undefined;
	}, timeoutMs);
	return await Promise.all([...listed].reverse().map(async (summary) => ({ ...(await n8n.execution(summary.id)), mode: summary.mode })));
}
