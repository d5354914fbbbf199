/**
 * A 64 MiB file up and down through the node: the process must never hold the file
 * (../streaming.ts). Buffer memory and RSS would both grow by 64 MiB if anything held it.
 */
import { MiB, itStreams64MiB } from '../streaming';
import { runXero, useXeroEmulator } from './context';

const parentId = '4074292c-09b3-456d-84e7-add864c6c39b';

const server = useXeroEmulator();
// Xero answers 404 for the attachments of a document it does not have.
beforeEach(() => server.addDocument('Receipts', parentId));

// Figures for the record (the note on the issue quotes them): printed as "64 MiB streaming".
itStreams64MiB({
	label: '64 MiB streaming',
	fileName: 'large.bin',
	mimeType: 'application/octet-stream',
	upload: (input) => runXero(server, { resource: 'receipt', operation: 'upload', parentId, binaryPropertyName: 'data', options: {} }, { input }),
	received: () => {
		const { bodySize, bodySha256 } = server.requests.find((request) => request.method === 'PUT')!;
		return { size: bodySize, sha256: bodySha256 };
	},
	download: () =>
		runXero(server, { resource: 'receipt', operation: 'get', parentId, getBy: 'fileName', fileName: 'large.bin', binaryPropertyName: 'data', options: {} }),
	bounds: { arrayBuffers: 16 * MiB, rss: 40 * MiB },
});
