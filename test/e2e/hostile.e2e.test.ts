/**
 * A hostile provider against the package installed in a real n8n (issue #20): a scripted "Asana"
 * on 127.0.0.1 answers each attachment ID with one attack, and the workflow's Asana nodes (Continue
 * On Fail) meet them all in one run. What the fault suite proves through n8n-core is proven here
 * in n8n itself, in each store and line the e2e projects run: the token stays with its origin, a
 * download URL on the internal service (127.0.0.2) is not fetched, a compressed file arrives intact
 * under its base name, an oversized one leaves nothing in the store, and an echoed token appears
 * nowhere in the saved execution or n8n's log.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';

import { asanaProvider } from '../../sandbox/asana/demo';
import { startRecorder } from '../faults/support/recorder';
import type { Recorder } from '../faults/support/recorder';
import { echoesIn } from '../faults/support/hostile';
import { filesUnder } from '../support/files';

import { binaryStoreFolder, describeIfDeclared, itemsOf, node, readBinary, sha256, workflow } from './support/workflows';
import { hostPaths, n8nLine } from './support/n8n';
import { connectN8n, type E2eN8n } from './support/server';

const TOKEN = '2/1209000000000001/1209000000004242:hostile0e2e0token0a1b2c3d4e5f6a7b';
const CSV = Buffer.from('date;amount;payee\n'.repeat(600));
const ECHO = {
	message: `Not allowed for ${TOKEN.toUpperCase()} (${Buffer.from(TOKEN).toString('base64')}, ${Buffer.from(TOKEN).toString('hex')})`,
};

/** The rows of the database binary store (n8n's SQLite, read with the host's own sqlite3 under Node 24). */
function storedRows(userFolder: string): number {
	const script = `
		const sqlite3 = require(${JSON.stringify(path.join(hostPaths.n8nDir, 'node_modules', 'sqlite3'))});
		const db = new sqlite3.Database(process.argv[1], sqlite3.OPEN_READONLY);
		db.get('SELECT COUNT(*) AS n FROM binary_data', (error, row) => {
			if (error) { console.error(error.message); process.exit(1); }
			process.stdout.write(String(row.n));
			db.close();
		});`;
	const result = spawnSync(hostPaths.node, ['-e', script, path.join(userFolder, '.n8n', 'database.sqlite')], { encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`counting binary_data rows failed: ${result.stderr}`);
	return Number(result.stdout);
}

/** The files of the user folder's filesystem binary store. */
function storedFiles(userFolder: string): string[] {
	return filesUnder(binaryStoreFolder(userFolder));
}

describeIfDeclared(asanaProvider.nodeFile)('a hostile provider against the package in a real n8n', () => {
	let n8n: E2eN8n;
	let hostile: http.Server;
	let hostileUrl: string;
	let elsewhere: Recorder;
	let internal: Recorder;
	const seen: Array<{ method: string; url: string; authorization?: string }> = [];
	let workflowId: string;

	beforeAll(async () => {
		elsewhere = await startRecorder('127.0.0.1');
		internal = await startRecorder('127.0.0.2');
		hostile = http.createServer((req, res) => {
			seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
			const record = (gid: string, extra: Record<string, unknown>): void =>
				void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { gid, resource_type: 'attachment', resource_subtype: 'asana', host: 'asana', ...extra } }));
			const url = req.url ?? '';
			if (url.startsWith('/api/1.0/attachments/1001')) return void res.writeHead(302, { location: `${elsewhere.url}/api/1.0/attachments/1001` }).end();
			if (url.startsWith('/api/1.0/attachments/1002')) return void res.writeHead(307, { location: `${elsewhere.url}/steal` }).end();
			if (url.startsWith('/api/1.0/attachments/1003')) return void record('1003', { name: 'notes.txt', size: 10, download_url: `http://127.0.0.2:${internal.port}/admin` });
			if (url.startsWith('/api/1.0/attachments/1004')) return void record('1004', { name: '../../../home/node/.n8n/ledger.csv', size: CSV.length, download_url: `${hostileUrl}/files/1004` });
			if (url.startsWith('/api/1.0/attachments/1005')) return void res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [ECHO] }));
			if (url.startsWith('/api/1.0/attachments/1006')) return void record('1006', { name: 'small.pdf', size: 3, download_url: `${hostileUrl}/files/1006` });
			if (url.startsWith('/files/1004')) {
				const body = gzipSync(CSV);
				return void res.writeHead(200, { 'content-type': 'text/csv', 'content-encoding': 'gzip', 'content-length': String(body.length) }).end(body);
			}
			if (url.startsWith('/files/1006')) {
				// 64 MiB where the record says 3 bytes, made as it is read.
				let sent = 0;
				const chunk = Buffer.alloc(64 * 1024, 0x41);
				res.writeHead(200, { 'content-type': 'application/pdf' });
				return void new Readable({ read() { this.push(sent++ < 1024 ? chunk : null); } }).pipe(res);
			}
			res.writeHead(404).end();
			return undefined;
		});
		await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
		hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;

		n8n = await connectN8n();
		const [credential] = await n8n.importCredentials([{ name: 'Hostile Asana', type: 'asanaAttachmentApi', data: { accessToken: TOKEN, baseUrl: hostileUrl } }]);
		const asana = (name: string, gid: string, download: boolean, extra: Record<string, unknown> = {}) =>
			node(name, asanaProvider.nodeType, { authentication: 'accessToken', resource: 'attachment', operation: 'get', attachmentId: gid, download, binaryPropertyName: 'data', options: {}, ...extra }, {
				credentials: { asanaAttachmentApi: { id: credential.id, name: credential.name } },
				onError: 'continueRegularOutput',
			});
		const flow = workflow('e2e: a hostile provider', [
			[asana('Redirect elsewhere', '1001', false)],
			[node('Delete redirected', asanaProvider.nodeType, { authentication: 'accessToken', resource: 'attachment', operation: 'delete', attachmentId: '1002' }, { credentials: { asanaAttachmentApi: { id: credential.id, name: credential.name } }, onError: 'continueRegularOutput' })],
			[asana('Internal download URL', '1003', true)],
			[asana('Compressed file with a path for a name', '1004', true)],
			[asana('Echoed token', '1005', false)],
			[asana('Longer than its record', '1006', true)],
		]);
		await n8n.importWorkflows([flow]);
		workflowId = flow.id!;
	}, 10 * 60_000);

	afterAll(async () => {
		await new Promise((resolve) => hostile?.close(resolve));
		await elsewhere?.close();
		await internal?.close();
	});

	it('holds against every attack in one run', async () => {
		const filesBefore = storedFiles(n8n.userFolder);
		const rowsBefore = n8n.mode === 'database' ? storedRows(n8n.userFolder) : 0;
		const run = await n8n.run(workflowId);
		const error = (name: string) => String(itemsOf(run, name)[0]?.json.error ?? '');

		// The token went to the API's origin only; the GET followed elsewhere went bare, the DELETE not at all.
		expect(seen.filter((r) => r.url.startsWith('/api/')).every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
		expect(elsewhere.calls.map((c) => [c.method, c.url, c.headers.authorization])).toEqual([['GET', '/api/1.0/attachments/1001', undefined]]);
		expect(error('Delete redirected')).toBe(`Asana answered with a redirect to 127.0.0.1:${elsewhere.port}, which was not followed`);

		// The internal service was never reached.
		expect(internal.calls).toEqual([]);
		expect(error('Internal download URL')).toMatch(/^Asana: the download URL Asana returned leads to 127\.0\.0\.2:\d+, not https/);

		// The compressed file arrived whole, named by its base name.
		const [file] = itemsOf(run, 'Compressed file with a path for a name');
		expect(file.binary?.data.fileName).toBe('ledger.csv');
		expect(file.json.name).toBe('ledger.csv');
		expect(sha256(readBinary(n8n.userFolder, file.binary!.data))).toBe(sha256(CSV));

		// The oversized file was stopped, not retried, and left nothing behind.
		expect(error('Longer than its record')).toBe('Asana: the file is longer than the 3 bytes its record announces');
		expect(seen.filter((r) => r.url.startsWith('/files/1006'))).toHaveLength(1);
		// The one file the run stored is the CSV: in the filesystem store one file (and its metadata),
		// in the database store one row. n8n 1.x's filesystem store keeps what it had written of a
		// stream that failed (the node stopped it after its first chunk): left in the execution's
		// folder until n8n prunes the execution (README, Compatibility).
		const kept = storedFiles(n8n.userFolder).filter((file) => !filesBefore.includes(file) && !file.endsWith('.metadata'));
		if (n8n.mode === 'database') expect([kept.length, storedRows(n8n.userFolder) - rowsBefore]).toEqual([0, 1]);
		else if (n8nLine() === '2x') expect(kept).toHaveLength(1);
		else {
			expect(kept).toHaveLength(2);
			expect(kept.filter((file) => readFileSync(file).equals(CSV))).toHaveLength(1);
			const partial = kept.find((file) => !readFileSync(file).equals(CSV))!;
			expect(statSync(partial).size).toBeLessThanOrEqual(1024 * 1024);
		}

		// The echoed token: in no form anywhere n8n keeps or prints this run.
		expect(error('Echoed token')).toMatch(/^Asana: Not allowed for \[redacted\]/);
		const places = [
			{ name: 'the saved execution', text: JSON.stringify(run.json) },
			{ name: "n8n's log", text: readFileSync(path.join(n8n.userFolder, 'n8n.log'), 'utf8') },
		];
		expect(echoesIn(places, TOKEN)).toEqual([]);
	});
});
