/**
 * The spec check the Wix tests rely on is not vacuous: requests the Wix spec forbids are
 * reported, the node's own requests are not.
 */
import { describeWithSpecs, SPEC_FILES } from '../../support/spec';
import type { RecordedRequest } from '../../support/spec';
import { DEFAULT_API_KEY, DEFAULT_SITE_ID } from '../../../sandbox/wix/server';
import { CONTACT_ID, loadWixValidator } from './context';

const auth = { authorization: DEFAULT_API_KEY, 'wix-site-id': DEFAULT_SITE_ID };
const request = (method: string, url: string, headers: Record<string, string> = auth, body?: unknown): RecordedRequest => {
	const bytes = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
	return {
		method,
		url,
		headers: bytes ? { ...headers, 'content-type': 'application/json' } : headers,
		body: bytes,
		bodySize: bytes?.length ?? 0,
	};
};
const attachment = '2e7bb2c4-5b1d-4d8a-9c0e-1f2a3b4c5d6e';

describeWithSpecs('Wix spec check', [SPEC_FILES.wix], () => {
	let validate: (req: RecordedRequest) => string[];
	let validateContacts: (req: RecordedRequest) => string[];
	beforeAll(async () => {
		const validators = (await loadWixValidator())!;
		validate = (req) => validators.attachments.validate(req);
		validateContacts = (req) => validators.contacts.validate(req);
	});

	it.each([
		['the credential test (List Contacts)', request('GET', '/contacts/v4/contacts?paging.limit=1')],
		['a Contact picker search (Query Contacts)', request('POST', '/contacts/v4/contacts/query', auth, { search: 'ada', query: { paging: { limit: 100, offset: 0 }, fieldsets: ['BASIC'] } })],
	])('the contacts spec accepts %s', (_name, req) => {
		expect(validateContacts(req)).toEqual([]);
	});

	it.each([
		['a contacts page over 1,000', request('GET', '/contacts/v4/contacts?paging.limit=1001')],
		['a search over 100 characters', request('POST', '/contacts/v4/contacts/query', auth, { search: 'a'.repeat(101) })],
		['a query field Wix does not know', request('POST', '/contacts/v4/contacts/query', auth, { query: { page: 2 } })],
	])('the contacts spec reports %s', (_name, req) => {
		expect(validateContacts(req).length).toBeGreaterThan(0);
	});

	it.each([
		['a listing', request('GET', `/contacts/v4/attachments/${CONTACT_ID}?paging.limit=100&paging.offset=200`)],
		['a get', request('GET', `/contacts/v4/attachments/${CONTACT_ID}/${attachment}`)],
		['a delete', request('DELETE', `/contacts/v4/attachments/${CONTACT_ID}/${attachment}`)],
		['an upload URL request', request('POST', `/contacts/v4/attachments/${CONTACT_ID}/upload-url`, auth, { contactId: CONTACT_ID, fileName: 'a.pdf', mimeType: 'application/pdf' })],
		['an app token call', request('GET', `/contacts/v4/attachments/${CONTACT_ID}`, { authorization: 'OauthNG.JWS.x' })],
	])('accepts %s as the node sends it', (_name, req) => {
		expect(validate(req)).toEqual([]);
	});

	it.each([
		['no credential at all', request('GET', `/contacts/v4/attachments/${CONTACT_ID}`, {})],
		['a contact ID that is not a GUID', request('GET', '/contacts/v4/attachments/ada')],
		['a page over 100', request('GET', `/contacts/v4/attachments/${CONTACT_ID}?paging.limit=101`)],
		['a negative offset', request('GET', `/contacts/v4/attachments/${CONTACT_ID}?paging.offset=-1`)],
		['an upload URL request without MIME type', request('POST', `/contacts/v4/attachments/${CONTACT_ID}/upload-url`, auth, { fileName: 'a.pdf' })],
		['a file name over 260 characters', request('POST', `/contacts/v4/attachments/${CONTACT_ID}/upload-url`, auth, { fileName: `${'a'.repeat(257)}.pdf`, mimeType: 'application/pdf' })],
		['an unknown path', request('GET', `/contacts/v4/attachments/${CONTACT_ID}/${attachment}/download`)],
		['an unknown method', request('PUT', `/contacts/v4/attachments/${CONTACT_ID}/${attachment}`)],
	])('reports %s', (_name, req) => {
		expect(validate(req).length).toBeGreaterThan(0);
	});
});
