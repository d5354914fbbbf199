/**
 * Secrets cases: sentinel credential values, their derived forms (base64, base64url, URL-encoded,
 * the Authorization headers built from them), and the places a run could leak them: every output
 * item (JSON and binary metadata), the error (message, description, as n8n serialises it, as a
 * logger would print it), the run data's errors, and every log line.
 */
import { inspect } from 'util';

import type { RunNodeResult } from '../../support/n8n-harness';
import { logsText } from '../../support/n8n-harness';

export interface Sentinel {
	/** What it is, e.g. "Xero client secret" or "base64 of Sunshine key ID:secret". */
	label: string;
	value: string;
}

/** A recognisable value no real credential has; `kind` keeps them distinct. */
export function sentinel(kind: string): string {
	return `SENTINEL-${kind}-7Qm2xK9v`;
}

/**
 * The value and the forms it could take on its way out: base64 and base64url (alone: a Basic
 * header of `id:secret` is a derived sentinel of its own), URL-encoded, JSON-escaped.
 */
export function withForms(sentinels: Sentinel[]): Sentinel[] {
	const out = new Map<string, Sentinel>();
	const add = (label: string, value: string) => {
		if (value.length >= 8 && !out.has(value)) out.set(value, { label, value });
	};
	for (const { label, value } of sentinels) {
		add(label, value);
		add(`base64 of ${label}`, Buffer.from(value).toString('base64'));
		add(`base64 (unpadded) of ${label}`, Buffer.from(value).toString('base64').replace(/=+$/, ''));
		add(`base64url of ${label}`, Buffer.from(value).toString('base64url'));
		add(`URL-encoded ${label}`, encodeURIComponent(value));
		add(`form-encoded ${label}`, new URLSearchParams({ v: value }).toString().slice(2));
		add(`JSON-escaped ${label}`, JSON.stringify(value).slice(1, -1));
	}
	return [...out.values()];
}

/** JSON of anything, circular references cut, Buffers summarised, errors with their own fields. */
export function serialise(value: unknown): string {
	const seen = new WeakSet<object>();
	return (
		JSON.stringify(value, (_key, v: unknown) => {
			if (typeof v === 'bigint') return String(v);
			if (typeof v === 'object' && v !== null) {
				if (seen.has(v)) return '[Circular]';
				seen.add(v);
				if (Buffer.isBuffer(v)) return `[Buffer ${v.length}]`;
			}
			return v;
		}) ?? String(value)
	);
}

export interface Place {
	name: string;
	text: string;
}

/** Every place of a run a secret must not reach. */
export function placesOf(result: RunNodeResult, nodeName = 'Node Under Test'): Place[] {
	const places: Place[] = [];
	result.items.forEach((item, index) => {
		places.push({ name: `item ${index} json`, text: serialise(item.json) });
		if (item.binary) places.push({ name: `item ${index} binary metadata`, text: serialise(item.binary) });
		if (item.error) places.push({ name: `item ${index} error`, text: inspect(item.error, { depth: 8 }) });
	});
	const error = result.error as (Error & { description?: unknown }) | undefined;
	if (error) {
		places.push({ name: 'error message', text: String(error.message) });
		places.push({ name: 'error description', text: String(error.description ?? '') });
		// What n8n persists (toJSON: message, description, context, cause) ...
		places.push({ name: 'error as JSON', text: serialise(error) });
		// ... and what a logger printing the error object would show (errorResponse, cause, stack).
		places.push({ name: 'error inspected', text: inspect(error, { depth: 8, showHidden: false }) });
		places.push({ name: 'error stack', text: String(error.stack ?? '') });
	}
	const resultData = result.run.data.resultData;
	if (resultData.error) places.push({ name: 'run data error', text: serialise(resultData.error) });
	for (const [node, tasks] of Object.entries(resultData.runData)) {
		tasks.forEach((task, index) => {
			if (task.error) places.push({ name: `runData ${node}[${index}] error`, text: serialise(task.error) });
			if (node === nodeName) places.push({ name: `runData ${node}[${index}] data`, text: serialise(task.data) });
		});
	}
	places.push({ name: 'logs', text: logsText(result.logs) });
	return places;
}

export interface LeakReport {
	/** Places × sentinel forms looked at. */
	sentinelChecks: number;
	leaks: number;
	/** "<form> in <place>" for each leak. */
	found: string[];
}

export function findLeaks(places: Place[], sentinels: Sentinel[]): LeakReport {
	const found: string[] = [];
	for (const place of places) {
		for (const s of sentinels) {
			if (place.text.includes(s.value)) found.push(`${s.label} in ${place.name}`);
		}
	}
	return { sentinelChecks: places.length * sentinels.length, leaks: found.length, found };
}

/** Checks a run, fails the test on any leak (naming where), and gives the case's figures. */
export function expectNoLeaks(result: RunNodeResult, sentinels: Sentinel[]): { sentinelChecks: number; leaks: number; note: string } {
	const forms = withForms(sentinels);
	const places = placesOf(result);
	const report = findLeaks(places, forms);
	expect(report.found).toEqual([]);
	return {
		sentinelChecks: report.sentinelChecks,
		leaks: report.leaks,
		note: `${places.length} places × ${forms.length} forms of ${sentinels.length} secrets`,
	};
}

/** `Authorization` values a server received (raw), to check as derived secrets. */
export function authorizationHeaders(requests: Array<{ headers: Record<string, string | string[] | undefined> }>): string[] {
	const values = new Set<string>();
	for (const request of requests) {
		const value = request.headers.authorization;
		for (const v of Array.isArray(value) ? value : value ? [value] : []) values.add(v);
	}
	return [...values];
}

/** A header value plus the token after its scheme ("Bearer x" → "x"), both as sentinels. */
export function headerSentinels(label: string, values: string[]): Sentinel[] {
	const out: Sentinel[] = [];
	for (const value of values) {
		out.push({ label: `${label} header`, value });
		const token = value.replace(/^(Bearer|Basic)\s+/i, '');
		if (token !== value) out.push({ label: `${label} token`, value: token });
	}
	return out;
}
