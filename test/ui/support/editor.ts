/// <reference lib="dom" />
// (The functions given to page.evaluate run in the browser: they need the DOM types.)
/**
 * Driving n8n's editor with playwright-core and Debian's chromium. The selectors are n8n's own
 * test ids (data-test-id), as n8n's Playwright suite uses them; where n8n has none (the options of
 * a dropdown, the actions of a node in the node creator) the element's role or class.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

import { chromium, selectors, type Browser, type Locator, type Page } from 'playwright-core';

import { REPO_ROOT } from './stack';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Git-ignored. */
export const SCREENSHOTS_DIR = path.join(REPO_ROOT, 'test', 'ui', 'screenshots');

selectors.setTestIdAttribute('data-test-id');

export async function launchBrowser(): Promise<{ browser: Browser; page: Page }> {
	if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
	const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
	const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
	// Generous: on a busy 2-core machine the editor's first load alone can take half a minute.
	context.setDefaultTimeout(45_000);
	context.setDefaultNavigationTimeout(90_000);
	const page = await context.newPage();
	// "Leave this page?" (beforeunload) when a canvas is left for a new one: leave. Playwright's
	// default, dismissing, would keep the old canvas and the next step would act on it.
	page.on('dialog', (dialog) => void dialog.accept().catch(() => undefined));
	return { browser, page };
}

export async function screenshot(page: Page, name: string, target?: Locator): Promise<string> {
	mkdirSync(SCREENSHOTS_DIR, { recursive: true });
	const file = path.join(SCREENSHOTS_DIR, `${name.replace(/[^a-zA-Z0-9._-]+/g, '-')}.png`);
	await (target ?? page).screenshot({ path: file });
	return file;
}

