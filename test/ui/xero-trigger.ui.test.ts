/**
 * The Xero Attachment Trigger in n8n's editor (Debian's chromium, playwright-core), against the n8n
 * of `npm start` (started here on a port and user folder of its own, stopped at the end): the node
 * creator finds it among the triggers with its icon (light and dark theme, our SVG as served); it
 * is added and its panel shows Poll Times and, for each of the 11 document types, exactly the
 * parameters its description displays; the Organization picker lists the sandbox's organization;
 * Fetch Test Event outputs the demo invoice's newest attachment. Screenshots: test/ui/screenshots/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { NodeHelpers, type INodeProperties, type INodeTypeDescription } from 'n8n-workflow';
import type { Browser, Locator, Page } from 'playwright-core';

import { XeroAttachmentTrigger } from '../../nodes/XeroAttachment/XeroAttachmentTrigger.node';
import { XERO_DEMO } from '../../sandbox/xero/demo';
import { DEMO_OWNER } from '../../scripts/start/demo-owner';
import {
	closePanel,
	exactly,
	imageShowing,
	launchBrowser,
	logIn,
	nodeParameters,
	openNodeCreator,
	pickFirstFromList,
	screenshot,
	screenshotParameters,
	selectOption,
	shownParameterNames,
} from './support/editor';
import { isPanelInput } from './support/expected';
import { REPO_ROOT, removeDataDir, startStack, type Stack } from './support/stack';

jest.retryTimes(1, { logErrorsBeforeRetry: true });

const DISPLAY_NAME = 'Xero Attachment Trigger';
const NODE_TYPE = 'n8n-nodes-attachments.xeroAttachmentTrigger';
const description: INodeTypeDescription = new XeroAttachmentTrigger().description;

let stack: Stack | undefined;
let browser: Browser | undefined;
let page: Page;
const EXISTING = process.env.N8N_UI_URL;

function baseUrl(): string {
	if (EXISTING) return EXISTING.replace(/\/$/, '');
	if (!stack) throw new Error('the npm start stack is not running (see the first failure)');
	return stack.url;
}

/** The parameters the panel displays for these values (n8n-workflow's own displayOptions logic). */
function visibleFor(values: Record<string, unknown>): INodeProperties[] {
	const parameters = NodeHelpers.getNodeParameters(description.properties, values as never, true, false, { typeVersion: 1 } as never, description) ?? {};
	return description.properties.filter((property) => NodeHelpers.displayParameter(parameters, property, { typeVersion: 1 } as never, description, parameters));
}

/**
 * The node creator's entry of the trigger: the element around its name that holds the icon. n8n
 * lists a trigger whose app has actions under the app's name (" Trigger" dropped: "Xero
 * Attachment"), its triggers first among the actions; otherwise under its own name.
 */
async function triggerEntry(): Promise<Locator> {
	await openNodeCreator(page, baseUrl());
	await page.getByTestId('node-creator-search-bar').fill(DISPLAY_NAME);
	const name = page
		.getByTestId('node-creator-item-name')
		.filter({ hasText: exactly(DISPLAY_NAME) })
		.or(page.getByTestId('node-creator-item-name').filter({ hasText: exactly(DISPLAY_NAME.replace(' Trigger', '')) }))
		.first();
	await name.waitFor();
	console.log(`[ui] the node creator lists it as "${(await name.innerText()).trim()}"`);
	return name.locator('xpath=ancestor::*[.//img][1]');
}

/** Adds the trigger from the node creator and waits for its panel. */
async function addTrigger(): Promise<void> {
	const entry = await triggerEntry();
	await entry.click();
	const ndv = page.getByTestId('ndv');
	// A node with one trigger opens at once; otherwise its trigger is the first entry of its list.
	const action = page.locator(`[data-keyboard-nav-id^="${NODE_TYPE}"]`).first();
	await ndv.or(action).first().waitFor();
	if (!(await ndv.isVisible())) await action.click();
	await ndv.waitFor();
	await nodeParameters(page).waitFor();
}

