/**
 * The world of the hostile-provider cases (test/faults/hostile/): a provider's answers turned
 * against the node (by the fault proxy in front of its emulator), and the places those answers
 * point at, each recording what reaches it:
 * - `elsewhere`: another origin on 127.0.0.1 (another port), where a credential must never go;
 * - `internal`: an "internal service" on 127.0.0.2, which a URL from an answer must never reach;
 * - names that resolve (through the resolver stub of test/support/network-guard.ts) to private,
 *   metadata or public addresses, behind a connect guard that refuses any connection outside
 *   127.0.0.0/8 before its socket connects: a case about such an address proves the refusal came
 *   first, and no packet ever leaves the machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tls from 'node:tls';

import { filesUnder } from '../../support/files';
import { binaryDataDir } from '../../support/n8n-harness';
import { installNetworkGuard } from '../../support/network-guard';
import type { NetworkGuard } from '../../support/network-guard';
import { startRecorder } from './recorder';
import type { RecordedCall, Recorder } from './recorder';
import { itCase } from './summary';
import type { CaseFigures } from './summary';

/** An address a public service could have: the resolver stub's answer for "public" names (nothing is sent to it). */
export const PUBLIC_ADDRESS = '93.184.216.34';

/** Names of the resolver stub, and what they resolve to (data for the URL checks only). */
export const HOSTILE_NAMES = {
	metadata: 'metadata.hostile.test',
	private: 'private.hostile.test',
	mixed: 'mixed.hostile.test',
	rebind: 'rebind.hostile.test',
	public: 'files.hostile.test',
};

export interface HostileWorld {
	guard: NetworkGuard;
	elsewhere: Recorder;
	internal: Recorder;
}

/** Starts the recorders and the network guard for a test file; resets them before each case. */
export function useHostileWorld(): HostileWorld {
	const world = {} as HostileWorld;
	beforeAll(async () => {
		// Resolver-stub data only: the guard answers these names to the URL checks, and refuses every
		// connection outside 127.0.0.0/8 before a socket opens; the "internal" service is 127.0.0.2.
		world.guard = installNetworkGuard({
			[HOSTILE_NAMES.metadata]: ['169.254.169.254'],
			[HOSTILE_NAMES.private]: ['10.20.30.40'],
			[HOSTILE_NAMES.mixed]: [PUBLIC_ADDRESS, '127.0.0.2'],
			// Public when checked, the internal service when looked up again: DNS rebinding.
			[HOSTILE_NAMES.rebind]: [[PUBLIC_ADDRESS], ['127.0.0.2']],
			[HOSTILE_NAMES.public]: [PUBLIC_ADDRESS],
		});
		world.elsewhere = await startRecorder('127.0.0.1');
		world.internal = await startRecorder('127.0.0.2');
	});
	afterAll(async () => {
		world.guard?.restore();
		await world.elsewhere?.close();
		await world.internal?.close();
	});
	beforeEach(() => {
		world.guard.reset();
		world.elsewhere.reset();
		world.internal.reset();
	});
	return world;
}

/** A hostile-answer case, recorded in the fault suite's table. */
export function hostileCase(
	meta: { node: string; operation: string; name: string; expected: string },
	run: () => Promise<CaseFigures | void>,
	timeoutMs?: number,
): void {
	itCase({ category: 'hostile', ...meta }, run, timeoutMs);
}

/**
 * The forms a credential takes in a request: itself, as a Bearer or raw Authorization, and as
 * the base64 of a Basic header's `id:secret` (the secret is what matters; the forms are searched
 * case-insensitively in every header and the URL).
 */
export function credentialForms(secrets: string[]): string[] {
	const forms = new Set<string>();
	for (const secret of secrets) {
		forms.add(secret);
		forms.add(Buffer.from(secret).toString('base64').replace(/=+$/, ''));
		forms.add(encodeURIComponent(secret));
	}
	return [...forms].filter((form) => form.length >= 8);
}

/** Whether any of `secrets` (in any form of credentialForms) is in any header or URL of `calls`. */
export function callsCarrying(calls: RecordedCall[], secrets: string[]): RecordedCall[] {
	const forms = credentialForms(secrets).map((form) => form.toLowerCase());
	return calls.filter((call) => {
		const text = `${call.url}\n${JSON.stringify(call.headers)}`.toLowerCase();
		return forms.some((form) => text.includes(form));
	});
}

