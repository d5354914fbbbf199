/**
 * Helpers the fault cases of every node share: files to upload, what a download must hold, and
 * the checks every failed case makes (a NodeApiError saying what happened, no file output).
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { binaryStats, generatedStats, generatedStream } from '../../support/n8n-harness';
import type { HarnessItem, RunNodeResult } from '../../support/n8n-harness';

export const MiB = 1024 * 1024;

/** One input item carrying `size` deterministic bytes in binary field `data`. */
export function fileItem(size: number, seed: number, fileName = 'report.pdf', mimeType = 'application/pdf'): HarnessItem[] {
	return [{ binary: { data: { generate: { size, seed }, fileName, mimeType } } }];
}

/** The same bytes as `fileItem(size, seed)`, in memory (to seed an emulator; small files only). */
export async function generatedBytes(size: number, seed: number): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of generatedStream(size, seed)) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

export async function expected(size: number, seed: number): Promise<{ size: number; sha256: string }> {
	return await generatedStats(size, seed);
}

/** The run succeeded and its first item's binary `data` holds exactly the expected bytes. */
export async function expectDownloaded(result: RunNodeResult, want: { size: number; sha256: string }, field = 'data'): Promise<void> {
	expect(result.error).toBeUndefined();
	const binary = result.items[0]?.binary?.[field];
	expect(binary).toBeDefined();
	expect(await binaryStats(binary!)).toEqual(want);
}

/** The run failed with a NodeApiError whose message matches, and output nothing (no partial file). */
export function expectApiFailure(result: RunNodeResult, message: RegExp): NodeApiError {
	expect(result.error).toBeInstanceOf(NodeApiError);
	expect(result.error!.message).toMatch(message);
	expect(result.items).toEqual([]);
	return result.error as NodeApiError;
}

/** The run failed with a NodeOperationError naming the parameter, and output nothing. */
export function expectInputRejected(result: RunNodeResult, message: RegExp): NodeOperationError {
	expect(result.error).toBeInstanceOf(NodeOperationError);
	expect(result.error).not.toBeInstanceOf(NodeApiError);
	expect(result.error!.message).toMatch(message);
	expect(result.items).toEqual([]);
	return result.error as NodeOperationError;
}

/** Milliseconds between two log entries' arrival (the wait a retry made). */
export function gapMs(first: { receivedAt: number }, second: { receivedAt: number }): number {
	return second.receivedAt - first.receivedAt;
}
