/**
 * Reading the file name out of a Content-Disposition header (RFC 6266), preferring the RFC 5987
 * `filename*=charset'lang'pct-encoded` form over the plain `filename=` one, as browsers do.
 */

function decodeExtValue(value: string): string | undefined {
	const match = /^([\w!#$%&+^`{}~-]*)'[\w-]*'(.*)$/.exec(value);
	if (!match) return undefined;
	const charset = match[1].toLowerCase();
	const encoded = match[2];
	try {
		if (charset === 'utf-8' || charset === '') return decodeURIComponent(encoded);
		if (charset === 'iso-8859-1') {
			// Each %XX is one Latin-1 code point.
			return encoded.replace(/%([0-9a-f]{2})/gi, (_m, hex: string) =>
				String.fromCharCode(parseInt(hex, 16)),
			);
		}
	} catch {
		return undefined;
	}
	return undefined;
}

function unquote(value: string): string {
	const trimmed = value.trim();
	if (trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.length >= 2) {
		return trimmed.slice(1, -1).replace(/\\(.)/g, '$1');
	}
	return trimmed;
}

/** Splits on `;` outside quoted strings. */
function splitParameters(header: string): string[] {
	const parts: string[] = [];
	let current = '';
	let quoted = false;
	for (let i = 0; i < header.length; i++) {
		const char = header[i];
		if (char === '\\' && quoted && i + 1 < header.length) {
			current += char + header[++i];
			continue;
		}
		if (char === '"') quoted = !quoted;
		if (char === ';' && !quoted) {
			parts.push(current);
			current = '';
			continue;
		}
		current += char;
	}
	parts.push(current);
	return parts;
}

/** The file name a Content-Disposition header gives, or undefined when it gives none. */
export function fileNameFromContentDisposition(header: string | undefined | null): string | undefined {
	if (!header) return undefined;
	let plain: string | undefined;
	let extended: string | undefined;
	for (const part of splitParameters(header).slice(1)) {
		const eq = part.indexOf('=');
		if (eq === -1) continue;
		const key = part.slice(0, eq).trim().toLowerCase();
		const rawValue = part.slice(eq + 1);
		if (key === 'filename*') extended = decodeExtValue(unquote(rawValue)) ?? extended;
		else if (key === 'filename') plain = unquote(rawValue);
	}
	const name = extended ?? plain;
	return name === undefined || name === '' ? undefined : name;
}

/** `type/subtype` of a Content-Type header without its parameters, or undefined. */
export function mimeTypeFromContentType(header: string | undefined | null): string | undefined {
	if (!header) return undefined;
	const type = header.split(';')[0].trim().toLowerCase();
	return /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type : undefined;
}
