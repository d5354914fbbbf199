/**
 * "Custom API Call", which n8n adds to the Resource and Operation lists of all four nodes (their
 * credentials can sign other requests), run through n8n-core's real WorkflowExecute: the node
 * answers with where the call is made (an HTTP Request node with the same credential), and
 * nothing is sent.
 */
import type { INodeParameters, INodeType } from 'n8n-workflow';

import { AsanaAttachmentApi } from '../../credentials/AsanaAttachmentApi.credentials';
import { AsanaAttachmentOAuth2Api } from '../../credentials/AsanaAttachmentOAuth2Api.credentials';
import { SunshineConversationsAttachmentApi } from '../../credentials/SunshineConversationsAttachmentApi.credentials';
import { SunshineConversationsAttachmentJwtApi } from '../../credentials/SunshineConversationsAttachmentJwtApi.credentials';
import { WixAttachmentApi } from '../../credentials/WixAttachmentApi.credentials';
import { WixAttachmentAppOAuthApi } from '../../credentials/WixAttachmentAppOAuthApi.credentials';
import { XeroAttachmentOAuth2Api } from '../../credentials/XeroAttachmentOAuth2Api.credentials';
import { AsanaAttachment } from '../../nodes/AsanaAttachment/AsanaAttachment.node';
import { SunshineConversationsAttachment } from '../../nodes/SunshineConversationsAttachment/SunshineConversationsAttachment.node';
import { WixAttachment } from '../../nodes/WixAttachment/WixAttachment.node';
import { XeroAttachment } from '../../nodes/XeroAttachment/XeroAttachment.node';
import { runNode } from '../support/n8n-harness';

const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

const NODES: Array<[string, INodeType, string[]]> = [
	['Xero', new XeroAttachment(), [new XeroAttachmentOAuth2Api().displayName]],
	['Asana', new AsanaAttachment(), [new AsanaAttachmentApi().displayName, new AsanaAttachmentOAuth2Api().displayName]],
	['Wix', new WixAttachment(), [new WixAttachmentApi().displayName, new WixAttachmentAppOAuthApi().displayName]],
	[
		'Sunshine Conversations',
		new SunshineConversationsAttachment(),
		[new SunshineConversationsAttachmentApi().displayName, new SunshineConversationsAttachmentJwtApi().displayName],
	],
];

describe.each(NODES)('%s Attachment under Custom API Call', (service, node, credentialNames) => {
	it.each([{ resource: CUSTOM_API_CALL }, { operation: CUSTOM_API_CALL }])('%j points to the HTTP Request node', async (parameters) => {
		const result = await runNode({
			nodeTypes: [node],
			credentialTypes: [],
			node: { type: `n8n-nodes-attachments.${node.description.name}`, parameters: parameters as INodeParameters },
		});
		expect(result.error?.message).toBe('Custom API Call is made with the HTTP Request node, not with this node');
		const description = (result.error as { description?: string }).description ?? '';
		expect(description).toContain(`To call any ${service} endpoint, add an HTTP Request node`);
		expect(description).toContain('"Predefined Credential Type"');
		for (const name of credentialNames) expect(description).toContain(`"${name}"`);
	});
});
