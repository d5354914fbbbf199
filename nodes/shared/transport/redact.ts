/**
 * Keeping the credential out of errors when a provider echoes it back: what a failed request
 * carried (n8n adds the Authorization, so it is read off the HTTP client's error) is blanked out
 * of the error body and message before they go into a NodeApiError, which n8n stores and logs.
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
function forms(authorization: string): string[] {
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
			for (const v of headerValue(headers, 'authorization')) for (const f of forms(v)) found.add(f);
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
			if (typeof header === 'string') for (const f of forms(header)) found.add(f);
		}
		for (const key of ['cause', 'response', 'reason', 'error']) visit(object[key], depth + 1);
	};
	visit(error, 0);
	return [...found].filter((value) => value.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

function redactText(text: string, secrets: string[]): string {
	let result = text;
	for (const secret of secrets) {
		for (const form of [secret, encodeURIComponent(secret)]) {
			if (result.includes(form)) result = result.split(form).join(REDACTED);
		}
	}
	return result;
}

/** `value` with every secret blanked out of its strings (keys included), at any depth. */
export function redact<T>(value: T, secrets: string[]): T {
	if (secrets.length === 0) return value;
	const walk = (v: unknown, depth: number): unknown => {
		if (typeof v === 'string') return redactText(v, secrets);
		if (!v || typeof v !== 'object' || depth > 20 || Buffer.isBuffer(v)) return v;
		if (Array.isArray(v)) return v.map((entry) => walk(entry, depth + 1));
		if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return v;
		const result: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(v)) result[redactText(key, secrets)] = walk(entry, depth + 1);
		return result;
	};
	return walk(value, 0) as T;
}
