/**
 * The Wix credential's test, as n8n's credential tester runs it, against the sandbox of
 * `npm start`: the emulator behind the Prism gate, which refuses any request Wix's specs do not
 * describe. Its call (List Contacts) is one the real Wix API serves with the same key.
 */

import { WixAttachmentApi } from '../../../credentials/WixAttachmentApi.credentials';
import { WixAttachmentAppOAuthApi } from '../../../credentials/WixAttachmentAppOAuthApi.credentials';
import { wixProvider } from '../../../sandbox/wix/demo';
import type { RunningProvider } from '../../../sandbox/types';
import { runCredentialTest } from '../../support/credential-test';
import { requireSpecs } from '../../support/spec';
import { DEFAULT_API_KEY, DEFAULT_SITE_ID } from '../../../sandbox/wix/server';
import type { WixServer } from '../../../sandbox/wix/server';

const haveSpecs = requireSpecs(['wix_contact_attachments.yaml'], 'the Wix sandbox (Prism gate)');
const describeSandbox = haveSpecs ? describe : describe.skip;

describeSandbox('the Wix sandbox (Prism gate in front of the emulator)', () => {
	let sandbox: RunningProvider<WixServer>;
	const lines: string[] = [];
	beforeAll(async () => {
		sandbox = await wixProvider.start({ log: (line) => lines.push(line) });
	});
	afterAll(async () => await sandbox?.close());

	it('passes the API key credential’s test (GET /contacts/v4/contacts)', async () => {
		const apiKey = new WixAttachmentApi();
		const result = await runCredentialTest(apiKey, { apiKey: DEFAULT_API_KEY, siteId: DEFAULT_SITE_ID, baseUrl: sandbox.baseUrl }, [apiKey, new WixAttachmentAppOAuthApi()]);
		expect({ error: result.error?.message, lines }).toEqual({ error: undefined, lines: expect.any(Array) });
		expect(result.items[0].json).toMatchObject({ contacts: [{ id: expect.any(String) }], pagingMetadata: { count: 1 } });
		expect(sandbox.emulator.requests.map((request) => `${request.method} ${request.url}`)).toEqual(['GET /contacts/v4/contacts?paging.limit=1']);
	});

	it('the demo credential n8n imports is the one tested', () => {
		const [demo] = sandbox.credentials;
		expect(demo).toMatchObject({ type: 'wixAttachmentApi', data: { apiKey: DEFAULT_API_KEY, siteId: DEFAULT_SITE_ID, baseUrl: sandbox.baseUrl } });
	});
});
