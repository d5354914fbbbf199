/**
 * Picker of the parent: tasks and projects matching the typed text, from Asana's typeahead
 * search in each workspace the connected user belongs to.
 */
import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { sendRequest } from '../../shared/transport';
import { ASANA_DEFAULT_HOST, asanaApiBase, asanaCredentialType, asanaProvider } from '../provider';
import { dataList } from '../operations/records';

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
