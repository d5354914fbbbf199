/**
 * The Asana API routes of the emulator (`/api/1.0/…`): the user, workspaces, typeahead search and
 * attachments, with Asana's `{ data }` envelopes, `opt_fields`, `limit`/`offset` pagination and
 * `{ errors: [{ message, help }] }` failures.
 */
import { createHmac, randomBytes } from 'crypto';

import { jsonReply } from '../common/http';
import type { Reply } from '../common/http';
import type { FileHost } from './files';
import type { AsanaStore, AttachmentRecord, Parent } from './store';

export const API_PREFIX = '/api/1.0';
export const ERRORS_HELP =
	'For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors';

/** Asana's error envelope. */
export function asanaError(status: number, message: string, headers?: Record<string, string>): Reply {
	const error: Record<string, string> = { message, help: ERRORS_HELP };
	if (status >= 500) error.phrase = `${randomBytes(2).readUInt16BE() % 40} emulated squids snooze softly`;
	return jsonReply(status, { errors: [error] }, headers);
}

export const RATE_LIMIT_MESSAGE = "You've made too many requests and hit a rate limit. Please retry after the given amount of time.";

/** The comma-separated `opt_fields` (repeated keys too), or undefined when absent. */
export function optFields(query: URLSearchParams): string[] | undefined {
	const values = query.getAll('opt_fields');
	if (values.length === 0) return undefined;
	return values.flatMap((value) => value.split(',')).map((field) => field.trim()).filter(Boolean);
}

const GID = /^\d+$/;

/** `limit` + `offset` pagination over a list, with opaque signed offset tokens tied to the list. */
export class Paginator {
	private readonly secret = randomBytes(16);

	constructor(private readonly apiBaseUrl: string) {}

	private token(listKey: string, index: number): string {
		const payload = Buffer.from(JSON.stringify({ k: listKey, i: index })).toString('base64url');
		const mac = createHmac('sha256', this.secret).update(payload).digest('base64url').slice(0, 22);
		return `${payload}.${mac}`;
	}

	private readToken(listKey: string, token: string): number | undefined {
		const [payload, mac] = token.split('.');
		if (!payload || !mac || createHmac('sha256', this.secret).update(payload).digest('base64url').slice(0, 22) !== mac) return undefined;
		try {
			const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { k?: unknown; i?: unknown };
			return value.k === listKey && typeof value.i === 'number' ? value.i : undefined;
		} catch {
			return undefined;
		}
	}

	/**
	 * Without `limit`, the whole list and no `next_page`; with it, one page and `next_page`
	 * (`null` on the last page), whose `path`/`uri` repeat the query with the new offset.
	 */
	page<T>(items: T[], query: URLSearchParams, listKey: string, path: string, render: (item: T) => unknown): Reply {
		const limitText = query.get('limit');
		const offsetText = query.get('offset');
		if (limitText === null) {
			if (offsetText !== null) return asanaError(400, 'offset: Can only be used with limit');
			return jsonReply(200, { data: items.map(render) });
		}
		const limit = Number(limitText);
		if (!/^\d+$/.test(limitText) || limit < 1 || limit > 100) return asanaError(400, 'limit: Must be between 1 and 100');
		let start = 0;
		if (offsetText !== null) {
			const index = this.readToken(listKey, offsetText);
			if (index === undefined) return asanaError(400, 'offset: Your pagination token is invalid or has expired');
			start = index;
		}
		const pageItems = items.slice(start, start + limit);
		let nextPage: Record<string, string> | null = null;
		if (start + limit < items.length) {
			const offset = this.token(listKey, start + limit);
			const nextQuery = new URLSearchParams(query);
			nextQuery.set('offset', offset);
			const relative = `${path}?${nextQuery.toString()}`;
			nextPage = { offset, path: relative, uri: `${this.apiBaseUrl}${relative}` };
		}
		return jsonReply(200, { data: pageItems.map(render), next_page: nextPage });
	}
}

export class AsanaApi {
	readonly paginator: Paginator;

	constructor(
		private readonly store: AsanaStore,
		private readonly files: FileHost,
		readonly apiBaseUrl: string,
		private readonly webBaseUrl: string,
	) {
		this.paginator = new Paginator(apiBaseUrl);
	}

	private parentSummary(parent: Parent | undefined, fields?: Set<string>): Record<string, unknown> | null {
		if (!parent) return null;
		// Only tasks have a subtype (the spec's enum is the tasks' one).
		const subtype = parent.type === 'task' ? { resource_subtype: 'default_task' } : {};
		if (!fields) return { gid: parent.gid, resource_type: parent.type, name: parent.name, ...subtype };
		const out: Record<string, unknown> = { gid: parent.gid, resource_type: parent.type };
		if (fields.has('parent.name')) out.name = parent.name;
		if (fields.has('parent.resource_subtype')) Object.assign(out, subtype);
		if (fields.has('parent.created_by')) out.created_by = { gid: this.store.user.gid, resource_type: 'user' };
		return out;
	}

	permanentUrl(record: AttachmentRecord): string | null {
		return record.resourceSubtype === 'asana' ? `${this.webBaseUrl}/app/asana/-/get_asset?asset_id=${record.gid}` : null;
	}

