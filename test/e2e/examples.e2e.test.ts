/**
 * The example workflows of examples/ (those `npm start` imports), run in a real n8n against the
 * sandboxes with their demo credentials, through Prism: in the `database` project only. Each
 * example runs once per shape that adds something: here in the database store (every node outputs
 * items, Prism refused no exchange, not even one a retry got past); from the editor, in the
 * filesystem store of `npm start`, by the editor suite (test/ui); the filesystem store's
 * operations themselves by the *-operations files of the `filesystem` project. Xero's example runs,
 * with its bytes checked, in xero-operations.e2e.test.ts (database project); the agent's in
 * agent.e2e.test.ts (filesystem project: the agent suite's project), with its model's calls checked.
 * Every example file is also checked statically, in both projects: it parses, uses its provider's
 * node and the provider's demo credential.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { EXAMPLES, EXAMPLE_CREDENTIALS, type Example } from '../../examples';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { PROVIDERS } from '../../scripts/sandbox/providers';
import { binaryDataMode, type WorkflowToImport } from './support/n8n';
import { expectSuccess, itemsOf, runWorkflow } from './support/workflows';
import { connectN8n, type E2eN8n } from './support/server';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Examples another e2e file runs with stronger checks (by workflow id). */
const RUN_ELSEWHERE: Record<string, string> = { xeroExampleFlow01: 'xero-operations.e2e.test.ts', agentExampleFlow01: 'agent.e2e.test.ts' };

const declared: string[] = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { n8n: { nodes?: string[] } }).n8n.nodes ?? [];
const providerOf = (example: Example) => PROVIDERS.find((provider) => provider.name === example.provider);
type ExampleWorkflow = Omit<WorkflowToImport, 'nodes'> & { nodes: Array<{ name: string; type: string; credentials?: Record<string, { id: string }> }> };
const readExample = (example: Example) => JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples', example.file), 'utf8')) as ExampleWorkflow;
/** Examples a provider's event starts (examples/index.ts `trigger`) run in their trigger's own e2e file. */
const toRun = EXAMPLES.filter((example) => !example.trigger && !RUN_ELSEWHERE[example.workflowId] && declared.includes(providerOf(example)?.nodeFile ?? ''));
const pending = EXAMPLES.filter((example) => !example.trigger && !RUN_ELSEWHERE[example.workflowId] && !toRun.includes(example));

describe('examples/', () => {
	it.each(EXAMPLES.map((example) => [example.file, example] as const))('%s uses its provider\'s node and demo credential', (_file, example) => {
		const provider = providerOf(example);
		expect(provider).toBeDefined();
		const workflow = readExample(example);
		expect({ id: workflow.id, name: workflow.name }).toEqual({ id: example.workflowId, name: example.title });
		const credentialIds = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples', EXAMPLE_CREDENTIALS[example.provider]), 'utf8')) as Array<{ id: string }>).map((c) => c.id);
		for (const other of example.uses ?? []) expect(PROVIDERS.map((candidate) => candidate.name)).toContain(other);
		const ours = workflow.nodes.filter((n) => n.type.startsWith('n8n-nodes-attachments.'));
		expect(ours.length).toBeGreaterThan(0);
		for (const node of ours) {
			// The node itself, its copy as an AI agent's tool, or the example's trigger.
			expect([provider!.nodeType, `${provider!.nodeType}Tool`, ...(example.trigger ? [example.trigger] : [])]).toContain(node.type);
			expect(credentialIds).toContain(Object.values(node.credentials ?? {})[0]?.id);
		}
		expect(workflow.nodes[0].type).toBe(example.trigger ?? 'n8n-nodes-base.manualTrigger');
	});
});

const describeRuns = toRun.length > 0 ? describe : describe.skip;
/** The example runs belong to the database project (see above); the static checks run in both. */
const runsHere = binaryDataMode() === 'database';
if (pending.length > 0) {
	console.log(`examples not run yet, their node is not declared in package.json: ${pending.map((e) => e.file).join(', ')}`);
}

if (runsHere) describeRuns('examples/ in a real n8n, through Prism', () => {
	let sandbox: Sandbox;
	let n8n: E2eN8n;

	beforeAll(async () => {
		sandbox = await startSandbox({ only: [...new Set(toRun.flatMap((example) => [example.provider, ...(example.uses ?? [])]))] });
		n8n = await connectN8n();
		await n8n.importCredentials(sandbox.providers.flatMap((provider) => provider.credentials));
		await n8n.importWorkflows(toRun.map((example) => readExample(example) as unknown as WorkflowToImport));
	}, 30 * 60_000);

	afterAll(async () => {
		await sandbox?.close();
	});

	it.each(toRun.map((example) => [example.file, example] as const))('%s runs: every node outputs items, Prism refuses nothing', async (_file, example) => {
		const run = await runWorkflow(n8n, sandbox, example.workflowId);
		expectSuccess(run, sandbox);
		const workflow = readExample(example);
		// Sub-nodes (an agent's model and tools) output to their agent, not on a main output.
		const subNodes = new Set(
			Object.entries(workflow.connections as Record<string, Record<string, unknown>>)
				.filter(([, outputs]) => Object.keys(outputs).some((type) => type !== 'main'))
				.map(([name]) => name),
		);
		for (const node of workflow.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote' && !subNodes.has(n.name))) {
			expect({ node: node.name, items: itemsOf(run, node.name).length }).toEqual({ node: node.name, items: expect.any(Number) });
			expect(itemsOf(run, node.name).length).toBeGreaterThan(0);
		}
		expect(sandbox.get(example.provider).gate.exchanges.length).toBeGreaterThan(0);
	});
});
