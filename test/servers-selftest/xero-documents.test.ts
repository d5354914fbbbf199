/**
 * Self-test of the Xero emulator's documents (sandbox/xero/documents.ts): the list endpoints
 * take what Xero's spec declares for each type, and an attachment moves its document.
 */
import { DEFAULT_ACCESS_TOKEN, DEFAULT_TENANT, startXeroServer, type XeroServer } from '../../sandbox/xero/server';

let server: XeroServer;
beforeAll(async () => (server = await startXeroServer({ defaultFormat: 'json' })));
afterAll(async () => await server.close());
beforeEach(() => server.reset());

const headers = { authorization: `Bearer ${DEFAULT_ACCESS_TOKEN}`, 'xero-tenant-id': DEFAULT_TENANT.tenantId, accept: 'application/json' };

async function list(type: string, query = '', extra: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
	const response = await fetch(`${server.accountingBaseUrl}/${type}${query ? `?${query}` : ''}`, { headers: { ...headers, ...extra } });
	return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function upload(type: string, id: string, name: string): Promise<void> {
	const response = await fetch(`${server.accountingBaseUrl}/${type}/${id}/Attachments/${name}`, {
		method: 'PUT',
		headers: { ...headers, 'content-type': 'text/plain' },
		body: 'file',
	});
	expect(response.status).toBe(200);
}

it('an upload sets HasAttachments and moves UpdatedDateUTC; an edit moves it too', async () => {
	const doc = server.seedDocument('Invoices', undefined, {}, new Date('2026-01-01T00:00:00Z'));
	expect(doc.updatedAt).toBe(Date.parse('2026-01-01T00:00:00Z'));
	await upload('Invoices', doc.id, 'a.txt');
	const [after] = server.documents('Invoices');
	expect(after.hasAttachments).toBe(true);
	expect(after.updatedAt).toBeGreaterThan(Date.now() - 5_000);
	const { body } = await list('Invoices');
	expect(body.Invoices).toEqual([expect.objectContaining({ InvoiceID: doc.id, HasAttachments: true, UpdatedDateUTC: `/Date(${after.updatedAt}+0000)/` })]);
	const edited = server.editDocument('Invoices', doc.id, { Status: 'PAID' });
	expect(edited.updatedAt).toBeGreaterThan(after.updatedAt);
});

it('with attachmentsTouchDocuments off an upload sets HasAttachments only', async () => {
	server.setAttachmentsTouchDocuments(false);
	try {
		const doc = server.seedDocument('Contacts', undefined, {}, new Date('2026-01-01T00:00:00Z'));
		await upload('Contacts', doc.id, 'a.txt');
		expect(server.documents('Contacts')[0]).toMatchObject({ hasAttachments: true, updatedAt: Date.parse('2026-01-01T00:00:00Z') });
	} finally {
		server.setAttachmentsTouchDocuments(true);
	}
});

it('If-Modified-Since, where, order and paging as Xero takes them', async () => {
	const old = server.seedDocument('Invoices', undefined, { Type: 'ACCPAY' }, new Date('2026-01-01T00:00:00Z'));
	const ids: string[] = [];
	for (let i = 0; i < 3; i++) ids.push(server.seedDocument('Invoices', undefined, { Type: 'ACCREC' }).id);
	await upload('Invoices', ids[0], 'x.txt');
	const since = { 'if-modified-since': '2026-06-01T00:00:00' };
	expect(((await list('Invoices', '', since)).body.Invoices as unknown[]).length).toBe(3);
	expect((await list('Invoices', 'where=HasAttachments%3D%3Dtrue')).body.Invoices).toEqual([expect.objectContaining({ InvoiceID: ids[0] })]);
	expect((await list('Invoices', `where=${encodeURIComponent('Type=="ACCPAY" OR (HasAttachments==true AND Type=="ACCREC")')}`)).body.Invoices).toEqual([
		expect.objectContaining({ InvoiceID: old.id }),
		expect.objectContaining({ InvoiceID: ids[0] }),
	]);
	const desc = (await list('Invoices', 'order=UpdatedDateUTC%20DESC')).body.Invoices as Array<{ InvoiceID: string }>;
	expect(desc.map((i) => i.InvoiceID)).toEqual([ids[0], ids[2], ids[1], old.id]);
	const page2 = await list('Invoices', 'order=UpdatedDateUTC%20ASC&page=2&pageSize=3');
	expect(page2.body.pagination).toEqual({ page: 2, pageSize: 3, pageCount: 2, itemCount: 4 });
	expect((page2.body.Invoices as Array<{ InvoiceID: string }>).map((i) => i.InvoiceID)).toEqual([ids[0]]);
	expect((await list('Invoices', 'where=Type%3D%3D')).status).toBe(400);
});

it('parameters a type does not take are ignored: RepeatingInvoices and If-Modified-Since, Quotes and where', async () => {
	server.seedDocument('RepeatingInvoices', undefined, {}, new Date('2026-01-01T00:00:00Z'));
	expect(((await list('RepeatingInvoices', '', { 'if-modified-since': '2026-06-01T00:00:00Z' })).body.RepeatingInvoices as unknown[]).length).toBe(1);
	const quote = server.seedDocument('Quotes');
	expect((await list('Quotes', 'where=HasAttachments%3D%3Dtrue')).body.Quotes).toEqual([expect.not.objectContaining({ HasAttachments: expect.anything() })]);
	expect(((await list('Quotes')).body.Quotes as Array<{ QuoteID: string }>)[0].QuoteID).toBe(quote.id);
});

it('faults and auth apply to the lists as to the attachment routes', async () => {
	server.failNext(1, { status: 503, body: '{"Message":"down"}' });
	expect((await list('Invoices')).status).toBe(503);
	const response = await fetch(`${server.accountingBaseUrl}/Invoices`, { headers: { accept: 'application/json' } });
	expect(response.status).toBe(401);
});
