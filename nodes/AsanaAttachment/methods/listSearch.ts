/**
 * Picker of the parent: tasks and projects matching the typed text, from Asana's typeahead
 * search in each workspace the connected user belongs to.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { sendRequest } from '../../shared/transport';
import { ASANA_DEFAULT_HOST, asanaApiBase, asanaCredentialType, asanaProvider } from '../provider';
import { nextOffset } from '../operations/getMany';
import { dataList } from '../operations/records';
import { parseParentReference } from '../parent';

/** Workspaces searched at most; a user in more picks by URL or ID. */
const MAX_WORKSPACES = 10;
/** Results of each kind per workspace. */
const PER_KIND = 20;

export async function searchParents(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const credentialType = asanaCredentialType(this.getNodeParameter('authentication', 'accessToken'));
	const base = await asanaApiBase(this, credentialType);
	const get = async (url: string, qs: IDataObject) =>
		dataList((await sendRequest(this, asanaProvider, { method: 'GET', url, qs, idempotent: true, credentialType }, 0)).body);

	const workspaces = (await get(`${base}/workspaces`, { limit: 100, opt_fields: 'name' })).slice(0, MAX_WORKSPACES);
	const query = filter?.trim() ?? '';
	const results: INodeListSearchItems[] = [];
	for (const workspace of workspaces) {
		const suffix = workspaces.length > 1 ? ` · ${String(workspace.name ?? workspace.gid)}` : '';
		for (const kind of ['task', 'project'] as const) {
			const found = await get(`${base}/workspaces/${encodeURIComponent(String(workspace.gid))}/typeahead`, {
				resource_type: kind,
				query,
				count: PER_KIND,
				opt_fields: 'name',
			});
			for (const record of found) {
				const gid = String(record.gid);
				results.push({
					name: `${kind === 'task' ? 'Task' : 'Project'}: ${String(record.name ?? gid)}${suffix}`,
					value: gid,
					url: kind === 'task' ? `${ASANA_DEFAULT_HOST}/0/0/${gid}` : `${ASANA_DEFAULT_HOST}/0/${gid}`,
				});
			}
		}
	}
	return { results };
}

/** The plain value of a resource locator (or of a plain string). */
function plainValue(value: unknown): string {
	const inner = value && typeof value === 'object' && 'value' in value ? (value as { value: unknown }).value : value;
	return typeof inner === 'string' ? inner.trim() : '';
}

/** Picker of the attachment: those of the Parent chosen in the same node, 100 a page. */
export async function searchAttachments(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const credentialType = asanaCredentialType(this.getNodeParameter('authentication', 'accessToken'));
	const value = plainValue(this.getCurrentNodeParameter('parent') ?? this.getNodeParameter('parent', ''));
	const reference = value && !value.startsWith('=') ? parseParentReference(value) : undefined;
	if (!reference || 'problem' in reference) {
		throw new NodeOperationError(this.getNode(), 'Choose the Parent first: the list shows the attachments of that task, project or project brief', {
			description: value.startsWith('=')
				? 'The list cannot use an expression; choose the Parent itself, or give the attachment by ID.'
				: reference && 'problem' in reference
					? reference.problem
					: 'Or give the attachment by ID.',
		});
	}
	const base = await asanaApiBase(this, credentialType);
	const qs: IDataObject = { parent: reference.gid, limit: 100, opt_fields: 'name,resource_subtype,permanent_url' };
	if (paginationToken) qs.offset = paginationToken;
	const response = await sendRequest(this, asanaProvider, { method: 'GET', url: `${base}/attachments`, qs, idempotent: true, credentialType }, 0);
	const needle = filter?.trim().toLowerCase();
	const results = dataList(response.body)
		.map((record) => ({
			name: typeof record.name === 'string' && record.name ? record.name : String(record.gid),
			value: String(record.gid),
			...(typeof record.permanent_url === 'string' && record.permanent_url ? { url: record.permanent_url } : {}),
		}))
		.filter((result) => !needle || result.name.toLowerCase().includes(needle) || result.value.includes(needle));
	return { results, paginationToken: nextOffset(response.body) };
}
