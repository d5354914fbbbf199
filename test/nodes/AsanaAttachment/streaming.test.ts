/**
 * A 64 MiB file up (multipart) and down (pre-signed URL) through the node: the process must never
 * hold the file (../streaming.ts). Buffer memory and RSS would both grow by 64 MiB if anything
 * held it.
 */
import { DEFAULT_TASK } from '../../../sandbox/asana/server';
import { MiB, itStreams64MiB } from '../streaming';
import { locator, runAsana, useAsanaEmulator } from './context';

const server = useAsanaEmulator();

itStreams64MiB({
	label: 'Asana 64 MiB streaming',
	fileName: 'large.bin',
	mimeType: 'application/octet-stream',
	upload: (input) => runAsana(server, { operation: 'upload', parent: locator(DEFAULT_TASK.gid), source: 'binary', binaryPropertyName: 'data', options: {} }, { input }),
	received: () => {
		const { size, sha256 } = server.requests[0].multipart!.parts.find((candidate) => candidate.name === 'file')!;
		return { size, sha256 };
	},
	download: (up) => runAsana(server, { operation: 'get', attachmentId: up.items[0].json.gid as string, download: true, binaryPropertyName: 'data', options: {} }),
	bounds: { arrayBuffers: 16 * MiB, rss: 40 * MiB },
});
