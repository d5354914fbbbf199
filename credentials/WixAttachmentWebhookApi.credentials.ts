import type { ICredentialType, INodeProperties } from 'n8n-workflow';

import { baseUrlOverride } from '../nodes/shared/description';

/**
 * What the Wix Attachment Trigger checks Wix's webhooks with: the public key of the Wix app whose
 * dashboard subscribes to the events. Wix signs each webhook (a JWT, RS256) with the app's private
 * key; only the matching public key verifies it. Nothing is sent with this credential: the
 * trigger makes no API call (the files' links come in the events).
 */
export class WixAttachmentWebhookApi implements ICredentialType {
	name = 'wixAttachmentWebhookApi';

	displayName = 'Wix Attachment Webhook API';

	icon = { light: 'file:../icons/wix.svg', dark: 'file:../icons/wix.dark.svg' } as const;

	documentationUrl = 'https://dev.wix.com/docs/build-apps/develop-your-app/api-integrations/events-and-webhooks/about-webhooks';

	properties: INodeProperties[] = [
		{
			displayName: 'Public Key',
			name: 'publicKey',
			type: 'string',
			typeOptions: { rows: 8 },
			required: true,
			default: '',
			placeholder: '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA…\n-----END PUBLIC KEY-----',
			description:
				"The public key of your Wix app: app dashboard → Webhooks → Get Public Key (or More Actions → View ID & keys). Every webhook Wix sends is a token signed with the app's private key; a delivery this key does not verify is refused.",
		},
		baseUrlOverride(4030, "Leave empty for Wix. Set it to a sandbox's URL: the file links of its events may then be on that host over plain http (a link from a real event must be https on a public host)."),
	];
}