beforeAll(async () => {
	const started = Date.now();
	if (!EXISTING) stack = await startStack();
	console.log(`[ui] npm start ready at ${baseUrl()} in ${Math.round((Date.now() - started) / 1000)} s`);
	({ browser, page } = await launchBrowser());
	await logIn(page, baseUrl(), DEMO_OWNER.email, DEMO_OWNER.password);
}, 15 * 60_000);

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

test('the node creator lists it among the triggers, with its icon (light and dark theme)', async () => {
	const entry = await triggerEntry();
	const icon = description.icon as { light: string; dark: string };
	for (const [theme, value] of [
		['light', icon.light],
		['dark', icon.dark],
	] as const) {
		const file = path.basename(value.replace(/^file:/, ''));
		await page.emulateMedia({ colorScheme: theme });
		const { src, naturalWidth } = await imageShowing(entry.locator('img').first(), file);
		expect(src).toMatch(new RegExp(`/icons/n8n-nodes-attachments/.*/${file.replace('.', '\\.')}$`));
		expect(naturalWidth).toBeGreaterThan(0);
		const served = await page.evaluate(async (url) => await (await fetch(url)).text(), src);
		expect(served).toBe(readFileSync(path.join(REPO_ROOT, 'icons', file), 'utf8'));
	}
	await page.emulateMedia({ colorScheme: 'light' });
	// The trigger's own entry: its description, not the action node's.
	expect((await entry.innerText()).replace(/\s+/g, ' ')).toContain(description.description);
	await screenshot(page, 'xero-trigger-node-creator');
});

test('is added, and shows Poll Times and, for each document type, the parameters its description displays', async () => {
	await addTrigger();
	await expect(nodeParameters(page).getByText('Poll Times', { exact: true }).first().isVisible()).resolves.toBe(true);
	const typeOption = description.properties.find((property) => property.name === 'documentType')!;
	const problems: string[] = [];
	for (const option of typeOption.options as Array<{ name: string; value: string }>) {
		await selectOption(page, 'documentType', option.name);
		const expected = visibleFor({ documentType: option.value }).filter(isPanelInput);
		const shown = await shownParameterNames(page);
		for (const property of expected) {
			const isCollection = ['collection', 'fixedCollection'].includes(property.type);
			if (!isCollection && !shown.includes(property.name)) problems.push(`${option.name}: no input for "${property.name}"`);
			if (!(await nodeParameters(page).getByText(property.displayName, { exact: true }).first().isVisible())) problems.push(`${option.name}: no "${property.displayName}" label`);
		}
		const names = new Set(expected.map((property) => property.name));
		for (const name of shown) {
			if (description.properties.some((property) => property.name === name) && !names.has(name)) problems.push(`${option.name}: "${name}" is shown but should not be`);
		}
	}
	expect(problems).toEqual([]);
	await screenshotParameters(page, 'panel-xero-trigger-parameters');
	await closePanel(page);
});

test("the Organization picker lists the sandbox's organization", async () => {
	await addTrigger();
	const { picked, shown } = await pickFirstFromList(page, 'tenantId');
	expect(shown).toBe(picked);
	expect(picked).toContain(XERO_DEMO.tenant.tenantName);
	await closePanel(page);
});

test("Fetch Test Event outputs the demo invoice's newest attachment", async () => {
	await addTrigger();
	await pickFirstFromList(page, 'tenantId');
	await page.getByTestId('node-execute-button').first().click();
	// The output opens on the file (the Binary view): its name, then the record in the JSON view.
	const ndv = page.getByTestId('ndv');
	await ndv.getByText(XERO_DEMO.receipt.fileName).first().waitFor({ timeout: 90_000 });
	await screenshot(page, 'panel-xero-trigger-test-event', ndv);
	await ndv.getByText('JSON', { exact: true }).first().click();
	await ndv.getByText(XERO_DEMO.invoiceId).first().waitFor();
	await screenshot(page, 'panel-xero-trigger-test-event-json', ndv);
	await closePanel(page);
});
