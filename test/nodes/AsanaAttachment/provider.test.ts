/** Asana's error shapes, read into the message and details the node shows. */
import { parseAsanaError } from '../../../nodes/AsanaAttachment/provider';

describe('parseAsanaError', () => {
	it('joins every errors[].message and keeps help and phrase as details', () => {
		expect(
			parseAsanaError({
				errors: [
					{ message: 'parent: Missing input', help: 'See https://developers.asana.com/docs/errors' },
					{ message: 'file: Missing input', help: 'See https://developers.asana.com/docs/errors' },
					{ message: 'Server Error', phrase: '6 sad squid snuggle softly' },
				],
			}),
		).toEqual({
			message: 'parent: Missing input; file: Missing input; Server Error',
			details: ['See https://developers.asana.com/docs/errors', 'Asana error phrase: "6 sad squid snuggle softly".'],
		});
	});

	it.each([
		['an empty errors list', { errors: [] }, { details: [] }],
		['errors without messages', { errors: [{ help: 'h' }, null, { message: 42 }] }, { details: ['h'] }],
		['another JSON shape', { error: 'invalid_grant' }, { details: [] }],
		['nothing', undefined, {}],
		['blank text', '  \n', {}],
		['plain text', 'Service Unavailable\n', { message: 'Service Unavailable' }],
		[
			"S3's XML",
			'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message><RequestId>1</RequestId></Error>',
			{ message: 'AccessDenied: Request has expired' },
		],
		['an HTML error page', '<html><head><style>b{}</style></head><body><h1>502 Bad Gateway</h1></body></html>', { message: '502 Bad Gateway' }],
		['markup without text', '<html></html>', {}],
	])('%s', (_name, body, expected) => {
		expect(parseAsanaError(body)).toEqual(expected);
	});

	it('cuts long text at 300 characters', () => {
		expect(parseAsanaError('x'.repeat(1000)).message).toHaveLength(300);
	});
});
