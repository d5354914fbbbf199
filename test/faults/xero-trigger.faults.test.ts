/**
 * The Xero Attachment Trigger under faults, through the fault proxy in front of the Xero
 * emulator, polled through n8n-core's PollContext. A poll that fails throws (n8n records it and,
 * on n8n 2.x, backs off by the error's `failure` cause) and leaves the trigger's state as it was:
 * the next poll asks for the same window again, so nothing is lost and nothing is reported twice.
 * Every call of a poll is a read, so the shared transport retries 429, 5xx and cut-off downloads.
 */
import { createHash } from 'node:crypto';

import { NodeApiError } from 'n8n-workflow';

import type { XeroServer } from '../../sandbox/xero/server';
import { startServer } from '../nodes/XeroAttachment/context';
import { Watcher, uploadAttachment } from '../nodes/XeroAttachment/trigger-context';
import { binaryStats } from '../support/n8n-harness';
import { gapMs } from './support/cases';
import { useEmulatorBehindProxy } from './support/behind-proxy';
import type { RequestInfo } from './support/fault-proxy';
import { itCase } from './support/summary';

const { server, proxy } = useEmulatorBehindProxy<XeroServer>(startServer, (emulator) => ({ api: emulator.url }));

const node = 'Xero';
const operation = 'Trigger poll';
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const isList = (request: RequestInfo) => /^\/api\.xro\/2\.0\/Invoices$/.test(request.path);
const isAttachmentList = (request: RequestInfo) => /\/Attachments$/.test(request.path);
const isDownload = (request: RequestInfo) => /\/Attachments\/[^/]+$/.test(request.path);

/** A watcher that took its inventory, and a new attachment for its next poll. */
async function watcherWithNewFile() {
	const watcher = new Watcher(server, {});
	watcher.credentials = { ...watcher.credentials, baseUrl: proxy.urls.api };
	const first = await watcher.poll();
	expect(first.error).toBeUndefined();
	const doc = server.seedDocument('Invoices');
	const content = Buffer.from(`%PDF-1.4\n${'scan '.repeat(4000)}\n%%EOF\n`);
	const stored = await uploadAttachment(server, 'Invoices', doc.id, 'scan.pdf', content);
	proxy.reset();
	return { watcher, stored, content, documentId: doc.id, before: JSON.stringify(watcher.staticData) };
}

/** The poll failed with Xero's error, reported nothing and left the state as it was. */
function expectFailedPoll(result: Awaited<ReturnType<Watcher['poll']>>, before: string, watcher: Watcher): NodeApiError {
	expect(result.emitted).toBeUndefined();
	expect(result.error).toBeInstanceOf(NodeApiError);
	expect(JSON.stringify(watcher.staticData)).toBe(before);
	return result.error as NodeApiError;
}

/** The next poll, Xero back, reports the file once, whole. */
async function expectReportedOnce(watcher: Watcher, stored: { attachmentId: string }, content: Buffer): Promise<void> {
	const next = await watcher.poll();
	expect(next.error).toBeUndefined();
	const items = next.emitted![0];
	expect(items.map((item) => item.json.AttachmentID)).toEqual([stored.attachmentId]);
	expect(await binaryStats(items[0].binary!.data)).toEqual({ size: content.length, sha256: sha256(content) });
	expect((await watcher.poll()).emitted).toBeUndefined();
}

describe('Xero down during a poll', () => {
	itCase({ category: 'fault', node, operation, name: '503 on every attempt of the changes list', expected: "fails after 5 attempts with Xero's status, state kept, next poll reports the file once" }, async () => {
		const { watcher, stored, content, before } = await watcherWithNewFile();
		proxy.inject({ kind: 'status', status: 503, body: 'Service Unavailable' }, { match: isList, times: 5 });
		const error = expectFailedPoll(await watcher.poll(), before, watcher);
		expect(error.httpCode).toBe('503');
		expect((error as unknown as { failure?: unknown }).failure).toEqual({ cause: 'temporarily-unavailable' });
		expect(proxy.requests()).toHaveLength(5);
		await expectReportedOnce(watcher, stored, content);
		return { attempts: 5 };
	}, 60_000);

	itCase({ category: 'fault', node, operation, name: "503 on every attempt of a document's attachment list (after the list)", expected: 'fails, state kept (the change is not marked), next poll reports the file once' }, async () => {
		const { watcher, stored, content, before } = await watcherWithNewFile();
		proxy.inject({ kind: 'status', status: 503 }, { match: isAttachmentList, times: 5 });
		const error = expectFailedPoll(await watcher.poll(), before, watcher);
		expect(error.httpCode).toBe('503');
		expect(proxy.requests(isList)).toHaveLength(1);
		expect(proxy.requests(isAttachmentList)).toHaveLength(5);
		await expectReportedOnce(watcher, stored, content);
		return { attempts: 6 };
	}, 60_000);

	itCase({ category: 'fault', node, operation, name: 'connection refused (Xero unreachable)', expected: 'fails with a network error, state kept, next poll reports the file once' }, async () => {
		const { watcher, stored, content, before } = await watcherWithNewFile();
		watcher.credentials = { ...watcher.credentials, baseUrl: 'http://127.0.0.1:9' };
		const result = await watcher.poll();
		expect(result.emitted).toBeUndefined();
		expect(result.error).toBeDefined();
		expect(JSON.stringify(watcher.staticData)).toBe(before);
		watcher.credentials = { ...watcher.credentials, baseUrl: proxy.urls.api };
		await expectReportedOnce(watcher, stored, content);
		return { note: result.error!.message.slice(0, 80) };
	}, 60_000);

	itCase({ category: 'fault', node, operation, name: 'download cut short on every attempt', expected: 'fails "cut off", nothing stored as the file, state kept, next poll reports the whole file once' }, async () => {
		const { watcher, stored, content, before } = await watcherWithNewFile();
		proxy.inject({ kind: 'short', bytes: 100 }, { match: isDownload, times: 5 });
		const error = expectFailedPoll(await watcher.poll(), before, watcher);
		expect(error.message).toMatch(/cut off/);
		expect(proxy.requests(isDownload)).toHaveLength(5);
		await expectReportedOnce(watcher, stored, content);
		return { attempts: 5 };
	}, 60_000);
});