/** The open panel's middle column (its parameters, from the panel's top to its bottom). */
export async function screenshotParameters(page: Page, name: string): Promise<string> {
	mkdirSync(SCREENSHOTS_DIR, { recursive: true });
	const file = path.join(SCREENSHOTS_DIR, `${name}.png`);
	const ndv = await page.getByTestId('ndv').boundingBox();
	const parameters = await nodeParameters(page).boundingBox();
	if (!ndv || !parameters) return await screenshot(page, name);
	const x = Math.max(ndv.x, parameters.x - 16);
	await page.screenshot({ path: file, clip: { x, y: ndv.y, width: parameters.width + 32, height: ndv.height } });
	return file;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
export const exactly = (text: string) => new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`);

export async function logIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
	await page.goto(`${baseUrl}/signin`, { waitUntil: 'domcontentloaded' });
	await page.locator('input[name="emailOrLdapLoginId"]').fill(email);
	await page.locator('input[name="password"]').fill(password);
	await page.getByTestId('form-submit-button').click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 90_000 });
}

/**
 * Goes to a route of the editor with a full page load. Not through the editor's own router: from a
 * canvas with changes, n8n 2.41 asks "Save changes before leaving?" a moment after the push (too
 * late to be seen by a check right after it), and the route then stays on the canvas. A full load
 * only meets the browser's "Leave this page?", which launchBrowser's dialog handler accepts.
 */
export async function goTo(page: Page, baseUrl: string, route: string): Promise<void> {
	await page.goto(`${baseUrl}${route}`, { waitUntil: 'domcontentloaded' });
}

/**
 * A new, empty workflow with the node creator open. Always a full load of /workflow/new: n8n 2.41
 * saves a canvas by itself, and its router, asked for /workflow/new from the workflow list, stayed
 * on the list; reusing the previous canvas left the creator opened from the last node's output,
 * where a node's entry did not open its actions.
 */
export async function openNodeCreator(page: Page, baseUrl: string): Promise<void> {
	if (await page.getByTestId('ndv').isVisible().catch(() => false)) await closePanel(page);
	await goTo(page, baseUrl, '/workflow/new');
	// The big + of an empty canvas, or the + of the canvas's side bar.
	const buttons = [page.getByTestId('canvas-plus-button'), page.getByTestId('node-creator-plus-button')];
	const deadline = Date.now() + 180_000;
	for (;;) {
		const visible = await Promise.all(buttons.map(async (button) => await button.first().isVisible().catch(() => false)));
		const index = visible.indexOf(true);
		if (index >= 0) {
			await buttons[index].first().click();
			break;
		}
		if (Date.now() > deadline) throw new Error('no + button on the canvas to open the node creator');
		await page.waitForTimeout(500);
	}
	await page.getByTestId('node-creator-search-bar').waitFor();
}

/** The node creator's entry for a node, once a search for its display name lists it. */
export async function searchNode(page: Page, displayName: string): Promise<Locator> {
	await page.getByTestId('node-creator-search-bar').fill(displayName);
	const name = page.getByTestId('node-creator-item-name').filter({ hasText: exactly(displayName) });
	await name.first().waitFor();
	// The entry (the element n8n names "node-creator-action-item" for nodes with actions) holds the icon.
	return page.getByTestId('node-creator-action-item').filter({ has: name }).first();
}

/** An <img> once its src ends with /<file> (the theme switches it) and it finished loading. */
export async function imageShowing(img: Locator, file: string, timeoutMs = 10_000): Promise<{ src: string; naturalWidth: number }> {
	const deadline = Date.now() + timeoutMs;
	while (!((await img.getAttribute('src')) ?? '').endsWith(`/${file}`) && Date.now() < deadline) await img.page().waitForTimeout(200);
	return await loadedImage(img);
}

/** src and natural width of an <img>, once it finished loading. */
export async function loadedImage(img: Locator): Promise<{ src: string; naturalWidth: number }> {
	await img.evaluate(
		(element: HTMLImageElement) =>
			element.complete && element.naturalWidth > 0
				? undefined
				: new Promise<void>((resolve) => {
						element.addEventListener('load', () => resolve(), { once: true });
						element.addEventListener('error', () => resolve(), { once: true });
						setTimeout(resolve, 5000);
					}),
	);
	return await img.evaluate((element: HTMLImageElement) => ({ src: element.src, naturalWidth: element.naturalWidth }));
}

/** Clicks a node's entry, then its first action: the node is added and its panel (NDV) opens. */
export async function addNodeFromCreator(page: Page, entry: Locator, nodeType: string): Promise<void> {
	await entry.click();
	// The node's own actions (the panel lists suggested triggers first). A node whose package has a
	// trigger of it too is one entry with both; on an empty canvas n8n lists its triggers and folds
	// its actions ("Actions (N)"): unfold them.
	const action = page.locator(`[data-keyboard-nav-type="action"][data-keyboard-nav-id^="${nodeType}-"]`).filter({ visible: true }).first();
	const folded = page.getByText(/^\s*Actions \(\d+\)\s*$/).filter({ visible: true }).first();
	await action.or(folded).first().waitFor();
	if (!(await action.isVisible())) await folded.click();
	await action.click();
	await page.getByTestId('ndv').waitFor();
	await page.getByTestId('node-parameters').waitFor();
}

export function nodeParameters(page: Page): Locator {
	return page.getByTestId('ndv').getByTestId('node-parameters');
}

/** Picks an option (by its shown name) in an options parameter of the open panel. */
export async function selectOption(page: Page, parameter: string, optionName: string): Promise<void> {
	const input = nodeParameters(page).getByTestId(`parameter-input-${parameter}`);
	await input.click();
	const option = page.locator('.el-select-dropdown__item:visible').filter({ has: page.locator('.option-headline', { hasText: exactly(optionName) }) });
	await option.first().click();
	await option.first().waitFor({ state: 'hidden' });
}

/**
 * Adds the option `optionDisplayName` to the open panel's collection `collection` (its "Add
 * option" list), and reads the number input it shows: its value and the bounds the editor keeps it in.
 */
export async function addNumberOption(page: Page, collection: string, option: string, optionDisplayName: string): Promise<{ offered: string[]; value: string; min?: string; max?: string }> {
	const add = nodeParameters(page).locator(`[data-test-id="parameter-item"]:has(label[for="${collection}"])`).getByTestId('collection-parameter-add');
	await add.click();
	const items = page.locator('.el-select-dropdown__item:visible');
	await items.first().waitFor();
	const offered = (await items.allInnerTexts()).map((text) => text.trim());
	await items.filter({ hasText: exactly(optionDisplayName) }).first().click();
	const input = nodeParameters(page).getByTestId(`parameter-input-${option}`).locator('input').first();
	await input.waitFor();
	return {
		offered,
		value: await input.inputValue(),
		min: (await input.getAttribute('aria-valuemin')) ?? undefined,
		max: (await input.getAttribute('aria-valuemax')) ?? undefined,
	};
}

/** The names of the parameters the open panel shows (its parameter-input-<name> elements). */
export async function shownParameterNames(page: Page): Promise<string[]> {
	return await nodeParameters(page).evaluate((root) => {
		const names = new Set<string>();
		for (const element of Array.from(root.querySelectorAll<HTMLElement>('[data-test-id^="parameter-input-"]'))) {
			if (!element.offsetParent && element.getClientRects().length === 0) continue; // not displayed
			const name = element.getAttribute('data-test-id')!.slice('parameter-input-'.length);
			if (!['field', 'item'].includes(name)) names.add(name);
		}
		for (const element of Array.from(root.querySelectorAll<HTMLElement>('[data-test-id^="resource-locator-"]'))) {
			if (element.getClientRects().length > 0) names.add(element.getAttribute('data-test-id')!.slice('resource-locator-'.length));
		}
		return [...names];
	});
}

/**
 * Types a value into a parameter of the open panel. A resource locator is switched to the mode
 * named `modeName` (a mode's `name`, e.g. "id") first: its first input is the mode selector, which
 * takes no text.
 */
export async function fillParameter(page: Page, parameter: string, value: string, modeName = 'id'): Promise<void> {
	const locator = nodeParameters(page).getByTestId(`resource-locator-${parameter}`);
	if (await locator.isVisible().catch(() => false)) {
		await chooseLocatorMode(page, locator, modeName);
		await locator.getByTestId('rlc-input').fill(value);
		return;
	}
	await nodeParameters(page).getByTestId(`parameter-input-${parameter}`).locator('input, textarea').first().fill(value);
}

/**
 * Picks a resource locator's mode by the mode's `name` (n8n marks each entry `mode-<name>`). The
 * selector is clicked again when no entry shows: a click while another locator's list is still
 * closing can leave the list shut (seen once in a CI run).
 */
async function chooseLocatorMode(page: Page, locator: Locator, modeName: string): Promise<void> {
	const entry = page.locator(`[data-test-id="mode-${modeName}"]:visible`).first();
	for (let attempt = 1; ; attempt++) {
		await locator.getByTestId('rlc-mode-selector').click();
		try {
			await entry.waitFor({ timeout: 5_000 });
			await entry.click({ timeout: 5_000 });
			return;
		} catch (error) {
			if (attempt === 3) throw error;
			// Not Escape: with no list open it would close the node's panel.
			await page.waitForTimeout(500);
		}
	}
}

/**
 * A resource locator of the open panel: switches it to "From list", opens the list, clicks the
 * first entry and returns its text, which the locator then shows.
 */
export async function pickFirstFromList(page: Page, parameter: string, listModeName = 'list'): Promise<{ picked: string; shown: string }> {
	const locator = nodeParameters(page).getByTestId(`resource-locator-${parameter}`);
	await chooseLocatorMode(page, locator, listModeName);
	await locator.getByTestId('rlc-input').click();
	const first = page.getByTestId('rlc-item').first();
	await first.waitFor({ timeout: 30_000 });
	const picked = (await first.innerText()).trim();
	await first.click();
	await page.getByTestId('rlc-item').first().waitFor({ state: 'hidden' });
	const shown = await locator.getByTestId('rlc-input').inputValue();
	return { picked, shown };
}

export async function closePanel(page: Page): Promise<void> {
	await page.getByTestId('ndv-close-button').click();
	await page.getByTestId('ndv').waitFor({ state: 'hidden' });
}

export interface CredentialTestResult {
	ok: boolean;
	/** What the modal's banner says ("Connection tested successfully", or the failure and its details). */
	message: string;
}

export const TESTED_OK = 'Connection tested successfully';
const TEST_FAILED = 'Couldn’t connect with these settings';
/** OAuth2 credentials: n8n shows the connection instead of a test result, and no Retry button. */
export const OAUTH_CONNECTED = 'Account connected';

/** The test banner of the open credential modal, once it shows a result. */
async function credentialBanner(page: Page): Promise<CredentialTestResult> {
	const modal = page.getByTestId('editCredential-modal');
	const success = modal.getByText(TESTED_OK);
	const failure = modal.getByText(TEST_FAILED);
	const connected = modal.getByText(OAUTH_CONNECTED);
	await success.or(failure).or(connected).filter({ visible: true }).first().waitFor({ timeout: 60_000 });
	if (await success.first().isVisible()) return { ok: true, message: TESTED_OK };
	if (await connected.first().isVisible()) return { ok: true, message: OAUTH_CONNECTED };
	const details = modal.getByText('More details');
	if (await details.isVisible()) await details.click();
	await page.waitForTimeout(500);
	const text = await modal.innerText();
	// The banner's text: from the failure line up to the first parameter's label.
	const start = text.indexOf(TEST_FAILED);
	return { ok: false, message: text.slice(start, start + 600).split('\n').slice(0, 8).join(' ').replace(/\s+/g, ' ').trim() };
}

/**
 * Opens a credential from Overview → Credentials and runs its test: n8n tests it on opening; the
 * banner's Retry button ("Retry credential test") runs it again, which is the result returned.
 */
export async function testCredential(page: Page, baseUrl: string, name: string): Promise<CredentialTestResult> {
	await goTo(page, baseUrl, '/home/credentials');
	await page.getByTestId('resources-list-item').filter({ hasText: name }).first().click({ timeout: 60_000 });
	const modal = page.getByTestId('editCredential-modal');
	await modal.waitFor();
	const first = await credentialBanner(page);
	const retry = modal.getByRole('button', { name: 'Retry' });
	if (first.message === OAUTH_CONNECTED && !(await retry.isVisible())) return first;
	await retry.click();
	// The banner goes while the test runs; wait for that before reading the new result.
	await modal
		.getByText(TESTED_OK)
		.or(modal.getByText(TEST_FAILED))
		.first()
		.waitFor({ state: 'hidden', timeout: 5_000 })
		.catch(() => undefined);
	return await credentialBanner(page);
}

export async function closeCredential(page: Page): Promise<void> {
	await page.keyboard.press('Escape');
	await page.getByTestId('editCredential-modal').waitFor({ state: 'hidden' });
}

/** Opens a workflow and waits until its canvas shows its nodes. */
export async function openWorkflow(page: Page, baseUrl: string, workflowId: string): Promise<void> {
	await goTo(page, baseUrl, `/workflow/${workflowId}`);
	await page.getByTestId('canvas-node').first().waitFor({ timeout: 90_000 });
	// The canvas fits the view after the nodes are placed: let it settle before measuring.
	await page.waitForTimeout(1000);
}

/**
 * The sticky notes of the open canvas that cover a node, as "<sticky> covers <node>": the boxes
 * the editor draws (a sticky's `sticky` element, a node's `canvas-node` element) intersect.
 */
export async function stickiesCoveringNodes(page: Page): Promise<string[]> {
	return await page.evaluate(() => {
		const box = (element: Element) => element.getBoundingClientRect();
		const nameOf = (element: Element) => element.closest('[data-node-name]')?.getAttribute('data-node-name') ?? '?';
		const stickies = Array.from(document.querySelectorAll('[data-test-id="sticky"]'));
		const nodes = Array.from(document.querySelectorAll('[data-test-id="canvas-node"]'));
		const found: string[] = [];
		for (const sticky of stickies) {
			const a = box(sticky);
			for (const node of nodes) {
				const b = box(node);
				if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) found.push(`${nameOf(sticky)} covers ${nameOf(node)}`);
			}
		}
		return found;
	});
}

/** Opens a node of the open canvas (double-click), waiting for its panel. */
export async function openNode(page: Page, nodeName: string): Promise<void> {
	await page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName.replace(/"/g, '\\"')}"]`).dblclick();
	await page.getByTestId('ndv').waitFor();
	await page.getByTestId('node-parameters').waitFor();
}

