/**
 * Set-up of the Xero Attachment Trigger tests: polls through n8n-core's real PollContext
 * (test/support/n8n-harness.ts runPoll) against the Xero emulator, uploads made the way a user
 * of Xero makes them (an HTTP PUT to the emulator, which moves the document as Xero does), the
 * trigger's state as n8n keeps it, and the spec check of every request, document lists included.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { XeroAttachmentOAuth2Api } from '../../../credentials/XeroAttachmentOAuth2Api.credentials';
import { XeroAttachmentTrigger } from '../../../nodes/XeroAttachment/XeroAttachmentTrigger.node';
import type { TriggerState } from '../../../nodes/XeroAttachment/trigger/state';
import { runPoll, runWorkflow } from '../../support/n8n-harness';
import type { RunPollResult } from '../../support/n8n-harness';
import { SPEC_FILES, loadSpecValidator, requireSpecs } from '../../support/spec';
import type { SpecValidator } from '../../support/spec';
import { DEFAULT_ACCESS_TOKEN, PARENT_TYPES } from '../../../sandbox/xero/server';
import type { AttachmentRecord, XeroServer } from '../../../sandbox/xero/server';
import { TENANT_ID, xeroCredentials } from './context';

export const TRIGGER_TYPE = 'n8n-nodes-attachments.xeroAttachmentTrigger';
export const POLL_NODE = 'Xero Attachment Trigger';

/** One watched workflow: its static data lives here between polls, as n8n keeps it in the workflow. */
export class Watcher {
	readonly staticData: IDataObject = {};
	/** The credential the polls use (default: the emulator's, `xeroCredentials(server)`). */
	credentials: ICredentialDataDecryptedObject;

	constructor(
		private readonly server: XeroServer,
		public parameters: INodeParameters,
	) {
		this.credentials = xeroCredentials(server);
	}

	/** One poll; `server.requests` holds what it sent (reset before). */
	async poll(): Promise<RunPollResult> {
		this.server.requests.length = 0;
		return await runPoll({
			nodeTypes: [new XeroAttachmentTrigger()],
			credentialTypes: [new XeroAttachmentOAuth2Api()],
			node: { type: TRIGGER_TYPE, name: POLL_NODE, parameters: withDefaults(this.parameters) },
			credentials: { xeroAttachmentOAuth2Api: this.credentials },
			staticData: this.staticData,
		});
	}

	/** The trigger's state as n8n stores it (undefined before the first poll that kept one). */
	state(): TriggerState | undefined {
		const node = this.staticData[`node:${POLL_NODE}`] as IDataObject | undefined;
		return node?.xeroAttachmentTrigger as TriggerState | undefined;
	}
}

export function withDefaults(parameters: INodeParameters): INodeParameters {
	return { tenantId: { __rl: true, mode: 'id', value: TENANT_ID }, documentType: 'invoice', ...parameters };
}

/** The trigger run as the editor's "Fetch Test Event" runs it: a manual execution of the workflow. */
export async function fetchTestEvent(server: XeroServer, parameters: INodeParameters) {
	server.requests.length = 0;
	const result = await runWorkflow(
		{
			nodes: [
				{
					id: 'trigger',
					name: POLL_NODE,
					type: TRIGGER_TYPE,
					typeVersion: 1,
					position: [0, 0],
					parameters: withDefaults(parameters),
					credentials: { xeroAttachmentOAuth2Api: { id: 'harness-xeroAttachmentOAuth2Api', name: 'Xero' } },
				},
			],
			connections: {},
		},
		{
			nodeTypes: [new XeroAttachmentTrigger()],
			credentialTypes: [new XeroAttachmentOAuth2Api()],
			credentials: { xeroAttachmentOAuth2Api: xeroCredentials(server) },
		},
	);
	return { ...result, items: result.outputOf(POLL_NODE) };
}

/** A file attached the way Xero's API (or its web app, for all the trigger can tell) attaches it. */
export async function uploadAttachment(
	server: XeroServer,
	parentPath: string,
	documentId: string,
	fileName: string,
	content: Buffer,
	mimeType = 'application/pdf',
	method: 'PUT' | 'POST' = 'PUT',
): Promise<AttachmentRecord> {
	const response = await fetch(`${server.accountingBaseUrl}/${parentPath}/${documentId}/Attachments/${encodeURIComponent(fileName)}`, {
		method,
		headers: {
			authorization: `Bearer ${DEFAULT_ACCESS_TOKEN}`,
			'xero-tenant-id': TENANT_ID,
			'content-type': mimeType,
			accept: 'application/json',
		},
		body: new Uint8Array(content),
	});
	if (response.status !== 200) throw new Error(`upload: ${response.status} ${await response.text()}`);
	const stored = server.attachments(parentPath, documentId).find((record) => record.fileName === fileName);
	if (!stored) throw new Error('upload: not stored');
	return stored;
}

/** The document list paths of Xero's spec, besides its attachment paths. */
const LIST_PATHS = new RegExp(`/Attachments|^/(${PARENT_TYPES.join('|')})$`);

/** Xero's accounting spec for the attachment and document list paths, unless the specs are missing outside CI. */
export async function loadTriggerValidator(): Promise<SpecValidator | undefined> {
	if (!requireSpecs([SPEC_FILES.xeroAccounting], 'Xero spec conformance checks')) return undefined;
	return await loadSpecValidator(SPEC_FILES.xeroAccounting, { paths: LIST_PATHS });
}

export function expectConformingTriggerRequests(validator: SpecValidator | undefined, requests: XeroServer['requests']): void {
	if (!validator) return;
	for (const request of requests) {
		const violations = validator.validate(request);
		expect({ request: `${request.method} ${request.url}`, violations }).toEqual({ request: `${request.method} ${request.url}`, violations: [] });
	}
}

/** `GET /Invoices?…` → `list Invoices`, `GET …/Attachments` → `attachments`, a file → `download`: what a poll spent its calls on. */
export function callsOf(server: XeroServer): string[] {
	return server.requests.map((request) => {
		const path = request.path.replace('/api.xro/2.0/', '');
		if (/\/Attachments$/.test(path)) return 'attachments';
		if (/\/Attachments\//.test(path)) return 'download';
		return `list ${path}`;
	});
}
