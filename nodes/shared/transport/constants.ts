/**
 * Values the transport works with that the node's parameters show (nodes/shared/description.ts
 * imports them from here, never the other way round): the transport does not depend on the UI.
 */

/** The longest wait n8n's HTTP client accepts (a 32-bit timer). */
export const MAX_TIMEOUT_MS = 2_147_483_647;
export const DEFAULT_TIMEOUT_MS = 300_000;

/** Default of Options → "Text Content Limit (Bytes)". */
export const DEFAULT_TEXT_CONTENT_MAX_BYTES = 64 * 1024;

/** The value n8n gives the "Custom API Call" option it adds to Resource and Operation. */
export const CUSTOM_API_CALL_VALUE = '__CUSTOM_API_CALL__';

/** How many items a node runs at once for an operation, and the most it allows. */
export interface ConcurrencyLimit {
	default: number;
	max: number;
}

/** A provider's Concurrency: by operation (e.g. Asana's reads and writes), else `other`. */
export interface ConcurrencySpec {
	byOperation?: Record<string, ConcurrencyLimit>;
	other: ConcurrencyLimit;
	/** The provider's limit in one or two plain sentences, for the option's description and errors. */
	limit: string;
}
