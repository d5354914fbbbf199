import { buildPath, encodePathSegment } from '../../nodes/shared/transport/path';

describe('path segment encoding', () => {
	it.each([
		['report v2.pdf', 'report%20v2.pdf'],
		['a/b.pdf', 'a%2Fb.pdf'],
		['what?.pdf', 'what%3F.pdf'],
		['#1.pdf', '%231.pdf'],
		['100%.pdf', '100%25.pdf'],
		['../etc/passwd', '..%2Fetc%2Fpasswd'],
		['a..b', 'a..b'],
		['Übersicht – März.pdf', '%C3%9Cbersicht%20%E2%80%93%20M%C3%A4rz.pdf'],
		["it's (final)*.pdf", 'it%27s%20%28final%29%2A.pdf'],
		['日本語.txt', '%E6%97%A5%E6%9C%AC%E8%AA%9E.txt'],
	])('%j becomes the single segment %j', (raw, encoded) => {
		expect(encodePathSegment(raw)).toBe(encoded);
		expect(encoded).not.toMatch(/[/?#]/);
		expect(decodeURIComponent(encoded)).toBe(raw);
	});

	it.each(['.', '..'])('refuses the dot segment %j, which URL parsers would collapse', (value) => {
		expect(() => encodePathSegment(value)).toThrow(/cannot be used as a path segment/);
	});

	it('keeps every value inside its own segment of the template, even when a URL parser reads it', () => {
		const path = buildPath('/{type}/{id}/Attachments/{name}', {
			type: 'Invoices',
			id: '4074292c-09b3-456d-84e7-add864c6c39b',
			name: '../../Contacts/x?y#z',
		});
		expect(path).toBe('/Invoices/4074292c-09b3-456d-84e7-add864c6c39b/Attachments/..%2F..%2FContacts%2Fx%3Fy%23z');
		const url = new URL(`https://api.example.com/api.xro/2.0${path}`);
		expect(url.pathname.split('/')).toHaveLength(7);
		expect(url.search).toBe('');
		expect(url.hash).toBe('');
	});

	it('fails loudly on a placeholder without a value', () => {
		expect(() => buildPath('/{a}/{b}', { a: 'x' })).toThrow('{b}');
	});
});
