/**
 * The Xero Attachment Trigger, polled through n8n-core's real PollContext and
 * TriggersAndPollers against the Xero emulator: what each poll asks Xero (and how many calls),
 * what it reports, the files (SHA-256 from n8n's binary store), the state n8n keeps between polls
 * and its bounds, and a manual run ("Fetch Test Event") through n8n's WorkflowExecute.
 */
import { createHash, randomUUID } from 'crypto';

import { XERO_PARENT_TYPES } from '../../../nodes/XeroAttachment/parentTypes';
import { DOCUMENT_LISTINGS } from '../../../nodes/XeroAttachment/trigger/documentLists';
import { MAX_CALLS_PER_POLL, modifiedSinceHeader, parseXeroDate } from '../../../nodes/XeroAttachment/trigger/poll';
import { MAX_MARKS, MAX_SEEN, OVERLAP_MS, shortId } from '../../../nodes/XeroAttachment/trigger/state';
import type { TriggerState } from '../../../nodes/XeroAttachment/trigger/state';
import { binaryStats } from '../../support/n8n-harness';
import { startXeroServer } from '../../../sandbox/xero/server';
import type { XeroServer } from '../../../sandbox/xero/server';
import { header } from './context';
import {
	POLL_NODE,
	Watcher,
	callsOf,
	expectConformingTriggerRequests,
	fetchTestEvent,
	loadTriggerValidator,
	uploadAttachment,
} from './trigger-context';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const pdf = (label: string) => Buffer.from(`%PDF-1.4\n% ${label}\n${'x'.repeat(2000)}\n%%EOF\n`);

let server: XeroServer;
let validator: Awaited<ReturnType<typeof loadTriggerValidator>>;
/** Every request of the file, for the spec check (polls reset `server.requests`). */
const checked: XeroServer['requests'] = [];

