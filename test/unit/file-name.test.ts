/** File names from providers become base names (nodes/shared/transport/file-name.ts). */
import { safeFileName, withSafeFileNames } from '../../nodes/shared/transport/file-name';

describe('safeFileName', () => {
	it.each([
		['../../.ssh/authorized_keys', 'authorized_keys'],
		['/etc/passwd', 'passwd'],
		['..\\..\\Windows\\win.ini', 'win.ini'],
		['C:\\Users\\me\\report.pdf', 'report.pdf'],
		['C:report.pdf', 'report.pdf'],
		['../../../home/node/.n8n/config', 'config'],
		['re\r\nport\u0000.pdf', 'report.pdf'],
		['invoice\u202Efdp.exe', 'invoicefdp.exe'],
		['  spaced name.txt  ', 'spaced name.txt'],
		['.bashrc', '.bashrc'],
		['Résumé – 2026.pdf', 'Résumé – 2026.pdf'],
		['report.pdf/', 'file'],
		['..', 'file'],
		['.', 'file'],
		['', 'file'],
		['/', 'file'],
	])('%j -> %j', (raw, safe) => {
		expect(safeFileName(raw)).toBe(safe);
	});

	it('keeps no path separator, no dot segment and no control character, whatever the input', () => {
		const pieces = ['..', '.', '/', '\\', 'a', '\u0000', '\n', '\u007f', '\u0085', 'C:', ' ', 'ü'];
		// Every name of up to four pieces: 12^4 = 20,736 names.
		for (const a of pieces) for (const b of pieces) for (const c of pieces) for (const d of pieces) {
			const name = safeFileName(a + b + c + d);
			expect(name).not.toMatch(/[\\/\p{Cc}]/u);
			expect(['.', '..', '']).not.toContain(name);
		}
	});

	it('shortens a very long name, keeping its extension', () => {
		const name = safeFileName(`${'x'.repeat(400)}.pdf`);
		expect(name).toHaveLength(255);
		expect(name.endsWith('.pdf')).toBe(true);
	});

	it('gives the fallback for what is not text', () => {
		expect(safeFileName(undefined)).toBe('file');
		expect(safeFileName(42, 'download')).toBe('download');
	});
});

describe('withSafeFileNames', () => {
	it('makes the named fields base names and leaves the others alone', () => {
		const record = { fileName: '../x.pdf', FileName: 'a/b.png', name: '../kept-as-given', id: '1' };
		expect(withSafeFileNames(record, ['fileName', 'FileName'])).toEqual({ fileName: 'x.pdf', FileName: 'b.png', name: '../kept-as-given', id: '1' });
	});

	it('returns the same object when nothing changes', () => {
		const record = { fileName: 'x.pdf', size: 3 };
		expect(withSafeFileNames(record, ['fileName', 'size'])).toBe(record);
	});
});
