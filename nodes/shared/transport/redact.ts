/**
 * Keeping the credential out of errors and outputs when a provider echoes it back, in any of the
 * forms it can take (secretForms): what a failed request carried (n8n adds the Authorization, so
 * it is read off the HTTP client's error) and the credential's own secrets are blanked out of the
 * error body and message before they go into a NodeApiError, which n8n stores and logs, and out
 * of every record a node outputs (executor.ts).
 */

export const REDACTED = '[redacted]';

/** Shortest value worth redacting: shorter ones would blank ordinary words. */
const MIN_SECRET_LENGTH = 8;

function headerValue(headers: unknown, name: string): string[] {
	if (!headers || typeof headers !== 'object') return [];
	const values: string[] = [];
	for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
		if (key.toLowerCase() !== name) continue;
		for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') values.push(v);
	}
	return values;
}

/** The header and, after its scheme, the token or Basic credentials (also decoded). */
export function authorizationForms(authorization: string): string[] {
	const result = [authorization.trim()];
	const match = /^(\S+)\s+(\S+)$/.exec(authorization.trim());
	if (match) {
		result.push(match[2]);
		if (match[1].toLowerCase() === 'basic') {
			const decoded = Buffer.from(match[2], 'base64').toString('utf8');
			const colon = decoded.indexOf(':');
			if (colon >= 0) result.push(decoded.slice(colon + 1));
		}
	}
	return result;
}

/** Fields of a request body that hold credentials (a token exchange sends the client secret so). */
const SECRET_FIELD = /secret|password|token|api[_-]?key|assertion/i;

function secretFields(data: unknown): string[] {
	let fields: Array<[string, unknown]> = [];
	if (typeof data === 'string') {
		try {
			const parsed: unknown = JSON.parse(data);
			if (parsed && typeof parsed === 'object') fields = Object.entries(parsed as Record<string, unknown>);
		} catch {
			fields = [...new URLSearchParams(data).entries()];
		}
	} else if (data && typeof data === 'object' && !Buffer.isBuffer(data)) {
		fields = Object.entries(data as Record<string, unknown>);
	}
	return fields.filter(([key, value]) => SECRET_FIELD.test(key) && typeof value === 'string').map(([, value]) => value as string);
}

/**
 * Credentials the request behind `error` carried: its Authorization as the HTTP client kept it
 * (`config.headers`, the request's own), axios's `auth` option (Basic), and the secret fields of
 * its body (`client_secret` of a token exchange, ...).
 */
export function sentCredentials(error: unknown): string[] {
	const found = new Set<string>();
	const seen = new Set<unknown>();
	const visit = (value: unknown, depth: number) => {
		if (!value || typeof value !== 'object' || seen.has(value) || depth > 4) return;
		seen.add(value);
		const object = value as Record<string, unknown>;
		const config = object.config as Record<string, unknown> | undefined;
		for (const headers of [config?.headers, object.headers]) {
			for (const v of headerValue(headers, 'authorization')) for (const f of authorizationForms(v)) found.add(f);
		}
		const auth = config?.auth as { username?: unknown; password?: unknown } | undefined;
		if (auth && typeof auth.password === 'string') {
			found.add(auth.password);
			found.add(Buffer.from(`${String(auth.username ?? '')}:${auth.password}`).toString('base64'));
		}
		for (const v of secretFields(config?.data)) found.add(v);
		const request = object.request as { getHeader?: (name: string) => unknown } | undefined;
		if (request && typeof request.getHeader === 'function') {
			const header = request.getHeader('authorization');
			if (typeof header === 'string') for (const f of authorizationForms(header)) found.add(f);
		}
		for (const key of ['cause', 'response', 'reason', 'error']) visit(object[key], depth + 1);
	};
	visit(error, 0);
	return [...found].filter((value) => value.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/**
 * The forms a secret takes when a server echoes it back: as it is, URL- and form-encoded (each
 * byte percent-encoded, too), JSON- and HTML-escaped (named and numeric entities), hex, and base64
 * and base64url at each of the three offsets it can start at inside a longer encoded text (a
 * Basic header, an encoded JSON body). Matched case-insensitively, which covers upper-casing and
 * upper-case hex or percent-escapes.
 */
export function secretForms(secret: string): string[] {
	const bytes = Buffer.from(secret, 'utf8');
	const forms = new Set<string>([
		secret,
		encodeURIComponent(secret),
		new URLSearchParams({ v: secret }).toString().slice(2),
		[...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join(''),
		JSON.stringify(secret).slice(1, -1),
		JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/'),
		secret.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!),
		[...secret].map((char) => `&#${char.codePointAt(0)};`).join(''),
		[...secret].map((char) => `&#x${char.codePointAt(0)!.toString(16)};`).join(''),
		bytes.toString('hex'),
	]);
	for (let offset = 0; offset < 3; offset++) {
		const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
		// Only the characters made of the secret's bits alone, whatever comes before and after it.
		const part = encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6));
		forms.add(part);
		forms.add(part.replace(/\+/g, '-').replace(/\//g, '_'));
	}
	return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/**
 * One case-insensitive pattern for every form of every secret, longest first (undefined: nothing
 * to redact). A run makes it once for its secrets and again only when it learns a new one
 * (secrets.ts); it is kept no longer than the run.
 */
export function secretPattern(secrets: Iterable<string>): RegExp | undefined {
	const forms = [...new Set([...secrets].flatMap(secretForms))].sort((a, b) => b.length - a.length);
	if (forms.length === 0) return undefined;
	return new RegExp(forms.map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');
}

function redactText(text: string, pattern: RegExp): string {
	return text.replace(pattern, REDACTED);
}

/** `value` with every secret blanked out of its strings (keys included), at any depth. */
export function redact<T>(value: T, secrets: string[]): T {
	return redactWith(value, secrets.length > 0 ? secretPattern(secrets) : undefined);
}

/** `value` with every match of `pattern` (see secretPattern) blanked out of its strings (keys included), at any depth. */
export function redactWith<T>(value: T, pattern: RegExp | undefined): T {
	if (!pattern) return value;
	const walk = (v: unknown, depth: number): unknown => {
		if (typeof v === 'string') return redactText(v, pattern);
		if (!v || typeof v !== 'object' || depth > 20 || Buffer.isBuffer(v)) return v;
		if (Array.isArray(v)) return v.map((entry) => walk(entry, depth + 1));
		if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return v;
		const result: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(v)) result[redactText(key, pattern)] = walk(entry, depth + 1);
		return result;
	};
	return walk(value, 0) as T;
}

/**
 * The secret values of a credential's data: every text of at least MIN_SECRET_LENGTH characters
 * under a field named like a secret (API key, access and refresh token, secret, password), at any
 * depth (OAuth2 keeps its tokens in `oauthTokenData`).
 */
export function credentialSecrets(data: unknown): string[] {
	const found = new Set<string>();
	const visit = (value: unknown, secretField: boolean, depth: number) => {
		if (depth > 4) return;
		if (typeof value === 'string') {
			if (secretField && value.trim().length >= MIN_SECRET_LENGTH) found.add(value.trim());
			return;
		}
		if (!value || typeof value !== 'object') return;
		for (const [key, entry] of Object.entries(value as Record<string, unknown>)) visit(entry, secretField || SECRET_FIELD.test(key), depth + 1);
	};
	visit(data, false, 0);
	return [...found];
}
