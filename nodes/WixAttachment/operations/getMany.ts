/**
 * Get Many: the attachments of one contact, page by page (`paging.limit` / `paging.offset`),
 * until Wix's paging metadata says there are no more.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { forOperation, returnAllAndLimit } from '../../shared/description';
import { executeOperation } from '../../shared/transport';
import type { ListPagination, OperationSpec } from '../../shared/transport';
import { contactIdField, contactNotFound, wixProvider } from '../provider';

/** Besides Contact, and the Options that Delete shows too (see description/index.ts). */
export const description: INodeProperties[] = forOperation({ resource: ['contactAttachment'], operation: ['getAll'] }, returnAllAndLimit());

/** Wix's largest (and default) page. */
export const WIX_PAGE_SIZE = 100;

interface ListBody {
	attachments?: IDataObject[];
	metadata?: { count?: number | null; offset?: number | null; total?: number | null; tooManyToCount?: boolean | null };
}

export function attachmentsOf(body: unknown): IDataObject[] {
	const attachments = (body as ListBody | undefined)?.attachments;
	return Array.isArray(attachments) ? attachments : [];
}

/**
 * The query of the next page, or undefined on the last one: when the total is known, the page
 * that reaches it is the last; otherwise (`tooManyToCount`) a short or empty page is.
 */
export function nextPage(body: unknown, query: IDataObject): IDataObject | undefined {
	const page = attachmentsOf(body);
	if (page.length === 0) return undefined;
	const metadata = (body as ListBody).metadata ?? {};
	// The offset we asked for (the metadata echoes it): a server ignoring it cannot loop us.
	const offset = Number(query['paging.offset'] ?? 0);
	const count = typeof metadata.count === 'number' ? metadata.count : page.length;
	const next = offset + count;
	if (typeof metadata.total === 'number' && !metadata.tooManyToCount) {
		return next < metadata.total ? { 'paging.offset': next } : undefined;
	}
	const requested = Number(query['paging.limit'] ?? WIX_PAGE_SIZE);
	return count < requested ? undefined : { 'paging.offset': next };
}

export const attachmentPagination: ListPagination = {
	pageSize: { name: 'paging.limit', max: WIX_PAGE_SIZE },
	next: nextPage,
};

export const listAttachments: OperationSpec = {
	method: 'GET',
	path: '/contacts/v4/attachments/{contactId}',
	fields: [contactIdField],
	response: { kind: 'list', items: attachmentsOf, pagination: attachmentPagination },
	idempotent: true,
	notFound: contactNotFound,
};

export async function getManyAttachments(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const items = await executeOperation(ctx, wixProvider, listAttachments, itemIndex);
	if (items.length === 0) {
		// Wix answers 404 for a contact it does not have: an empty list is a contact without attachments.
		ctx.addExecutionHints({ message: 'The contact has no attachments.', location: 'outputPane' });
	}
	return items;
}
