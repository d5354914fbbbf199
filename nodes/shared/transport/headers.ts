/** Response headers as the transport reads them, whichever HTTP client gave them. */

/**
 * Lower-case names, one string a header. Repeated values are joined with ", ", except cookies:
 * they may hold commas (Expires=Mon, 01 Jan …), so each Set-Cookie is kept apart with a line
 * break, which no header value can contain.
 */
export function normaliseHeaders(headers: unknown): Record<string, string | undefined> {
	const result: Record<string, string | undefined> = {};
	for (const [key, value] of Object.entries((headers as Record<string, unknown> | undefined) ?? {})) {
		const name = key.toLowerCase();
		const separator = name === 'set-cookie' ? '\n' : ', ';
		result[name] = Array.isArray(value) ? value.join(separator) : value === undefined ? undefined : String(value);
	}
	return result;
}
