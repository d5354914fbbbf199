/**
 * The Attachment picker lists the attachments of the chosen contact, and the Contact picker the
 * site's contacts (Query Contacts), through n8n-core's real LoadOptionsContext, signed by the
 * credential the Authentication parameter picks.
 */
import { DEFAULT_API_KEY } from '../../../sandbox/wix/server';
import { CONTACT_ID, header, runWix, searchAttachments, searchContacts, useWixEmulator } from './context';

const server = useWixEmulator();

const base = `/contacts/v4/attachments/${CONTACT_ID}`;

it('lists the contact’s attachments by file name, with their type', async () => {
	const cv = server.seedAttachment(CONTACT_ID, 'cv.pdf', Buffer.from('%PDF'), 'application/pdf');
	const photo = server.seedAttachment(CONTACT_ID, 'Photo ID.png', Buffer.from('png'), 'image/png');
	const { result } = await searchAttachments(server, { contactId: CONTACT_ID });
	expect(result).toEqual({
		results: [
			{ name: 'cv.pdf', value: cv.id, description: 'application/pdf' },
			{ name: 'Photo ID.png', value: photo.id, description: 'image/png' },
		],
		paginationToken: undefined,
	});
	expect(server.requests.map((r) => r.url)).toEqual([`${base}?paging.limit=100&paging.offset=0`]);
	expect(header(server.requests[0], 'authorization')).toBe(DEFAULT_API_KEY);
});

it('filters by the typed text', async () => {
	server.seedAttachment(CONTACT_ID, 'cv.pdf', Buffer.from('%PDF'), 'application/pdf');
	const photo = server.seedAttachment(CONTACT_ID, 'Photo ID.png', Buffer.from('png'), 'image/png');
	const { result } = await searchAttachments(server, { contactId: CONTACT_ID }, { filter: 'photo' });
	expect(result.results.map((r) => r.value)).toEqual([photo.id]);
});

it('pages through more than 100 attachments', async () => {
	for (let i = 0; i < 130; i++) server.seedAttachment(CONTACT_ID, `f${i}.csv`, Buffer.from('x'), 'text/csv');
	const first = await searchAttachments(server, { contactId: CONTACT_ID });
	expect(first.result.results).toHaveLength(100);
	expect(first.result.paginationToken).toBe('100');
	const second = await searchAttachments(server, { contactId: CONTACT_ID }, { paginationToken: '100' });
	expect(second.result.results.map((r) => r.name)).toEqual(Array.from({ length: 30 }, (_, i) => `f${100 + i}.csv`));
	expect(second.result.paginationToken).toBeUndefined();
	expect(server.requests.map((r) => r.url)).toEqual([
		`${base}?paging.limit=100&paging.offset=0`,
		`${base}?paging.limit=100&paging.offset=100`,
	]);
});

it('lists the attachments of a contact chosen in the Contact list (a resource locator)', async () => {
	const cv = server.seedAttachment(CONTACT_ID, 'cv.pdf', Buffer.from('%PDF'), 'application/pdf');
	const { result } = await searchAttachments(server, { contactId: { __rl: true, mode: 'list', value: CONTACT_ID, cachedResultName: 'Ada Lovelace' } });
	expect(result.results.map((r) => r.value)).toEqual([cv.id]);
});

it('uses the app credential when Authentication says so', async () => {
	server.seedAttachment(CONTACT_ID, 'cv.pdf', Buffer.from('%PDF'), 'application/pdf');
	const { result, credentialsStore } = await searchAttachments(server, { authentication: 'appOAuth', contactId: CONTACT_ID });
	expect(result.results.map((r) => r.name)).toEqual(['cv.pdf']);
	expect(server.requests.map((r) => r.path)).toEqual(['/oauth2/token', base]);
	expect(header(server.requests[1], 'authorization')).toBe(credentialsStore.wixAttachmentAppOAuthApi.accessToken);
});

it.each([
	['no Contact ID', ''],
	['a Contact ID that is not a GUID', 'ada@example.com'],
	['no contact chosen in the list', { __rl: true, mode: 'list', value: '' }],
])('asks for the contact first when there is %s', async (_name, contactId) => {
	await expect(searchAttachments(server, { contactId })).rejects.toThrow('Choose the Contact first: the list shows the attachments of that contact');
	expect(server.requests).toHaveLength(0);
});

describe('the Contact list', () => {
	it('lists the site’s contacts, newest first, by name with the email as description', async () => {
		const grace = server.addContact({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' });
		const anonymous = server.addContact({ email: 'someone@example.com' });
		const { result } = await searchContacts(server);
		expect(result.results).toEqual(
			expect.arrayContaining([
				{ name: 'Grace Hopper', value: grace.id, description: 'grace@example.com' },
				{ name: 'someone@example.com', value: anonymous.id },
				expect.objectContaining({ value: CONTACT_ID }),
			]),
		);
		expect(result.paginationToken).toBeUndefined();
		expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /contacts/v4/contacts/query']);
		expect(JSON.parse(server.requests[0].body!.toString())).toEqual({ query: { paging: { limit: 100, offset: 0 }, fieldsets: ['BASIC'] } });
		expect(header(server.requests[0], 'authorization')).toBe(DEFAULT_API_KEY);
	});

	it('passes the typed text to Wix’s search', async () => {
		const grace = server.addContact({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' });
		server.addContact({ firstName: 'Alan', lastName: 'Turing' });
		const { result } = await searchContacts(server, { filter: ' hop ' });
		expect(result.results.map((r) => r.value)).toEqual([grace.id]);
		expect(JSON.parse(server.requests[0].body!.toString())).toMatchObject({ search: 'hop' });
	});

	it('pages 100 contacts at a time', async () => {
		for (let i = 0; i < 120; i++) server.addContact({ firstName: `Person ${i}` });
		const first = await searchContacts(server);
		expect(first.result.results).toHaveLength(100);
		expect(first.result.paginationToken).toBe('100');
		const second = await searchContacts(server, { paginationToken: '100' });
		expect(second.result.results).toHaveLength(21);
		expect(second.result.paginationToken).toBeUndefined();
		expect(JSON.parse(server.requests[1].body!.toString())).toMatchObject({ query: { paging: { limit: 100, offset: 100 } } });
	});

	it('a credential without "Read Contacts" gets Wix’s refusal', async () => {
		server.failNext(1, { status: 403, body: JSON.stringify({ message: 'Permission denied', details: { applicationError: { code: 'FORBIDDEN', description: 'Missing CONTACTS.VIEW' } } }) });
		await expect(searchContacts(server)).rejects.toThrow('Wix: Permission denied');
	});

	it('a chosen contact is used by the operations (a resource locator value)', async () => {
		const cv = server.seedAttachment(CONTACT_ID, 'cv.pdf', Buffer.from('%PDF'), 'application/pdf');
		const result = await runWix(server, { operation: 'getAll', contactId: { __rl: true, mode: 'list', value: CONTACT_ID, cachedResultName: 'Ada Lovelace' }, returnAll: true });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.id)).toEqual([cv.id]);
	});
});
