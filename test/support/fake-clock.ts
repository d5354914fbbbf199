/**
 * A clock for unit tests of code that waits (pacing.ts's Clock): time stands still until the test
 * moves it, and then the sleeps that fall due resolve one at a time, in the order of their due
 * times, each at its own time, with whatever they start allowed to run before the next. Nothing
 * waits on real time.
 *
 * Sleeps due at the same moment resolve in the order they began, or in the reverse order with
 * `{ ties: 'latestFirst' }`: real timers of different lengths that fall due together promise no
 * order, so code that must not depend on it can be tried both ways.
 */
export interface FakeSleep {
	at: number;
	ms: number;
}

interface Timer extends FakeSleep {
	order: number;
	resolve: () => void;
}

/** Lets every promise callback that is ready run (a macrotask turn drains the microtask queue). */
export async function settle(): Promise<void> {
	await new Promise<void>((resolve) => setImmediate(resolve));
}

export class FakeClock {
	private time: number;
	private timers: Timer[] = [];
	private begun = 0;
	/** Every sleep begun, aborted ones included. */
	readonly sleeps: FakeSleep[] = [];

	constructor(
		start = Date.UTC(2026, 0, 1, 12, 0, 0),
		private readonly options: { ties?: 'earliestFirst' | 'latestFirst' } = {},
	) {
		this.time = start;
	}

	readonly now = (): number => this.time;

	readonly sleep = async (ms: number, signal: AbortSignal): Promise<void> =>
		await new Promise<void>((resolve, reject) => {
			if (signal.aborted) return reject(signal.reason);
			const timer: Timer = { at: this.time + ms, ms, order: this.begun++, resolve };
			this.sleeps.push({ at: timer.at, ms });
			this.timers.push(timer);
			signal.addEventListener(
				'abort',
				() => {
					this.timers = this.timers.filter((other) => other !== timer);
					reject(signal.reason);
				},
				{ once: true },
			);
		});

	/** Sleeps that have neither resolved nor been aborted. */
	get pending(): FakeSleep[] {
		return this.timers.map(({ at, ms }) => ({ at, ms }));
	}

	private nextDue(until: number): Timer | undefined {
		const latestFirst = this.options.ties === 'latestFirst';
		return this.timers
			.filter((timer) => timer.at <= until)
			.sort((a, b) => a.at - b.at || (latestFirst ? b.order - a.order : a.order - b.order))[0];
	}

	/** Moves time forward by `ms`. */
	async advance(ms: number): Promise<void> {
		await this.advanceTo(this.time + ms);
	}

	/** Moves time forward to `at`, resolving the sleeps due on the way at their own times. */
	async advanceTo(at: number): Promise<void> {
		await settle();
		for (let timer = this.nextDue(at); timer; timer = this.nextDue(at)) {
			this.time = Math.max(this.time, timer.at);
			this.timers = this.timers.filter((other) => other !== timer);
			timer.resolve();
			await settle();
		}
		this.time = Math.max(this.time, at);
		await settle();
	}
}
