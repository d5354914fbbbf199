/** Get Many: the attachments of a task, project or project brief, following Asana's pages. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executeOperation } from '../../shared/transport';
import type { OperationSpec } from '../../shared/transport';
import { asanaProvider, optFieldsField, parentField } from '../provider';
import { dataList, forAgents } from './records';

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
};

export async function getManyAttachments(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	return forAgents(ctx, await executeOperation(ctx, asanaProvider, listAttachments, itemIndex));
}
