/**
 * Reading the parent of attachments (a task, project or project brief) from what a user pastes:
 * its ID, or the address of a task or project in Asana's web app, in both URL formats:
 *
 *  - V0: `https://app.asana.com/0/<project>/<task>` (optionally `/f`), `/0/<project>` and
 *    `/0/<project>/<view>` (list, board, overview, ...), `/0/0/<task>`;
 *  - V1: `https://app.asana.com/1/<workspace>/project/<project>/task/<task>`,
 *    `/1/<workspace>/task/<task>`, `/1/<workspace>/project/<project>[/<view>...]`: every ID follows
 *    the name of its kind.
 */

export type ParentKind = 'task' | 'project';

export type ParentReference = { gid: string; kind?: ParentKind } | { problem: string };

const DIGITS = /^\d+$/;

function fromV0(segments: string[]): ParentReference | undefined {
	const ids: string[] = [];
	for (const segment of segments) {
		if (!DIGITS.test(segment)) break;
		ids.push(segment);
	}
	// /0/<project or 0>/<task>[/<subtask>]...: the last ID of the leading run is the task.
	if (ids.length >= 2) return { gid: ids[ids.length - 1], kind: 'task' };
	if (ids.length === 1 && ids[0] !== '0') return { gid: ids[0], kind: 'project' };
	return undefined;
}

function fromV1(segments: string[]): ParentReference | undefined {
	// segments[0] is the workspace; then <kind>/<id> pairs and static segments.
	let task: string | undefined;
	let project: string | undefined;
	for (let i = 1; i < segments.length - 1; i++) {
		const id = segments[i + 1];
		if (!DIGITS.test(id)) continue;
		if (segments[i] === 'task') task = id;
		else if (segments[i] === 'project' && project === undefined) project = id;
	}
	if (task) return { gid: task, kind: 'task' };
	if (project) return { gid: project, kind: 'project' };
	return undefined;
}

/** The parent's ID from an ID or an Asana task/project URL. */
export function parseParentReference(value: unknown): ParentReference {
	if (typeof value !== 'string') return { problem: `expected an ID or a URL, got ${JSON.stringify(value)}` };
	const text = value.trim();
	if (DIGITS.test(text)) return { gid: text };
	if (!/^https?:\/\//i.test(text)) {
		return { problem: `"${text}" is neither an Asana ID (digits only) nor the URL of an Asana task or project` };
	}
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return { problem: `"${text}" is not a valid URL` };
	}
	const host = url.hostname.toLowerCase();
	if (host !== 'asana.com' && !host.endsWith('.asana.com')) {
		return { problem: `"${text}" is not an Asana URL (expected https://app.asana.com/...)` };
	}
	const segments = url.pathname.split('/').filter((segment) => segment !== '');
	const version = segments.shift();
	const found = version === '0' ? fromV0(segments) : version === '1' ? fromV1(segments) : undefined;
	return (
		found ?? {
			problem: `"${text}" is not the URL of an Asana task or project (expected e.g. https://app.asana.com/1/<workspace>/project/<project>/task/<task> or https://app.asana.com/0/<project>/<task>)`,
		}
	);
}
