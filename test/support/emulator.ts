/**
 * The one set-up of an emulator in a test file of test/nodes (each provider's context.ts wraps it
 * as `useAsanaEmulator()`, `useXeroEmulator()`, …): started once before the file's tests
 * (beforeAll), closed after them (afterAll), reset before each test (its records, faults and
 * seeded data), and after each test every API request it received checked against the vendor's
 * OpenAPI spec (afterEach), unless the specs are missing outside CI (test/support/spec:
 * requireSpecs; in CI a missing spec fails).
 *
 * Called at the top of a file or of a describe block (the hooks belong to that block), it returns
 * the running emulator: a stand-in that forwards to it once beforeAll has started it, and says so
 * when used before.
 */
import type { RecordedRequest, SpecValidator } from './spec';

export interface Emulator {
	close(): Promise<void>;
	reset(): void;
}

export interface EmulatorFixture<S extends Emulator, V> {
	/** For messages, e.g. "Asana". */
	name: string;
	start(): Promise<S>;
	/** Loads the vendor's spec validators; undefined when the specs are missing outside CI (no check then). None: no spec check. */
	loadSpecs?(): Promise<V | undefined>;
	/** After each test: every request the emulator received that a spec describes is one it accepts. */
	expectConforming?(validators: V, server: S): void;
	/** How long starting and loading the specs may take (jest's hook timeout; default the test timeout). */
	setupTimeoutMs?: number;
}

export function useEmulator<S extends Emulator, V>(fixture: EmulatorFixture<S, V>): S {
	let current: S | undefined;
	let validators: V | undefined;
	beforeAll(async () => {
		current = await fixture.start();
		validators = await fixture.loadSpecs?.();
	}, fixture.setupTimeoutMs);
	afterAll(async () => {
		await current?.close();
		current = undefined;
	});
	beforeEach(() => current?.reset());
	afterEach(() => {
		if (current && validators !== undefined) fixture.expectConforming?.(validators, current);
	});
	return standIn(`The ${fixture.name} emulator`, () => current);
}

/**
 * An object that forwards to what `current()` returns once a beforeAll hook has set it, and
 * throws, naming `what`, when it is used before (or after a failed start).
 */
export function standIn<T extends object>(what: string, current: () => T | undefined): T {
	const live = (): T => {
		const value = current();
		if (!value) throw new Error(`${what} is used outside the tests of the block that started it (or it failed to start)`);
		return value;
	};
	return new Proxy({} as T, {
		get(_target, property) {
			const target = live();
			const value = Reflect.get(target, property, target) as unknown;
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
		},
		set: (_target, property, value) => Reflect.set(live(), property, value),
		has: (_target, property) => Reflect.has(live(), property),
	});
}

/**
 * Every request for which `validatorOf` names a spec (and the request as that spec sees it) is one
 * the spec accepts; `undefined` skips a request no spec describes (token calls, file hosts).
 */
export function expectRequestsConform<R extends RecordedRequest>(
	requests: readonly R[],
	validatorOf: (request: R) => SpecValidator | { validator: SpecValidator; as: RecordedRequest } | undefined,
): void {
	for (const request of requests) {
		const picked = validatorOf(request);
		if (!picked) continue;
		const [validator, checked] = 'validate' in picked ? [picked, request] : [picked.validator, picked.as];
		const label = `${request.method} ${request.url}`;
		expect({ request: label, violations: validator.validate(checked) }).toEqual({ request: label, violations: [] });
	}
}

/** A request header by name, repeated values joined with ", ". */
export function header(request: { headers: Record<string, string | string[] | undefined> }, name: string): string | undefined {
	const value = request.headers[name.toLowerCase()];
	return Array.isArray(value) ? value.join(', ') : value;
}
