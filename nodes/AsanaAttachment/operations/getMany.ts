/** Get Many: the attachments of a task, project or project brief, following Asana's pages. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { forOperation, optionsCollection, returnAllAndLimit, timeoutOption } from '../../shared/description';
import { executeOperation } from '../../shared/transport';
import type { OperationSpec } from '../../shared/transport';
import { asanaProvider, fieldsOption, optFieldsField, parentField, parentNotFound } from '../provider';
import { dataList, forAgents } from './records';

/** Besides Parent, which Get Many and Upload show (see description/index.ts). */
export const description: INodeProperties[] = forOperation({ operation: ['getAll'] }, [
	...returnAllAndLimit(),
	optionsCollection([fieldsOption('The properties of each attachment to return'), timeoutOption]),
]);

/** `next_page.offset` of a page, or undefined on the last one. */
export function nextOffset(body: unknown): string | undefined {
	const offset = (body as { next_page?: { offset?: unknown } | null } | undefined)?.next_page?.offset;
	return typeof offset === 'string' && offset !== '' ? offset : undefined;
}

export const listAttachments: OperationSpec = {
	method: 'GET',
	path: '/attachments',
	fields: [parentField, optFieldsField()],
	response: {
		kind: 'list',
		items: dataList,
		pagination: {
			// Asana pages hold 100 records at most.
			pageSize: { name: 'limit', max: 100 },
			next: (body) => {
				const offset = nextOffset(body);
				return offset ? { offset } : undefined;
			},
		},
	},
	idempotent: true,
	notFound: parentNotFound,
};

export async function getManyAttachments(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const items = await executeOperation(ctx, asanaProvider, listAttachments, itemIndex);
	if (items.length === 0) {
		// An empty list is a fine answer (n8n's "Always Output Data" makes it an item): say so.
		ctx.addExecutionHints({
			message: 'Asana listed no attachments for this parent. If you expected some, check the Parent (a task, project or project brief the credential\'s user can see).',
			location: 'outputPane',
		});
	}
	return forAgents(ctx, items);
}
