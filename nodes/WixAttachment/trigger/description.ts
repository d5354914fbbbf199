/**
 * The parameters of the Wix Attachment Trigger, in the order the panel shows them: what to do at
 * Wix (a notice: Wix has no API to register webhooks, the URL is pasted in the app's dashboard),
 * the events, the site, and the file.
 */
import type { INodeProperties } from 'n8n-workflow';

import { downloadFileFields, optionsCollection, timeoutOption } from '../../shared/description';
import { ATTACHMENT_CREATED, ATTACHMENT_DELETED } from './events';

export const WIX_DASHBOARD_NOTICE =
	"Wix registers webhooks in your app's dashboard, not through its API, so activating this workflow registers nothing: copy this node's Production URL (Webhook URLs, above) and paste it in the Wix app dashboard → Develop → Webhooks → Create Webhook, for the Contacts events Attachment Created (and Attachment Deleted if chosen below). Use the Test URL there while you listen for a test event. Wix signs each delivery; the credential's Public Key (Webhooks → Get Public Key) verifies it.";

export const wixTriggerProperties: INodeProperties[] = [
	{
		displayName: WIX_DASHBOARD_NOTICE,
		name: 'dashboardNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: [
			{ name: 'Attachment Created', value: ATTACHMENT_CREATED, description: 'A file was attached to a contact (an upload finished)' },
			{ name: 'Attachment Deleted', value: ATTACHMENT_DELETED, description: "A contact's attachment was deleted (the event names the attachment only; there is no file)" },
		],
		default: [ATTACHMENT_CREATED],
		required: true,
		description: 'Which events start the workflow, one item per attachment. Subscribe to the same ones in the Wix app dashboard.',
	},
	{
		displayName: 'Instance ID',
		name: 'instanceId',
		type: 'string',
		default: '',
		placeholder: 'e.g. c3d9e2f1-6a7b-4c8d-9e0f-1a2b3c4d5e6f',
		description: "Only events of the site where the app has this instance ID. Leave empty for every site the app is installed on (Wix sends all of them to one URL).",
	},
	...downloadFileFields("Whether to download a created attachment's file into a binary field, named and typed as the attachment record says"),
	optionsCollection([timeoutOption], { show: { download: [true] } }),
];