describe('rate limits', () => {
	itCase({ category: 'fault', node, operation, name: '429 with Retry-After: 1 on the changes list', expected: 'the transport waits 1 s and asks again; the poll succeeds and reports the file once' }, async () => {
		const { watcher, stored, content } = await watcherWithNewFile();
		proxy.inject({ kind: 'status', status: 429, headers: { 'Retry-After': '1', 'X-Rate-Limit-Problem': 'minute' } }, { match: isList });
		const result = await watcher.poll();
		expect(result.error).toBeUndefined();
		expect(result.emitted![0].map((item) => item.json.AttachmentID)).toEqual([stored.attachmentId]);
		expect(await binaryStats(result.emitted![0][0].binary!.data)).toEqual({ size: content.length, sha256: sha256(content) });
		const lists = proxy.requests(isList);
		expect(lists).toHaveLength(2);
		expect(gapMs(lists[0], lists[1])).toBeGreaterThanOrEqual(950);
		expect((await watcher.poll()).emitted).toBeUndefined();
		return { attempts: 2 };
	});

	itCase({ category: 'fault', node, operation, name: "Xero's day limit spent (429, Retry-After: 40000)", expected: 'fails at once saying when calls renew, cause rate-limited, state kept' }, async () => {
		const { watcher, stored, content, before } = await watcherWithNewFile();
		proxy.inject({ kind: 'status', status: 429, headers: { 'Retry-After': '40000', 'X-Rate-Limit-Problem': 'day', 'X-DayLimit-Remaining': '0' } }, { match: isList });
		const started = Date.now();
		const error = expectFailedPoll(await watcher.poll(), before, watcher);
		expect(Date.now() - started).toBeLessThan(5_000);
		expect(error.httpCode).toBe('429');
		expect(error.description).toMatch(/accepts requests again/);
		expect((error as unknown as { failure?: unknown }).failure).toEqual({ cause: 'rate-limited' });
		await expectReportedOnce(watcher, stored, content);
		return { attempts: 1 };
	});
});

describe('refusals', () => {
	itCase({ category: 'fault', node, operation, name: '401 on the changes list (token renewed by n8n, refused again)', expected: 'fails naming the read scope to add, cause credential-invalid, state kept' }, async () => {
		const { watcher, before } = await watcherWithNewFile();
		proxy.inject({ kind: 'unauthorized', body: '{"Title":"Unauthorized","Status":401,"Detail":"AuthorizationUnsuccessful"}' }, { match: isList, times: 2 });
		const error = expectFailedPoll(await watcher.poll(), before, watcher);
		expect(error.httpCode).toBe('401');
		expect(error.description).toMatch(/accounting\.invoices\.read/);
		expect(error.description).toMatch(/Trigger Documents/);
		expect((error as unknown as { failure?: unknown }).failure).toEqual({ cause: 'credential-invalid' });
		return { attempts: proxy.requests(isList).length };
	});

	itCase({ category: 'fault', node, operation, name: 'the changes list answered with broken JSON', expected: 'fails (not JSON), state kept' }, async () => {
		const { watcher, before } = await watcherWithNewFile();
		proxy.inject({ kind: 'malformedJson' }, { match: isList });
		const error = expectFailedPoll(await watcher.poll(), before, watcher);
		expect(error.message).toMatch(/not JSON/);
		return { attempts: 1 };
	});
});

describe('a hostile Xero answer', () => {
	itCase({ category: 'hostile', node, operation, name: 'IDs that are not GUIDs in the answers (`..`, slashes, a path) beside the real document and file', expected: 'no call to any other path, the real file reported once' }, async () => {
		const { watcher, stored, content, documentId } = await watcherWithNewFile();
		const changed = new Date().toISOString();
		proxy.inject({ kind: 'editJson', edit: (body) => ({ ...body, Invoices: [...body.Invoices, ...['..', '../Contacts', 'x/../../Contacts'].map((InvoiceID) => ({ InvoiceID, HasAttachments: true, UpdatedDateUTC: changed }))] }) }, { match: isList });
		proxy.inject({ kind: 'editJson', edit: (body) => ({ ...body, Attachments: [...body.Attachments, { AttachmentID: '../../../Contacts', FileName: 'x.pdf', MimeType: 'application/pdf', ContentLength: 1 }] }) }, { match: isAttachmentList });
		const result = await watcher.poll();
		expect(result.error).toBeUndefined();
		const items = result.emitted![0];
		expect(items.map((item) => [item.json.documentId, item.json.AttachmentID])).toEqual([[documentId, stored.attachmentId]]);
		expect(await binaryStats(items[0].binary!.data)).toEqual({ size: content.length, sha256: sha256(content) });
		const paths = proxy.requests().map((request) => request.path);
		expect(paths.filter((path) => !path.startsWith('/api.xro/2.0/Invoices') || /\.\.|Contacts/.test(path))).toEqual([]);
		expect(paths.filter((path) => path.includes(documentId))).toHaveLength(2); // its attachment list and its file
		return { attempts: paths.length };
	});
});
