/**
 * The Asana Attachment Trigger in the editor (Debian's chromium, playwright-core), against the n8n
 * of `npm start` (its own port and user folder, stopped at the end): the node creator lists it
 * with the Asana Attachment node (n8n merges a node and its trigger into one entry: the trigger's
 * events are offered as "On …" actions), with the icon in the light and the dark theme; the panel
 * shows its fields (the Task or Project picker lists the sandbox's demo tasks) and its webhook
 * URLs (test and production); and the example of examples/ runs green from the editor: *Execute
 * workflow* listens for a test event (the webhook appears at the sandbox's Asana), a file uploaded
 * to the task through the sandbox's API runs it. Screenshots go to test/ui/screenshots/.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';

import { AsanaAttachmentTrigger } from '../../nodes/AsanaAttachment/AsanaAttachmentTrigger.node';
import { EXAMPLES } from '../../examples';
import { ASANA_DEMO, asanaProvider } from '../../sandbox/asana/demo';
import { DEMO_OWNER } from '../../scripts/start/demo-owner';
import { closePanel, exactly, goTo, imageShowing, launchBrowser, logIn, nodeParameters, openNodeCreator, pickFirstFromList, screenshot, screenshotParameters, shownParameterNames } from './support/editor';
import { REPO_ROOT, healthy, openPorts, removeDataDir, startStack, type Stack } from './support/stack';

jest.retryTimes(1, { logErrorsBeforeRetry: true });

const TRIGGER_TYPE = 'n8n-nodes-attachments.asanaAttachmentTrigger';
const description = new AsanaAttachmentTrigger().description;
/** The sandbox's Asana, through its Prism gate (npm start's fixed port). */
const ASANA = `http://127.0.0.1:${asanaProvider.defaultPorts.prism}/api/1.0`;
const EXAMPLE = EXAMPLES.find((example) => example.trigger === TRIGGER_TYPE)!;

let stack: Stack | undefined;
let browser: Browser | undefined;
let page: Page;
const EXISTING = process.env.N8N_UI_URL;
const baseUrl = () => (EXISTING ? EXISTING.replace(/\/$/, '') : stack!.url);

async function asanaApi(method: string, apiPath: string, body?: Buffer, contentType?: string): Promise<{ status: number; json: { data?: unknown } }> {
	return await new Promise((resolve, reject) => {
		const req = http.request(
			`${ASANA}${apiPath}`,
			{
				method,
				agent: false,
				headers: { Authorization: `Bearer ${ASANA_DEMO.token}`, Accept: 'application/json', ...(body ? { 'Content-Type': contentType!, 'Content-Length': String(body.length) } : {}) },
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { data?: unknown } }));
			},
		);
		req.on('error', reject);
		req.end(body);
	});
}

beforeAll(async () => {
	if (!EXISTING) stack = await startStack();
	({ browser, page } = await launchBrowser());
	await logIn(page, baseUrl(), DEMO_OWNER.email, DEMO_OWNER.password);
}, 15 * 60_000);

afterEach(async () => {
	if (!browser) return;
	await screenshot(page, `after-${expect.getState().currentTestName ?? 'test'}`.slice(0, 120)).catch(() => undefined);
});

afterAll(async () => {
	await browser?.close().catch(() => undefined);
	if (stack) {
		await stack.stop();
		expect(await healthy(stack.port)).toBe(false);
		expect(await openPorts(stack)).toEqual([]);
		removeDataDir(stack.dataDir);
	}
}, 120_000);

/** The node creator's entry "Asana Attachment", opened: its trigger events and its actions. */
async function openAsanaEntry(): Promise<void> {
	await openNodeCreator(page, baseUrl());
	await page.getByTestId('node-creator-search-bar').fill('Asana Attachment');
	const name = page.getByTestId('node-creator-item-name').filter({ hasText: exactly('Asana Attachment') });
	await name.first().waitFor();
	await page.getByTestId('node-creator-action-item').filter({ has: name }).first().click();
}

const triggerActions = () => page.locator(`[data-keyboard-nav-type="action"][data-keyboard-nav-id^="${TRIGGER_TYPE}-"]`);

test('the node creator offers it under "Asana Attachment", with the icon in the light and the dark theme, its events as "On …" triggers', async () => {
	await openNodeCreator(page, baseUrl());
	await page.getByTestId('node-creator-search-bar').fill('Asana Attachment');
	const name = page.getByTestId('node-creator-item-name').filter({ hasText: exactly('Asana Attachment') });
	await name.first().waitFor();
	const entry = page.getByTestId('node-creator-action-item').filter({ has: name }).first();
	const icons = description.icon as { light: string; dark: string };
	for (const [theme, file] of [
		['light', path.basename(icons.light)],
		['dark', path.basename(icons.dark)],
	] as const) {
		await page.emulateMedia({ colorScheme: theme });
		const { src, naturalWidth } = await imageShowing(entry.locator('img').first(), file);
		expect(naturalWidth).toBeGreaterThan(0);
		const served = await page.evaluate(async (url) => await (await fetch(url)).text(), src);
		expect(served).toBe(readFileSync(path.join(REPO_ROOT, 'icons', file), 'utf8'));
	}
	await page.emulateMedia({ colorScheme: 'light' });
	await entry.click();
	await triggerActions().first().waitFor();
	const offered = (await triggerActions().allInnerTexts()).map((text) => text.split('\n')[0].trim());
	console.log(`[ui] trigger actions offered: ${JSON.stringify(offered)}`);
	expect(offered).toEqual(['On attachment added', 'On attachment removed']);
	await screenshot(page, 'asana-trigger-node-creator');
});

