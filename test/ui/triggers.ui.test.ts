/**
 * The webhook triggers in the editor (Debian's chromium via playwright-core, the n8n of `npm
 * start`; see editor.ui.test.ts for the set-up): each trigger is in the node creator with its icon
 * (light and dark theme), is added from it, shows its fields and its notice, and the panel shows
 * the Production URL of the node (what the Wix notice tells the user to paste at Wix). The
 * Sunshine trigger's App picker lists the sandbox's app.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { Browser, Locator, Page } from 'playwright-core';

import { SUNSHINE_DEMO } from '../../sandbox/sunshine/demo';
import { DEMO_OWNER } from '../../scripts/start/demo-owner';
import { closePanel, imageShowing, launchBrowser, logIn, nodeParameters, openNodeCreator, pickFirstFromList, screenshot, shownParameterNames } from './support/editor';
import { REPO_ROOT, removeDataDir, startStack, type Stack } from './support/stack';

jest.retryTimes(1, { logErrorsBeforeRetry: true });

interface Trigger {
	displayName: string;
	type: string;
	icons: { light: string; dark: string };
	/** Parameters the panel shows with the defaults (n8n hides the Authentication selector). */
	fields: string[];
	notice: RegExp;
}

const TRIGGERS: Trigger[] = [
	{
		displayName: 'Sunshine Conversations Attachment Trigger',
		type: 'n8n-nodes-attachments.sunshineConversationsAttachmentTrigger',
		icons: { light: 'sunshine.svg', dark: 'sunshine.dark.svg' },
		fields: ['appId', 'contentTypes', 'authorTypes', 'download', 'binaryPropertyName'],
		notice: /^On activation this node adds a custom integration with a webhook/,
	},
	{
		displayName: 'Wix Attachment Trigger',
		type: 'n8n-nodes-attachments.wixAttachmentTrigger',
		icons: { light: 'wix.svg', dark: 'wix.dark.svg' },
		fields: ['events', 'instanceId', 'download', 'binaryPropertyName'],
		notice: /^Wix registers webhooks in your app's dashboard, not through its API/,
	},
];

let stack: Stack | undefined;
let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
	stack = await startStack();
	({ browser, page } = await launchBrowser());
	await logIn(page, stack.url, DEMO_OWNER.email, DEMO_OWNER.password);
}, 15 * 60_000);

afterEach(async () => {
	if (!browser) return;
	await screenshot(page, `after-${expect.getState().currentTestName ?? 'test'}`.slice(0, 120)).catch(() => undefined);
});

afterAll(async () => {
	await browser?.close().catch(() => undefined);
	if (stack) {
		await stack.stop();
		removeDataDir(stack.dataDir);
	}
}, 120_000);

/**
 * The node creator's entry for a trigger, on an empty canvas (which lists triggers only). n8n
 * names a trigger there without its " Trigger" suffix.
 */
async function creatorEntry(displayName: string): Promise<Locator> {
	await page.getByTestId('node-creator-search-bar').fill(displayName);
	const shown = displayName.replace(/ Trigger$/, '');
	const name = page.getByTestId('node-creator-item-name').filter({ hasText: new RegExp(`^\\s*${shown}\\s*$`) });
	await name.first().waitFor();
	return page.locator('[data-test-id="node-creator-node-item"], [data-test-id="node-creator-action-item"]').filter({ has: name }).first();
}

/** Clicks the entry (and the node's own first action, if the creator lists some): the node is added and its panel opens. */
async function addTrigger(trigger: Trigger): Promise<void> {
	await openNodeCreator(page, stack!.url);
	await (await creatorEntry(trigger.displayName)).click();
	const action = page.locator(`[data-keyboard-nav-type="action"][data-keyboard-nav-id^="${trigger.type}-"]`).first();
	if (await action.isVisible({ timeout: 2000 }).catch(() => false)) await action.click();
	await page.getByTestId('ndv').waitFor();
	await page.getByTestId('node-parameters').waitFor();
}

/** The URL the panel's "Webhook URLs" shows for `which` (Test URL / Production URL). */
async function webhookUrl(which: 'Production URL' | 'Test URL'): Promise<string> {
	const ndv = page.getByTestId('ndv');
	const box = ndv.locator('.node-webhooks');
	if (!(await box.isVisible().catch(() => false))) await ndv.getByText('Webhook URLs', { exact: false }).first().click();
	await box.waitFor();
	await box.getByText(which, { exact: true }).first().click();
	const field = box.locator('.url-field, .url-field-full-width').first();
	await page.waitForFunction(([element, wanted]) => (element as HTMLElement).innerText.includes(wanted as string), [await field.elementHandle(), which === 'Production URL' ? '/webhook/' : '/webhook-test/'] as const, { timeout: 10_000 });
	return (await field.innerText()).trim();
}

describe.each(TRIGGERS.map((trigger) => [trigger.displayName, trigger] as const))('%s', (_name, trigger) => {
	test('the node creator finds it, with its icon (light and dark theme)', async () => {
		await openNodeCreator(page, stack!.url);
		const entry = await creatorEntry(trigger.displayName);
		for (const [theme, file] of [
			['light', trigger.icons.light],
			['dark', trigger.icons.dark],
		] as const) {
			await page.emulateMedia({ colorScheme: theme });
			const { src, naturalWidth } = await imageShowing(entry.locator('img').first(), file);
			expect(src).toMatch(new RegExp(`/icons/n8n-nodes-attachments/.*/${file.replace('.', '\\.')}$`));
			expect(naturalWidth).toBeGreaterThan(0);
			const served = await page.evaluate(async (url) => await (await fetch(url)).text(), src);
			expect(served).toBe(readFileSync(path.join(REPO_ROOT, 'icons', file), 'utf8'));
		}
		await page.emulateMedia({ colorScheme: 'light' });
	});

	test('added from the node creator: its fields, its notice, and its Production URL in the panel', async () => {
		await addTrigger(trigger);
		const shown = await shownParameterNames(page);
		for (const field of trigger.fields) expect(shown).toContain(field);
		const notices = (await nodeParameters(page).locator('.n8n-notice, [class*="notice"]').allInnerTexts()).map((text) => text.trim());
		expect(notices.some((text) => trigger.notice.test(text))).toBe(true);
		const production = await webhookUrl('Production URL');
		expect(production).toMatch(/^POST\s*\n?\s*http:\/\/localhost:\d+\/webhook\/[0-9a-f-]{36}\/webhook$|^http:\/\/localhost:\d+\/webhook\/[0-9a-f-]{36}\/webhook$/);
		const test = await webhookUrl('Test URL');
		expect(test).toMatch(/\/webhook-test\/[0-9a-f-]{36}\/webhook$/);
		console.log(`[ui] ${trigger.displayName}: production URL ${production.replace(/^POST\s*/, '')}`);
		await screenshot(page, `panel-${trigger.type.split('.')[1]}`, page.getByTestId('ndv'));
		if (trigger.type.endsWith('sunshineConversationsAttachmentTrigger')) {
			const { picked } = await pickFirstFromList(page, 'appId');
			expect(picked).toContain(SUNSHINE_DEMO.app.displayName);
		}
		await closePanel(page);
	});
});
