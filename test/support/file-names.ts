/**
 * The awkward file names every provider's file-names test sends through upload and download:
 * spaces, URL metacharacters, a path separator, percent signs, a leading dot pair, non-Latin
 * scripts, an emoji, punctuation and a name longer than 240 characters. A provider adds its own
 * (a path that climbs out of its URL, say) where they differ.
 */
export const AWKWARD_FILE_NAMES = [
	'report v2.pdf',
	'a/b.pdf',
	'what?.pdf',
	'#1 invoice.pdf',
	'100% done.pdf',
	'%2F already-encoded.pdf',
	'..hidden',
	'Übersicht – März 2026.pdf',
	'請求書.pdf',
	'emoji 🧾.png',
	"it's (final) [v2] {x} + a=b & c;d,e.pdf",
	`${'long name '.repeat(24)}.pdf`,
];
