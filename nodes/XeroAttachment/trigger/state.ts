/**
 * What the trigger remembers between polls, in the workflow's static data of the node, bounded
 * whatever the organization's size. A poll works on a copy and hands it back only when it
 * succeeded (see poll.ts): a poll that fails leaves the state as it was, so the next one repeats
 * the same window.
 *
 * IDs are kept short: the first 16 hex digits of a GUID (64 bits) tell Xero's documents and
 * attachments apart as well as the whole GUID would in sets of these sizes.
 */
import type { IDataObject } from 'n8n-workflow';

export const STATE_VERSION = 1;

/**
 * How far back each poll asks again (If-Modified-Since is the last poll's server time minus
 * this): a change Xero makes visible a little after its time stamp is still found. Documents
 * looked at already are skipped by their change time (`marks`), so asking again costs no calls.
 */
export const OVERLAP_MS = 5 * 60_000;

/** Attachment IDs remembered (reported, or found on a document the trigger knew had attachments). */
export const MAX_SEEN = 5000;
/** Documents whose change the trigger handled, within the overlap window. */
export const MAX_MARKS = 2000;
/** Documents that had attachments when the trigger started (the first poll's inventory). */
export const MAX_INVENTORY = 20000;

export interface InventoryProgress {
	/** The next page to read. */
	page: number;
	/** Xero's time when the inventory started (epoch ms). */
	startedAt?: number;
	ids: string[];
	overflow: boolean;
}

export interface TriggerState {
	version: typeof STATE_VERSION;
	/** Organization, document type and filter the state belongs to: another one starts afresh. */
	key: string;
	/** The first poll's inventory, while it takes more than one poll. */
	inventory?: InventoryProgress;
	/** Xero's time of the last complete poll (epoch ms); changes since then (minus OVERLAP_MS) are asked for. */
	since?: number;
	/** Documents that had attachments when the trigger started and that it has not looked at since. */
	hadAttachments: string[];
	/** Whether the inventory holds every such document (false when there were more than MAX_INVENTORY). */
	inventoryComplete: boolean;
	/** Attachment IDs already reported or known, oldest first. */
	seen: string[];
	/** Document → its change time (epoch ms) when the trigger looked at it; 0 for types without one. */
	marks: Record<string, number>;
}

/** The short form of a Xero ID (see above); other strings as they are, lower-cased. */
export function shortId(id: unknown): string {
	const text = String(id ?? '').toLowerCase();
	const hex = text.replace(/-/g, '');
	return /^[0-9a-f]{32}$/.test(hex) ? hex.slice(0, 16) : text;
}

export function freshState(key: string): TriggerState {
	return { version: STATE_VERSION, key, hadAttachments: [], inventoryComplete: true, seen: [], marks: {} };
}

/** The node's state if it belongs to `key`, else a fresh one; always a copy. */
export function loadState(staticData: IDataObject, key: string): TriggerState {
	const stored = staticData.xeroAttachmentTrigger as TriggerState | undefined;
	if (!stored || stored.version !== STATE_VERSION || stored.key !== key) return freshState(key);
	return structuredClone(stored);
}

export function saveState(staticData: IDataObject, state: TriggerState): void {
	staticData.xeroAttachmentTrigger = state as unknown as IDataObject;
}

/** The working sets of a poll, with the bounds applied when it is saved. */
export class WorkingState {
	readonly seen: Set<string>;
	readonly hadAttachments: Set<string>;
	readonly marks: Map<string, number>;

	constructor(readonly state: TriggerState) {
		this.seen = new Set(state.seen);
		this.hadAttachments = new Set(state.hadAttachments);
		this.marks = new Map(Object.entries(state.marks));
	}

	/** The state to keep: the newest MAX_SEEN IDs, marks of changes not older than `oldestChange`, the newest MAX_MARKS. */
	finish(oldestChange?: number): TriggerState {
		let marks = [...this.marks.entries()];
		if (oldestChange !== undefined) marks = marks.filter(([, change]) => change === 0 || change >= oldestChange);
		if (marks.length > MAX_MARKS) marks = marks.sort((a, b) => a[1] - b[1]).slice(-MAX_MARKS);
		return {
			...this.state,
			seen: [...this.seen].slice(-MAX_SEEN),
			hadAttachments: [...this.hadAttachments],
			marks: Object.fromEntries(marks),
		};
	}
}
