/**
 * The package's triggers in the editor, on the editor suite's `npm start` stack (editor.ui.test.ts
 * calls describeTriggers before it stops the stack): for each trigger, the node creator lists it
 * (on an empty canvas, which lists triggers; n8n shows a trigger whose package has the node too
 * under the node's name, " Trigger" dropped, with the trigger's description) with our SVG in the
 * light and the dark theme, Asana's entry its events as "On …" triggers; added from there, its
 * panel shows its fields and its notice, the Production and Test URLs of a webhook trigger, its
 * picker's demo entry; Xero's the parameters of each of the 11 document types and, from *Fetch
 * Test Event*, the demo invoice's receipt.pdf. Then each trigger's example of examples/ runs green
 * from the editor: *Execute workflow* (a webhook trigger listens: n8n registers its test URL), the
 * provider's event as a newcomer following `npm start` makes it, and every node turns green.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { NodeHelpers, type INodeProperties, type INodeTypeDescription } from 'n8n-workflow';
import type { Locator, Page } from 'playwright-core';

import { EXAMPLES, type Example } from '../../../examples';
import { AsanaAttachmentTrigger } from '../../../nodes/AsanaAttachment/AsanaAttachmentTrigger.node';
import { SunshineConversationsAttachmentTrigger } from '../../../nodes/SunshineConversationsAttachment/SunshineConversationsAttachmentTrigger.node';
import { WixAttachmentTrigger } from '../../../nodes/WixAttachment/WixAttachmentTrigger.node';
import { XeroAttachmentTrigger } from '../../../nodes/XeroAttachment/XeroAttachmentTrigger.node';
import { ASANA_DEMO, asanaProvider, attachThroughApi } from '../../../sandbox/asana/demo';
import { SUNSHINE_DEMO, sunshineProvider } from '../../../sandbox/sunshine/demo';
import { WIX_DEMO, wixProvider } from '../../../sandbox/wix/demo';
import { XERO_DEMO } from '../../../sandbox/xero/demo';
import { closePanel, exactly, imageShowing, nodeParameters, openNodeCreator, pickFirstFromList, runWorkflowFromEditor, screenshot, screenshotParameters, selectOption, shownParameterNames } from './editor';
import { isPanelInput } from './expected';
import { REPO_ROOT, startLogTail } from './stack';

/** What the tests need of the editor suite: its page, n8n's URL and the stack's user folder (its start.log). */
export interface EditorContext {
	page(): Page;
	baseUrl(): string;
	dataDir(): string | undefined;
}

interface TriggerCase {
	description: INodeTypeDescription;
	type: string;
	/** Its events, offered as "On …" triggers under its node's entry (Asana's webhook filters). */
	events?: string[];
	/** Parameters the panel shows with the defaults (n8n hides the Authentication selector). */
	fields: string[];
	notice?: RegExp;
	webhook: boolean;
	picker?: { name: string; demo: string[] };
	/** More checks on the added trigger's panel, after the picker. */
	panel?: (page: Page) => Promise<void>;
}

const PACKAGE = 'n8n-nodes-attachments';
const sandboxUrl = (provider: { defaultPorts: Record<string, number> }) => `http://127.0.0.1:${provider.defaultPorts.prism}`;

const xero = new XeroAttachmentTrigger().description;

/** The parameters the Xero trigger's panel displays for these values (n8n-workflow's displayOptions logic). */
function xeroVisibleFor(values: Record<string, unknown>): INodeProperties[] {
	const parameters = NodeHelpers.getNodeParameters(xero.properties, values as never, true, false, { typeVersion: 1 } as never, xero) ?? {};
	return xero.properties.filter((property) => NodeHelpers.displayParameter(parameters, property, { typeVersion: 1 } as never, xero, parameters));
}

