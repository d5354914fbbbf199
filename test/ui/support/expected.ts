/**
 * What the editor should show for each node, derived from the node classes of nodes/ (not a hand
 * list): the nodes of sandbox/<provider>/demo.ts, each operation of each resource, and the top-level
 * parameters n8n displays for it (n8n-workflow's own displayOptions logic, defaults applied).
 */
import path from 'node:path';

import { NodeHelpers, type INodeProperties, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { PROVIDERS } from '../../../sandbox/providers';
import type { SandboxProvider } from '../../../sandbox/types';
import { REPO_ROOT } from './stack';

export interface Operation {
	resource?: { name: string; value: string };
	operation: { name: string; value: string };
	/** Top-level parameters displayed for it, in description order. */
	visible: INodeProperties[];
}

export interface NodeUnderTest {
	provider: SandboxProvider;
	description: INodeTypeDescription;
	/** The light and dark icon files (icons/<name>.svg), resolved from the description. */
	icons: { light: string; dark?: string };
	operations: Operation[];
	/** Parameters of type resourceLocator with a "list" mode. */
	pickers: INodeProperties[];
}

/** n8n hides these in the panel: the node's own Authentication selector (several credential types) and non-inputs. */
export function isPanelInput(property: INodeProperties): boolean {
	if (property.name === 'authentication') return false;
	return !['hidden', 'notice', 'callout'].includes(property.type);
}

function loadNodeType(provider: SandboxProvider): INodeType {
	// dist/nodes/X/X.node.js → nodes/X/X.node.ts
	const source = path.join(REPO_ROOT, provider.nodeFile.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is named by the provider list
	const module = require(source) as Record<string, new () => INodeType>;
	const Class = Object.values(module).find((value) => typeof value === 'function');
	if (!Class) throw new Error(`${source} exports no node class`);
	return new Class();
}

function iconFiles(description: INodeTypeDescription): { light: string; dark?: string } {
	const icon = description.icon as string | { light: string; dark: string } | undefined;
	const toFile = (value: string) => path.basename(value.replace(/^file:/, ''));
	if (!icon) throw new Error(`${description.name} has no icon`);
	return typeof icon === 'string' ? { light: toFile(icon) } : { light: toFile(icon.light), dark: toFile(icon.dark) };
}

function optionsOf(properties: INodeProperties[], name: string, values: Record<string, unknown>, description: INodeTypeDescription) {
	const candidates = properties.filter((p) => p.name === name && p.type === 'options');
	const shown = candidates.find((p) => NodeHelpers.displayParameter(values as never, p, { typeVersion: 1 }, description));
	return (shown?.options ?? []) as Array<{ name: string; value: string }>;
}

function visibleFor(description: INodeTypeDescription, chosen: Record<string, string>): INodeProperties[] {
	const properties = description.properties;
	const values = NodeHelpers.getNodeParameters(properties, chosen, true, false, { typeVersion: 1 }, description) ?? {};
	return properties.filter((p) => NodeHelpers.displayParameter(values, p, { typeVersion: 1 }, description, values));
}

export function describeNode(provider: SandboxProvider): NodeUnderTest {
	const description = loadNodeType(provider).description;
	const operations: Operation[] = [];
	const resources = optionsOf(description.properties, 'resource', {}, description);
	for (const resource of resources.length ? resources : [undefined]) {
		const base: Record<string, string> = resource ? { resource: resource.value } : {};
		const defaults = NodeHelpers.getNodeParameters(description.properties, base, true, false, { typeVersion: 1 }, description) ?? {};
		for (const operation of optionsOf(description.properties, 'operation', defaults, description)) {
			const chosen = { ...base, operation: operation.value };
			operations.push({ resource, operation, visible: visibleFor(description, chosen) });
		}
	}
	const pickers = description.properties.filter(
		(p, index, all) => p.type === 'resourceLocator' && (p.modes ?? []).some((mode) => mode.type === 'list') && all.findIndex((q) => q.name === p.name) === index,
	);
	return { provider, description, icons: iconFiles(description), operations, pickers };
}

/** The package's nodes as declared by package.json and the sandbox providers (the model sandbox has no node of ours). */
export function nodesUnderTest(): NodeUnderTest[] {
	return PROVIDERS.filter((provider) => provider.nodeFile !== '').map((provider) => describeNode(provider));
}
