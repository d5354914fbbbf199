/**
 * The editor suite (`npm run test:ui`): Debian's chromium, driven by playwright-core, against the
 * n8n of `npm start` (started here on a port and user folder of its own, stopped at the end). For
 * each node of the package: the node creator finds it with its icon (light and dark theme), it is
 * added, each resource/operation shows the parameters its description displays, each picker lists
 * the sandbox's demo data, Options → Concurrency shows the operation's default and maximum; then each demo credential passes its test and each example workflow
 * runs green from the editor; then each trigger (support/triggers.ts): node creator, panel, its
 * example run from the editor. Screenshots go to test/ui/screenshots/ (git-ignored).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { INodeProperties } from 'n8n-workflow';
import type { Browser, Page } from 'playwright-core';

import { EXAMPLE_CREDENTIALS, EXAMPLES } from '../../examples';
import { ASANA_DEMO } from '../../sandbox/asana/demo';
import type { DemoCredential } from '../../sandbox/types';
import { SUNSHINE_DEMO } from '../../sandbox/sunshine/demo';
import { WIX_DEMO } from '../../sandbox/wix/demo';
import { XERO_DEMO } from '../../sandbox/xero/demo';
import { DEMO_OWNER } from '../../scripts/start/demo-owner';
import {
	addNodeFromCreator,
	addNumberOption,
	closeCredential,
	closePanel,
	fillParameter,
	imageShowing,
	logIn,
	launchBrowser,
	OAUTH_CONNECTED,
	nodeParameters,
	openNode,
	openNodeCreator,
	openWorkflow,
	pickFirstFromList,
	resourceLocatorsShown,
	runWorkflowFromEditor,
	screenshot,
	screenshotParameters,
	searchNode,
	selectOption,
	shownParameterNames,
	stickiesCoveringNodes,
	testCredential,
	TESTED_OK,
} from './support/editor';
import { isPanelInput, nodesUnderTest, type Operation } from './support/expected';
import { healthy, openPorts, REPO_ROOT, removeDataDir, startLogTail, startStack, type Stack } from './support/stack';
import { describeTriggers } from './support/triggers';

// A browser on a busy 2-core machine: a test that fails is run once more, from its own full page
// load, and its first failure is printed (logErrorsBeforeRetry), so a flake shows in the log
// instead of passing silently. A real fault fails both times.
jest.retryTimes(1, { logErrorsBeforeRetry: true });

const NODES = nodesUnderTest();
const PROVIDER_NAMES = NODES.map((node) => node.provider.name);

/** What each picker needs set first, and the sandbox's demo data its first entry comes from. */
const PICKERS: Record<string, { fill?: Record<string, string>; demo: string[] }> = {
	'xero.tenantId': { demo: [XERO_DEMO.tenant.tenantName] },
	'asana.parent': { demo: [ASANA_DEMO.task.name, ASANA_DEMO.secondTask.name, ASANA_DEMO.project.name] },
	'wix.attachmentId': { fill: { contactId: WIX_DEMO.contact.id }, demo: [WIX_DEMO.form.fileName] },
	'sunshine.appId': { demo: [SUNSHINE_DEMO.app.displayName] },
};

/** The demo credentials npm start imports for these nodes (examples/credentials). */
const CREDENTIALS: Array<DemoCredential & { provider: string }> = PROVIDER_NAMES.flatMap((provider) => {
	const file = EXAMPLE_CREDENTIALS[provider];
	if (!file) return [];
	const list = JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8')) as DemoCredential[];
	return list.map((credential) => ({ ...credential, provider }));
});

/** Those *Execute workflow* runs alone; an example a trigger starts is run by describeTriggers (support/triggers.ts). */
const RUNNABLE_EXAMPLES = EXAMPLES.filter((example) => PROVIDER_NAMES.includes(example.provider) && !example.trigger);

let stack: Stack | undefined;
let browser: Browser | undefined;
let page: Page;

/** N8N_UI_URL: drive an npm start that is already running instead (while writing tests). */
const EXISTING = process.env.N8N_UI_URL;

function baseUrl(): string {
	if (EXISTING) return EXISTING.replace(/\/$/, '');
	if (!stack) throw new Error('the npm start stack is not running (see the first failure)');
	return stack.url;
}

beforeAll(async () => {
	const started = Date.now();
	if (!EXISTING) stack = await startStack();
	console.log(`[ui] npm start ready at ${baseUrl()} in ${Math.round((Date.now() - started) / 1000)} s`);
	({ browser, page } = await launchBrowser());
}, 15 * 60_000);

// The page as each test left it (test/ui/screenshots/after-<test>.png): what a failure is read from.
afterEach(async () => {
	if (!browser) return;
	const name = `after-${expect.getState().currentTestName ?? 'test'}`.slice(0, 120);
	await screenshot(page, name).catch(() => undefined);
});