/** Poll Times, and for each document type exactly the parameters its description displays; then Fetch Test Event outputs the demo invoice's newest file. */
async function xeroPanel(page: Page): Promise<void> {
	expect(await nodeParameters(page).getByText('Poll Times', { exact: true }).first().isVisible()).toBe(true);
	const problems: string[] = [];
	for (const option of xero.properties.find((property) => property.name === 'documentType')!.options as Array<{ name: string; value: string }>) {
		await selectOption(page, 'documentType', option.name);
		const expected = xeroVisibleFor({ documentType: option.value }).filter(isPanelInput);
		const shown = await shownParameterNames(page);
		for (const property of expected) {
			if (!['collection', 'fixedCollection'].includes(property.type) && !shown.includes(property.name)) problems.push(`${option.name}: no input for "${property.name}"`);
			if (!(await nodeParameters(page).getByText(property.displayName, { exact: true }).first().isVisible())) problems.push(`${option.name}: no "${property.displayName}" label`);
		}
		const names = new Set(expected.map((property) => property.name));
		for (const name of shown) if (xero.properties.some((property) => property.name === name) && !names.has(name)) problems.push(`${option.name}: "${name}" is shown but should not be`);
	}
	expect(problems).toEqual([]);
	await screenshotParameters(page, 'panel-xero-trigger-parameters');
	await selectOption(page, 'documentType', 'Invoice');
	// Fetch Test Event: the output opens on the file (the Binary view), then the record in the JSON view.
	await page.getByTestId('node-execute-button').first().click();
	const ndv = page.getByTestId('ndv');
	// The demo invoice's newest file: receipt.pdf, or the copy "Example: Xero invoice attachments" added before on this stack.
	await ndv.getByText(/^\s*receipt( \(copy\))?\.pdf\s*$/).first().waitFor({ timeout: 90_000 });
	await screenshot(page, 'panel-xero-trigger-test-event', ndv);
	await ndv.getByText('JSON', { exact: true }).first().click();
	await ndv.getByText(XERO_DEMO.invoiceId).first().waitFor();
}

const TRIGGERS: TriggerCase[] = [
	{ description: xero, type: `${PACKAGE}.xeroAttachmentTrigger`, fields: ['tenantId', 'documentType', 'downloadFile', 'binaryPropertyName'], webhook: false, picker: { name: 'tenantId', demo: [XERO_DEMO.tenant.tenantName] }, panel: xeroPanel },
	{
		description: new AsanaAttachmentTrigger().description,
		type: `${PACKAGE}.asanaAttachmentTrigger`,
		events: ['On attachment added', 'On attachment removed'],
		fields: ['parent', 'events', 'download', 'binaryPropertyName'],
		webhook: true,
		picker: { name: 'parent', demo: [ASANA_DEMO.task.name, ASANA_DEMO.secondTask.name, ASANA_DEMO.project.name] },
	},
	{
		description: new WixAttachmentTrigger().description,
		type: `${PACKAGE}.wixAttachmentTrigger`,
		fields: ['events', 'instanceId', 'download', 'binaryPropertyName'],
		notice: /^Wix registers webhooks in your app's dashboard, not through its API/,
		webhook: true,
	},
	{
		description: new SunshineConversationsAttachmentTrigger().description,
		type: `${PACKAGE}.sunshineConversationsAttachmentTrigger`,
		fields: ['appId', 'contentTypes', 'authorTypes', 'download', 'binaryPropertyName'],
		notice: /^On activation this node adds a custom integration with a webhook/,
		webhook: true,
		picker: { name: 'appId', demo: [SUNSHINE_DEMO.app.displayName] },
	},
];

/** The node creator's entry of a trigger, on an empty canvas: under its node's name (" Trigger" dropped). */
async function creatorEntry(page: Page, baseUrl: string, trigger: TriggerCase): Promise<Locator> {
	await openNodeCreator(page, baseUrl);
	const shown = trigger.description.displayName.replace(/ Trigger$/, '');
	await page.getByTestId('node-creator-search-bar').fill(shown);
	const name = page.getByTestId('node-creator-item-name').filter({ hasText: exactly(shown) });
	await name.first().waitFor();
	return page.locator('[data-test-id="node-creator-node-item"], [data-test-id="node-creator-action-item"]').filter({ has: name }).first();
}

