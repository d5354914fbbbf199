/**
 * A 64 MiB file up (to the upload URL) and down (from the media link) through the node: the
 * process must never hold the file (../streaming.ts). Buffer memory and RSS would both grow by
 * 64 MiB if anything held it.
 */
import { MiB, itStreams64MiB } from '../streaming';
import { CONTACT_ID, runWix, useWixEmulator } from './context';

const server = useWixEmulator();

itStreams64MiB({
	label: 'Wix 64 MiB streaming',
	fileName: 'large.pdf',
	mimeType: 'application/pdf',
	upload: (input) => runWix(server, { operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data', options: {} }, { input }),
	received: () => {
		const [put] = server.requestsTo('media');
		expect(put.body).toBeUndefined(); // over 1 MiB: counted and hashed, not kept
		return { size: put.bodySize, sha256: put.bodySha256 };
	},
	download: () => {
		const [stored] = server.attachments(CONTACT_ID);
		return runWix(server, { operation: 'get', contactId: CONTACT_ID, attachmentId: { __rl: true, mode: 'id', value: stored.id }, download: true });
	},
	// Holding the file would add 64 MiB. On a loaded machine n8n's binary store and HTTP stack
	// briefly hold up to ~30 MiB (seen with Xero's node too), so the bounds leave room for that
	// noise and still catch any copy of the file.
	bounds: { arrayBuffers: 40 * MiB, rss: 56 * MiB },
	timeoutMs: 600_000,
});
