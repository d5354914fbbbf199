/**
 * HTTP helpers of the Xero emulator: Xero's 404, XML and date formats and the
 * Content-Disposition header, on top of the helpers all emulators share.
 */
import type { ServerResponse } from 'http';

import { TEXT_TYPE, jsonReply, textReply, writeReply } from '../common/http';
import type { Reply } from '../common/http';

export * from '../common/http';

/** Xero's answer for any route or record it does not know: 404 with a plain text body. */
export function notFoundReply(): Reply {
	return textReply(404, TEXT_TYPE, "The resource you're looking for cannot be found");
}

export function sendJson(
	res: ServerResponse,
	status: number,
	value: unknown,
	headers?: Record<string, string>,
): void {
	writeReply(res, jsonReply(status, value, headers));
}

const XML_NS =
	'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"';

function escapeXml(text: string): string {
	return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Names of array items in Xero's XML: `Attachments` → `Attachment`, `Elements` → `DataContractBase`. */
function itemName(arrayName: string): string {
	return arrayName === 'Elements' ? 'DataContractBase' : arrayName.replace(/s$/, '');
}

function toXml(name: string, value: unknown): string {
	if (value === undefined || value === null) return '';
	if (Array.isArray(value)) {
		return `<${name}>${value.map((v) => toXml(itemName(name), v)).join('')}</${name}>`;
	}
	if (typeof value === 'object') {
		const inner = Object.entries(value as Record<string, unknown>)
			.map(([k, v]) => toXml(k, v))
			.join('');
		return `<${name}>${inner}</${name}>`;
	}
	return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** Serialises a Xero JSON document the way the API's XML format lays it out. */
export function xeroXml(rootName: 'Response' | 'ApiException', value: Record<string, unknown>): string {
	const xml = toXml(rootName, value);
	return `<${rootName} ${XML_NS}${xml.slice(rootName.length + 1)}`;
}

/** The RFC 5987 `ext-value` encoding of a UTF-8 string. */
export function rfc5987(value: string): string {
	return encodeURIComponent(value).replace(
		/['()*]/g,
		(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
	);
}

/** `attachment; filename="<ascii fallback>"; filename*=UTF-8''<encoded>` (RFC 6266). */
export function contentDisposition(fileName: string): string {
	const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/gu, '_');
	return `attachment; filename="${fallback}"; filename*=UTF-8''${rfc5987(fileName)}`;
}

/** `2019-12-07T18:46:19.5165400`: the date format of the identity API (UTC, no zone suffix). */
export function identityDate(date: Date): string {
	return date.toISOString().replace(/Z$/, '0000');
}

/** `/Date(1550852630329)/`: the date format of the accounting API's JSON. */
export function msDate(date: Date): string {
	return `/Date(${date.getTime()})/`;
}
