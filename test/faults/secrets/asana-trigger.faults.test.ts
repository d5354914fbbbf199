/**
 * Secrets, Asana Attachment Trigger: the credential's values (personal access token; OAuth2 client
 * secret, access and refresh tokens) and the webhook's own secret (the handshake's) are sentinels.
 * Each credential type runs a delivery to its end, and a delivery whose record read fails with an
 * answer echoing the Authorization header, and an activation whose POST /webhooks fails the same
 * way; none of the secrets may show up in the execution (items, errors, run data), the activation's
 * error, or any log line. (The webhook secret lives in the workflow's static data, where the node
 * keeps it, and goes back to Asana in the handshake's answer: nowhere else.)
 */
import { inspect } from 'util';

import type { RunNodeResult } from '../../support/n8n-harness';
import { logsText } from '../../support/n8n-harness';
import { DEFAULT_TASK, startAsanaServer } from '../../../sandbox/asana/server';
import type { AsanaServer } from '../../../sandbox/asana/server';
import type { Auth } from '../../nodes/AsanaAttachment/context';
import { useAsanaTriggers } from '../../nodes/AsanaAttachment/trigger-context';
import { useEmulator } from '../../support/emulator';
import type { TriggerHarness } from '../../support/n8n-webhooks';
import { itCase } from '../support/summary';
import { BASE_SENTINELS, SENTINEL_SERVER_OPTIONS, sentToken, sentinelCredentials } from '../support/asana-secrets';
import { findLeaks, placesOf, withForms } from '../support/secrets';
import type { Place, Sentinel } from '../support/secrets';

const TRIGGER = 'Asana Attachment Trigger';

const server: AsanaServer = useEmulator({
	name: 'Asana',
	start: () => startAsanaServer({ ...SENTINEL_SERVER_OPTIONS, webhooks: { retryDelaysMs: [] } }),
});
const startTrigger = useAsanaTriggers(() => server);

const start = async (auth: Auth) => await startTrigger(DEFAULT_TASK.gid, {}, { auth, credentials: sentinelCredentials(server, auth) });

/** Every sentinel, the Authorization header `auth` sends, and the webhook's own secret. */
function sentinels(auth: Auth, hookSecret?: string): Sentinel[] {
	const list: Sentinel[] = [...BASE_SENTINELS, { label: 'Authorization header', value: `Bearer ${sentToken(auth)}` }];
	if (hookSecret) list.push({ label: 'webhook secret (X-Hook-Secret)', value: hookSecret });
	return list;
}

/** Every place of the trigger's runs and activations a secret must not reach. */
function places(harness: TriggerHarness, activationError?: Error): Place[] {
	const all: Place[] = [];
	for (const [index, execution] of harness.executions.entries()) {
		const asRun: RunNodeResult = { items: execution.items, error: execution.error, run: execution.run, credentialsStore: {}, logs: execution.logs };
		all.push(...placesOf(asRun, TRIGGER).map((place) => ({ ...place, name: `execution ${index}: ${place.name}` })));
	}
	if (activationError) {
		const error = activationError as Error & { description?: string };
		all.push({ name: 'activation error', text: `${error.message}\n${error.description ?? ''}\n${inspect(error, { depth: 8 })}` });
	}
	all.push({ name: 'harness logs', text: logsText(harness.logs) });
	return all;
}

function noLeaks(harness: TriggerHarness, list: Sentinel[], activationError?: Error) {
	const forms = withForms(list);
	const where = places(harness, activationError);
	const report = findLeaks(where, forms);
	expect(report.found).toEqual([]);
	return { sentinelChecks: report.sentinelChecks, leaks: report.leaks, note: `${where.length} places × ${forms.length} forms of ${list.length} secrets` };
}

describe.each<Auth>(['accessToken', 'oAuth2'])('%s', (auth) => {
	const meta = (name: string, expected: string) => ({ category: 'secret' as const, node: 'Asana Trigger', operation: auth === 'accessToken' ? 'PAT' : 'OAuth2', name, expected });

	itCase(meta('a delivery run to its end', 'no secret (credential or webhook secret) in items, run data or logs'), async () => {
		const harness = await start(auth);
		await harness.activate();
		const hookSecret = String(harness.staticData().hookSecret);
		server.seedAttachment(DEFAULT_TASK.gid, 'contract.pdf', Buffer.from('%PDF-1.4 contract'), 'application/pdf');
		await server.webhooks.idle();
		await harness.settle();
		expect(harness.executions.map((execution) => execution.error)).toEqual([undefined]);
		return noLeaks(harness, sentinels(auth, hookSecret));
	});

	itCase(meta('the record read fails, Asana echoing the Authorization header', 'the item\'s error names the failure, no secret anywhere'), async () => {
		const harness = await start(auth);
		await harness.activate();
		const hookSecret = String(harness.staticData().hookSecret);
		const token = sentToken(auth);
		server.failNext(5, { status: 500, body: JSON.stringify({ errors: [{ message: `Server Error for Authorization: Bearer ${token}` }] }) }, { method: 'GET', path: /^\/api\/1\.0\/attachments\// });
		server.seedAttachment(DEFAULT_TASK.gid, 'fails.pdf', Buffer.from('%PDF-1.4 fails'), 'application/pdf');
		await server.webhooks.idle();
		await harness.settle();
		expect(harness.executions[0].error?.message).toMatch(/Server Error/);
		return noLeaks(harness, sentinels(auth, hookSecret));
	}, 60_000);

	itCase(meta('POST /webhooks fails, Asana echoing the Authorization header', 'a clear activation error, no secret in it or in the logs'), async () => {
		const harness = await start(auth);
		const token = sentToken(auth);
		server.failNext(1, { status: 400, body: JSON.stringify({ errors: [{ message: `target: refused for Bearer ${token}` }] }) }, { method: 'POST', path: '/api/1.0/webhooks' });
		const error = await harness.activate().then(
			() => undefined,
			(thrown: Error) => thrown,
		);
		expect(error?.message).toMatch(/^Could not register the webhook at Asana: Asana: target: refused for/);
		return noLeaks(harness, sentinels(auth), error);
	});
});
