/**
 * The trigger's items, made in the execution (on a worker in queue mode) rather than while Asana
 * waits for its answer (10 seconds at most): webhook() starts the workflow with one item per
 * attachment event, then n8n runs the node's execute() on those items, which reads each added
 * attachment's record (`GET /attachments/{gid}`) and, with Download File, streams its file from
 * the record's pre-signed `download_url` into the binary field, both through the shared transport
 * (retries, URL checks, bounds, secrets kept out of outputs and errors).
 *
 * Output: the attachment's record (`gid`, `name`, `resource_subtype`, `size`, `download_url`,
 * `parent`, …), `parentId` (the task or project it was attached to), and `event` (what Asana
 * reported: `action`, `user`, `created_at`, `parent`). A removed attachment has no record left:
 * its item is the compact resource of the event (`gid`, `resource_type`, `resource_subtype`).
 * An attachment that is an external link (no file) comes with its record and no binary.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executeOperation } from '../../shared/transport';
import { triggerOutputs } from '../../shared/trigger';
import { asanaProvider } from '../provider';
import { downloadRecordFile, getAttachmentForDownload, readRecord } from '../operations/get';
import type { TriggerItem } from './deliveries';

/** Items of one delivery handled at once (two calls each: the record, then the file). */
export const TRIGGER_CONCURRENCY = 10;

function eventOf(item: TriggerItem): IDataObject {
	return { type: item.event, action: item.action, created_at: item.createdAt, user: item.user, parent: item.parent };
}

async function itemFor(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const item = ctx.getInputData()[itemIndex].json as TriggerItem;
	const gid = String((item.attachment as IDataObject | undefined)?.gid ?? '');
	if (!/^\d+$/.test(gid)) throw new NodeOperationError(ctx.getNode(), 'The event names no attachment ID', { itemIndex });
	const shape = (record: IDataObject): IDataObject => {
		const parent = record.parent as IDataObject | undefined;
		return { ...record, parentId: typeof parent?.gid === 'string' ? parent.gid : item.parentId, event: eventOf(item) };
	};
	if (item.event === 'removed') return [{ json: shape({ ...item.attachment }) }];

	const [read] = await executeOperation(ctx, asanaProvider, getAttachmentForDownload, itemIndex, { values: { attachmentId: gid } });
	if (!read) throw new NodeOperationError(ctx.getNode(), `Asana returned no record for attachment ${gid}`, { itemIndex });
	const download = ctx.getNodeParameter('download', itemIndex, true) as boolean;
	if (!download || typeof read.json.download_url !== 'string' || read.json.download_url === '') return [{ json: shape(read.json) }];
	return await downloadRecordFile(ctx, itemIndex, read.json, async () => await readRecord(ctx, itemIndex, { attachmentId: gid }), shape);
}

/** The node's execute(): every item of the delivery, a few at a time, in order. */
export async function outputItems(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await triggerOutputs(ctx, asanaProvider, TRIGGER_CONCURRENCY, async (itemIndex) => await itemFor(ctx, itemIndex));
}