export interface LocatorShown {
	/** The parameter's name (resource-locator-<name>). */
	name: string;
	/** What its mode selector shows ('' when it shows only its placeholder); undefined without one. */
	mode?: string;
	/** What it shows as its value: the input's value, or the text of what stands in for it (an expression, the model's $fromAI). */
	value: string;
}

/** Every resource locator the open panel shows, with what its mode selector and its value show. */
export async function resourceLocatorsShown(page: Page): Promise<LocatorShown[]> {
	return await nodeParameters(page).evaluate((root) => {
		const shown: LocatorShown[] = [];
		for (const element of Array.from(root.querySelectorAll<HTMLElement>('[data-test-id^="resource-locator-"]'))) {
			if (element.getClientRects().length === 0) continue;
			const name = element.getAttribute('data-test-id')!.slice('resource-locator-'.length);
			const selector = element.querySelector<HTMLElement>('[data-test-id="rlc-mode-selector"]');
			let mode: string | undefined;
			if (selector) {
				// A selected mode's label, not the placeholder the select shows when none is.
				const selected = Array.from(selector.querySelectorAll<HTMLElement>('.el-select__selected-item:not(.is-transparent), .el-select__placeholder:not(.is-transparent)'));
				const input = selector.querySelector('input');
				mode = (selected.map((item) => item.innerText.trim()).find(Boolean) ?? input?.value ?? '').trim();
			}
			const input = element.querySelector<HTMLInputElement>('[data-test-id="rlc-input"] input, input[data-test-id="rlc-input"]');
			const container = element.querySelector<HTMLElement>('[data-test-id="rlc-input-container"]');
			const value = (input?.value || container?.innerText || '').trim();
			shown.push({ name, mode, value });
		}
		return shown;
	});
}

