/**
 * The files under a folder, at any depth, sorted; none when the folder is not there (a binary
 * store n8n has not written to yet). What the suites compare before and after a case to see that
 * nothing partial or stray was left.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

export function filesUnder(dir: string): string[] {
	try {
		return readdirSync(dir, { recursive: true, withFileTypes: true })
			.filter((entry) => entry.isFile())
			.map((entry) => path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name))
			.sort();
	} catch {
		return [];
	}
}
