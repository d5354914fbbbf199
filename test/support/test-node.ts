/**
 * Descriptions of the nodes the tests define themselves (the harness self-test's node, the
 * generic node of test/transport): what n8n needs of a node to run it, no more. The package's own
 * nodes are written out in full under nodes/, as n8n's linter and the editor read them.
 */
import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

/** A choice among `choices` (label → value), the first one by default. */
export function optionsProperty(displayName: string, name: string, choices: Record<string, string>, defaultValue = Object.values(choices)[0]): INodeProperties {
	return { displayName, name, type: 'options', options: Object.entries(choices).map(([label, value]) => ({ name: label, value })), default: defaultValue };
}

export interface TestNode {
	displayName: string;
	/** The node's name (its type is `<package>.<name>`). */
	name: string;
	description: string;
	/** Per Authentication value: its label and the credential type it uses. */
	authentication: Record<string, { label: string; credential: string }>;
	properties: INodeProperties[];
}

/** One main input and output, usable as a tool, an Authentication choice first, then `properties`. */
export function testNodeDescription(node: TestNode): INodeTypeDescription {
	const choices = Object.entries(node.authentication);
	return {
		displayName: node.displayName,
		name: node.name,
		group: ['transform'],
		version: 1,
		description: node.description,
		defaults: { name: node.displayName },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: choices.map(([value, { credential }]) => ({ name: credential, required: true, displayOptions: { show: { authentication: [value] } } })),
		properties: [optionsProperty('Authentication', 'authentication', Object.fromEntries(choices.map(([value, { label }]) => [label, value]))), ...node.properties],
	};
}
