/** The Xero credential's scopes: read and write, or read only (least privilege for Get and Get Many). */
import { XERO_SCOPES, XeroAttachmentOAuth2Api } from '../../credentials/XeroAttachmentOAuth2Api.credentials';

const type = new XeroAttachmentOAuth2Api();
const value = (name: string) => type.properties.find((p) => p.name === name)?.default;
// The scope is an expression of the Access choice, as n8n evaluates a credential's expressions with $self.
const scopeFor = (access: string) => new Function('$self', `return ${String(value('scope')).slice(3, -2)}`)({ access }) as string;

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
