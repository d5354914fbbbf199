/** Checks shared by the providers' field descriptions; each returns a problem or undefined. */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
	return GUID.test(value);
}

export function guid(value: unknown): string | undefined {
	return typeof value === 'string' && isGuid(value)
		? undefined
		: `"${String(value)}" is not a GUID (expected the form 8-4-4-4-12 hex digits, e.g. 4074292c-09b3-456d-84e7-add864c6c39b)`;
}

/** A file name that can travel as one path segment and be stored by the provider. */
export function fileName(maxLength: number) {
	return (value: unknown): string | undefined => {
		if (typeof value !== 'string') return 'expected text';
		// eslint-disable-next-line no-control-regex
		if (/[\u0000-\u001f\u007f]/.test(value)) return 'control characters (such as line breaks or tabs) are not allowed';
		if ([...value].length > maxLength) return `it is ${[...value].length} characters long, over the limit of ${maxLength}`;
		return undefined;
	};
}
