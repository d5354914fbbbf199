/**
 * The pacer (nodes/shared/transport/pacing.ts) on a fake clock (test/support/fake-clock.ts): what
 * a 429 pauses and for how long, the one request that goes first after it, a Retry-After longer
 * than the node waits, Xero's minute and day budgets, its app-wide minute, cancellation, and runs
 * that share nothing. The leases are driven as `sendRequest` drives them (request.ts): acquire,
 * `answered` with the status and headers, `release`, then `pause` or `block` for a 429.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import { asanaProvider } from '../../nodes/AsanaAttachment/provider';
import { ProviderPacer, pacedRequest, pacerFor } from '../../nodes/shared/transport/pacing';
import type { Lease, PacedRequest } from '../../nodes/shared/transport/pacing';
import type { ProviderSpec, TransportContext } from '../../nodes/shared/transport/types';
import { XERO_CREDENTIAL_TYPE, xeroProvider } from '../../nodes/XeroAttachment/provider';
import { FakeClock, settle } from '../support/fake-clock';

const NODE: INode = { id: 'pacing', name: 'Pacing', type: 'n8n-nodes-attachments.test', typeVersion: 1, position: [0, 0], parameters: {} };
const START = Date.UTC(2026, 0, 1, 12, 0, 0);
const TENANT_A = '0b9c8a7d-6e5f-4a3b-9c2d-00000000000a';
const TENANT_B = '0b9c8a7d-6e5f-4a3b-9c2d-00000000000b';
const TENANT_C = '0b9c8a7d-6e5f-4a3b-9c2d-00000000000c';

/** An execute context as far as pacing reads it; `cancel` is the execution's cancel signal. */
function context(cancel?: AbortSignal): { ctx: TransportContext; logged: string[] } {
	const logged: string[] = [];
	const log = (message: string) => logged.push(message);
	const ctx = {
		getNode: () => NODE,
		logger: { debug: log, info: log, warn: log, error: log },
		getExecutionCancelSignal: () => cancel,
	} as unknown as TransportContext;
	return { ctx, logged };
}

function pacer(provider: ProviderSpec, clock: FakeClock, cancel?: AbortSignal): { pacer: ProviderPacer; logged: string[] } {
	const { ctx, logged } = context(cancel);
	return { pacer: new ProviderPacer(ctx, provider, clock), logged };
}

const asanaApi = (method = 'GET'): PacedRequest =>
	pacedRequest({ method, url: 'https://app.asana.com/api/1.0/attachments/1204567890123456', credentialType: 'asanaAttachmentApi' });
const asanaStorage = (): PacedRequest =>
	pacedRequest({ method: 'GET', url: 'https://asana-user-private-us-east-1.s3.amazonaws.com/1/file.pdf?X-Amz-Signature=abc', anonymous: true, credentialType: 'asanaAttachmentApi' });
const xeroApi = (tenant: string): PacedRequest =>
	pacedRequest({ method: 'GET', url: 'https://api.xero.com/api.xro/2.0/Invoices/1/Attachments', headers: { 'Xero-Tenant-Id': tenant }, credentialType: XERO_CREDENTIAL_TYPE });

/** What Xero says is left on an ordinary answer. */
const XERO_PLENTY = { 'x-minlimit-remaining': '50', 'x-daylimit-remaining': '4000', 'x-appminlimit-remaining': '9000' };

/** One request asking the pacer for its turn; `lease` or `error` once it has an answer. */
interface Ask {
	lease?: Lease;
	error?: Error;
}

function ask(paced: ProviderPacer, request: PacedRequest, itemIndex = 0, granted?: string[], name?: string): Ask {
	const state: Ask = {};
	paced.acquire(request, itemIndex).then(
		(lease) => {
			state.lease = lease;
			if (granted && name) granted.push(name);
		},
		(error: Error) => (state.error = error),
	);
	return state;
}

/** Asks and expects the turn at once (after promise callbacks ran, with no time passing). */
async function send(paced: ProviderPacer, request: PacedRequest): Promise<Lease> {
	const state = ask(paced, request);
	await settle();
	if (!state.lease) throw new Error(`the request was not let go at once${state.error ? `: ${state.error.message}` : ''}`);
	return state.lease;
}

