/** Picker: the attachments of the contact given in Contact ID, a page of 100 at a time. */
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { encodePathSegment, sendRequest, validators } from '../../shared/transport';
import { WIX_PAGE_SIZE, attachmentsOf, nextPage } from '../operations/getMany';
import { credentialTypeFor, wixBaseUrl, wixProvider } from '../provider';

function currentParameter(ctx: ILoadOptionsFunctions, name: string, fallback: unknown): unknown {
	return ctx.getCurrentNodeParameter(name) ?? ctx.getNodeParameter(name, fallback);
}

export async function searchAttachments(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const raw = currentParameter(this, 'contactId', '');
	const contactId = typeof raw === 'string' ? raw.trim() : '';
	if (!validators.isGuid(contactId)) {
		throw new NodeOperationError(this.getNode(), 'Enter a Contact ID first: the list shows the attachments of that contact', {
			description: contactId.startsWith('=')
				? 'The list cannot use an expression; enter the ID itself, or give the attachment by ID.'
				: 'The Contact ID is a GUID, e.g. 4074292c-09b3-456d-84e7-add864c6c39b.',
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
