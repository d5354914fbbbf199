/**
 * File names that come from a provider (a Content-Disposition header, a record's name) are names,
 * never paths: a node after this one (Write Files to Disk, an upload elsewhere) may build a path
 * from them, so `../../.ssh/authorized_keys` must arrive as `authorized_keys`.
 */

/** C0 and C1 control characters, and the invisible marks that reorder or hide text (bidi overrides). */
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** The longest name kept, in UTF-16 units (file systems allow 255 bytes; names this long are rare). */
const MAX_NAME_LENGTH = 255;

/**
 * The base name of `raw`: the last part after any `/` or `\`, without a Windows drive prefix,
 * control characters or surrounding spaces; `fallback` when nothing is left or only `.` or `..`.
 */
export function safeFileName(raw: unknown, fallback = 'file'): string {
	if (typeof raw !== 'string') return fallback;
	const parts = raw.replace(UNSAFE_CHARACTERS, '').split(/[\\/]/);
	let name = (parts[parts.length - 1] ?? '').replace(/^[A-Za-z]:/, '').trim();
	if (name === '' || /^\.+$/.test(name)) return fallback;
	if (name.length > MAX_NAME_LENGTH) {
		// Keep the extension, which says what the file is.
		const extension = /\.[A-Za-z0-9]{1,10}$/.exec(name)?.[0] ?? '';
		name = name.slice(0, MAX_NAME_LENGTH - extension.length) + extension;
	}
	return name;
}

/** `record` with the fields named `keys` made base names (a new object when one changed). */
export function withSafeFileNames<T extends Record<string, unknown>>(record: T, keys: readonly string[]): T {
	let result = record;
	for (const key of keys) {
		const value = record[key];
		if (typeof value !== 'string') continue;
		const safe = safeFileName(value);
		if (safe !== value) result = { ...result, [key]: safe };
	}
	return result;
}
