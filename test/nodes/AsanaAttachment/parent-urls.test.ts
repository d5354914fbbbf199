/**
 * The parent locator takes an ID or the web app's URL of a task or project, in both URL formats
 * (`/0/…` and `/1/<workspace>/…`); each reaches Asana as the right `parent` gid.
 */
import { parseParentReference } from '../../../nodes/AsanaAttachment/parent';
import { DEFAULT_PROJECT, DEFAULT_TASK, DEFAULT_WORKSPACE } from '../../../sandbox/asana/server';
import { locator, runAsana, useAsanaEmulator } from './context';

describe('parseParentReference', () => {
	it.each([
		['1204567890123456', { gid: '1204567890123456' }],
		['  1204567890123456 ', { gid: '1204567890123456' }],
		['https://app.asana.com/0/1206043162733419/12058909747493732', { gid: '12058909747493732', kind: 'task' }],
		['https://app.asana.com/0/1206043162733419/12058909747493732/f', { gid: '12058909747493732', kind: 'task' }],
		['https://app.asana.com/0/0/12058909747493732/f', { gid: '12058909747493732', kind: 'task' }],
		['https://app.asana.com/0/1206043162733419/list', { gid: '1206043162733419', kind: 'project' }],
		['https://app.asana.com/0/1206043162733419/overview', { gid: '1206043162733419', kind: 'project' }],
		['https://app.asana.com/0/1206043162733419', { gid: '1206043162733419', kind: 'project' }],
		['https://app.asana.com/0/1206043162733419/12058909747493732?focus=true#comments', { gid: '12058909747493732', kind: 'task' }],
		['https://app.asana.com/1/15793206719/project/1206043162733419/task/12058909747493732', { gid: '12058909747493732', kind: 'task' }],
		['https://app.asana.com/1/15793206719/project/1206043162733419/task/12058909747493732/comment/1209', { gid: '12058909747493732', kind: 'task' }],
		['https://app.asana.com/1/15793206719/task/12058909747493732', { gid: '12058909747493732', kind: 'task' }],
		['https://app.asana.com/1/15793206719/project/1206043162733419/list/1206043162733500', { gid: '1206043162733419', kind: 'project' }],
		['https://app.asana.com/1/15793206719/project/1206043162733419/timeline', { gid: '1206043162733419', kind: 'project' }],
		['HTTPS://APP.ASANA.COM/1/15793206719/project/1206043162733419', { gid: '1206043162733419', kind: 'project' }],
	])('%s', (value, expected) => {
		expect(parseParentReference(value)).toEqual(expected);
	});

	it.each([
		['TASK-1', /neither an Asana ID/],
		['app.asana.com/0/1/2', /neither an Asana ID/],
		['https://trello.com/0/1/2', /not an Asana URL/],
		['https://app.asana.com.evil.example/0/1/2', /not an Asana URL/],
		['https://app.asana.com/0/inbox/1206043162733419', /not the URL of an Asana task or project/],
		['https://app.asana.com/0/0/list', /not the URL of an Asana task or project/],
		['https://app.asana.com/1/15793206719/home', /not the URL of an Asana task or project/],
		['https://app.asana.com/2/15793206719/task/1', /not the URL of an Asana task or project/],
		['https://app.asana.com:badport/0/1/2', /not a valid URL/],
	])('%s is refused', (value, problem) => {
		const result = parseParentReference(value);
		expect('problem' in result && result.problem).toMatch(problem);
	});
});

describe('through the node', () => {
	const server = useAsanaEmulator();

	it.each([
		['V0 task URL', `https://app.asana.com/0/${DEFAULT_PROJECT.gid}/${DEFAULT_TASK.gid}/f`, DEFAULT_TASK.gid],
		['V1 task URL', `https://app.asana.com/1/${DEFAULT_WORKSPACE.gid}/project/${DEFAULT_PROJECT.gid}/task/${DEFAULT_TASK.gid}`, DEFAULT_TASK.gid],
		['V0 project URL', `https://app.asana.com/0/${DEFAULT_PROJECT.gid}/list`, DEFAULT_PROJECT.gid],
		['V1 project URL', `https://app.asana.com/1/${DEFAULT_WORKSPACE.gid}/project/${DEFAULT_PROJECT.gid}/overview/1209000000000777`, DEFAULT_PROJECT.gid],
	])('Get Many by %s', async (_name, url, gid) => {
		server.seedAttachment(gid, 'here.txt', Buffer.from('h'), 'text/plain');
		const result = await runAsana(server, { operation: 'getAll', parent: locator(url, 'url'), returnAll: true, options: {} });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.name)).toEqual(['here.txt']);
		expect(server.requests[0].query.get('parent')).toBe(gid);
	});

	it('Upload to a project brief by ID', async () => {
		const result = await runAsana(server, {
			operation: 'upload',
			parent: locator(DEFAULT_PROJECT.briefGid),
			source: 'link',
			url: 'https://example.com/brief-image.png',
			name: 'Brief image',
			options: {},
		});
		expect(result.error).toBeUndefined();
		expect(server.attachments(DEFAULT_PROJECT.briefGid).map((record) => record.name)).toEqual(['Brief image']);
	});

	it('Upload to a task by V1 URL from the list mode value', async () => {
		const result = await runAsana(
			server,
			{ operation: 'upload', parent: locator(DEFAULT_TASK.gid, 'list'), source: 'binary', binaryPropertyName: 'data', options: {} },
			{ input: [{ binary: { data: { data: Buffer.from('x'), fileName: 'x.txt', mimeType: 'text/plain' } } }] },
		);
		expect(result.error).toBeUndefined();
		expect(server.requests[0].multipart!.parts[0]).toMatchObject({ name: 'parent', value: DEFAULT_TASK.gid });
	});
});
