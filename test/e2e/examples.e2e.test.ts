/**
 * The example workflows of examples/ (those `npm start` imports), run in a real n8n against the
 * sandboxes with their demo credentials, through Prism: in the `database` project (n8n 2.41.1) and
 * in `n8n-1x` (n8n 1.123.81, filesystem store: every example must run on the 1.x line too). Each
 * example runs once per shape that adds something: here in the database store (every node outputs
 * items, Prism refused no exchange, not even one a retry got past); from the editor, in the
 * filesystem store of `npm start`, by the editor suite (test/ui); the filesystem store's
 * operations themselves by the *-operations files of the `filesystem` project. Xero's example runs,
 * with its bytes checked, in xero-operations.e2e.test.ts (database and n8n-1x projects); the agent's
 * in agent.e2e.test.ts (filesystem and n8n-1x projects), with its model's calls checked.
 * Every example file is also checked statically, in every project: it parses, uses its provider's
 * node and the provider's demo credential.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { EXAMPLES, EXAMPLE_CREDENTIALS, EXAMPLE_TRIGGER_CREDENTIALS, type Example } from '../../examples';
import { startSandbox, type Sandbox } from '../../sandbox';
import { PROVIDERS } from '../../sandbox/providers';
import { runsExamples, type WorkflowToImport } from './support/n8n';
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
		const files = [EXAMPLE_CREDENTIALS[example.provider], ...(example.trigger && EXAMPLE_TRIGGER_CREDENTIALS[example.provider] ? [EXAMPLE_TRIGGER_CREDENTIALS[example.provider]] : [])];
		const credentialIds = files.flatMap((file) => (JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8')) as Array<{ id: string }>).map((c) => c.id));
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

/**
 * Items each node of an example outputs on a fresh sandbox (its demo data): Asana's task has two
 * attachments, each downloaded and uploaded; Wix's contact one, downloaded once, uploaded as a copy
 * and listed again with it; Sunshine's one file goes through upload, one media token (one path)
 * and delete. An example added here without its figures fails.
 */
const ITEMS_BY_NODE: Record<string, Record<string, number>> = {
	asanaExampleFlow01: { 'When clicking ‘Execute workflow’': 1, 'List task attachments': 2, 'Download each attachment': 2, 'Upload to another task': 2 },
	wixExampleFlow01: { 'When clicking ‘Execute workflow’': 1, 'List contact attachments': 1, 'Download signed-form.pdf': 1, 'Upload it again as a copy': 1, 'List them again': 2 },
	sunshineExampleFlow1: { 'When clicking ‘Execute workflow’': 1, 'Some text': 1, 'Make a file': 1, 'Upload to the app': 1, 'Generate a media token': 1, 'Delete the upload': 1 },
};

const describeRuns = toRun.length > 0 ? describe : describe.skip;
/** The example runs belong to the database and n8n-1x projects (see above); the static checks run in every project. */
const runsHere = runsExamples();
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

	it.each(toRun.map((example) => [example.file, example] as const))('%s runs: every node outputs the items its demo data gives, Prism refuses nothing', async (_file, example) => {
		const run = await runWorkflow(n8n, sandbox, example.workflowId);
		expectSuccess(run, sandbox);
		const workflow = readExample(example);
		// Sub-nodes (an agent's model and tools) output to their agent, not on a main output.
		const subNodes = new Set(
			Object.entries(workflow.connections as Record<string, Record<string, unknown>>)
				.filter(([, outputs]) => Object.keys(outputs).some((type) => type !== 'main'))
				.map(([name]) => name),
		);
		const nodes = workflow.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote' && !subNodes.has(n.name));
		expect(Object.fromEntries(nodes.map((node) => [node.name, itemsOf(run, node.name).length]))).toEqual(ITEMS_BY_NODE[example.workflowId]);
		expect(sandbox.get(example.provider).gate.exchanges.length).toBeGreaterThan(0);
	});
});
