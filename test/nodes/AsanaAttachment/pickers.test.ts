/**
 * The parent picker through n8n-core's real LoadOptionsContext: tasks and projects from the
 * typeahead search of each workspace, signed by whichever credential the node uses.
 */
import { DEFAULT_OAUTH_ACCESS_TOKEN, DEFAULT_PERSONAL_ACCESS_TOKEN, DEFAULT_PROJECT, DEFAULT_TASK, DEFAULT_WORKSPACE, SECOND_TASK } from '../../../sandbox/asana/server';
import { runListSearch } from '../../support/n8n-harness';
import { NODE_TYPE, credentialTypes, credentialsFor, header, locator, nodeTypes, runAsana, runParentSearch, targets, useAsanaEmulator } from './context';

const server = useAsanaEmulator();

it('lists the tasks and projects of the workspace', async () => {
	const { result } = await runParentSearch(server);
	expect(result.results).toEqual([
		{ name: `Task: ${DEFAULT_TASK.name}`, value: DEFAULT_TASK.gid, url: `https://app.asana.com/0/0/${DEFAULT_TASK.gid}` },
		{ name: `Task: ${SECOND_TASK.name}`, value: SECOND_TASK.gid, url: `https://app.asana.com/0/0/${SECOND_TASK.gid}` },
		{ name: `Project: ${DEFAULT_PROJECT.name}`, value: DEFAULT_PROJECT.gid, url: `https://app.asana.com/0/${DEFAULT_PROJECT.gid}` },
	]);
	const typeahead = `/api/1.0/workspaces/${DEFAULT_WORKSPACE.gid}/typeahead`;
	expect(targets(server.requests)).toEqual([
		'GET /api/1.0/workspaces?limit=100&opt_fields=name',
		`GET ${typeahead}?resource_type=task&query=&count=20&opt_fields=name`,
		`GET ${typeahead}?resource_type=project&query=&count=20&opt_fields=name`,
	]);
	for (const request of server.requests) expect(header(request, 'authorization')).toBe(`Bearer ${DEFAULT_PERSONAL_ACCESS_TOKEN}`);
});

it('passes the typed text to the search, and names the workspace when there are several', async () => {
	const other = server.addWorkspace('Side Projects');
	server.addTask('Contract for the garage', { workspaceGid: other.gid });
	const { result } = await runParentSearch(server, ' contract ', 'oAuth2');
	expect(result.results.map((item) => item.name)).toEqual([
		`Task: Review the supplier contract · Demo Workspace`,
		`Project: Supplier contracts · Demo Workspace`,
		`Task: Contract for the garage · Side Projects`,
	]);
	expect(server.requests[1].query.get('query')).toBe('contract');
	for (const request of server.requests) expect(header(request, 'authorization')).toBe(`Bearer ${DEFAULT_OAUTH_ACCESS_TOKEN}`);
});

describe('the Attachment list of Get and Delete', () => {
	const searchAttachments = async (parent: unknown, filter?: string) =>
		await runListSearch({
			nodeTypes: nodeTypes(),
			credentialTypes: credentialTypes(),
			node: { type: NODE_TYPE, parameters: { resource: 'attachment', operation: 'get', ...(parent === undefined ? {} : { parent }) } as never },
			credentials: credentialsFor(server, 'accessToken'),
			method: 'searchAttachments',
			filter,
		});

	it('lists the attachments of the Parent chosen in the node, by name, with their link', async () => {
		const first = server.seedAttachment(DEFAULT_TASK.gid, 'contract.pdf', Buffer.from('%PDF'), 'application/pdf');
		const second = server.seedAttachment(DEFAULT_TASK.gid, 'Invoice March.csv', Buffer.from('a,b'), 'text/csv');
		const { result } = await searchAttachments(locator(DEFAULT_TASK.gid, 'list'));
		expect(result.results.map(({ name, value }) => ({ name, value }))).toEqual(
			expect.arrayContaining([
				{ name: 'contract.pdf', value: first.gid },
				{ name: 'Invoice March.csv', value: second.gid },
			]),
		);
		for (const item of result.results) expect(item.url).toMatch(/^https?:\/\//);
		expect(server.requests[0].query.get('parent')).toBe(DEFAULT_TASK.gid);
	});

	it('filters by the typed text, and takes the Parent by URL too', async () => {
		server.seedAttachment(DEFAULT_TASK.gid, 'contract.pdf', Buffer.from('%PDF'), 'application/pdf');
		const csv = server.seedAttachment(DEFAULT_TASK.gid, 'Invoice March.csv', Buffer.from('a,b'), 'text/csv');
		const { result } = await searchAttachments(locator(`https://app.asana.com/0/0/${DEFAULT_TASK.gid}`, 'url'), 'march');
		expect(result.results.map((item) => item.value)).toEqual([csv.gid]);
	});

	it('asks for the Parent first when none is chosen', async () => {
		await expect(searchAttachments(undefined)).rejects.toThrow('Choose the Parent first: the list shows the attachments of that task, project or project brief');
		expect(server.requests).toHaveLength(0);
	});

	it('an attachment picked from the list is downloaded by Get (a resource locator value)', async () => {
		const record = server.seedAttachment(DEFAULT_TASK.gid, 'contract.pdf', Buffer.from('%PDF'), 'application/pdf');
		const result = await runAsana(server, { operation: 'get', attachmentId: { __rl: true, mode: 'list', value: record.gid, cachedResultName: 'contract.pdf' }, options: {} });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ gid: record.gid });
	});
});
