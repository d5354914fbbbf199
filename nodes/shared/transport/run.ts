/**
 * One run of a node, as the transport sees it: what cannot change from one item to the next is
 * asked of n8n once per run, what can is asked once per item.
 *
 * n8n's `getNodeParameter` resolves a parameter anew on every call (expressions evaluated in its
 * isolate, the value cleaned up and checked against the node's description), and `getNode` hands
 * out a deep copy of the node each time. A parameter whose value holds no expression is the same
 * for every item, so its value is read once per run; one that holds an expression is read once
 * per item (every later read of the item gets the same value, as if it had been read once and
 * passed around). The node is copied once per run.
 *
 * The run's context is the node's own (its prototype) with these two methods in front, so every
 * other method, and n8n's helpers called on it, behave as before. It lives as long as the run.
 */
import type { IExecuteFunctions, INode } from 'n8n-workflow';

type GetNodeParameter = IExecuteFunctions['getNodeParameter'];
type ParameterOptions = Parameters<GetNodeParameter>[3];

/** What a run keeps of its parameters. */
interface RunParameters {
	node?: INode;
	/** Values of parameters without expressions, by parameter, fallback and options. */
	constant: Map<string, { value: unknown }>;
	/** Whether a parameter (by name) holds an expression anywhere in its value. */
	dynamic: Map<string, boolean>;
	/** Values of parameters with expressions, per item. */
	perItem: Map<number, Map<string, { value: unknown }>>;
}

const runs = new WeakMap<object, RunParameters>();

/** Whether `value` holds an expression (a text starting with "=") at any depth. */
function holdsExpression(value: unknown, depth = 0): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (!value || typeof value !== 'object' || depth > 20) return false;
	for (const entry of Array.isArray(value) ? value : Object.values(value)) if (holdsExpression(entry, depth + 1)) return true;
	return false;
}

/** A value handed out again: primitives as they are, objects as a copy (a caller may change what it got). */
function handOut(value: unknown): unknown {
	return value !== null && typeof value === 'object' ? structuredClone(value) : value;
}

function keyOf(name: string, fallback: unknown, options: ParameterOptions): string {
	return `${name}\u0000${JSON.stringify(fallback) ?? ''}\u0000${JSON.stringify(options ?? {})}`;
}

/**
 * The context of one run of a node: `ctx` with getNodeParameter and getNode reading as said
 * above. Options n8n gives no value for (rawExpressions) go to n8n as they are.
 */
export function runContext(ctx: IExecuteFunctions): IExecuteFunctions {
	const state: RunParameters = { constant: new Map(), dynamic: new Map(), perItem: new Map() };
	const read = ctx.getNodeParameter.bind(ctx) as (name: string, itemIndex: number, fallback?: unknown, options?: ParameterOptions) => unknown;
	const isDynamic = (name: string): boolean => {
		let dynamic = state.dynamic.get(name);
		if (dynamic === undefined) {
			let raw: unknown;
			try {
				raw = read(name, 0, null, { rawExpressions: true });
			} catch {
				raw = '=';
			}
			dynamic = holdsExpression(raw);
			state.dynamic.set(name, dynamic);
		}
		return dynamic;
	};
	const getNodeParameter = (name: string, itemIndex: number, fallback?: unknown, options?: ParameterOptions): unknown => {
		if (options?.rawExpressions) return read(name, itemIndex, fallback, options);
		const key = keyOf(name, fallback, options);
		let cache: Map<string, { value: unknown }>;
		if (isDynamic(name)) {
			cache = state.perItem.get(itemIndex) ?? new Map();
			state.perItem.set(itemIndex, cache);
		} else {
			cache = state.constant;
		}
		const entry = cache.get(key);
		if (!entry) {
			// A read that throws (an expression that fails) is not kept: the next read throws again.
			// The value kept is a copy, so what this caller does to the one it gets changes no later read.
			const value = read(name, itemIndex, fallback, options);
			cache.set(key, { value: handOut(value) });
			return value;
		}
		return handOut(entry.value);
	};
	const run = Object.create(ctx, {
		getNodeParameter: { value: getNodeParameter },
		getNode: { value: () => (state.node ??= ctx.getNode()) },
	}) as IExecuteFunctions;
	runs.set(run, state);
	return run;
}

/** The item is done: its values are forgotten. */
export function endItem(ctx: IExecuteFunctions, itemIndex: number): void {
	runs.get(ctx)?.perItem.delete(itemIndex);
}
