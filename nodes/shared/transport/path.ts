/**
 * Building request paths from templates without letting a value escape its segment.
 *
 * `encodeURIComponent` leaves `.` alone, and URL parsers (WHATWG, axios, proxies) collapse the
 * dot segments `.` and `..` even when percent-encoded (`%2e%2e`), so a value that is exactly one
 * of those can never be sent safely: it is rejected instead. Everything else, including `/`, `?`,
 * `#`, `%` and unicode, is percent-encoded and stays inside its segment.
 */

/** Characters `encodeURIComponent` keeps but some servers and proxies treat specially in paths. */
const EXTRA_RESERVED = /[!'()*]/g;

export function isDotSegment(value: string): boolean {
	return value === '.' || value === '..';
}

export function encodePathSegment(value: string): string {
	if (isDotSegment(value)) {
		throw new RangeError(`"${value}" cannot be used as a path segment`);
	}
	return encodeURIComponent(value).replace(
		EXTRA_RESERVED,
		(char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
	);
}

/**
 * Fills `{name}` placeholders of a path template; each value becomes exactly one encoded segment.
 * A placeholder without a value is a programming error, not a user error.
 */
export function buildPath(template: string, values: Record<string, string>): string {
	return template.replace(/\{([^}]+)\}/g, (_match, name: string) => {
		const value = values[name];
		if (value === undefined) {
			throw new RangeError(`No value for path placeholder {${name}}`);
		}
		return encodePathSegment(value);
	});
}
