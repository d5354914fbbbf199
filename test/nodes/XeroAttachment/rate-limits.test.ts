/**
 * Xero's limits under concurrency, through n8n's real execution code against the Xero emulator
 * with Xero-like limits in front of it (sandbox/common/rate-limits.ts: 5 calls in flight, a
 * rolling minute and day, the X-MinLimit-Remaining, X-DayLimit-Remaining and
 * X-AppMinLimit-Remaining headers, 429 with Retry-After and X-Rate-Limit-Problem beyond them).
 * Xero's minute is shortened to 2 s, in the emulator and in the node's budget alike, so that a
 * spent minute renews within the test. Assertions are on what the emulator saw, in order.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { XERO_MINUTE_BUDGET } from '../../../nodes/XeroAttachment/provider';
import { VendorLimiter, xeroLimits } from '../../../sandbox/common/rate-limits';
import { barrier } from '../../../sandbox/common/traffic';
import { DEFAULT_ACCESS_TOKEN, DEFAULT_TENANT } from '../../../sandbox/xero/server';
import { runXero, useXeroEmulator } from './context';

const SECOND_TENANT = { tenantId: '0b9c8a7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d', tenantName: 'Second Company' };
const MINUTE_MS = 2000;

const server = useXeroEmulator({ tenants: [DEFAULT_TENANT, SECOND_TENANT] });
let restoreWindow: () => void;
beforeEach(() => {
	restoreWindow = jest.replaceProperty(XERO_MINUTE_BUDGET, 'windowMs', MINUTE_MS).restore;
});
afterEach(() => restoreWindow());

const invoiceIds = (count: number, from = 0) => Array.from({ length: count }, (_, i) => `4074292c-09b3-456d-84e7-${String(from + i).padStart(12, '0')}`);

function seedInvoices(ids: string[]): void {
	for (const id of ids) server.seedAttachment('Invoices', id, `${id}.pdf`, Buffer.from(`PDF ${id}`), 'application/pdf');
}

const listInvoices = (extra: Record<string, unknown> = {}) => ({ resource: 'invoice', operation: 'getAll', parentId: '={{ $json.invoiceId }}', returnAll: true, ...extra });
const input = (ids: string[], tenant?: (i: number) => string) => ids.map((invoiceId, i) => ({ json: { invoiceId, tenant: tenant?.(i) ?? DEFAULT_TENANT.tenantId } }));
const invoiceOf = (path: string) => /\/Invoices\/([^/]+)\/Attachments/.exec(path)?.[1];

it('sends 5 calls at once by default, never more (Xero\'s concurrent limit), and gets no 429', async () => {
	const ids = invoiceIds(12);
	seedInvoices(ids);
	const limiter = new VendorLimiter(xeroLimits({ minuteMs: MINUTE_MS }));
	// The first call goes alone (its answer says what is left); the next five are held until all
	// are in flight, and half a second more: a sixth sent meanwhile would be seen (and get a 429).
	const five = barrier(server.traffic, 5, 10_000, 500);
	server.traffic.options = { limiter: () => limiter, delay: async (request) => (request.id === 1 ? 0 : await five()) };
	const result = await runXero(server, listInvoices(), { input: input(ids) });
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.FileName)).toEqual(ids.map((id) => `${id}.pdf`));
	expect(result.items.map((item) => item.pairedItem)).toEqual(ids.map((_, i) => ({ item: i })));
	expect(server.traffic.maxInFlight).toBe(5);
	expect(limiter.stats.rejected).toBe(0);
});

it('an item of Get makes two calls (the listing, then the file), one after the other: still never more than 5 in progress, no 429', async () => {
	// The node does not count calls in progress: Concurrency (at most Xero's 5) bounds them, as each
	// item's calls go one after another (test/unit/in-flight-limits.test.ts).
	const ids = invoiceIds(8);
	seedInvoices(ids);
	const limiter = new VendorLimiter(xeroLimits({ minuteMs: MINUTE_MS }));
	const five = barrier(server.traffic, 5, 10_000, 500);
	server.traffic.options = { limiter: () => limiter, delay: async (request) => (request.id === 1 ? 0 : await five()) };
	const getFile = { resource: 'invoice', operation: 'get', parentId: '={{ $json.invoiceId }}', getBy: 'fileName', fileName: '={{ $json.invoiceId }}.pdf', binaryPropertyName: 'data', options: {} };
	const result = await runXero(server, getFile, { input: input(ids) });
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.binary?.data.fileName)).toEqual(ids.map((id) => `${id}.pdf`));
	// Per item, the file was asked for only once its listing was answered.
	const events = server.traffic.events;
	for (const id of ids) {
		const ofItem = events.filter((event) => invoiceOf(event.path) === id);
		expect(ofItem.map((event) => `${event.kind} ${/\/Attachments$/.test(event.path) ? 'list' : 'file'}`)).toEqual(['start list', 'end list', 'start file', 'end file']);
	}
	expect(server.traffic.maxInFlight).toBe(5);
	expect(limiter.stats).toMatchObject({ accepted: 16, rejected: 0 });
});

it('waits for the minute to renew when X-MinLimit-Remaining reaches 0, instead of getting a 429', async () => {
	const ids = invoiceIds(7);
	seedInvoices(ids);
	const limiter = new VendorLimiter(xeroLimits({ perMinute: 3, minuteMs: MINUTE_MS }));
	server.traffic.options = { limiter: () => limiter };
	const result = await runXero(server, listInvoices(), { input: input(ids) });
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.FileName)).toEqual(ids.map((id) => `${id}.pdf`));
	// Every call was accepted: the node waited out the spent minute rather than sending into it.
	expect(limiter.stats.rejected).toBe(0);
	expect(limiter.stats.accepted).toBe(7);
	// The fourth call started only once the first three were answered (and a minute had passed).
	const events = server.traffic.events;
	const fourthStart = events.map((event, i) => ({ event, i })).filter(({ event }) => event.kind === 'start')[3].i;
	expect(events.slice(0, fourthStart).filter((event) => event.kind === 'end')).toHaveLength(3);
	expect(result.logs.some((entry) => /Waiting for Xero's minute limit/.test(entry.message))).toBe(true);
});

it('paces each organization on its own: one organization\'s spent minute does not hold the other back', async () => {
	const ids = invoiceIds(6);
	seedInvoices(ids);
	const limiters = new Map([
		[DEFAULT_TENANT.tenantId, new VendorLimiter(xeroLimits({ perMinute: 1, minuteMs: MINUTE_MS }))],
		[SECOND_TENANT.tenantId, new VendorLimiter(xeroLimits({ minuteMs: MINUTE_MS }))],
	]);
	server.traffic.options = { limiter: (request) => limiters.get(String(request.headers['xero-tenant-id'])) };
	// Items alternate between the organizations; the first organization allows one call a "minute".
	const tenantOf = (i: number) => (i % 2 === 0 ? DEFAULT_TENANT.tenantId : SECOND_TENANT.tenantId);
	const result = await runXero(
		server,
		listInvoices({ tenantId: { __rl: true, mode: 'id', value: '={{ $json.tenant }}' } }),
		{ input: input(ids, tenantOf) },
	);
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.FileName)).toEqual(ids.map((id) => `${id}.pdf`));
	for (const limiter of limiters.values()) expect(limiter.stats.rejected).toBe(0);
	// Every call of the second organization was answered before the first one's second call started.
	const events = server.traffic.events;
	const secondOfFirst = events.filter((event) => event.kind === 'start' && ids.indexOf(invoiceOf(event.path) ?? '') % 2 === 0)[1];
	const before = events.slice(0, events.indexOf(secondOfFirst));
	expect(before.filter((event) => event.kind === 'end' && ids.indexOf(invoiceOf(event.path) ?? '') % 2 === 1)).toHaveLength(3);
});

it('fails at once when X-DayLimit-Remaining is 0, saying when the day renews, without sending more', async () => {
	const ids = invoiceIds(4);
	seedInvoices(ids);
	const limiter = new VendorLimiter(xeroLimits({ perDay: 2, minuteMs: MINUTE_MS }));
	server.traffic.options = { limiter: () => limiter };
	const result = await runXero(server, listInvoices({ options: { concurrency: 1 } }), { input: input(ids), continueOnFail: true });
	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(4);
	expect(result.items.slice(0, 2).map((item) => item.json.FileName)).toEqual(ids.slice(0, 2).map((id) => `${id}.pdf`));
	for (const [i, item] of result.items.slice(2).entries()) {
		expect(item.pairedItem).toEqual({ item: i + 2 });
		expect(item.json.error).toBe("Xero's daily limit of API calls for this organization is used up");
		expect(String(item.json.description)).toMatch(/X-DayLimit-Remaining: 0.*in about (23|24) h \d+ min \(at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\) at the latest/);
	}
	expect(limiter.stats.requests).toBe(2);
	expect(limiter.stats.rejected).toBe(0);

	server.reset();
	seedInvoices(ids);
	const spent = new VendorLimiter(xeroLimits({ perDay: 1, minuteMs: MINUTE_MS }));
	server.traffic.options = { limiter: () => spent };
	const failed = await runXero(server, listInvoices({ options: { concurrency: 1 } }), { input: input(ids) });
	expect(failed.error).toBeInstanceOf(NodeOperationError);
	expect((failed.error as NodeOperationError).context.itemIndex).toBe(1);
	expect(spent.stats.requests).toBe(1);
});

it('a daily-limit 429 with a Retry-After of hours fails that item and the others at once, saying when', async () => {
	const ids = invoiceIds(3);
	seedInvoices(ids);
	server.failNext(1, { status: 429, headers: { 'Retry-After': '43200', 'X-Rate-Limit-Problem': 'day' } });
	const result = await runXero(server, listInvoices({ options: { concurrency: 1 } }), { input: input(ids), continueOnFail: true });
	expect(result.items).toHaveLength(3);
	for (const item of result.items) {
		expect(item.json.httpCode).toBe('429');
		expect(String(item.json.description)).toMatch(/asks to wait 43200 s|got this answer/);
		expect(String(item.json.description)).toMatch(/in about 12 h \d+ min \(at /);
	}
	// Only the first was sent: the other two knew the answer already.
	expect(server.requests).toHaveLength(1);
});

it('refreshes an expired token once when several items find it expired together', async () => {
	const ids = invoiceIds(5);
	seedInvoices(ids);
	server.expireToken(DEFAULT_ACCESS_TOKEN);
	server.traffic.options = { delay: () => 50 };
	const result = await runXero(server, listInvoices(), { input: input(ids) });
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.FileName)).toEqual(ids.map((id) => `${id}.pdf`));
	expect(server.requests.filter((request) => request.path === '/identity/connect/token')).toHaveLength(1);
});

it('refuses a Concurrency above Xero\'s 5 before sending anything', async () => {
	const ids = invoiceIds(2);
	const result = await runXero(server, listInvoices({ options: { concurrency: 6 } }), { input: input(ids) });
	expect(result.error).toBeInstanceOf(NodeOperationError);
	expect(result.error!.message).toBe('Invalid "Concurrency": expected a whole number from 1 to 5, got 6');
	expect(server.requests).toHaveLength(0);
	expect(result.error).not.toBeInstanceOf(NodeApiError);
});