/** The trigger's events in the node creator, offered as actions ("On …"). */
const triggerActions = (page: Page, trigger: TriggerCase) => page.locator(`[data-keyboard-nav-type="action"][data-keyboard-nav-id^="${trigger.type}-"]`);
/** Any entry of the trigger in the node creator's list (a trigger with no events is listed as itself). */
const triggerEntries = (page: Page, trigger: TriggerCase) => page.locator(`[data-keyboard-nav-id^="${trigger.type}"]`);

/** Adds the trigger from its entry (its first event, or its own entry, when the creator lists them) and waits for its panel. */
async function addTrigger(page: Page, baseUrl: string, trigger: TriggerCase): Promise<void> {
	await (await creatorEntry(page, baseUrl, trigger)).click();
	const ndv = page.getByTestId('ndv');
	await ndv.or(triggerEntries(page, trigger).first()).first().waitFor();
	if (!(await ndv.isVisible())) await ((await triggerActions(page, trigger).count()) > 0 ? triggerActions(page, trigger) : triggerEntries(page, trigger)).first().click();
	await ndv.waitFor();
	await nodeParameters(page).waitFor();
}

/** The URL the panel's "Webhook URLs" shows for `which`. */
async function webhookUrl(page: Page, which: 'Production URL' | 'Test URL'): Promise<string> {
	const ndv = page.getByTestId('ndv');
	const box = ndv.locator('.node-webhooks');
	if (!(await box.isVisible().catch(() => false))) await ndv.getByText('Webhook URLs', { exact: false }).first().click();
	await box.waitFor();
	await box.getByText(which, { exact: true }).first().click();
	const field = box.locator('.url-field, .url-field-full-width').first();
	await page.waitForFunction(([element, wanted]) => (element as HTMLElement).innerText.includes(wanted as string), [await field.elementHandle(), which === 'Production URL' ? '/webhook/' : '/webhook-test/'] as const, { timeout: 10_000 });
	return (await field.innerText()).trim().replace(/^POST\s*/, '');
}

/* ------------------------------------------------------------------------------------------------
 * The providers' events, as a newcomer following npm start makes them (through the sandboxes' APIs)
 * ---------------------------------------------------------------------------------------------- */

