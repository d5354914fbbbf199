/**
 * The example workflows say what running them does to the account: one whose Upload adds a new
 * attachment on every run (no Replace Existing) says so in its sticky note and its listed steps.
 * And they open in the editor without rough edges: every resource locator the panel shows for one
 * of our nodes is set with a mode and a value (else the editor shows an empty mode selector or an
 * empty picker), and no sticky note lies over a node (the editor suite measures both as drawn).
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { NodeHelpers, type INodeParameters, type INodeProperties, type INodeType } from 'n8n-workflow';

import { EXAMPLES } from '../../examples';
import { AsanaAttachment } from '../../nodes/AsanaAttachment/AsanaAttachment.node';
import { AsanaAttachmentTrigger } from '../../nodes/AsanaAttachment/AsanaAttachmentTrigger.node';
import { SunshineConversationsAttachmentTrigger } from '../../nodes/SunshineConversationsAttachment/SunshineConversationsAttachmentTrigger.node';
import { WixAttachmentTrigger } from '../../nodes/WixAttachment/WixAttachmentTrigger.node';
import { XeroAttachmentTrigger } from '../../nodes/XeroAttachment/XeroAttachmentTrigger.node';
import { SunshineConversationsAttachment } from '../../nodes/SunshineConversationsAttachment/SunshineConversationsAttachment.node';
import { WixAttachment } from '../../nodes/WixAttachment/WixAttachment.node';
import { XeroAttachment } from '../../nodes/XeroAttachment/XeroAttachment.node';

interface ExampleNode {
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: { operation?: string; options?: { replace?: boolean }; content?: string; width?: number; height?: number };
}

const read = (file: string) =>
	JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'examples', file), 'utf8')) as { nodes: ExampleNode[] };

/** Our node types (an AI agent's tool copy, `…Tool`, has the same parameters). */
const OUR_NODES: Record<string, INodeType> = {
	'n8n-nodes-attachments.xeroAttachment': new XeroAttachment(),
	'n8n-nodes-attachments.asanaAttachment': new AsanaAttachment(),
	'n8n-nodes-attachments.wixAttachment': new WixAttachment(),
	'n8n-nodes-attachments.sunshineConversationsAttachment': new SunshineConversationsAttachment(),
	'n8n-nodes-attachments.xeroAttachmentTrigger': new XeroAttachmentTrigger(),
	'n8n-nodes-attachments.asanaAttachmentTrigger': new AsanaAttachmentTrigger(),
	'n8n-nodes-attachments.wixAttachmentTrigger': new WixAttachmentTrigger(),
	'n8n-nodes-attachments.sunshineConversationsAttachmentTrigger': new SunshineConversationsAttachmentTrigger(),
};

/** The smallest box the editor draws a node in (a trigger, a regular node), from its position. */
const NODE_BOX = 100;

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

describe.each(EXAMPLES.map((example) => [example.file, example] as const))('%s in the editor', (file) => {
	const nodes = read(file).nodes;

	it('every resource locator the panel shows for our nodes has its mode and a value', () => {
		const problems: string[] = [];
		for (const node of nodes) {
			const nodeType = OUR_NODES[node.type.replace(/Tool$/, '')];
			if (!node.type.startsWith('n8n-nodes-attachments.')) continue;
			if (!nodeType) throw new Error(`${node.name}: unknown node type ${node.type}`);
			const description = nodeType.description;
			const parameters = node.parameters as INodeParameters;
			const values = NodeHelpers.getNodeParameters(description.properties, parameters, true, false, { typeVersion: node.typeVersion }, description) ?? {};
			const shown = description.properties.filter(
				(property: INodeProperties) => property.type === 'resourceLocator' && NodeHelpers.displayParameter(values, property, { typeVersion: node.typeVersion }, description, values),
			);
			for (const property of shown) {
				const raw = parameters[property.name] as { __rl?: boolean; mode?: string; value?: unknown } | string | undefined;
				const modes = (property.modes ?? []).map((mode) => mode.name);
				if (typeof raw !== 'object' || raw === null || raw.__rl !== true) problems.push(`${node.name} › ${property.name}: not a resource locator value (${JSON.stringify(raw)})`);
				else if (!modes.includes(String(raw.mode))) problems.push(`${node.name} › ${property.name}: mode ${JSON.stringify(raw.mode)} is none of ${modes.join(', ')}`);
				else if (typeof raw.value !== 'string' || raw.value.trim() === '') problems.push(`${node.name} › ${property.name}: no value`);
			}
		}
		expect(problems).toEqual([]);
	});

	it('no sticky note lies over a node', () => {
		const stickies = nodes.filter((node) => node.type === 'n8n-nodes-base.stickyNote');
		const others = nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote');
		const overlaps: string[] = [];
		for (const sticky of stickies) {
			const [x, y] = sticky.position;
			const [width, height] = [sticky.parameters.width ?? 240, sticky.parameters.height ?? 160];
			for (const node of others) {
				const [nx, ny] = node.position;
				if (x < nx + NODE_BOX && nx < x + width && y < ny + NODE_BOX && ny < y + height) overlaps.push(`${sticky.name} covers ${node.name}`);
			}
		}
		expect(overlaps).toEqual([]);
	});
});