export interface RunResult {
	nodes: string[];
	succeeded: string[];
	failed: string[];
	/** Nodes with neither mark when the run ended or timed out. */
	pending: string[];
}

/**
 * Opens a workflow, clicks "Execute workflow" (then `afterClick`: a trigger's event, once it
 * listens) and waits until every node is marked (success or error).
 */
export async function runWorkflowFromEditor(page: Page, baseUrl: string, workflowId: string, timeoutMs = 90_000, afterClick?: () => Promise<void>): Promise<RunResult> {
	await goTo(page, baseUrl, `/workflow/${workflowId}`);
	const button = page.getByTestId('execute-workflow-button');
	await button.waitFor({ timeout: 90_000 });
	const nodes = page.getByTestId('canvas-node');
	await nodes.first().waitFor();
	await button.click();
	await afterClick?.();
	const deadline = Date.now() + timeoutMs;
	let result: RunResult;
	for (;;) {
		result = await page.evaluate(() => {
			const all = Array.from(document.querySelectorAll('[data-test-id="canvas-node"]'));
			const named = (filter: (node: Element) => boolean) => all.filter(filter).map((node) => node.getAttribute('data-node-name') ?? '?');
			const has = (node: Element, id: string) => node.querySelector(`[data-test-id="${id}"]`) !== null;
			return {
				nodes: named(() => true),
				succeeded: named((node) => has(node, 'canvas-node-status-success')),
				failed: named((node) => has(node, 'canvas-node-status-error') || node.className.includes('error')),
				pending: named((node) => !has(node, 'canvas-node-status-success') && !has(node, 'canvas-node-status-error')),
			};
		});
		if (result.failed.length > 0 || result.pending.length === 0 || Date.now() > deadline) break;
		await page.waitForTimeout(500);
	}
	return result;
}