test('added from the node creator: its fields, the picker lists the demo tasks, the webhook URLs (test and production) are shown', async () => {
	await openAsanaEntry();
	await triggerActions().first().click();
	await page.getByTestId('ndv').waitFor();
	await nodeParameters(page).waitFor();
	const shown = await shownParameterNames(page);
	for (const name of ['parent', 'events', 'download', 'binaryPropertyName']) expect(shown).toContain(name);
	for (const label of ['Task or Project', 'Events', 'Download File', 'Put Output File in Field']) {
		expect(await nodeParameters(page).getByText(label, { exact: true }).first().isVisible()).toBe(true);
	}
	const { picked } = await pickFirstFromList(page, 'parent', 'list');
	console.log(`[ui] Task or Project: picked "${picked}"`);
	expect([ASANA_DEMO.task.name, ASANA_DEMO.secondTask.name, ASANA_DEMO.project.name].some((demo) => picked.includes(demo))).toBe(true);

	const webhooks = page.getByTestId('ndv').locator('.webhooks');
	await webhooks.locator('.headline').click();
	const url = webhooks.locator('.webhook-url').first();
	await url.waitFor();
	const testUrl = (await url.innerText()).trim();
	await webhooks.getByText('Production URL', { exact: true }).click();
	await page.waitForTimeout(500);
	const productionUrl = (await url.innerText()).trim();
	console.log(`[ui] webhook URLs: ${testUrl} | ${productionUrl}`);
	expect(testUrl).toMatch(new RegExp(`^http://localhost:\\d+/webhook-test/[0-9a-f-]{36}/webhook$`));
	expect(productionUrl).toBe(testUrl.replace('/webhook-test/', '/webhook/'));
	await screenshotParameters(page, 'panel-asana-trigger-parameters');
	await closePanel(page);
});

test(`"${EXAMPLE.title}" runs green from the editor: Execute workflow listens, an upload to the task runs it`, async () => {
	await goTo(page, baseUrl(), `/workflow/${EXAMPLE.workflowId}`);
	const button = page.getByTestId('execute-workflow-button');
	await button.waitFor({ timeout: 90_000 });
	await page.getByTestId('canvas-node').first().waitFor();
	await button.click();
	// The test webhook at the sandbox's Asana: registered on the task, on the test URL.
	const task = ASANA_DEMO.secondTask.gid;
	const deadline = Date.now() + 60_000;
	for (;;) {
		const listed = await asanaApi('GET', `/webhooks?workspace=${ASANA_DEMO.workspace.gid}&resource=${task}`);
		const hooks = (listed.json.data ?? []) as Array<{ target: string }>;
		if (hooks.some((hook) => hook.target.includes('/webhook-test/'))) break;
		if (Date.now() > deadline) throw new Error(`no test webhook at the sandbox after 60 s: ${JSON.stringify(listed)}`);
		await page.waitForTimeout(500);
	}
	const boundary = `----ui${randomBytes(6).toString('hex')}`;
	const content = Buffer.from('%PDF-1.4\nA receipt uploaded while the editor listened\n');
	const body = Buffer.concat([
		Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="parent"\r\n\r\n${task}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="editor-receipt.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
		content,
		Buffer.from(`\r\n--${boundary}--\r\n`),
	]);
	expect((await asanaApi('POST', '/attachments', body, `multipart/form-data; boundary=${boundary}`)).status).toBe(200);
	const done = Date.now() + 90_000;
	let result: { nodes: string[]; succeeded: string[]; failed: string[] };
	for (;;) {
		result = await page.evaluate(() => {
			const all = Array.from(document.querySelectorAll('[data-test-id="canvas-node"]'));
			const named = (filter: (node: Element) => boolean) => all.filter(filter).map((node) => node.getAttribute('data-node-name') ?? '?');
			const has = (node: Element, id: string) => node.querySelector(`[data-test-id="${id}"]`) !== null;
			return {
				nodes: named(() => true),
				succeeded: named((node) => has(node, 'canvas-node-status-success')),
				failed: named((node) => has(node, 'canvas-node-status-error')),
			};
		});
		if (result.failed.length > 0 || result.succeeded.length === result.nodes.length || Date.now() > done) break;
		await page.waitForTimeout(500);
	}
	await screenshot(page, 'example-asana-trigger');
	expect(result.failed).toEqual([]);
	expect(result.succeeded.sort()).toEqual(result.nodes.sort());
	// The test webhook is removed after the run.
	const after = await asanaApi('GET', `/webhooks?workspace=${ASANA_DEMO.workspace.gid}&resource=${task}`);
	expect(((after.json.data ?? []) as Array<{ target: string }>).filter((hook) => hook.target.includes('/webhook-test/'))).toEqual([]);
});