/** The answer arrives and the attempt ends, as in sendRequest. */
async function answer(lease: Lease, status: number | undefined, headers: Record<string, string> = {}): Promise<void> {
	lease.answered(status, headers);
	lease.release();
	await settle();
}

/** A 429 with Retry-After: answered, released, then the pause sendRequest asks for. */
async function rateLimited(paced: ProviderPacer, request: PacedRequest, lease: Lease, retryAfterMs: number, headers: Record<string, string> = {}): Promise<void> {
	const all = { 'retry-after': String(retryAfterMs / 1000), ...headers };
	lease.answered(429, all);
	lease.release();
	paced.pause(request, retryAfterMs, all);
	await settle();
}

describe('a 429: the lane pauses, then one request goes first', () => {
	it('holds every request of the lane for as long as the 429 says, then lets one go, and the others once it was answered', async () => {
		const clock = new FakeClock(START);
		const { pacer: paced, logged } = pacer(asanaProvider, clock);
		const first = await send(paced, asanaApi());
		const second = await send(paced, asanaApi());
		await rateLimited(paced, asanaApi(), first, 1000);
		// The rate-limited request asks again at once; the other answer arrives during the pause.
		const retry = ask(paced, asanaApi());
		await answer(second, 200);
		const later = [ask(paced, asanaApi()), ask(paced, asanaApi('POST'))];
		await clock.advance(999);
		expect([retry, ...later].map((state) => state.lease)).toEqual([undefined, undefined, undefined]);
		expect(logged).toContain('Waiting for a pause the provider asked for (1000 ms)');

		await clock.advance(1);
		expect(retry.lease).toBeDefined();
		// However long they wait, the others follow only the probe's answer.
		await clock.advance(60_000);
		expect(later.map((state) => state.lease)).toEqual([undefined, undefined]);
		expect(logged).toContain('Waiting for the answer to the first request after a pause');
		await answer(retry.lease!, 200);
		expect(later.every((state) => state.lease)).toBe(true);
	});

	it('a probe that gets a 429 again starts a new pause, after which again one goes first', async () => {
		const clock = new FakeClock(START);
		const { pacer: paced } = pacer(asanaProvider, clock);
		await rateLimited(paced, asanaApi(), await send(paced, asanaApi()), 2000);
		const probe = ask(paced, asanaApi());
		const other = ask(paced, asanaApi());
		await clock.advance(2000);
		expect(probe.lease).toBeDefined();
		await rateLimited(paced, asanaApi(), probe.lease!, 3000);
		const again = ask(paced, asanaApi());
		await clock.advance(2999);
		expect(other.lease).toBeUndefined();
		expect(again.lease).toBeUndefined();
		await clock.advance(1);
		// One of the two goes (the one that asked first); the other waits for its answer.
		expect(other.lease).toBeDefined();
		expect(again.lease).toBeUndefined();
		await answer(other.lease!, 200);
		expect(again.lease).toBeDefined();
	});

	it('a probe that gets no answer (the connection failed) hands over: the next request goes alone, the others follow its answer', async () => {
		const clock = new FakeClock(START);
		const { pacer: paced } = pacer(asanaProvider, clock);
		await rateLimited(paced, asanaApi(), await send(paced, asanaApi()), 1000);
		const probe = ask(paced, asanaApi());
		const others = [ask(paced, asanaApi()), ask(paced, asanaApi())];
		await clock.advance(1000);
		expect(probe.lease).toBeDefined();
		// As sendRequest reports a connection that failed: no status, no headers.
		await answer(probe.lease!, undefined);
		expect(others.map((state) => state.lease !== undefined)).toEqual([true, false]);
		await answer(others[0].lease!, 200);
		expect(others[1].lease).toBeDefined();
	});

	it('waits on no timer for what only an answer can bring (the probe\'s answer, its turn in the lane, a first budget report), and on one for a pause', async () => {
		const clock = new FakeClock(START);
		const { pacer: paced } = pacer(asanaProvider, clock);
		await rateLimited(paced, asanaApi(), await send(paced, asanaApi()), 90_000);
		const probe = ask(paced, asanaApi());
		const behind = [ask(paced, asanaApi()), ask(paced, asanaApi())];
		await settle();
		// One sleep, of the whole pause, for the request at the head of the lane; none for those behind it.
		expect(clock.pending).toEqual([{ at: START + 90_000, ms: 90_000 }]);
		await clock.advance(90_000);
		expect(probe.lease).toBeDefined();
		expect(clock.pending).toEqual([]);
		await answer(probe.lease!, 200);
		expect(behind.every((state) => state.lease)).toBe(true);

		const xero = pacer(xeroProvider, clock).pacer;
		const first = await send(xero, xeroApi(TENANT_A));
		const second = ask(xero, xeroApi(TENANT_A));
		await settle();
		expect(clock.pending).toEqual([]);
		await answer(first, 200, XERO_PLENTY);
		expect(second.lease).toBeDefined();
	});

	it('lets the requests of a lane go in the order they asked, whatever order their timers fall due in', async () => {
		// Sleeps due together resolve latest first here: the order must come from the pacer.
		const clock = new FakeClock(START, { ties: 'latestFirst' });
		const { pacer: paced } = pacer(asanaProvider, clock);
		const granted: string[] = [];
		const first = await send(paced, asanaApi());
		await rateLimited(paced, asanaApi(), first, 1000);
		const asks = ['retry', 'b', 'c', 'd'].map((name) => {
			const state = ask(paced, asanaApi(), 0, granted, name);
			return state;
		});
		await clock.advance(500);
		asks.push(ask(paced, asanaApi(), 0, granted, 'e'));
		await clock.advance(500);
		expect(granted).toEqual(['retry']);
		await answer(asks[0].lease!, 200);
		expect(granted).toEqual(['retry', 'b', 'c', 'd', 'e']);
	});
});

