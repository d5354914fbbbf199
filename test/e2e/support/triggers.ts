/**
 * Trigger workflows in the project's real n8n, through the REST calls the editor makes: create a
 * workflow whose first node is a trigger, publish it (`POST /rest/workflows/:id/activate` with its
 * version, what *Publish* does) and unpublish it (`…/deactivate`), start "Listen for test event"
 * (`POST /rest/workflows/:id/run` from the trigger: n8n registers the test URL and waits), and read
 * the executions deliveries started (`GET /rest/executions`, then each saved execution).
 */
import { randomUUID } from 'node:crypto';

import type { ExecutionJson } from './n8n';
import { newId } from './n8n';
import type { E2eN8n } from './server';
import type { WorkflowNode } from './workflows';

export interface TriggerWorkflow {
	id: string;
	versionId: string;
	name: string;
	/** The trigger node's webhook ID: its URLs are <n8n>/webhook/<webhookId>/<path> and /webhook-test/…. */
	webhookId: string;
}

/** A workflow of the trigger (given a webhook ID) and nothing else, created in n8n, not published. */
export async function createTriggerWorkflow(n8n: E2eN8n, name: string, trigger: WorkflowNode, next: WorkflowNode[] = []): Promise<TriggerWorkflow> {
	const webhookId = randomUUID();
	const nodes = [{ ...trigger, webhookId }, ...next].map((current, column) => ({ ...current, position: [240 * column, 0] }));
	const connections: Record<string, { main: Array<Array<{ node: string; type: 'main'; index: 0 }>> }> = {};
	for (let i = 1; i < nodes.length; i++) connections[nodes[i - 1].name] = { main: [[{ node: nodes[i].name, type: 'main', index: 0 }]] };
	const created = await n8n.api<{ id: string; versionId: string }>('POST', '/rest/workflows', {
		id: newId(),
		name,
		nodes,
		connections,
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveManualExecutions: true },
	});
	return { id: created.id, versionId: created.versionId, name, webhookId };
}

/**
 * Publishes the workflow. n8n 2.41 answers once the publication is recorded and activates the
 * triggers (the registration at the provider) right after, from its publication outbox: wait for
 * what activation does with `until`.
 */
export async function publish(n8n: E2eN8n, workflow: TriggerWorkflow): Promise<void> {
	await n8n.api('POST', `/rest/workflows/${workflow.id}/activate`, { versionId: workflow.versionId });
}

/** Unpublishes it (the triggers' deregistration follows, as their activation does). */
export async function unpublish(n8n: E2eN8n, workflow: TriggerWorkflow): Promise<void> {
	await n8n.api('POST', `/rest/workflows/${workflow.id}/deactivate`, {});
}

/** Resolves once `condition` holds (checked every 200 ms), or rejects naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<number> {
	const started = Date.now();
	while (!(await condition())) {
		if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	return Date.now() - started;
}

/** "Listen for test event" on the trigger: n8n registers the test URL and waits for one delivery. */
export async function listenForTestEvent(n8n: E2eN8n, workflow: TriggerWorkflow, triggerName: string): Promise<void> {
	const result = await n8n.api<{ waitingForWebhook?: boolean; executionId?: string }>('POST', `/rest/workflows/${workflow.id}/run`, { triggerToStartFrom: { name: triggerName } });
	if (!result.waitingForWebhook) throw new Error(`n8n did not start listening for a test event: ${JSON.stringify(result)}`);
}

export interface SavedExecution {
	id: string;
	status: string;
	mode: string;
	json: ExecutionJson;
}

interface ExecutionSummary {
	id: string;
	status: string;
	mode: string;
	stoppedAt?: string | null;
}

/** The workflow's executions, newest first (ended or not). */
export async function executionsOf(n8n: E2eN8n, workflow: TriggerWorkflow): Promise<ExecutionSummary[]> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId: workflow.id }));
	const listed = await n8n.api<{ results: ExecutionSummary[] }>('GET', `/rest/executions?filter=${filter}&limit=100`);
	return listed.results;
}

export async function savedExecution(n8n: E2eN8n, id: string): Promise<SavedExecution> {
	const execution = await n8n.api<{ id: string; status: string; mode: string; data: string }>('GET', `/rest/executions/${id}`);
	return { id: execution.id, status: execution.status, mode: execution.mode, json: { data: n8n.parseExecutionData(execution.data) as ExecutionJson['data'], status: execution.status } };
}

const ENDED = (status: string) => !['new', 'running', 'waiting', 'unknown'].includes(status);

/** Waits until the workflow has `count` ended executions; resolves with them, oldest first. */
export async function waitForExecutions(n8n: E2eN8n, workflow: TriggerWorkflow, count: number, timeoutMs = 60_000): Promise<SavedExecution[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const listed = await executionsOf(n8n, workflow);
		const ended = listed.filter((execution) => ENDED(execution.status));
		if (ended.length >= count) return await Promise.all(ended.reverse().map((execution) => savedExecution(n8n, execution.id)));
		if (Date.now() > deadline) throw new Error(`${ended.length} of ${count} executions of "${workflow.name}" ended within ${timeoutMs} ms (${listed.length} listed: ${listed.map((e) => e.status).join(', ')})`);
		await new Promise((resolve) => setTimeout(resolve, 300));
	}
}

/** The production and test URLs of a trigger (what n8n registers: N8N_HOST and the port). */
export function webhookUrls(n8n: E2eN8n, workflow: TriggerWorkflow, path = 'webhook'): { production: string; test: string } {
	const base = new URL(n8n.url);
	base.hostname = 'localhost';
	return { production: `${base.origin}/webhook/${workflow.webhookId}/${path}`, test: `${base.origin}/webhook-test/${workflow.webhookId}/${path}` };
}