afterAll(async () => {
	await browser?.close().catch(() => undefined);
	if (stack) {
		await stack.stop();
		removeDataDir(stack.dataDir);
	}
}, 120_000);

test('logs in as the demo owner of npm start', async () => {
	await logIn(page, baseUrl(), DEMO_OWNER.email, DEMO_OWNER.password);
	expect(new URL(page.url()).pathname).not.toMatch(/^\/signin/);
});

/** Selects a resource (when the node has one) and an operation in the open panel. */
async function selectOperation(operation: Operation): Promise<void> {
	if (operation.resource) await selectOption(page, 'resource', operation.resource.name);
	await selectOption(page, 'operation', operation.operation.name);
}

/** Shown as a label and an "Add …" button, with no input until one is added. */
const isCollection = (property: INodeProperties) =>
	['collection', 'fixedCollection'].includes(property.type) || property.typeOptions?.multipleValues === true;

describe.each(NODES.map((node) => [node.description.displayName, node] as const))('%s', (displayName, node) => {
	const iconSvg = (file: string) => readFileSync(path.join(REPO_ROOT, 'icons', file), 'utf8');

	test('the node creator finds it, with its icon (light and dark theme)', async () => {
		await openNodeCreator(page, baseUrl());
		const entry = await searchNode(page, displayName);
		for (const [theme, file] of [
			['light', node.icons.light],
			['dark', node.icons.dark ?? node.icons.light],
		] as const) {
			await page.emulateMedia({ colorScheme: theme });
			const { src, naturalWidth } = await imageShowing(entry.locator('img').first(), file);
			expect(src).toMatch(new RegExp(`/icons/n8n-nodes-attachments/.*/${file.replace('.', '\\.')}$`));
			expect(naturalWidth).toBeGreaterThan(0);
			// The very SVG of icons/, as n8n serves it.
			const served = await page.evaluate(async (url) => await (await fetch(url)).text(), src);
			expect(served).toBe(iconSvg(file));
		}
		await page.emulateMedia({ colorScheme: 'light' });
	});

	test('is added from the node creator, and each operation shows its parameters', async () => {
		await openNodeCreator(page, baseUrl());
		await addNodeFromCreator(page, await searchNode(page, displayName), node.provider.nodeType);
		const allNames = new Set(node.description.properties.map((property) => property.name));
		const problems: string[] = [];
		for (const operation of node.operations) {
			await selectOperation(operation);
			const label = `${operation.resource?.name ?? ''} / ${operation.operation.name}`;
			const expected = operation.visible.filter(isPanelInput);
			const shown = await shownParameterNames(page);
			for (const property of expected) {
				if (!isCollection(property) && !shown.includes(property.name)) problems.push(`${label}: no input for "${property.name}"`);
				const text = nodeParameters(page).getByText(property.displayName, { exact: true }).first();
				if (!(await text.isVisible())) problems.push(`${label}: no "${property.displayName}" label`);
			}
			// Nothing of another operation on show.
			const expectedNames = new Set(expected.map((property) => property.name));
			for (const name of shown) if (allNames.has(name) && !expectedNames.has(name) && name !== 'authentication') problems.push(`${label}: "${name}" is shown but should not be`);
		}
		expect(problems).toEqual([]);
		await closePanel(page);
	});

	test('Options → Concurrency is offered, at the default and within the maximum of the operation', async () => {
		// One operation per distinct default/maximum (Asana: its reads and its writes), each on a
		// freshly added node, so no earlier choice is carried over.
		const seen = new Map<string, { operation: Operation; option: INodeProperties }>();
		for (const operation of node.operations) {
			const options = operation.visible.find((property) => property.name === 'options' && property.type === 'collection');
			const option = (options?.options as INodeProperties[] | undefined)?.find((candidate) => candidate.name === 'concurrency');
			const key = `${String(option?.default)}/${String(option?.typeOptions?.maxValue)}`;
			if (option && !seen.has(key)) seen.set(key, { operation, option });
		}
		expect(seen.size).toBeGreaterThan(0);
		for (const { operation, option } of seen.values()) {
			await openNodeCreator(page, baseUrl());
			await addNodeFromCreator(page, await searchNode(page, displayName), node.provider.nodeType);
			await selectOperation(operation);
			const shown = await addNumberOption(page, 'options', 'concurrency', 'Concurrency');
			console.log(`[ui] ${displayName} › ${operation.operation.name} › Concurrency: ${shown.value} (${shown.min}–${shown.max})`);
			expect(shown.offered).toContain('Concurrency');
			expect({ value: shown.value, min: shown.min, max: shown.max }).toEqual({ value: String(option.default), min: '1', max: String(option.typeOptions?.maxValue) });
			await closePanel(page);
		}
	});

	test('each picker lists the sandbox demo data (From List, first value)', async () => {
		expect(node.pickers.length).toBeGreaterThan(0);
		await openNodeCreator(page, baseUrl());
		await addNodeFromCreator(page, await searchNode(page, displayName), node.provider.nodeType);
		for (const picker of node.pickers) {
			const setup = PICKERS[`${node.provider.name}.${picker.name}`];
			const operation = node.operations.find((candidate) => candidate.visible.includes(picker));
			if (!operation) throw new Error(`no operation shows ${picker.name}`);
			await selectOperation(operation);
			for (const [name, value] of Object.entries(setup?.fill ?? {})) {
				await fillParameter(page, name, value);
			}
			const listMode = picker.modes?.find((mode) => mode.type === 'list');
			const { picked, shown } = await pickFirstFromList(page, picker.name, listMode?.name);
			console.log(`[ui] ${displayName} › ${picker.displayName}: picked "${picked}"`);
			expect(shown).toBe(picked);
			if (setup) expect(setup.demo.some((name) => picked.includes(name))).toBe(true);
		}
		await screenshot(page, `panel-${node.provider.name}`, page.getByTestId('ndv'));
		await screenshotParameters(page, `panel-${node.provider.name}-parameters`);
		await closePanel(page);
	});
});

