/**
 * Where a Sunshine Conversations account's API lives, as its credential says: a Zendesk
 * subdomain (`https://{subdomain}.zendesk.com/sc`), the legacy US or EU hosts, or a custom URL.
 * The credential fields and its test request are declared here once for both credentials.
 */
import type { ICredentialDataDecryptedObject, ICredentialTestRequest, INodeProperties } from 'n8n-workflow';

import { baseUrlOverride } from '../shared/description';

export const SUNSHINE_US_URL = 'https://api.smooch.io';
export const SUNSHINE_EU_URL = 'https://api.eu-1.smooch.io';

export type SunshineRegion = 'zendesk' | 'us' | 'eu' | 'custom';

const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** The API base URL (no trailing slash), or what is wrong with the credential. */
export function resolveApiBase(
	credentials: ICredentialDataDecryptedObject | undefined,
): { url: string } | { problem: string } {
	const override = typeof credentials?.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	const region = (credentials?.region as SunshineRegion | undefined) ?? 'zendesk';
	if (override) {
		if (!/^https?:\/\/[^/?#\s]+/i.test(override)) {
			return { problem: `The credential's "${region === 'custom' ? 'Custom URL' : 'Base URL Override'}" is not an http(s) URL` };
		}
		return { url: override.replace(/\/+$/, '') };
	}
	switch (region) {
		case 'us':
			return { url: SUNSHINE_US_URL };
		case 'eu':
			return { url: SUNSHINE_EU_URL };
		case 'custom':
			return { problem: 'The credential\'s "Custom URL" is empty' };
		case 'zendesk':
		default: {
			const subdomain = typeof credentials?.subdomain === 'string' ? credentials.subdomain.trim() : '';
			if (!subdomain) return { problem: 'The credential\'s "Zendesk Subdomain" is empty' };
			if (!SUBDOMAIN.test(subdomain)) {
				return {
					problem: `The credential's "Zendesk Subdomain" "${subdomain}" is not a subdomain: enter only the part before .zendesk.com, e.g. acme`,
				};
			}
			return { url: `https://${subdomain.toLowerCase()}.zendesk.com/sc` };
		}
	}
}

/** The same choice as resolveApiBase, as an n8n expression for the credential test request. */
const BASE_URL_EXPRESSION =
	"={{ String($credentials.baseUrl || '').trim() ? String($credentials.baseUrl).trim() : " +
	`$credentials.region === 'us' ? '${SUNSHINE_US_URL}' : $credentials.region === 'eu' ? '${SUNSHINE_EU_URL}' : ` +
	"'https://' + String($credentials.subdomain || '').trim().toLowerCase() + '.zendesk.com/sc' }}";

/**
 * Tests the key: the credential's app when it names one (app keys can read only their app),
 * otherwise the account's app list (account and service account keys).
 */
export const sunshineCredentialTest: ICredentialTestRequest = {
	request: {
		baseURL: BASE_URL_EXPRESSION,
		url: "={{ String($credentials.appId || '').trim() ? '/v2/apps/' + encodeURIComponent(String($credentials.appId).trim()) : '/v2/apps' }}",
		method: 'GET',
	},
};

/** Region, subdomain, base URL, key ID, secret and app: the fields both credentials share. */
export function sunshineCredentialProperties(secretDescription: string): INodeProperties[] {
	return [
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			options: [
				{ name: 'Zendesk Subdomain', value: 'zendesk', description: 'For licensed Zendesk customers: https://{subdomain}.zendesk.com/sc' },
				{ name: 'United States (Legacy)', value: 'us', description: `For legacy Sunshine Conversations accounts: ${SUNSHINE_US_URL}` },
				{ name: 'European Union (Legacy)', value: 'eu', description: `For legacy Sunshine Conversations accounts: ${SUNSHINE_EU_URL}` },
				{ name: 'Custom URL', value: 'custom', description: 'Any other host, e.g. a proxy' },
			],
			default: 'zendesk',
			description: 'Where the API of the account lives',
		},
		{
			displayName: 'Zendesk Subdomain',
			name: 'subdomain',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. acme',
			description: 'The part before .zendesk.com of your Zendesk URL',
			displayOptions: { show: { region: ['zendesk'] } },
		},
		{
			displayName: 'Custom URL',
			name: 'baseUrl',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. https://sunshine-proxy.example.com',
			description: 'The base URL the API paths (/v2/apps/…) are appended to',
			displayOptions: { show: { region: ['custom'] } },
		},
		{ ...baseUrlOverride(4040, 'Leave empty to use the region\'s URL. Set it to send the requests to a sandbox or proxy instead.'), displayOptions: { hide: { region: ['custom'] } } },
		{
			displayName: 'Key ID',
			name: 'keyId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. app_5e8c3b1f2a9d4c0012ab34cd',
			description: 'The ID of a Conversations API key (Zendesk Admin Center → Apps and integrations → Conversations API)',
		},
		{
			displayName: 'Secret Key',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: secretDescription,
		},
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			placeholder: 'e.g. 5ec41c54fe13cc5ac404bedc',
			description:
				'The app an app key belongs to (shown next to the key). Used to test the credential and offered in the App list. Leave empty for account or service account keys.',
		},
	];
}
