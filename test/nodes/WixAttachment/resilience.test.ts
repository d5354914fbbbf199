/**
 * What is Wix's own in retrying: the media host (a storage host, not the API) is retried as a
 * read. Retries, Retry-After, the 5-attempt limit and truncated downloads are proven for every
 * node in test/transport; Wix's upload URL and media host under faults in test/faults/wix.
 */
import { binaryStats } from '../../support/n8n-harness';
import { CONTACT_ID, runWix, useWixEmulator } from './context';

const server = useWixEmulator();

it('retries a download the media host answers with 503', async () => {
	const record = server.seedAttachment(CONTACT_ID, 'x.pdf', Buffer.from('%PDF xyz'), 'application/pdf');
	server.failNext(1, { status: 503, headers: { 'Retry-After': '0' }, body: 'Service Unavailable' }, 'download');
	const result = await runWix(server, { operation: 'get', contactId: CONTACT_ID, attachmentId: { __rl: true, mode: 'id', value: record.id }, download: true });
	expect(result.error).toBeUndefined();
	expect(server.requests.map((r) => `${r.host} ${r.method}`)).toEqual(['api GET', 'media GET', 'media GET']);
	expect((await binaryStats(result.items[0].binary!.data)).size).toBe(8);
});
