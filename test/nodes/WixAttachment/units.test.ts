/**
 * The Wix node's pure parts: error parsing, paging, MIME types, media URLs, and the two
 * transport mechanisms it brought (authoritative download names, pre-resolved uploads).
 */
import { mediaUrlOf } from '../../../nodes/WixAttachment/operations/get';
import { nextPage } from '../../../nodes/WixAttachment/operations/getMany';
import { essence, isSupportedMimeType } from '../../../nodes/WixAttachment/mimeTypes';
import { credentialTypeFor, parseWixError } from '../../../nodes/WixAttachment/provider';
import { pickFileName, pickMimeType } from '../../../nodes/shared/transport/download';

describe('parseWixError', () => {
	it.each([
		[
			'an application error repeating the message',
			{ message: 'Attachment not found', details: { applicationError: { code: 'NOT_FOUND', description: 'Attachment not found', data: {} } } },
			{ message: 'Attachment not found', details: ['NOT_FOUND'] },
		],
		[
			'an application error with its own description',
			{ message: 'UNAUTHENTICATED', details: { applicationError: { code: 'UNAUTHENTICATED', description: 'Token expired' } } },
			{ message: 'UNAUTHENTICATED', details: ['UNAUTHENTICATED: Token expired'] },
		],
		[
			'an empty message, taken from the description',
			{ message: '', details: { applicationError: { code: 'PERMISSION_DENIED', description: 'Missing scope' } } },
			{ message: 'Missing scope', details: ['PERMISSION_DENIED'] },
		],
		[
			'only a code',
			{ details: { applicationError: { code: 'RESOURCE_EXHAUSTED' } } },
			{ message: 'RESOURCE_EXHAUSTED', details: [] },
		],
		[
			'a validation error with several violations',
			{
				message: 'INVALID_ARGUMENT: "fileName" must not be empty',
				details: { validationError: { fieldViolations: [{ field: 'fileName', description: 'must not be empty' }, { field: 'mimeType', violatedRule: 'MAX_LENGTH' }, { description: 'fieldless' }] } },
			},
			{ message: 'INVALID_ARGUMENT: "fileName" must not be empty', details: ['fileName: must not be empty', 'mimeType: MAX_LENGTH', 'fieldless'] },
		],
		['the token endpoint’s shape', { error: 'invalid_client', error_description: 'Bad secret' }, { message: 'invalid_client: Bad secret', details: [] }],
		['plain text', '  Service Unavailable \n', { message: 'Service Unavailable' }],
		['an empty object (system error)', {}, { details: [] }],
		['an empty body', '', {}],
		['nothing', undefined, {}],
	])('%s', (_name, body, expected) => {
		expect(parseWixError(body)).toEqual(expected);
	});
});

describe('nextPage', () => {
	const page = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(i) }));
	it.each([
		['a full first page of a larger total', { attachments: page(100), metadata: { count: 100, offset: 0, total: 250 } }, { 'paging.limit': 100 }, { 'paging.offset': 100 }],
		['the page reaching the total', { attachments: page(50), metadata: { count: 50, offset: 200, total: 250 } }, { 'paging.limit': 100, 'paging.offset': 200 }, undefined],
		['an exact total', { attachments: page(100), metadata: { count: 100, offset: 100, total: 200 } }, { 'paging.limit': 100, 'paging.offset': 100 }, undefined],
		['a full page, total unknown', { attachments: page(100), metadata: { count: 100, offset: 0, tooManyToCount: true } }, { 'paging.limit': 100 }, { 'paging.offset': 100 }],
		['a short page, total unknown', { attachments: page(7), metadata: { count: 7, offset: 100, tooManyToCount: true } }, { 'paging.limit': 100, 'paging.offset': 100 }, undefined],
		['an empty page', { attachments: [], metadata: { count: 0, offset: 0, total: 10 } }, { 'paging.limit': 100 }, undefined],
		['no metadata and a full page', { attachments: page(50) }, { 'paging.limit': 50, 'paging.offset': 50 }, { 'paging.offset': 100 }],
		['a server ignoring the offset (the query decides)', { attachments: page(100), metadata: { count: 100, offset: 0, total: 300 } }, { 'paging.limit': 100, 'paging.offset': 200 }, undefined],
	])('%s', (_name, body, query, expected) => {
		expect(nextPage(body, query)).toEqual(expected);
	});
});

