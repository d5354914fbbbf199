/**
 * A node as n8n runs it for an AI agent: n8n copies every node with `usableAsTool` into the type
 * `<package>.<name>Tool` and runs the copy's `execute` with the tool call's arguments as its only
 * input item (no binary). `asTool` makes that copy for the harness (its name gets the suffix, the
 * rest is the node's own), so a test can run the node the way an agent's tool call does.
 */
import type { INodeType } from 'n8n-workflow';

export function asTool(nodeType: INodeType): INodeType {
	const tool = Object.create(nodeType) as INodeType;
	Object.defineProperty(tool, 'description', { value: { ...nodeType.description, name: `${nodeType.description.name}Tool` } });
	return tool;
}

/** `package.name` → `package.nameTool`. */
export const toolType = (nodeType: string) => `${nodeType}Tool`;
