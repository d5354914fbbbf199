/**
 * Options → Concurrency on every node: in every Options collection, with the default and the
 * maximum the provider allows for the operations it is shown for, worded plainly.
 */
import type { INodeProperties, INodeType } from 'n8n-workflow';

import { AsanaAttachment } from '../../nodes/AsanaAttachment/AsanaAttachment.node';
import { SunshineConversationsAttachment } from '../../nodes/SunshineConversationsAttachment/SunshineConversationsAttachment.node';
import { WixAttachment } from '../../nodes/WixAttachment/WixAttachment.node';
import { XeroAttachment } from '../../nodes/XeroAttachment/XeroAttachment.node';

const NODES: Array<[string, INodeType, (operations: string[]) => { default: number; max: number }, RegExp]> = [
	['xero', new XeroAttachment(), () => ({ default: 5, max: 5 }), /Xero allows 5 calls in progress at once and 60 a minute per organization/],
	['asana', new AsanaAttachment(), (ops) => (ops.every((op) => ['get', 'getAll'].includes(op)) ? { default: 50, max: 50 } : { default: 15, max: 15 }), /Asana allows 50 reads \(Get, Get Many\) and 15 writes \(Upload, Delete\) in flight/],
	['wix', new WixAttachment(), () => ({ default: 5, max: 20 }), /Wix allows 200 calls a minute per site/],
	['sunshine', new SunshineConversationsAttachment(), () => ({ default: 4, max: 10 }), /Sunshine Conversations publishes no rate limit/],
];

describe.each(NODES)('%s', (_name, node, expected, limit) => {
	const collections = node.description.properties.filter((property) => property.name === 'options' && property.type === 'collection');

	it('has Concurrency in every Options collection, in alphabetical place', () => {
		expect(collections.length).toBeGreaterThan(0);
		for (const collection of collections) {
			const names = (collection.options as INodeProperties[]).map((option) => option.displayName);
			expect(names.filter((name) => name === 'Concurrency')).toHaveLength(1);
			expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
		}
	});

	it("defaults to, and stops at, the provider's limit for the operations shown, and says the limit", () => {
		for (const collection of collections) {
			const operations = (collection.displayOptions?.show?.operation ?? []) as string[];
			const option = (collection.options as INodeProperties[]).find((candidate) => candidate.name === 'concurrency')!;
			const { default: defaultValue, max } = expected(operations);
			expect({ operations, default: option.default, max: option.typeOptions?.maxValue, min: option.typeOptions?.minValue }).toEqual({ operations, default: defaultValue, max, min: 1 });
			expect(option.description).toMatch(new RegExp(`^How many items to process at once, from 1 to ${max}\\. `));
			expect(option.description).toMatch(limit);
		}
	});
});