describe('lanes', () => {
	it("a pause holds only its own lane: another Xero organization, and Asana's storage host, go on", async () => {
		const clock = new FakeClock(START);
		const xero = pacer(xeroProvider, clock).pacer;
		const a = await send(xero, xeroApi(TENANT_A));
		await rateLimited(xero, xeroApi(TENANT_A), a, 5000, { 'x-rate-limit-problem': 'minute' });
		const heldA = ask(xero, xeroApi(TENANT_A));
		// The tenant header is read whatever its case or spacing.
		const b = await send(xero, xeroApi(` ${TENANT_B.toUpperCase()} `));
		await answer(b, 200, XERO_PLENTY);
		expect(heldA.lease).toBeUndefined();

		const asana = pacer(asanaProvider, clock).pacer;
		const api = await send(asana, asanaApi());
		await rateLimited(asana, asanaApi(), api, 5000);
		// A download from the storage host is not Asana's API: the API's pause does not hold it…
		const download = await send(asana, asanaStorage());
		// …and a 429 of the storage host does not pause the API (once its own pause is over).
		await rateLimited(asana, asanaStorage(), download, 60_000);
		const heldApi = ask(asana, asanaApi());
		await clock.advance(5000);
		expect(heldApi.lease).toBeDefined();
		expect(heldA.lease).toBeDefined();
	});

	it("Xero's app-wide minute (X-Rate-Limit-Problem: appminute) pauses every organization of the run, those first called during it too, not the storage lanes", async () => {
		const clock = new FakeClock(START);
		const { pacer: xero } = pacer(xeroProvider, clock);
		// B's answer says what is left of the app's minute, so that A need not wait for it.
		await answer(await send(xero, xeroApi(TENANT_B)), 200, XERO_PLENTY);
		const a = await send(xero, xeroApi(TENANT_A));
		const storage = pacedRequest({ method: 'GET', url: 'https://files.example.com/a.pdf', anonymous: true, credentialType: XERO_CREDENTIAL_TYPE });
		await answer(await send(xero, storage), 200);
		await rateLimited(xero, xeroApi(TENANT_A), a, 4000, { 'x-rate-limit-problem': 'appminute' });
		const heldB = ask(xero, xeroApi(TENANT_B));
		await send(xero, storage);
		await clock.advance(1000);
		// An organization the run had not called yet is held for the rest of the pause, then probes.
		const heldC = ask(xero, xeroApi(TENANT_C));
		await clock.advance(2999);
		expect([heldB.lease, heldC.lease]).toEqual([undefined, undefined]);
		await clock.advance(1);
		expect(heldB.lease).toBeDefined();
		expect(heldC.lease).toBeDefined();
		// Each organization has its own probe: after the pause a second call of C waits for C's answer.
		const laterC = ask(xero, xeroApi(TENANT_C));
		await settle();
		expect(laterC.lease).toBeUndefined();
		await answer(heldC.lease!, 200, XERO_PLENTY);
		expect(laterC.lease).toBeDefined();
	});
});

