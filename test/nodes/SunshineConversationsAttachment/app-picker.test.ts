/**
 * The App picker, through n8n-core's real LoadOptionsContext: account keys list the apps page by
 * page; app keys, which may not list apps, get the app their credential names.
 */
import { NodeApiError } from 'n8n-workflow';

import { runListSearch } from '../../support/n8n-harness';
import { DEFAULT_ACCOUNT_KEY, DEFAULT_APP_KEY } from '../../../sandbox/sunshine/server';
import type { SunshineApp, SunshineKey } from '../../../sandbox/sunshine/server';
import { BASIC, JWT, NODE_TYPE, type Authentication, credentialTypes, expectAuthorization, header, nodeTypes, sunshineCredentials, useSunshineEmulator } from './context';

const hex = (n: number) => n.toString(16).padStart(24, '0');
const apps: SunshineApp[] = [
	{ id: DEFAULT_APP_KEY.appId!, displayName: 'Support Messaging' },
	...Array.from({ length: 149 }, (_, i) => ({ id: hex(i + 1), displayName: `Brand ${String(i + 1).padStart(3, '0')}` })),
];
const server = useSunshineEmulator({ apps });

async function search(options: { key?: SunshineKey; authentication?: Authentication; filter?: string; paginationToken?: string; appId?: string } = {}) {
	const credentials = sunshineCredentials(server, options.key ?? DEFAULT_ACCOUNT_KEY, options.appId === undefined ? {} : { appId: options.appId });
	return (
		await runListSearch({
			nodeTypes: nodeTypes(),
			credentialTypes: credentialTypes(),
			node: { type: NODE_TYPE, parameters: { authentication: options.authentication ?? 'apiKey', resource: 'attachment', operation: 'upload' } },
			credentials: { [BASIC]: credentials, [JWT]: credentials },
			method: 'searchApps',
			filter: options.filter,
			paginationToken: options.paginationToken,
		})
	).result;
}

it.each<Authentication>(['apiKey', 'jwt'])('an account key (%s) lists the apps 100 at a time', async (authentication) => {
	const first = await search({ authentication });
	expect(first.results).toHaveLength(100);
	expect(first.results[0]).toEqual({ name: 'Support Messaging', value: DEFAULT_APP_KEY.appId });
	expect(first.paginationToken).toBe(hex(99));
	const second = await search({ authentication, paginationToken: first.paginationToken as string });
	expect(second.results).toHaveLength(50);
	expect(second.results[49]).toEqual({ name: 'Brand 149', value: hex(149) });
	expect(second.paginationToken).toBeUndefined();

	expect(server.requests.map((request) => request.url)).toEqual([
		'/v2/apps?page%5Bsize%5D=100',
		`/v2/apps?page%5Bsize%5D=100&page%5Bafter%5D=${hex(99)}`,
	]);
	for (const request of server.requests) expectAuthorization(request, authentication, DEFAULT_ACCOUNT_KEY);
});

it('filters the page by the typed text, in the name or the ID', async () => {
	expect((await search({ filter: 'brand 00' })).results.map((result) => result.name)).toEqual(
		Array.from({ length: 9 }, (_, i) => `Brand 00${i + 1}`),
	);
	expect((await search({ filter: DEFAULT_APP_KEY.appId })).results).toEqual([{ name: 'Support Messaging', value: DEFAULT_APP_KEY.appId }]);
});

it('an app key gets the app its credential names', async () => {
	const result = await search({ key: DEFAULT_APP_KEY });
	expect(result).toEqual({ results: [{ name: 'Support Messaging', value: DEFAULT_APP_KEY.appId }], paginationToken: undefined });
	expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
		'GET /v2/apps?page%5Bsize%5D=100',
		`GET /v2/apps/${DEFAULT_APP_KEY.appId}`,
	]);
	expect(header(server.requests[1], 'authorization')).toBe(header(server.requests[0], 'authorization'));
});

it('an app key without an app in its credential says what to do', async () => {
	await expect(search({ key: DEFAULT_APP_KEY, appId: '' })).rejects.toThrow(NodeApiError);
	await expect(search({ key: DEFAULT_APP_KEY, appId: '' })).rejects.toMatchObject({
		message: 'Sunshine Conversations: Listing apps requires an account or service account key (forbidden)',
		description: 'Only account and service account keys can list apps. With an app key, set "App ID" in the credential, or enter it in the App field by ID.',
	});
});