beforeAll(async () => {
	server = await startXeroServer({ defaultFormat: 'xml' });
	validator = await loadTriggerValidator();
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());
// Every request a poll or a manual run sent (not the uploads between polls) must be one Xero's spec accepts.
afterEach(() => expectConformingTriggerRequests(validator, checked.splice(0)));

/** Polls, keeping every request for the spec check at the end. */
async function poll(watcher: Watcher) {
	const result = await watcher.poll();
	checked.push(...server.requests);
	return result;
}

describe('Xero Attachment Trigger on invoices', () => {
	it('first poll: takes an inventory of the invoices with attachments in one call and reports nothing already there', async () => {
		const old = server.seedDocument('Invoices');
		server.seedAttachment('Invoices', old.id, 'old.pdf', pdf('old'), 'application/pdf');
		server.seedDocument('Invoices'); // none attached
		const watcher = new Watcher(server, {});

		const first = await poll(watcher);
		expect(first.error).toBeUndefined();
		expect(first.emitted).toBeUndefined();
		expect(callsOf(server)).toEqual(['list Invoices']);
		const [request] = server.requests;
		expect(Object.fromEntries(request.query)).toEqual({ where: 'HasAttachments==true', page: '1', pageSize: '500' });
		expect(header(request, 'if-modified-since')).toBeUndefined();
		expect(header(request, 'accept')).toContain('application/json');
		const state = watcher.state()!;
		expect(state.hadAttachments).toEqual([shortId(old.id)]);
		expect(state.since).toBeGreaterThan(Date.now() - 10_000);
	});

	it('nothing new: one call, If-Modified-Since the last poll minus the overlap, no execution', async () => {
		const watcher = new Watcher(server, {});
		await poll(watcher);
		const since = watcher.state()!.since!;

		const second = await poll(watcher);
		expect(second.error).toBeUndefined();
		expect(second.emitted).toBeUndefined();
		expect(callsOf(server)).toEqual(['list Invoices']);
		const [request] = server.requests;
		expect(header(request, 'if-modified-since')).toBe(modifiedSinceHeader(since - OVERLAP_MS));
		expect(Object.fromEntries(request.query)).toEqual({ where: 'HasAttachments==true', order: 'UpdatedDateUTC ASC', page: '1', pageSize: '100' });
	});

	it('a new attachment: one item with its record, the document and the file (3 calls: list, attachments, download)', async () => {
		const watcher = new Watcher(server, {});
		await poll(watcher);
		const bill = server.seedDocument('Invoices', undefined, { Type: 'ACCPAY', InvoiceNumber: 'BILL-7' });
		const content = pdf('bill 7');
		const stored = await uploadAttachment(server, 'Invoices', bill.id, 'bill 7.pdf', content);

		const result = await poll(watcher);
		expect(result.error).toBeUndefined();
		expect(callsOf(server)).toEqual(['list Invoices', 'attachments', 'download']);
		const download = server.requests[2];
		expect(download.path).toBe(`/api.xro/2.0/Invoices/${bill.id}/Attachments/${stored.attachmentId}`);
		expect(header(download, 'contenttype')).toBe('application/pdf');
		const items = result.emitted![0];
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({
			AttachmentID: stored.attachmentId,
			FileName: 'bill 7.pdf',
			MimeType: 'application/pdf',
			ContentLength: content.length,
			documentType: 'invoice',
			documentId: bill.id,
			InvoiceID: bill.id,
			document: { InvoiceID: bill.id, InvoiceNumber: 'BILL-7', Type: 'ACCPAY', HasAttachments: true },
		});
		const binary = items[0].binary!.data;
		expect(binary).toMatchObject({ fileName: 'bill 7.pdf', mimeType: 'application/pdf' });
		expect(await binaryStats(binary)).toEqual({ size: content.length, sha256: sha256(content) });

		// Reported once: the next poll finds the same change and skips it without a call.
		const again = await poll(watcher);
		expect(again.emitted).toBeUndefined();
		expect(callsOf(server)).toEqual(['list Invoices']);
	});

	it('two files on one document and one on another in the same window: three items, one attachments call per document', async () => {
		const watcher = new Watcher(server, {});
		await poll(watcher);
		const a = server.seedDocument('Invoices');
		const b = server.seedDocument('Invoices');
		await uploadAttachment(server, 'Invoices', a.id, 'a1.pdf', pdf('a1'));
		await uploadAttachment(server, 'Invoices', b.id, 'b1.pdf', pdf('b1'));
		await uploadAttachment(server, 'Invoices', a.id, 'a2.pdf', pdf('a2'));

		const result = await poll(watcher);
		expect(result.error).toBeUndefined();
		// Oldest change first: b (b1), then a (a1, a2).
		expect(result.emitted![0].map((item) => item.json.FileName)).toEqual(['b1.pdf', 'a1.pdf', 'a2.pdf']);
		expect(callsOf(server)).toEqual(['list Invoices', 'attachments', 'download', 'attachments', 'download', 'download']);
	});

	it('Download File off: the records only, no download calls', async () => {
		const watcher = new Watcher(server, { downloadFile: false });
		await poll(watcher);
		const doc = server.seedDocument('Invoices');
		await uploadAttachment(server, 'Invoices', doc.id, 'note.txt', Buffer.from('hello'), 'text/plain');

		const result = await poll(watcher);
		expect(callsOf(server)).toEqual(['list Invoices', 'attachments']);
		expect(result.emitted![0]).toHaveLength(1);
		expect(result.emitted![0][0].binary).toBeUndefined();
		expect(result.emitted![0][0].json.FileName).toBe('note.txt');
	});

	it('Put Output File in Field names the binary field', async () => {
		const watcher = new Watcher(server, { binaryPropertyName: 'invoicePdf' });
		await poll(watcher);
		const doc = server.seedDocument('Invoices');
		await uploadAttachment(server, 'Invoices', doc.id, 'x.pdf', pdf('x'));
		const result = await poll(watcher);
		expect(Object.keys(result.emitted![0][0].binary!)).toEqual(['invoicePdf']);
	});

	it('a document that had attachments before is learnt at its first change, not reported; a later file on it is', async () => {
		const doc = server.seedDocument('Invoices');
		server.seedAttachment('Invoices', doc.id, 'contract.pdf', pdf('contract'), 'application/pdf');
		const watcher = new Watcher(server, {});
		await poll(watcher);

		server.editDocument('Invoices', doc.id, { Status: 'PAID' }); // a payment: not about attachments
		const edited = await poll(watcher);
		expect(edited.emitted).toBeUndefined();
		expect(callsOf(server)).toEqual(['list Invoices', 'attachments']);
		expect(watcher.state()!.hadAttachments).toEqual([]);

		const stored = await uploadAttachment(server, 'Invoices', doc.id, 'receipt.pdf', pdf('receipt'));
		const added = await poll(watcher);
		expect(added.emitted![0].map((item) => item.json.AttachmentID)).toEqual([stored.attachmentId]);
	});

	it('limit, written down: a file added to such a document at its first change is learnt with the others, not reported', async () => {
		const doc = server.seedDocument('Invoices');
		server.seedAttachment('Invoices', doc.id, 'contract.pdf', pdf('contract'), 'application/pdf');
		const watcher = new Watcher(server, {});
		await poll(watcher);
		await uploadAttachment(server, 'Invoices', doc.id, 'second.pdf', pdf('second'));
		const result = await poll(watcher);
		expect(result.emitted).toBeUndefined();
		expect(callsOf(server)).toEqual(['list Invoices', 'attachments']);
	});

	it('limit, written down: a file replaced under the same name keeps its AttachmentID and is not reported again', async () => {
		const watcher = new Watcher(server, {});
		await poll(watcher);
		const doc = server.seedDocument('Invoices');
		await uploadAttachment(server, 'Invoices', doc.id, 'draft.pdf', pdf('v1'));
		expect((await poll(watcher)).emitted![0]).toHaveLength(1);
		await uploadAttachment(server, 'Invoices', doc.id, 'draft.pdf', pdf('v2'), 'application/pdf', 'POST');
		const replaced = await poll(watcher);
		expect(replaced.emitted).toBeUndefined();
		expect(callsOf(server)).toEqual(['list Invoices', 'attachments']);
	});

	it('limit, written down: if Xero did not move a document when a file is attached, the file would not be seen', async () => {
		server.setAttachmentsTouchDocuments(false);
		try {
			// A document last changed an hour ago, outside the window a poll asks for again.
			const doc = server.seedDocument('Invoices', undefined, {}, new Date(Date.now() - 3_600_000));
			const watcher = new Watcher(server, {});
			await poll(watcher);
			await uploadAttachment(server, 'Invoices', doc.id, 'late.pdf', pdf('late'));
			const result = await poll(watcher);
			expect(result.emitted).toBeUndefined();
			expect(callsOf(server)).toEqual(['list Invoices']);
		} finally {
			server.setAttachmentsTouchDocuments(true);
		}
	});

	it('Filter: Xero applies it with HasAttachments==true', async () => {
		const watcher = new Watcher(server, { filter: 'Type=="ACCPAY"' });
		await poll(watcher);
		expect(server.requests[0].query.get('where')).toBe('HasAttachments==true AND (Type=="ACCPAY")');
		const bill = server.seedDocument('Invoices', undefined, { Type: 'ACCPAY' });
		const sale = server.seedDocument('Invoices', undefined, { Type: 'ACCREC' });
		await uploadAttachment(server, 'Invoices', bill.id, 'bill.pdf', pdf('bill'));
		await uploadAttachment(server, 'Invoices', sale.id, 'sale.pdf', pdf('sale'));
		const result = await poll(watcher);
		expect(result.emitted![0].map((item) => item.json.FileName)).toEqual(['bill.pdf']);
		expect(callsOf(server)).toEqual(['list Invoices', 'attachments', 'download']);
	});

	it('Include Recent on First Poll: the first poll reports the attachments of documents changed in the last hours', async () => {
		const recent = server.seedDocument('Invoices');
		const stored = server.seedAttachment('Invoices', recent.id, 'recent.pdf', pdf('recent'), 'application/pdf');
		const watcher = new Watcher(server, { options: { firstPollHours: 2 } });
		const result = await poll(watcher);
		expect(result.error).toBeUndefined();
		expect(result.emitted![0].map((item) => item.json.AttachmentID)).toEqual([stored.attachmentId]);
		expect(callsOf(server)).toEqual(['list Invoices', 'list Invoices', 'attachments', 'download']);
		expect((await poll(watcher)).emitted).toBeUndefined();
	});

	it('another organization, type or filter starts afresh (a new inventory)', async () => {
		const watcher = new Watcher(server, {});
		await poll(watcher);
		const key = watcher.state()!.key;
		watcher.parameters = { filter: 'Status=="PAID"' };
		await poll(watcher);
		expect(server.requests[0].query.get('pageSize')).toBe('500');
		expect(watcher.state()!.key).not.toBe(key);
	});

	it('at most MAX_CALLS_PER_POLL calls start in one poll; the next poll goes on where it stopped, nothing twice', async () => {
		const watcher = new Watcher(server, {});
		await poll(watcher);
		const uploaded: string[] = [];
		for (let i = 0; i < 20; i++) {
			const doc = server.seedDocument('Invoices');
			uploaded.push((await uploadAttachment(server, 'Invoices', doc.id, `scan-${i}.pdf`, pdf(`scan ${i}`))).attachmentId);
		}
		const reported: unknown[] = [];
		const callsPerPoll: number[] = [];
		for (let i = 0; i < 4 && reported.length < uploaded.length; i++) {
			const result = await poll(watcher);
			expect(result.error).toBeUndefined();
			callsPerPoll.push(server.requests.length);
			reported.push(...(result.emitted?.[0] ?? []).map((item) => item.json.AttachmentID));
		}
		expect(reported).toEqual(uploaded);
		// One call at a time, well within Xero's 5 in progress.
		expect(server.traffic.maxInFlight).toBe(1);
		// 1 list + 2 calls a document: 15 documents in the first poll (31 calls), 5 in the second (11).
		expect(callsPerPoll).toEqual([31, 11]);
		expect(Math.max(...callsPerPoll)).toBeLessThanOrEqual(MAX_CALLS_PER_POLL + 1);
	});

	it('state stays bounded: seen IDs and marks are capped, marks older than the overlap window dropped', async () => {
		const watcher = new Watcher(server, {});
		await poll(watcher);
		const state = watcher.state()!;
		const old = state.since! - OVERLAP_MS - 60_000;
		const crowded: TriggerState = {
			...state,
			seen: Array.from({ length: MAX_SEEN }, (_, i) => `old${i}`),
			marks: Object.fromEntries(Array.from({ length: MAX_MARKS + 500 }, (_, i) => [`doc${i}`, old])),
		};
		(watcher.staticData[`node:${POLL_NODE}`] as Record<string, unknown>).xeroAttachmentTrigger = crowded;
		const doc = server.seedDocument('Invoices');
		const stored = await uploadAttachment(server, 'Invoices', doc.id, 'new.pdf', pdf('new'));

		const result = await poll(watcher);
		expect(result.emitted![0]).toHaveLength(1);
		const after = watcher.state()!;
		expect(after.seen).toHaveLength(MAX_SEEN);
		expect(after.seen[after.seen.length - 1]).toBe(shortId(stored.attachmentId));
		expect(after.seen[0]).toBe('old1');
		expect(Object.keys(after.marks)).toEqual([shortId(doc.id)]);
		expect(JSON.stringify(after).length).toBeLessThan(150_000);
	});
});

describe('Fetch Test Event (a manual run through WorkflowExecute)', () => {
	it('outputs the newest attachment with its file, and leaves the state alone', async () => {
		const older = server.seedDocument('Invoices');
		server.seedAttachment('Invoices', older.id, 'older.pdf', pdf('older'), 'application/pdf');
		const newer = server.seedDocument('Invoices');
		server.seedAttachment('Invoices', newer.id, 'first.pdf', pdf('first'), 'application/pdf');
		const content = pdf('newest');
		const newest = server.seedAttachment('Invoices', newer.id, 'newest.pdf', content, 'application/pdf');

		const result = await fetchTestEvent(server, {});
		checked.push(...server.requests);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toMatchObject({ AttachmentID: newest.attachmentId, documentId: newer.id });
		expect(await binaryStats(result.items[0].binary!.data)).toEqual({ size: content.length, sha256: sha256(content) });
		expect(callsOf(server)).toEqual(['list Invoices', 'attachments', 'download']);
		expect(Object.fromEntries(server.requests[0].query)).toEqual({ where: 'HasAttachments==true', order: 'UpdatedDateUTC DESC', page: '1', pageSize: '1' });
		expect(result.run.data.resultData.runData[POLL_NODE]).toHaveLength(1);
	});

	it('says what to do when no document of the type has attachments', async () => {
		const result = await fetchTestEvent(server, { documentType: 'contact' });
		checked.push(...server.requests);
		expect(result.error?.message).toBe('No contact with attachments found');
	});
});

describe.each(XERO_PARENT_TYPES)('on $name', (type) => {
	const listing = DOCUMENT_LISTINGS[type.value];

	it('reports a new attachment, asking Xero only what its list endpoint takes', async () => {
		const watcher = new Watcher(server, { documentType: type.value });
		const before = server.seedDocument(type.path);
		server.seedAttachment(type.path, before.id, 'before.txt', Buffer.from('before'), 'text/plain');
		await poll(watcher);
		const list = server.requests[0];
		expect(list.path).toBe(`/api.xro/2.0/${type.path}`);
		expect(list.query.has('where')).toBe(listing.where);
		expect(list.query.has('page')).toBe(listing.paging !== 'none');
		expect(list.query.has('pageSize')).toBe(listing.paging === 'pageSize');

		const doc = server.seedDocument(type.path);
		const content = Buffer.from(`a file on ${type.name} ${randomUUID()}`);
		const stored = await uploadAttachment(server, type.path, doc.id, 'file.txt', content, 'text/plain');
		const result = await poll(watcher);
		expect(result.error).toBeUndefined();
		const items = result.emitted![0];
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ AttachmentID: stored.attachmentId, documentType: type.value, documentId: doc.id, [type.idField]: doc.id });
		expect(await binaryStats(items[0].binary!.data)).toEqual({ size: content.length, sha256: sha256(content) });
		const changes = server.requests[0];
		expect(changes.headers['if-modified-since'] !== undefined).toBe(listing.modifiedSince);
		expect(changes.query.get('order') ?? undefined).toBe(listing.changeField ? `${listing.changeField} ASC` : undefined);

		// Nothing new: one call, and no item twice (Bank Transfers show no change time: the transfer
		// is looked at again while it is within the overlap window, and its file is not reported again).
		const quiet = await poll(watcher);
		expect(quiet.emitted).toBeUndefined();
		expect(callsOf(server)).toEqual(type.value === 'bankTransfer' ? [`list ${type.path}`, 'attachments', 'attachments'] : [`list ${type.path}`]);
	});
});

describe('helpers', () => {
	it("reads Xero's JSON dates and writes If-Modified-Since as a UTC time to the second", () => {
		expect(parseXeroDate('/Date(1573755038314+0000)/')).toBe(1573755038314);
		expect(parseXeroDate('/Date(1573755038314)/')).toBe(1573755038314);
		expect(parseXeroDate('2019-11-14T18:10:38.314Z')).toBe(1573755038314);
		expect(parseXeroDate(undefined)).toBeUndefined();
		expect(modifiedSinceHeader(1573755038314)).toBe('2019-11-14T18:10:38Z');
	});
});
