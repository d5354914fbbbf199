/** Pickers: the site's contacts (Query Contacts), and the attachments of the chosen contact, a page of 100 at a time. */
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { encodePathSegment, sendRequest, validators } from '../../shared/transport';
import { WIX_PAGE_SIZE, attachmentsOf, nextPage } from '../operations/getMany';
import { credentialTypeFor, wixBaseUrl, wixProvider } from '../provider';

function currentParameter(ctx: ILoadOptionsFunctions, name: string, fallback: unknown): unknown {
	return ctx.getCurrentNodeParameter(name) ?? ctx.getNodeParameter(name, fallback);
}

/** The plain value of a parameter that is a resource locator now and was a string before. */
function plainValue(value: unknown): string {
	const inner = value && typeof value === 'object' && 'value' in value ? (value as { value: unknown }).value : value;
	return typeof inner === 'string' ? inner.trim() : '';
}

/** Contacts per page of the Contact list (Query Contacts allows 1,000). */
const CONTACTS_PAGE = 100;

interface WixContactRecord {
	id?: unknown;
	primaryInfo?: { email?: unknown };
	info?: { name?: { first?: unknown; last?: unknown } };
}

function contactName(contact: WixContactRecord): { name: string; email?: string } {
	const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
	const full = [text(contact.info?.name?.first), text(contact.info?.name?.last)].filter(Boolean).join(' ');
	const email = text(contact.primaryInfo?.email);
	return { name: full || email || String(contact.id), email: full ? email : undefined };
}

/**
 * The site's contacts, newest first, matching the typed text (Wix's own search on first name,
 * last name, email and phone): Query Contacts, which needs "Read Contacts" (CONTACTS.VIEW).
 */
export async function searchContacts(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const credentialType = credentialTypeFor(currentParameter(this, 'authentication', 'apiKey'));
	const offset = Math.max(0, Number.parseInt(paginationToken ?? '0', 10) || 0);
	const search = filter?.trim().slice(0, 100);
	const body: IDataObject = { query: { paging: { limit: CONTACTS_PAGE, offset }, fieldsets: ['BASIC'] } };
	if (search) body.search = search;
	const response = await sendRequest(
		this,
		wixProvider,
		{
			method: 'POST',
			url: `${await wixBaseUrl(this, credentialType)}/contacts/v4/contacts/query`,
			headers: { 'Content-Type': 'application/json' },
			body: async () => body,
			idempotent: true,
			credentialType,
		},
		0,
	);
	const page = response.body as { contacts?: WixContactRecord[]; pagingMetadata?: { count?: number; total?: number } } | undefined;
	const contacts = Array.isArray(page?.contacts) ? page.contacts : [];
	const results = contacts
		.filter((contact) => typeof contact.id === 'string')
		.map((contact) => {
			const { name, email } = contactName(contact);
			return { name, value: contact.id as string, ...(email ? { description: email } : {}) };
		});
	const total = page?.pagingMetadata?.total;
	const next = offset + contacts.length;
	const more = typeof total === 'number' ? next < total : contacts.length === CONTACTS_PAGE;
	return { results, paginationToken: more && contacts.length > 0 ? String(next) : undefined };
}

export async function searchAttachments(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const contactId = plainValue(currentParameter(this, 'contactId', ''));
	if (!validators.isGuid(contactId)) {
		throw new NodeOperationError(this.getNode(), 'Choose the Contact first: the list shows the attachments of that contact', {
			description: contactId.startsWith('=')
				? 'The list cannot use an expression; enter the ID itself, or give the attachment by ID.'
				: 'The contact ID is a GUID, e.g. 8d1f6a2e-3b4c-4d5e-9f60-7a8b9c0d1e2f.',
		});
	}
	const credentialType = credentialTypeFor(currentParameter(this, 'authentication', 'apiKey'));
	const offset = Math.max(0, Number.parseInt(paginationToken ?? '0', 10) || 0);
	const query: IDataObject = { 'paging.limit': WIX_PAGE_SIZE, 'paging.offset': offset };
	const response = await sendRequest(
		this,
		wixProvider,
		{
			method: 'GET',
			url: `${await wixBaseUrl(this, credentialType)}/contacts/v4/attachments/${encodePathSegment(contactId)}`,
			qs: query,
			idempotent: true,
			credentialType,
		},
		0,
	);
	const needle = filter?.trim().toLowerCase();
	const results = attachmentsOf(response.body)
		.filter((attachment) => typeof attachment.id === 'string')
		.map((attachment) => ({
			name: typeof attachment.fileName === 'string' && attachment.fileName ? attachment.fileName : String(attachment.id),
			value: attachment.id as string,
			description: typeof attachment.mimeType === 'string' ? attachment.mimeType : undefined,
		}))
		.filter((result) => !needle || result.name.toLowerCase().includes(needle) || result.value.toLowerCase().includes(needle));
	const next = nextPage(response.body, query);
	return { results, paginationToken: next ? String(next['paging.offset']) : undefined };
}