describe('credentials', () => {
	test.each(CREDENTIALS.map((credential) => [credential.name, credential] as const))('"%s" passes its test', async (name, credential) => {
		let result;
		try {
			result = await testCredential(page, baseUrl(), name);
			await screenshot(page, `credential-${name}`);
		} finally {
			await closeCredential(page).catch(() => undefined);
		}
		// OAuth2 credentials show "Account connected" (n8n offers no test button for them).
		expect(result).toEqual({ ok: true, message: credential.type.endsWith('OAuth2Api') ? OAUTH_CONNECTED : TESTED_OK });
	});
});

/** The nodes of this package in an example (its own or their AI-agent tool copies), by name. */
function ourNodes(example: (typeof EXAMPLES)[number]): string[] {
	const workflow = JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples', example.file), 'utf8')) as { nodes: Array<{ name: string; type: string }> };
	return workflow.nodes.filter((node) => node.type.startsWith('n8n-nodes-attachments.')).map((node) => node.name);
}

describe('examples (examples/index.ts), as the editor shows them', () => {
	test.each(RUNNABLE_EXAMPLES.map((example) => [example.title, example] as const))('"%s": no sticky note covers a node', async (_title, example) => {
		await openWorkflow(page, baseUrl(), example.workflowId);
		await screenshot(page, `canvas-${example.workflowId}`);
		expect(await stickiesCoveringNodes(page)).toEqual([]);
	});

	test.each(RUNNABLE_EXAMPLES.map((example) => [example.title, example] as const))('"%s": every resource locator of its nodes shows its mode and a value', async (_title, example) => {
		await openWorkflow(page, baseUrl(), example.workflowId);
		const problems: string[] = [];
		for (const name of ourNodes(example)) {
			await openNode(page, name);
			const shown = await resourceLocatorsShown(page);
			console.log(`[ui] ${example.workflowId} › ${name}: ${JSON.stringify(shown)}`);
			for (const locator of shown) {
				if (locator.mode !== undefined && locator.mode === '') problems.push(`${name} › ${locator.name}: no mode shown`);
				if (locator.value === '') problems.push(`${name} › ${locator.name}: no value shown`);
			}
			await closePanel(page);
		}
		expect(problems).toEqual([]);
	});
});

describe('examples (examples/index.ts), run from the editor', () => {
	test.each(RUNNABLE_EXAMPLES.map((example) => [example.title, example] as const))('"%s" runs green', async (_title, example) => {
		const run = await runWorkflowFromEditor(page, baseUrl(), example.workflowId);
		await screenshot(page, `example-${example.provider}`);
		expect(run.nodes.length).toBeGreaterThan(1);
		expect({ failed: run.failed, pending: run.pending }).toEqual({ failed: [], pending: [] });
		expect(run.succeeded.sort()).toEqual(run.nodes.sort());
	});
});

// The triggers, on this stack (support/triggers.ts): node creator, panel, and their examples run from the editor.
describeTriggers({ page: () => page, baseUrl, dataDir: () => stack?.dataDir });

(EXISTING ? test.skip : test)('stops n8n, its task runner and the sandboxes, leaving no port open', async () => {
	await browser?.close();
	browser = undefined;
	if (!stack) throw new Error('the npm start stack never started');
	const stopped = stack;
	await stopped.stop();
	stack = undefined;
	const tail = startLogTail(stopped.dataDir, 5);
	removeDataDir(stopped.dataDir);
	expect(await healthy(stopped.port)).toBe(false);
	expect({ open: await openPorts(stopped), tail: tail.includes('[start] stopped.') }).toEqual({ open: [], tail: true });
}, 120_000);
