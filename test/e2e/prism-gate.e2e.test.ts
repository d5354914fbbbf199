/**
 * The sandbox's Prism gate (sandbox/prism/gate.ts) against the real thing: the same
 * requests sent to `prism proxy <spec> <upstream> --errors` (the CLI of @stoplight/prism-cli
 * 5.16.0) and to the gate get the same verdicts and the same problem+json bodies; and binary
 * bodies of several MiB go through the gate unchanged in both directions, which the CLI cannot do
 * (it decodes them as UTF-8; its result is printed for the record).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';

import { startSandbox, type RunningProvider, type Sandbox } from '../../sandbox';
import { resolveSpecFile } from '../../sandbox/prism/specs';
import { XERO_DEMO } from '../../sandbox/xero/demo';
import type { XeroServer } from '../../sandbox/xero/server';
import { freePort } from './support/n8n';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const INVOICE = '7c0e2a44-1f3b-4d5e-9a6b-8c7d6e5f4a31';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface Answer {
	status: number;
	type: string | null;
	body: Buffer;
}

async function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer; duplex?: 'half' } = {}): Promise<Answer> {
	const response = await fetch(url, init as RequestInit);
	return { status: response.status, type: response.headers.get('content-type'), body: Buffer.from(await response.arrayBuffer()) };
}

const json = (answer: Answer) => JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;

describe('the Prism gate answers as `prism proxy --errors` does, and streams binary bodies', () => {
	let sandbox: Sandbox;
	let xero: RunningProvider<XeroServer>;
	let cli: ChildProcess;
	let cliUrl: string;
	const BIG = randomBytes(3 * 1024 * 1024);

	beforeAll(async () => {
		sandbox = await startSandbox({ only: ['xero'] });
		xero = sandbox.get<XeroServer>('xero');
		xero.emulator.seedAttachment('Invoices', INVOICE, 'scan.bin', BIG, 'application/octet-stream');

		const port = await freePort();
		cliUrl = `http://127.0.0.1:${port}`;
		const spec = resolveSpecFile('xero_accounting.prism-patched.yaml');
		cli = spawn(
			process.execPath,
			[path.join(REPO_ROOT, 'node_modules', '.bin', 'prism'), 'proxy', spec, `${xero.emulatorUrl}/api.xro/2.0`, '--errors', '-p', String(port), '-h', '127.0.0.1'],
			{ cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
		);
		let output = '';
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`prism proxy did not start in 4 minutes:\n${output.slice(-2000)}`)), 240_000);
			const onData = (chunk: Buffer) => {
				output += chunk.toString('utf8');
				if (output.includes('Prism is listening')) {
					clearTimeout(timer);
					resolve();
				}
			};
			cli.stdout!.on('data', onData);
			cli.stderr!.on('data', onData);
			cli.once('exit', (code) => {
				clearTimeout(timer);
				reject(new Error(`prism proxy exited (${code}):\n${output.slice(-2000)}`));
			});
		});
	}, 300_000);

	afterAll(async () => {
		if (cli?.pid && cli.exitCode === null) {
			const exited = new Promise((resolve) => cli.once('exit', resolve));
			process.kill(-cli.pid, 'SIGTERM');
			await exited;
		}
		await sandbox?.close();
	});

	const auth = { authorization: `Bearer ${XERO_DEMO.accessToken}`, accept: 'application/json' };
	const tenant = { 'xero-tenant-id': XERO_DEMO.tenant.tenantId };
	// The gate serves Xero under its real base path; the CLI serves the spec's paths at its root.
	const viaGate = (p: string) => `${xero.baseUrl}/api.xro/2.0${p}`;
	const viaCli = (p: string) => `${cliUrl}${p}`;

	it.each([
		['a valid listing', `/Invoices/${INVOICE}/Attachments`, { ...auth, ...tenant }, 200],
		['no xero-tenant-id header', `/Invoices/${INVOICE}/Attachments`, auth, 422],
		['no Authorization', `/Invoices/${INVOICE}/Attachments`, { accept: 'application/json', ...tenant }, 401],
		['a download without the contentType header', `/Invoices/${INVOICE}/Attachments/scan.bin`, { ...auth, ...tenant }, 422],
		['a path the spec does not have', '/Nope/at/all', { ...auth, ...tenant }, 404],
		['a method the spec does not have', `/Invoices/${INVOICE}/Attachments`, { ...auth, ...tenant }, 405, 'DELETE'],
	])('%s: same status and body', async (_what, requestPath, headers, status, method = 'GET') => {
		const [gate, real] = await Promise.all([send(viaGate(requestPath), { method, headers }), send(viaCli(requestPath), { method, headers })]);
		expect({ status: gate.status, type: gate.type }).toEqual({ status, type: status === 200 ? 'application/json; charset=utf-8' : 'application/problem+json' });
		expect(real.status).toBe(status);
		const strip = (body: Record<string, unknown>) => ({ ...body, Id: undefined, DateTimeUTC: undefined });
		expect(strip(json(gate))).toEqual(strip(json(real)));
	});

	it('streams a 3 MiB download and a 12 MB chunked upload unchanged', async () => {
		xero.gate.reset();
		const headers = { ...auth, ...tenant, contenttype: 'application/octet-stream' };
		const down = await send(viaGate(`/Invoices/${INVOICE}/Attachments/scan.bin`), { headers });
		expect({ status: down.status, size: down.body.length, sha256: sha256(down.body) }).toEqual({ status: 200, size: BIG.length, sha256: sha256(BIG) });

		const upload = randomBytes(12 * 1000 * 1000);
		const chunked = new ReadableStream<Uint8Array>({
			start(controller) {
				for (let offset = 0; offset < upload.length; offset += 1 << 20) controller.enqueue(upload.subarray(offset, offset + (1 << 20)));
				controller.close();
			},
		});
		const up = await send(viaGate(`/Invoices/${INVOICE}/Attachments/big%20upload.bin`), {
			method: 'PUT',
			headers: { ...auth, ...tenant, 'content-type': 'application/octet-stream' },
			body: chunked as unknown as Buffer,
			duplex: 'half',
		});
		expect(up.status).toBe(200);
		const stored = xero.emulator.attachments('Invoices', INVOICE).find((a) => a.fileName === 'big upload.bin');
		expect({ size: stored?.size, sha256: stored?.sha256 }).toEqual({ size: upload.length, sha256: sha256(upload) });
		expect(xero.gate.refusals()).toEqual([]);

		// For the record: the same download through the CLI.
		const real = await send(viaCli(`/Invoices/${INVOICE}/Attachments/scan.bin`), { headers });
		console.log(
			`prism proxy CLI, same 3 MiB download: status ${real.status}, ${real.body.length} bytes, ` +
				`${sha256(real.body) === sha256(BIG) ? 'identical' : 'NOT identical'} (the gate: identical)`,
		);
	});
});