describe('supported MIME types', () => {
	it.each([
		'application/pdf',
		'text/csv',
		'application/msword',
		'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
		'application/vnd.ms-excel',
		'application/vnd.openxmlformats-officedocument.presentationml.slideshow',
		'image/png',
		'image/jpeg',
		'image/gif',
		'image/heic',
		'IMAGE/PNG',
		'text/csv; charset=utf-8',
	])('%s is accepted', (type) => expect(isSupportedMimeType(type)).toBe(true));

	it.each(['image/webp', 'image/svg+xml', 'image/tiff', 'image/bmp', 'image/x-icon', 'image/vnd.microsoft.icon', 'text/plain', 'application/zip', 'application/octet-stream', 'image/', 'pdf'])(
		'%s is refused',
		(type) => expect(isSupportedMimeType(type)).toBe(false),
	);

	it('essence drops parameters and case', () => expect(essence(' Application/PDF ; x=1')).toBe('application/pdf'));
});

describe('mediaUrlOf', () => {
	it('takes the image of an IMAGE and the document of an OTHER', () => {
		expect(mediaUrlOf({ attachmentType: 'IMAGE', image: { url: 'https://a/i' }, previewImage: { url: 'https://a/p' } })).toBe('https://a/i');
		expect(mediaUrlOf({ attachmentType: 'OTHER', document: { url: ' https://a/d ' } })).toBe('https://a/d');
		expect(mediaUrlOf({ attachmentType: 'UNKNOWN', image: { url: 'https://a/i' } })).toBe('https://a/i');
		expect(mediaUrlOf({ attachmentType: 'OTHER', document: {} })).toBeUndefined();
	});

	it('turns a wix:image URI into Wix’s static media URL', () => {
		expect(mediaUrlOf({ attachmentType: 'IMAGE', image: { url: 'wix:image://v1/2acbb8_86485e~mv2.jpeg/file.jpg#originWidth=370&originHeight=226' } })).toBe(
			'https://static.wixstatic.com/media/2acbb8_86485e~mv2.jpeg',
		);
	});
});

it('credentialTypeFor maps the Authentication choice', () => {
	expect(credentialTypeFor('apiKey')).toBe('wixAttachmentApi');
	expect(credentialTypeFor('appOAuth')).toBe('wixAttachmentAppOAuthApi');
	expect(credentialTypeFor(undefined)).toBe('wixAttachmentApi');
});

describe('transport: authoritative download names', () => {
	const headers = { 'content-disposition': 'inline; filename="2acbb8_0f3c~mv2.pdf"', 'content-type': 'application/x-storage' };
	it('the record wins over the storage host’s headers when authoritative', () => {
		const fallback = { fileName: 'Signed form.pdf', mimeType: 'application/pdf', authoritative: true };
		expect(pickFileName(headers, fallback)).toBe('Signed form.pdf');
		expect(pickMimeType(headers, fallback)).toBe('application/pdf');
	});
	it('otherwise the headers win, as before', () => {
		const fallback = { fileName: 'Signed form.pdf', mimeType: 'application/pdf' };
		expect(pickFileName(headers, fallback)).toBe('2acbb8_0f3c~mv2.pdf');
		expect(pickMimeType(headers, fallback)).toBe('application/x-storage');
	});
	it('an authoritative fallback without a name or type leaves those to the headers', () => {
		expect(pickFileName(headers, { authoritative: true })).toBe('2acbb8_0f3c~mv2.pdf');
		expect(pickMimeType(headers, { authoritative: true })).toBe('application/x-storage');
	});
});