/** Files under the harness's binary store (filesystem mode) right now. */
export function storedFiles(): string[] {
	return filesUnder(binaryDataDir);
}

/** A body of `size` bytes made as it is read (nothing held), or an endless one. */
export function flood(size = Number.POSITIVE_INFINITY, chunk = 64 * 1024): () => Readable {
	return () => {
		let sent = 0;
		const block = Buffer.alloc(chunk, 0x41);
		return new Readable({
			read() {
				if (sent >= size) return void this.push(null);
				const part = Math.min(chunk, size - sent);
				sent += part;
				this.push(part === chunk ? block : block.subarray(0, part));
			},
		});
	};
}

/**
 * Runs `fn` with `cert` trusted by every TLS client of this process, as a CA besides Node's own
 * (jest gives tests a copy of process.env, so NODE_TLS_REJECT_UNAUTHORIZED cannot be set here).
 */
export async function withTrustedCertificate<T>(cert: string, fn: () => Promise<T>): Promise<T> {
	const create = tls.createSecureContext;
	tls.createSecureContext = ((options?: tls.SecureContextOptions) =>
		create({ ...options, ca: [...(options?.ca ? ([] as Array<string | Buffer>).concat(options.ca) : tls.rootCertificates), cert] })) as typeof tls.createSecureContext;
	try {
		return await fn();
	} finally {
		tls.createSecureContext = create;
	}
}

/** A self-signed certificate for 127.0.0.1 (openssl, made once per test file into a temporary folder). */
export function selfSignedCertificate(): { key: string; cert: string } {
	const dir = mkdtempSync(path.join(tmpdir(), 'hostile-tls-'));
	try {
		execFileSync(
			'openssl',
			['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')],
			{ stdio: 'ignore' },
		);
		return { key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** How a careless server may echo a secret back: as it is, upper-cased, base64, hex, URL-encoded, HTML-escaped. */
export function echoForms(secret: string): Record<string, string> {
	return {
		'as it is': secret,
		'upper-cased': secret.toUpperCase(),
		base64: Buffer.from(secret).toString('base64'),
		'base64 in a Basic header': Buffer.from(`user:${secret}`).toString('base64'),
		hex: Buffer.from(secret).toString('hex').toUpperCase(),
		'URL-encoded': encodeURIComponent(secret),
		'HTML-escaped': [...secret].map((char) => `&#${char.charCodeAt(0)};`).join(''),
	};
}

/** An error body that echoes `secret` in every form of echoForms. */
export function echoingBody(secret: string): string {
	return JSON.stringify({
		message: `Token rejected: ${Object.entries(echoForms(secret)).map(([form, value]) => `${form}=${value}`).join(' ')}`,
		errors: [{ message: `Bad token ${echoForms(secret)['upper-cased']}`, help: `base64 ${echoForms(secret).base64}` }],
	});
}

/** Places of the run (outputs, error, run data, logs) where a form of `secret` was found. */
export function echoesIn(places: Array<{ name: string; text: string }>, secret: string): string[] {
	const found: string[] = [];
	for (const [form, value] of Object.entries(echoForms(secret))) {
		// base64 is matched as written; every other form whatever its case.
		const exact = form.startsWith('base64');
		for (const place of places) {
			if (exact ? place.text.includes(value) : place.text.toLowerCase().includes(value.toLowerCase())) found.push(`${form} in ${place.name}`);
		}
	}
	return found;
}

/** The other origin got the redirected request as one plain GET, with none of `secrets` and none of `headers`. */
export function expectFollowedBare(world: HostileWorld, secrets: string[], headers: string[] = []): void {
	expect(world.elsewhere.calls).toHaveLength(1);
	expect(world.elsewhere.calls[0].method).toBe('GET');
	expect(world.elsewhere.calls[0].headers.authorization).toBeUndefined();
	for (const header of headers) expect(world.elsewhere.calls[0].headers[header.toLowerCase()]).toBeUndefined();
	expect(callsCarrying(world.elsewhere.calls, secrets)).toEqual([]);
}

/** The run failed naming the other origin's host and port (nothing else of its URL), and nothing reached it. */
export function expectRedirectRefused(result: { error?: Error; items: unknown[] }, world: HostileWorld, provider: string): void {
	expect(result.error?.message).toBe(`${provider} answered with a redirect to 127.0.0.1:${world.elsewhere.port}, which was not followed`);
	expect(result.items).toEqual([]);
	expect(world.elsewhere.calls).toEqual([]);
}
