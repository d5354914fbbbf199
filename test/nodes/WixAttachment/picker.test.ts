/**
 * The Attachment picker lists the attachments of the contact in Contact ID, through n8n-core's
 * real LoadOptionsContext, signed by the credential the Authentication parameter picks.
 */
import { DEFAULT_API_KEY } from '../../servers/wix-server';
import type { WixServer } from '../../servers/wix-server';
import { CONTACT_ID, expectConformingRequests, header, loadWixValidator, searchAttachments, startServer } from './context';

let server: WixServer;
let validator: Awaited<ReturnType<typeof loadWixValidator>>;
beforeAll(async () => {
	server = await startServer();
	validator = await loadWixValidator();
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());
afterEach(() => expectConformingRequests(validator, server.requests));

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
])('asks for the Contact ID first when there is %s', async (_name, contactId) => {
	await expect(searchAttachments(server, { contactId })).rejects.toThrow('Enter a Contact ID first: the list shows the attachments of that contact');
	expect(server.requests).toHaveLength(0);
});
