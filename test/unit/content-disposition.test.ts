import {
	fileNameFromContentDisposition,
	mimeTypeFromContentType,
} from '../../nodes/shared/transport/content-disposition';

describe('Content-Disposition file names', () => {
	it.each([
		['attachment; filename="report.pdf"', 'report.pdf'],
		['attachment; filename=report.pdf', 'report.pdf'],
		['inline; filename="a \\"quoted\\" name.txt"', 'a "quoted" name.txt'],
		['attachment; filename="semi;colon.txt"', 'semi;colon.txt'],
		["attachment; filename*=UTF-8''%E2%82%AC%20rates.pdf", '€ rates.pdf'],
		["attachment; filename=\"EUR rates.pdf\"; filename*=UTF-8''%E2%82%AC%20rates.pdf", '€ rates.pdf'],
		["attachment; filename*=utf-8'en'%C3%9Cbersicht.pdf; filename=\"Ubersicht.pdf\"", 'Übersicht.pdf'],
		["attachment; filename*=iso-8859-1'en'%A3%20rates.pdf", '£ rates.pdf'],
		['ATTACHMENT; FILENAME="upper.PDF"', 'upper.PDF'],
	])('%s → %s', (header, expected) => {
		expect(fileNameFromContentDisposition(header)).toBe(expected);
	});

	it.each([undefined, '', 'attachment', 'inline; size=12', 'attachment; filename=""'])(
		'gives nothing for %j',
		(header) => {
			expect(fileNameFromContentDisposition(header)).toBeUndefined();
		},
	);

	it('falls back to the plain name when the extended one is malformed', () => {
		expect(fileNameFromContentDisposition("attachment; filename=\"plain.txt\"; filename*=UTF-8''%E2%82")).toBe('plain.txt');
	});
});

describe('Content-Type', () => {
	it.each([
		['application/pdf', 'application/pdf'],
		['Text/Plain; charset=utf-8', 'text/plain'],
		['image/svg+xml', 'image/svg+xml'],
		['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
		['nonsense', undefined],
		[undefined, undefined],
	])('%j → %j', (header, expected) => {
		expect(mimeTypeFromContentType(header)).toBe(expected);
	});
});
