/**
 * A generic fake provider for the transport tests (test/transport): no vendor's paths, errors or
 * quirks, only what every provider's API has. It stores files (`PUT /api/files/{name}`, streamed
 * and hashed), lists them (`GET /api/files`), serves them (`GET /api/files/{id}/content`, exact
 * Content-Length), deletes them, renews OAuth2 tokens (`POST /oauth/token`), and records every
 * request. Tests script its answers: the next N requests fail with a status, a download is cut
 * off after some bytes, a token expires, a request is redirected.
 *
 * Listens on 127.0.0.1 only.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { consumeBody, jsonReply, writeReply } from '../../sandbox/common/http';
import type { RecordedRequest } from '../../sandbox/common/http';

export const GENERIC_TOKEN = 'generic-access-token-3c9e';
export const GENERIC_REFRESH_TOKEN = 'generic-refresh-token-71fa';

export interface StoredFile {
	id: string;
	name: string;
	mimeType: string;
	size: number;
	sha256: string;
	/** The bytes (kept up to 1 MiB; larger uploads keep only their size and hash). */
	content?: Buffer;
}

export interface ScriptedFailure {
	status: number;
	headers?: Record<string, string>;
	body?: string;
}

type Match = (request: RecordedRequest) => boolean;

export interface GenericServer {
	url: string;
	/** What arrived, in order (the token endpoint's calls included). */
	requests: RecordedRequest[];
	files(): StoredFile[];
	seed(name: string, content: Buffer, mimeType?: string): StoredFile;
	/** The next `times` requests that `match` (default: any) are answered with `failure`. */
	failNext(times: number, failure: ScriptedFailure, match?: Match): void;
	/** The next download sends its headers (full Content-Length), `bytes` bytes, then closes. */
	truncateNextDownload(bytes: number): void;
	/** The next request that `match` is answered with a redirect to `location` (relative to this server, or absolute). */
	redirectNext(status: 301 | 302 | 303 | 307 | 308, location: string, match?: Match): void;
	/** Bearer tokens the server refuses with 401 from now on. */
	expireToken(token: string): void;
	/** The tokens it accepts. */
	acceptedTokens(): string[];
	reset(): void;
	close(): Promise<void>;
}

export interface GenericServerOptions {
	/** Accept any request without a token (another origin a redirect points at). */
	open?: boolean;
}

export async function startGenericServer(options: GenericServerOptions = {}): Promise<GenericServer> {
	let files = new Map<string, StoredFile>();
	let accepted = new Set([GENERIC_TOKEN]);
	let failures: Array<{ failure: ScriptedFailure; match: Match }> = [];
	let redirects: Array<{ status: number; location: string; match: Match }> = [];
	let truncations: number[] = [];
	const requests: RecordedRequest[] = [];

	const authorised = (request: RecordedRequest) => {
		if (options.open) return true;
		const authorization = request.headers.authorization;
		return typeof authorization === 'string' && accepted.has(authorization.replace(/^Bearer /, ''));
	};

	const server = http.createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://generic.invalid');
		void consumeBody(req).then((body) => {
			const request: RecordedRequest = {
				seq: requests.length + 1,
				receivedAt: new Date(),
				method: req.method ?? 'GET',
				url: req.url ?? '/',
				path: url.pathname,
				query: url.searchParams,
				headers: req.headers,
				body: body.body,
				bodySize: body.size,
				bodySha256: body.sha256,
				aborted: body.aborted,
			};
			requests.push(request);
			if (body.aborted) return;

			const redirect = redirects.findIndex((entry) => entry.match(request));
			if (redirect >= 0) {
				const [{ status, location }] = redirects.splice(redirect, 1);
				return writeReply(res, { status, headers: { Location: location }, body: Buffer.alloc(0) });
			}
			const failed = failures.findIndex((entry) => entry.match(request));
			if (failed >= 0) {
				const [{ failure }] = failures.splice(failed, 1);
				return writeReply(res, jsonReply(failure.status, { error: failure.body ?? http.STATUS_CODES[failure.status] }, failure.headers));
			}

			if (request.method === 'POST' && request.path === '/oauth/token') {
				const form = new URLSearchParams(body.body?.toString('utf8') ?? '');
				if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== GENERIC_REFRESH_TOKEN) {
					return writeReply(res, jsonReply(400, { error: 'invalid_grant' }));
				}
				const token = `generic-renewed-${randomUUID()}`;
				accepted.add(token);
				return writeReply(res, jsonReply(200, { access_token: token, token_type: 'bearer', expires_in: 3600 }));
			}
			if (!authorised(request)) return writeReply(res, jsonReply(401, { error: 'The access token is not valid' }));

			const content = /^\/api\/files\/([^/]+)\/content$/.exec(request.path);
			const one = /^\/api\/files\/([^/]+)$/.exec(request.path);
			if (request.method === 'GET' && request.path === '/api/files') {
				return writeReply(res, jsonReply(200, { files: [...files.values()].map(({ id, name, mimeType, size, sha256 }) => ({ id, name, mimeType, size, sha256 })) }));
			}
			if (request.method === 'GET' && content) {
				const file = files.get(decodeURIComponent(content[1]));
				if (!file?.content) return writeReply(res, jsonReply(404, { error: 'No such file' }));
				res.writeHead(200, { 'Content-Type': file.mimeType, 'Content-Length': String(file.size) });
				const cut = truncations.shift();
				if (cut === undefined) return res.end(file.content);
				res.write(file.content.subarray(0, cut));
				return void setTimeout(() => res.destroy(), 20);
			}
			if (request.method === 'PUT' && one) {
				const name = decodeURIComponent(one[1]);
				const record = store(name, body.body ?? { size: body.size, sha256: body.sha256 }, String(request.headers['content-type'] ?? 'application/octet-stream'));
				return writeReply(res, jsonReply(201, { id: record.id, name: record.name, size: record.size, sha256: record.sha256 }));
			}
			if (request.method === 'DELETE' && one) {
				const deleted = files.delete(decodeURIComponent(one[1]));
				return writeReply(res, deleted ? jsonReply(200, {}) : jsonReply(404, { error: 'No such file' }));
			}
			return writeReply(res, jsonReply(404, { error: `No route for ${request.method} ${request.path}` }));
		});
	});

	function store(name: string, bytes: Buffer | { size: number; sha256: string }, mimeType: string): StoredFile {
		const content = Buffer.isBuffer(bytes) ? bytes : undefined;
		const size = content ? content.length : (bytes as { size: number }).size;
		const sha256 = content ? createHash('sha256').update(content).digest('hex') : (bytes as { sha256: string }).sha256;
		const record: StoredFile = { id: randomUUID(), name, mimeType, size, sha256, content };
		files.set(record.id, record);
		return record;
	}

	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const any: Match = () => true;
	return {
		url,
		requests,
		files: () => [...files.values()],
		seed: (name, content, mimeType = 'application/octet-stream') => store(name, content, mimeType),
		failNext(times, failure, match = any) {
			for (let i = 0; i < times; i++) failures.push({ failure, match });
		},
		truncateNextDownload: (bytes) => void truncations.push(bytes),
		redirectNext(status, location, match = any) {
			redirects.push({ status, location: new URL(location, url).href, match });
		},
		expireToken: (token) => void accepted.delete(token),
		acceptedTokens: () => [...accepted],
		reset() {
			files = new Map();
			accepted = new Set([GENERIC_TOKEN]);
			failures = [];
			redirects = [];
			truncations = [];
			requests.length = 0;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
