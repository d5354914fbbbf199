/**
 * The MIME types Wix accepts for contact attachments (dev.wix.com, Attachment V4, "Supported Mime
 * Types"): a list of document types, and every `image/*` type except a few.
 */

export const WIX_DOCUMENT_MIME_TYPES: readonly string[] = [
	'text/csv',
	'application/msword',
	'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	'application/vnd.openxmlformats-officedocument.wordprocessingml.template',
	'application/vnd.ms-excel',
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	'application/vnd.openxmlformats-officedocument.spreadsheetml.template',
	'application/vnd.ms-powerpoint',
	'application/vnd.openxmlformats-officedocument.presentationml.presentation',
	'application/vnd.openxmlformats-officedocument.presentationml.template',
	'application/vnd.openxmlformats-officedocument.presentationml.slideshow',
	'application/pdf',
];

export const WIX_UNSUPPORTED_IMAGE_MIME_TYPES: readonly string[] = [
	'image/tiff',
	'image/svg+xml',
	'image/bmp',
	'image/x-bmp',
	'image/vnd.zbrush.pcx',
	'image/x-pcx',
	'image/x-xcf',
	'image/x-icon',
	'image/ico',
	'image/icon',
	'image/vnd.microsoft.icon',
	'image/x-pict',
	'image/x-portable-bitmap',
	'image/x-portable-graymap',
	'image/x-portable-pixmap',
	'image/x-portable-anymap',
	'image/sgi',
	'image/webp',
];

/** `type/subtype` in lower case, without parameters such as `; charset=utf-8`. */
export function essence(mimeType: string): string {
	return mimeType.split(';')[0].trim().toLowerCase();
}

export function isSupportedMimeType(mimeType: string): boolean {
	const type = essence(mimeType);
	if (WIX_DOCUMENT_MIME_TYPES.includes(type)) return true;
	return /^image\/[\w.+-]+$/.test(type) && !WIX_UNSUPPORTED_IMAGE_MIME_TYPES.includes(type);
}

/** A problem for the executor's field validation, or undefined when Wix accepts the type. */
export function supportedMimeType(value: unknown): string | undefined {
	if (typeof value !== 'string') return 'expected text';
	if (isSupportedMimeType(value)) return undefined;
	return (
		`Wix does not accept "${value}" files as contact attachments. It takes PDF, CSV, Word, Excel and ` +
		'PowerPoint documents and images (except TIFF, SVG, BMP, WebP, icons and a few rare formats). ' +
		'If the file is of one of these types but was not recognised, set Options → MIME Type.'
	);
}