async function sandboxCall(url: string, init: RequestInit & { headers: Record<string, string> }): Promise<{ status: number; json: Record<string, unknown> }> {
	const response = await fetch(url, init);
	const text = await response.text();
	if (response.status >= 300) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${text.slice(0, 500)}`);
	return { status: response.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** Resolves once `check` passes (tried every 500 ms for 10 s): what n8n does after a run may follow it by a moment. */
async function eventually(check: () => Promise<void>): Promise<void> {
	const deadline = Date.now() + 10_000;
	for (;;) {
		try {
			return await check();
		} catch (error) {
			if (Date.now() > deadline) throw error;
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	}
}

const asanaHeaders = { authorization: `Bearer ${ASANA_DEMO.token}`, accept: 'application/json' };
const asanaTestHooks = async () =>
	((await sandboxCall(`${sandboxUrl(asanaProvider)}/api/1.0/webhooks?workspace=${ASANA_DEMO.workspace.gid}&resource=${ASANA_DEMO.secondTask.gid}`, { headers: asanaHeaders })).json.data as Array<{ target: string }>).filter((hook) =>
		hook.target.includes('/webhook-test/'),
	);

const sunshineHeaders = { authorization: `Basic ${Buffer.from(`${SUNSHINE_DEMO.key.id}:${SUNSHINE_DEMO.key.secret}`).toString('base64')}`, accept: 'application/json' };
const sunshineIntegrations = async () =>
	(await sandboxCall(`${sandboxUrl(sunshineProvider)}/v2/apps/${SUNSHINE_DEMO.app.id}/integrations`, { headers: sunshineHeaders })).json.integrations as unknown[];

interface ExampleEvent {
	/** Checks at the sandbox while n8n listens (the test registration there). */
	registered?: () => Promise<void>;
	fire(context: EditorContext): Promise<void>;
	/** Checks at the sandbox once the run ended (the test registration removed). */
	removed?: () => Promise<void>;
}

const EVENTS: Record<string, ExampleEvent> = {
	// A polling trigger run from the editor outputs the newest attachment at once: no event.
	xero: { fire: async () => undefined },
	asana: {
		registered: async () => expect(await asanaTestHooks()).toHaveLength(1),
		// A file attached to "Collect Q3 receipts" through Asana's API (what the Asana example's Upload does).
		async fire() {
			await attachThroughApi(sandboxUrl(asanaProvider), ASANA_DEMO.secondTask.gid, 'editor-receipt.pdf', Buffer.from('%PDF-1.4\nA receipt uploaded while the editor listened\n'), 'application/pdf');
		},
		removed: async () => expect(await asanaTestHooks()).toEqual([]),
	},
	sunshine: {
		registered: async () => expect(await sunshineIntegrations()).toHaveLength(1),
		// The curl command npm start printed under Sunshine Conversations, as printed: a customer's file.
		async fire(context) {
			const dataDir = context.dataDir();
			const command = dataDir ? startLogTail(dataDir, Number.MAX_SAFE_INTEGER).split('\n').find((line) => line.trim().startsWith('curl -u ')) : undefined;
			if (!command) throw new Error('npm start printed no curl command for a customer\'s message (needs the suite\'s own stack, not N8N_UI_URL)');
			await new Promise<void>((resolve, reject) => execFile('bash', ['-c', `${command.trim()} --fail --silent --show-error`], (error, stdout, stderr) => (error ? reject(new Error(`${command}: ${stderr}`)) : resolve())));
		},
		removed: async () => expect(await sunshineIntegrations()).toEqual([]),
	},
	// A file attached to Ada Lovelace through Wix's API (what the Wix example's Upload does); npm
	// start subscribed the sandbox's app to the example's URLs.
	wix: {
		async fire() {
			const headers = { authorization: WIX_DEMO.apiKey, 'wix-site-id': WIX_DEMO.siteId, 'content-type': 'application/json' };
			const fileName = 'editor-form.pdf';
			const answer = await sandboxCall(`${sandboxUrl(wixProvider)}/contacts/v4/attachments/${WIX_DEMO.contact.id}/upload-url`, { method: 'POST', headers, body: JSON.stringify({ fileName, mimeType: 'application/pdf' }) });
			const uploadUrl = new URL(answer.json.uploadUrl as string);
			uploadUrl.searchParams.set('filename', fileName);
			await sandboxCall(uploadUrl.toString(), { method: 'PUT', headers: { 'content-type': 'application/pdf' }, body: new Uint8Array(WIX_DEMO.form.content) });
		},
	},
};

const TRIGGER_EXAMPLES = EXAMPLES.filter((example): example is Example & { trigger: string } => example.trigger !== undefined);

export function describeTriggers(context: EditorContext): void {
	describe.each(TRIGGERS.map((trigger) => [trigger.description.displayName, trigger] as const))('%s', (displayName, trigger) => {
		test(`the node creator lists it with its description and its icon (light and dark theme)${trigger.events ? ', its events as "On …" triggers' : ''}`, async () => {
			const page = context.page();
			const entry = await creatorEntry(page, context.baseUrl(), trigger);
			const icon = trigger.description.icon as { light: string; dark: string };
			for (const [theme, value] of [
				['light', icon.light],
				['dark', icon.dark],
			] as const) {
				const file = path.basename(value.replace(/^file:/, ''));
				await page.emulateMedia({ colorScheme: theme });
				const { src, naturalWidth } = await imageShowing(entry.locator('img').first(), file);
				expect(src).toMatch(new RegExp(`/icons/${PACKAGE}/.*/${file.replace('.', '\\.')}$`));
				expect(naturalWidth).toBeGreaterThan(0);
				const served = await page.evaluate(async (url) => await (await fetch(url)).text(), src);
				expect(served).toBe(readFileSync(path.join(REPO_ROOT, 'icons', file), 'utf8'));
			}
			await page.emulateMedia({ colorScheme: 'light' });
			expect((await entry.innerText()).replace(/\s+/g, ' ')).toContain(trigger.description.description);
			await screenshot(page, `${trigger.type.split('.')[1]}-node-creator`);
			if (trigger.events) {
				await entry.click();
				await triggerActions(page, trigger).first().waitFor();
				expect((await triggerActions(page, trigger).allInnerTexts()).map((text) => text.split('\n')[0].trim())).toEqual(trigger.events);
			}
		});

		test(`added from the node creator: its fields${trigger.notice ? ', its notice' : ''}${trigger.webhook ? ', its Production and Test URLs' : ''}${trigger.picker ? ', its picker lists the demo data' : ''}${trigger.panel ? ', Poll Times, each document type\'s parameters, Fetch Test Event' : ''}`, async () => {
			const page = context.page();
			await addTrigger(page, context.baseUrl(), trigger);
			const shown = await shownParameterNames(page);
			for (const field of trigger.fields) expect(shown).toContain(field);
			if (trigger.notice) {
				const notices = (await nodeParameters(page).locator('.n8n-notice, [class*="notice"]').allInnerTexts()).map((text) => text.trim());
				expect(notices.some((text) => trigger.notice!.test(text))).toBe(true);
			}
			if (trigger.webhook) {
				const production = await webhookUrl(page, 'Production URL');
				expect(production).toMatch(/^http:\/\/localhost:\d+\/webhook\/[0-9a-f-]{36}\/webhook$/);
				expect(await webhookUrl(page, 'Test URL')).toBe(production.replace('/webhook/', '/webhook-test/'));
				console.log(`[ui] ${displayName}: production URL ${production}`);
			}
			if (trigger.picker) {
				const { picked, shown: inLocator } = await pickFirstFromList(page, trigger.picker.name);
				console.log(`[ui] ${displayName} › ${trigger.picker.name}: picked "${picked}"`);
				expect(inLocator).toBe(picked);
				expect(trigger.picker!.demo.some((demo) => picked.includes(demo))).toBe(true);
			}
			await screenshot(page, `panel-${trigger.type.split('.')[1]}`, page.getByTestId('ndv'));
			await trigger.panel?.(page);
			await closePanel(page);
		});
	});

	describe('trigger examples (examples/index.ts), run from the editor', () => {
		test.each(TRIGGER_EXAMPLES.map((example) => [example.title, example] as const))('"%s" runs green: Execute workflow, then the provider\'s event', async (_title, example) => {
			const page = context.page();
			const event = EVENTS[example.provider];
			const webhook = TRIGGERS.find((trigger) => trigger.type === example.trigger)!.webhook;
			const run = await runWorkflowFromEditor(page, context.baseUrl(), example.workflowId, 90_000, async () => {
				// A webhook trigger listens once n8n registered its test URL (the editor offers to stop waiting).
				if (webhook) await page.getByTestId('stop-execution-waiting-for-webhook-button').first().waitFor({ timeout: 60_000 });
				await event.registered?.();
				await event.fire(context);
			});
			await screenshot(page, `example-${example.workflowId}`);
			expect(run.nodes.length).toBe(2);
			expect({ failed: run.failed, pending: run.pending }).toEqual({ failed: [], pending: [] });
			expect(run.succeeded.sort()).toEqual(run.nodes.sort());
			if (event.removed) await eventually(event.removed);
		});
	});
}