	/** One attachment: compact, full, or `gid` plus the `opt_fields` asked for. */
	attachmentJson(record: AttachmentRecord, shape: 'compact' | 'full' | string[]): Record<string, unknown> {
		const compact = { gid: record.gid, resource_type: 'attachment', name: record.name, resource_subtype: record.resourceSubtype };
		if (shape === 'compact') return compact;
		const isFile = record.resourceSubtype === 'asana';
		const wanted = shape === 'full' ? undefined : new Set(shape);
		const want = (field: string) => !wanted || wanted.has(field);
		const out: Record<string, unknown> = wanted ? { gid: record.gid } : { ...compact };
		if (wanted?.has('name')) out.name = record.name;
		if (wanted?.has('resource_subtype')) out.resource_subtype = record.resourceSubtype;
		if (want('created_at')) out.created_at = record.createdAt.toISOString();
		if (want('download_url')) out.download_url = isFile ? this.files.mint(record) : null;
		if (want('permanent_url')) out.permanent_url = this.permanentUrl(record);
		if (want('host')) out.host = record.resourceSubtype;
		if (want('parent') || [...(wanted ?? [])].some((field) => field.startsWith('parent.'))) {
			out.parent = this.parentSummary(this.store.parent(record.parentGid), wanted);
		}
		if (want('size') && isFile) out.size = record.size;
		if (want('view_url')) out.view_url = isFile ? this.permanentUrl(record) : (record.url ?? null);
		if (want('connected_to_app') && !isFile) out.connected_to_app = record.connectedToApp ?? false;
		return out;
	}

	/** Validates a gid of a path or query parameter; an error Reply when it is not one we know. */
	findParent(name: string, value: string | null): Parent | Reply {
		if (value === null || value.trim() === '') return asanaError(400, `${name}: Missing input`);
		if (!GID.test(value)) return asanaError(400, `${name}: Not a recognized ID: ${value}`);
		const parent = this.store.parent(value);
		if (!parent) return asanaError(404, `${name}: Unknown object: ${value}`);
		return parent;
	}

	findAttachment(value: string): AttachmentRecord | Reply {
		if (!GID.test(value)) return asanaError(400, `attachment: Not a recognized ID: ${value}`);
		return this.store.attachment(value) ?? asanaError(404, `attachment: Unknown object: ${value}`);
	}

	me(): Reply {
		const user = this.store.user;
		return jsonReply(200, {
			data: {
				gid: user.gid,
				resource_type: 'user',
				name: user.name,
				email: user.email,
				photo: null,
				workspaces: [...this.store.workspaces.values()].map((w) => ({ gid: w.gid, resource_type: 'workspace', name: w.name })),
			},
		});
	}

	workspaces(query: URLSearchParams): Reply {
		return this.paginator.page([...this.store.workspaces.values()], query, 'workspaces', '/workspaces', (workspace) => ({
			gid: workspace.gid,
			resource_type: 'workspace',
			name: workspace.name,
		}));
	}

	typeahead(workspaceGid: string, query: URLSearchParams): Reply {
		if (!GID.test(workspaceGid)) return asanaError(400, `workspace: Not a recognized ID: ${workspaceGid}`);
		if (!this.store.workspaces.has(workspaceGid)) return asanaError(404, `workspace: Unknown object: ${workspaceGid}`);
		const type = query.get('resource_type') ?? query.get('type') ?? 'user';
		const countText = query.get('count') ?? '20';
		const count = Number(countText);
		if (!/^\d+$/.test(countText) || count < 1 || count > 100) return asanaError(400, 'count: Must be between 1 and 100');
		const needle = (query.get('query') ?? '').trim().toLowerCase();
		let found: Array<{ gid: string; resource_type: string; name: string }>;
		if (type === 'task' || type === 'project') {
			found = [...this.store.parents.values()]
				.filter((parent) => parent.type === type && parent.workspaceGid === workspaceGid)
				.filter((parent) => !needle || parent.name.toLowerCase().includes(needle))
				.map((parent) => ({ gid: parent.gid, resource_type: parent.type, name: parent.name }));
		} else if (type === 'user') {
			const user = this.store.user;
			found = !needle || user.name.toLowerCase().includes(needle) ? [{ gid: user.gid, resource_type: 'user', name: user.name }] : [];
		} else if (['actor', 'agent', 'custom_field', 'goal', 'project_template', 'portfolio', 'tag', 'team'].includes(type)) {
			found = [];
		} else {
			return asanaError(400, `resource_type: Not a valid value: ${type}`);
		}
		const fields = optFields(query);
		return jsonReply(200, {
			data: found.slice(0, count).map((item) => (fields ? { gid: item.gid, ...(fields.includes('name') ? { name: item.name } : {}) } : item)),
		});
	}

	listAttachments(query: URLSearchParams): Reply {
		const parent = this.findParent('parent', query.get('parent'));
		if (!('gid' in parent)) return parent;
		const fields = optFields(query);
		return this.paginator.page(this.store.attachmentsOf(parent.gid), query, `attachments:${parent.gid}`, '/attachments', (record) =>
			this.attachmentJson(record, fields ?? 'compact'),
		);
	}

	getAttachment(gid: string, query: URLSearchParams): Reply {
		const record = this.findAttachment(gid);
		if (!('gid' in record)) return record;
		return jsonReply(200, { data: this.attachmentJson(record, optFields(query) ?? 'full') });
	}

	deleteAttachment(gid: string): Reply {
		const record = this.findAttachment(gid);
		if (!('gid' in record)) return record;
		this.store.delete(record.gid);
		return jsonReply(200, { data: {} });
	}
}
