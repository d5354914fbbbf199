import type { ICredentialType, INodeProperties } from 'n8n-workflow';

import { authorizationCodeFields, baseUrlOverride } from '../nodes/shared/description';

/** The scopes of each Access choice: attachments read and written, or read only (least privilege for Get and Get Many). */
export const XERO_SCOPES = {
	readWrite: 'offline_access accounting.attachments',
	read: 'offline_access accounting.attachments.read',
} as const;

/**
 * The read scopes the Xero Attachment Trigger needs to list documents, in Xero's granular scopes
 * (required for apps created from 2 March 2026, available to every app since April 2026; the
 * broad `accounting.transactions` is deprecated): each choice of the credential's "Trigger
 * Documents" adds one scope, read only, whatever the Access.
 */
export const XERO_TRIGGER_SCOPES = {
	invoices: { scope: 'accounting.invoices.read', documents: 'Invoices, Credit Notes, Purchase Orders, Quotes, Repeating Invoices' },
	bankTransactions: { scope: 'accounting.banktransactions.read', documents: 'Bank Transactions, Bank Transfers' },
	manualJournals: { scope: 'accounting.manualjournals.read', documents: 'Manual Journals' },
	contacts: { scope: 'accounting.contacts.read', documents: 'Contacts' },
	accounts: { scope: 'accounting.settings.read', documents: 'Accounts (the chart of accounts)' },
	receipts: { scope: 'accounting.classicexpenses.read', documents: 'Receipts (Classic Expenses, deprecated by Xero)' },
} as const;

export type XeroTriggerScopeGroup = keyof typeof XERO_TRIGGER_SCOPES;

/** Trigger Documents by default: every group but Receipts (a deprecated endpoint: asked for only when chosen). */
export const XERO_TRIGGER_SCOPE_DEFAULT: XeroTriggerScopeGroup[] = ['invoices', 'bankTransactions', 'manualJournals', 'contacts', 'accounts'];

/** The scope a credential with these values asks for (what the hidden Scope expression computes). */
export function xeroScope(access: string, triggerGroups: readonly string[]): string {
	const base = access === 'read' ? XERO_SCOPES.read : XERO_SCOPES.readWrite;
	const extra = Object.entries(XERO_TRIGGER_SCOPES)
		.filter(([group]) => triggerGroups.includes(group))
		.map(([, { scope }]) => scope);
	return [base, ...extra].join(' ');
}

/**
 * Xero OAuth2 (authorization code) asking for the attachment scopes (read and write, or read only)
 * and, for the trigger, the read-only scopes of the documents it lists. Kept apart from n8n's
 * built-in Xero credential (`xeroOAuth2Api`), which asks for the scopes of n8n's own Xero node.
 */
export class XeroAttachmentOAuth2Api implements ICredentialType {
	name = 'xeroAttachmentOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Xero Attachment OAuth2 API';

	icon = { light: 'file:../icons/xero.svg', dark: 'file:../icons/xero.dark.svg' } as const;

	documentationUrl = 'https://developer.xero.com/documentation/guides/oauth2/auth-flow';

	properties: INodeProperties[] = [
		...authorizationCodeFields('https://login.xero.com/identity/connect/authorize', 'https://identity.xero.com/connect/token'),
		{
			displayName: 'Access',
			name: 'access',
			type: 'options',
			options: [
				{ name: 'Read and Write', value: 'readWrite', description: `Get, Get Many and Upload (${XERO_SCOPES.readWrite})` },
				{ name: 'Read Only', value: 'read', description: `Get, Get Many and the trigger (${XERO_SCOPES.read}): uploads are refused by Xero` },
			],
			default: 'readWrite',
			description: "What the connection may do with documents' attachments. Reconnect after changing it.",
		},
		{
			displayName: 'Trigger Documents',
			name: 'triggerScopes',
			type: 'multiOptions',
			options: Object.entries(XERO_TRIGGER_SCOPES).map(([value, { scope, documents }]) => ({
				name: documents,
				value,
				description: `Adds ${scope}`,
			})),
			default: XERO_TRIGGER_SCOPE_DEFAULT,
			description:
				"The documents the Xero Attachment Trigger may list to find new attachments: each adds Xero's read-only scope for them. Reconnect after changing it.",
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			// Access's scopes, then one read scope per Trigger Documents choice (xeroScope says the same in TypeScript).
			default:
				`={{ ($self["access"] === "read" ? "${XERO_SCOPES.read}" : "${XERO_SCOPES.readWrite}")` +
				Object.entries(XERO_TRIGGER_SCOPES)
					.map(([group, { scope }]) => ` + (($self["triggerScopes"] || []).includes("${group}") ? " ${scope}" : "")`)
					.join('') +
				' }}',
		},
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'hidden', default: '' },
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'header' },
		baseUrlOverride(4010, 'Leave empty to talk to Xero (https://api.xero.com). Set it to send the requests to a sandbox or proxy instead.'),
	];
}