describe('a Retry-After longer than the node waits', () => {
	function xeroDayError(): NodeApiError {
		return new NodeApiError(NODE, { message: 'Too many requests' } as JsonObject, { message: 'Too many requests', description: 'Xero asks to wait 43200 s.', httpCode: '429' });
	}

	it("fails the lane's next requests at once, with that error and when it ends, without sending them; other lanes and later requests go", async () => {
		const clock = new FakeClock(START);
		const { pacer: xero } = pacer(xeroProvider, clock);
		const first = await send(xero, xeroApi(TENANT_A));
		// A request already waiting (for the first answer's budget report) when the block comes fails too.
		const waiting = ask(xero, xeroApi(TENANT_A), 1);
		first.answered(429, { 'retry-after': '43200', 'x-rate-limit-problem': 'day' });
		first.release();
		xero.block(xeroApi(TENANT_A), 43_200_000, xeroDayError());
		await settle();
		await clock.advance(60 * 60_000);
		const next = ask(xero, xeroApi(TENANT_A), 2);
		await settle();
		for (const [state, itemIndex] of [[waiting, 1], [next, 2]] as const) {
			expect(state.lease).toBeUndefined();
			expect(state.error).toBeInstanceOf(NodeApiError);
			const error = state.error as NodeApiError;
			expect(error).toMatchObject({ message: 'Too many requests', httpCode: '429' });
			expect(error.context.itemIndex).toBe(itemIndex);
		}
		expect((next.error as NodeApiError).description).toBe(
			'Xero asks to wait 43200 s. The request was not sent: an earlier one got this answer in about 11 h 0 min (at 2026-01-02T00:00:00Z).',
		);
		await answer(await send(xero, xeroApi(TENANT_B)), 200, XERO_PLENTY);

		await clock.advanceTo(START + 43_200_000);
		expect(await send(xero, xeroApi(TENANT_A))).toBeDefined();
	});
});

describe("Xero's budgets", () => {
	it('the first request goes alone until its answer says what is left; at none left of the minute the next waits for it to renew', async () => {
		const clock = new FakeClock(START);
		const { pacer: xero, logged } = pacer(xeroProvider, clock);
		const first = await send(xero, xeroApi(TENANT_A));
		const second = ask(xero, xeroApi(TENANT_A));
		await clock.advance(60_000);
		expect(second.lease).toBeUndefined();
		expect(logged.some((line) => /^Waiting for the first answer of Xero, which says what is left of its/.test(line))).toBe(true);
		await answer(first, 200, { ...XERO_PLENTY, 'x-minlimit-remaining': '1' });
		expect(second.lease).toBeDefined();
		await clock.advance(100);
		await answer(second.lease!, 200, { ...XERO_PLENTY, 'x-minlimit-remaining': '0' });
		const third = ask(xero, xeroApi(TENANT_A));
		// The second request, answered at 60.1 s with none left, frees its place at 120.1 s.
		await clock.advanceTo(START + 120_100 - 1);
		expect(third.lease).toBeUndefined();
		expect(logged).toContain("Waiting for Xero's minute limit (60 calls a minute per organization) (x-minlimit-remaining: none left), 60000 ms");
		await clock.advance(1);
		expect(third.lease).toBeDefined();
		// Another organization's minute is its own.
		expect(await send(xero, xeroApi(TENANT_B))).toBeDefined();
	});

	it('X-DayLimit-Remaining: 0 fails the next requests at once, saying when the day renews; another organization goes on', async () => {
		const clock = new FakeClock(START);
		const { pacer: xero } = pacer(xeroProvider, clock);
		const first = await send(xero, xeroApi(TENANT_A));
		await clock.advance(250);
		await answer(first, 200, { ...XERO_PLENTY, 'x-daylimit-remaining': '0' });
		await clock.advance(3 * 60 * 60_000);
		const next = ask(xero, xeroApi(TENANT_A), 3);
		await settle();
		expect(next.lease).toBeUndefined();
		expect(next.error).toBeInstanceOf(NodeOperationError);
		const error = next.error as NodeOperationError;
		expect(error.message).toBe("Xero's daily limit of API calls for this organization is used up");
		expect(error.context.itemIndex).toBe(3);
		// A day after the answer that said none were left.
		expect(error.description).toMatch(/X-DayLimit-Remaining: 0\).* \(at 2026-01-02T12:00:00Z\) at the latest\. This item was not sent/);
		expect(await send(xero, xeroApi(TENANT_B))).toBeDefined();
	});
	it('a day spent while requests are in flight: the next waits for their answers, then fails without being sent', async () => {
		const clock = new FakeClock(START);
		const { pacer: xero } = pacer(xeroProvider, clock);
		await answer(await send(xero, xeroApi(TENANT_A)), 200, { ...XERO_PLENTY, 'x-daylimit-remaining': '2' });
		// Two calls left of the day: two go, the third is held (not failed: their answers may say more is left).
		const inFlight = [await send(xero, xeroApi(TENANT_A)), await send(xero, xeroApi(TENANT_A))];
		const third = ask(xero, xeroApi(TENANT_A), 3);
		await settle();
		expect(third).toEqual({});
		await answer(inFlight[0], 200, { ...XERO_PLENTY, 'x-daylimit-remaining': '1' });
		expect(third).toEqual({});
		await answer(inFlight[1], 200, { ...XERO_PLENTY, 'x-daylimit-remaining': '0' });
		expect(third.lease).toBeUndefined();
		expect(third.error?.message).toBe("Xero's daily limit of API calls for this organization is used up");
	});
});

