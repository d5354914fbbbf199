/**
 * The App picker: the account's apps (`GET /v2/apps`, account and service account keys), page
 * by page. App keys may not list apps: then it offers the app the credential names.
 */
import { NodeApiError } from 'n8n-workflow';
import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { encodePathSegment, sendRequest } from '../../shared/transport';
import { credentialTypeFor, sunshineApiBase, sunshineProvider } from '../provider';

interface SunshineApp {
	id?: string;
	displayName?: string;
}

const PAGE_SIZE = 100;

function toResult(app: SunshineApp): INodeListSearchItems | undefined {
	if (typeof app.id !== 'string' || !app.id) return undefined;
	return { name: app.displayName?.trim() || app.id, value: app.id };
}

export async function searchApps(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const credentialType = credentialTypeFor(this.getNodeParameter('authentication', 'apiKey'));
	const base = await sunshineApiBase(this, credentialType);
	const qs: Record<string, string | number> = { 'page[size]': PAGE_SIZE };
	if (paginationToken) qs['page[after]'] = paginationToken;
	const listed = await sendRequest(this, sunshineProvider, { method: 'GET', url: `${base}/v2/apps`, qs, idempotent: true, credentialType }, 0).then(
		(response) => ({ response }),
		(error: unknown) => ({ error }),
	);
	let apps: SunshineApp[];
	let next: string | undefined;
	if ('response' in listed) {
		const body = listed.response.body as { apps?: SunshineApp[]; meta?: { hasMore?: boolean; afterCursor?: string } } | undefined;
		apps = Array.isArray(body?.apps) ? body.apps : [];
		next = body?.meta?.hasMore && body.meta.afterCursor ? body.meta.afterCursor : undefined;
	} else {
		// The transport's NodeApiError; only a refusal to list is answered differently.
		const error = listed.error;
		const status = error instanceof NodeApiError ? error.httpCode : undefined;
		if (status !== '401' && status !== '403') throw error;
		const credentials = await this.getCredentials(credentialType);
		const appId = typeof credentials.appId === 'string' ? credentials.appId.trim() : '';
		if (!appId) {
			(error as NodeApiError).description =
				'Only account and service account keys can list apps. With an app key, set "App ID" in the credential, or enter it in the App field by ID.';
			throw error;
		}
		const response = await sendRequest(
			this,
			sunshineProvider,
			{ method: 'GET', url: `${base}/v2/apps/${encodePathSegment(appId)}`, idempotent: true, credentialType },
			0,
		);
		const app = (response.body as { app?: SunshineApp } | undefined)?.app;
		apps = app ? [app] : [];
	}
	const needle = filter?.trim().toLowerCase();
	const results = apps
		.map(toResult)
		.filter((result): result is INodeListSearchItems => result !== undefined)
		.filter((result) => !needle || result.name.toLowerCase().includes(needle) || String(result.value).toLowerCase().includes(needle));
	return { results, paginationToken: next };
}
