/**
 * Waiting that a signal can cut short, on every n8n line: n8n 2.x's `sleep(ms, signal)` and
 * n8n 1.x's `sleepWithAbort(ms, signal)` (1.x's `sleep` takes no signal: a cancelled wait would
 * run to its end and leave its timer behind). Node code may not use timers of its own.
 */
import * as workflow from 'n8n-workflow';

type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

const helpers = workflow as unknown as { sleep: Sleep; sleepWithAbort?: Sleep };

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export async function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
	if (typeof helpers.sleepWithAbort === 'function') return await helpers.sleepWithAbort(ms, signal);
	return await helpers.sleep(ms, signal);
}