describe('cancellation', () => {
	it('a cancelled execution stops every wait at once and leaves no timer behind', async () => {
		const clock = new FakeClock(START);
		const cancel = new AbortController();
		const { pacer: paced } = pacer(asanaProvider, clock, cancel.signal);
		await rateLimited(paced, asanaApi(), await send(paced, asanaApi()), 90_000);
		const waiting = [ask(paced, asanaApi(), 0), ask(paced, asanaApi(), 1)];
		await clock.advance(1000);
		expect(clock.pending.length).toBeGreaterThan(0);
		cancel.abort();
		await settle();
		for (const state of waiting) {
			expect(state.error).toBeInstanceOf(NodeOperationError);
			expect(state.error!.message).toBe('The execution was cancelled');
		}
		expect(clock.pending).toEqual([]);
		// Nothing of the cancelled requests stays in the lane: once the pause is over, a request goes.
		await clock.advance(89_000);
		expect(await send(paced, asanaApi())).toBeDefined();
	});

	it('once the execution is cancelled, a request that would have to wait fails at once, and one that need not goes', async () => {
		const clock = new FakeClock(START);
		const cancel = new AbortController();
		const { pacer: paced } = pacer(asanaProvider, clock, cancel.signal);
		const inFlight = await send(paced, asanaApi());
		await rateLimited(paced, asanaApi(), await send(paced, asanaApi()), 90_000);
		cancel.abort();
		const paused = ask(paced, asanaApi());
		await settle();
		expect(paused.error?.message).toBe('The execution was cancelled');
		expect(clock.sleeps).toEqual([]);
		await answer(inFlight, 200);
		expect(await send(pacer(asanaProvider, clock, cancel.signal).pacer, asanaApi())).toBeDefined();
	});
});

describe('runs', () => {
	it('two runs never wait for each other: each execute context has its own pacer', async () => {
		const clock = new FakeClock(START);
		const one = context().ctx;
		const other = context().ctx;
		expect(pacerFor(one, asanaProvider, clock)).toBe(pacerFor(one, asanaProvider, clock));
		expect(pacerFor(one, asanaProvider, clock)).not.toBe(pacerFor(other, asanaProvider, clock));
		const paused = pacerFor(one, asanaProvider, clock);
		await rateLimited(paused, asanaApi(), await send(paused, asanaApi()), 30_000);
		const held = ask(paused, asanaApi());
		expect(await send(pacerFor(other, asanaProvider, clock), asanaApi())).toBeDefined();
		await settle();
		expect(held.lease).toBeUndefined();
	});
});
