/**
 * The example workflows say what running them does to the account: one whose Upload adds a new
 * attachment on every run (no Replace Existing) says so in its sticky note and its listed steps.
 */
import { readFileSync } from 'fs';
import * as path from 'path';

import { EXAMPLES } from '../../examples';

interface ExampleNode {
	type: string;
	parameters: { operation?: string; options?: { replace?: boolean }; content?: string };
}

const read = (file: string) =>
	JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'examples', file), 'utf8')) as { nodes: ExampleNode[] };

describe.each(EXAMPLES.map((example) => [example.file, example] as const))('%s', (file, example) => {
	const nodes = read(file).nodes;
	const addsOnEveryRun = nodes.some(
		(node) => node.type.startsWith('n8n-nodes-attachments.') && node.parameters.operation === 'upload' && !node.parameters.options?.replace,
	);
	const notes = nodes.filter((node) => node.type === 'n8n-nodes-base.stickyNote').map((node) => node.parameters.content ?? '');
	const deletesItsUpload = nodes.some((node) => node.type.startsWith('n8n-nodes-attachments.') && node.parameters.operation === 'delete');

	it(addsOnEveryRun && !deletesItsUpload ? 'says that every run adds another copy' : 'leaves the account as it found it (replaces or deletes what it uploads)', () => {
		if (addsOnEveryRun && !deletesItsUpload) {
			expect(notes.some((note) => note.includes('**Every run adds another copy**'))).toBe(true);
			expect(example.steps.some((step) => step.includes('every run adds another copy'))).toBe(true);
		} else {
			expect(notes.some((note) => note.includes('Every run adds another copy'))).toBe(false);
		}
	});
});
