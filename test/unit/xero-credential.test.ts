/** The Xero credential's scopes: read and write, or read only (least privilege for Get and Get Many). */
import {
	XERO_SCOPES,
	XERO_TRIGGER_SCOPES,
	XERO_TRIGGER_SCOPE_DEFAULT,
	XeroAttachmentOAuth2Api,
	xeroScope,
} from '../../credentials/XeroAttachmentOAuth2Api.credentials';
import { DOCUMENT_LISTINGS } from '../../nodes/XeroAttachment/trigger/documentLists';
import { XERO_PARENT_TYPES } from '../../nodes/XeroAttachment/parentTypes';

const type = new XeroAttachmentOAuth2Api();
const value = (name: string) => type.properties.find((p) => p.name === name)?.default;
// The scope is an expression of the Access choice, as n8n evaluates a credential's expressions with $self.
const scopeFor = (access: string, triggerScopes?: string[]) =>
	new Function('$self', `return ${String(value('scope')).slice(3, -2)}`)({ access, triggerScopes }) as string;

it('asks for attachments read and write by default, and read only on request', () => {
	expect(value('access')).toBe('readWrite');
	expect(scopeFor('readWrite')).toBe('offline_access accounting.attachments');
	expect(scopeFor('read')).toBe('offline_access accounting.attachments.read');
	expect(XERO_SCOPES).toEqual({ readWrite: scopeFor('readWrite'), read: scopeFor('read') });
});

it("keeps its own name apart from n8n's Xero credential", () => {
	expect(type.name).toBe('xeroAttachmentOAuth2Api');
	expect(type.extends).toEqual(['oAuth2Api']);
	expect(value('accessTokenUrl')).toBe('https://identity.xero.com/connect/token');
});

it("adds the read scopes of the trigger's documents, with either Access (Xero's granular scopes)", () => {
	expect(value('triggerScopes')).toEqual(XERO_TRIGGER_SCOPE_DEFAULT);
	const documents = 'accounting.invoices.read accounting.banktransactions.read accounting.manualjournals.read accounting.contacts.read accounting.settings.read';
	expect(scopeFor('readWrite', XERO_TRIGGER_SCOPE_DEFAULT)).toBe(`offline_access accounting.attachments ${documents}`);
	expect(scopeFor('read', XERO_TRIGGER_SCOPE_DEFAULT)).toBe(`offline_access accounting.attachments.read ${documents}`);
	expect(scopeFor('read', ['receipts'])).toBe('offline_access accounting.attachments.read accounting.classicexpenses.read');
	expect(scopeFor('read', [])).toBe(XERO_SCOPES.read);
	// The expression and its TypeScript twin agree.
	for (const access of ['read', 'readWrite']) {
		for (const groups of [[], XERO_TRIGGER_SCOPE_DEFAULT, Object.keys(XERO_TRIGGER_SCOPES)]) {
			expect(scopeFor(access, groups)).toBe(xeroScope(access, groups));
		}
	}
	// No write scope of a document, ever: the trigger only reads.
	expect(Object.values(XERO_TRIGGER_SCOPES).every(({ scope }) => scope.endsWith('.read'))).toBe(true);
});

it('every document type of the trigger has its read scope among the choices, the deprecated Receipts opt-in', () => {
	for (const type of XERO_PARENT_TYPES) {
		const group = DOCUMENT_LISTINGS[type.value].scopeGroup;
		expect(Object.keys(XERO_TRIGGER_SCOPES)).toContain(group);
		expect(XERO_TRIGGER_SCOPE_DEFAULT.includes(group)).toBe(type.value !== 'receipt');
	}
});
