/**
 * A streaming multipart/form-data parser (RFC 7578 / RFC 2046) for the Sunshine emulator: parts
 * are handed to sinks chunk by chunk as they arrive, so a 50 MB upload is never held in memory.
 * Framing errors (no delimiter, a delimiter not followed by CRLF, headers without a blank line,
 * no closing delimiter) are reported, not guessed around.
 */

export interface PartHeaders {
	/** The `name` parameter of Content-Disposition. */
	name?: string;
	/** `filename*` (RFC 5987, decoded) when given, else `filename`. */
	filename?: string;
	/** The part's Content-Type, as sent. */
	contentType?: string;
	/** Whether the part has a `Content-Disposition: form-data` header at all. */
	formData: boolean;
	/** All header lines, names in lower case. */
	raw: Record<string, string>;
}

export interface PartSink {
	write(chunk: Buffer): void | Promise<void>;
	end(): void | Promise<void>;
}

const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

type State = 'preamble' | 'afterDelimiter' | 'headers' | 'body' | 'done' | 'error';

function unquote(value: string): string {
	const trimmed = value.trim();
	return trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.length >= 2
		? trimmed.slice(1, -1).replace(/\\(.)/g, '$1')
		: trimmed;
}

/** `key=value` parameters of a header value, quoted strings honoured. */
export function headerParameters(value: string): Record<string, string> {
	const params: Record<string, string> = {};
	const re = /;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
	let match: RegExpExecArray | null;
	while ((match = re.exec(value))) params[match[1].toLowerCase()] = unquote(match[2]);
	return params;
}

function decodeExtValue(value: string): string | undefined {
	const match = /^([\w!#$%&+^`{}~-]*)'[\w-]*'(.*)$/.exec(value);
	if (!match || !['utf-8', ''].includes(match[1].toLowerCase())) return undefined;
	try {
		return decodeURIComponent(match[2]);
	} catch {
		return undefined;
	}
}

export function parsePartHeaders(block: string): PartHeaders {
	const raw: Record<string, string> = {};
	for (const line of block.split('\r\n')) {
		const colon = line.indexOf(':');
		if (colon > 0) raw[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
	}
	const disposition = raw['content-disposition'] ?? '';
	const formData = /^form-data\s*(;|$)/i.test(disposition);
	const params = headerParameters(disposition);
	const extended = params['filename*'] !== undefined ? decodeExtValue(params['filename*']) : undefined;
	return {
		name: params.name,
		filename: extended ?? params.filename,
		contentType: raw['content-type'],
		formData,
		raw,
	};
}

export class MultipartParser {
	private readonly delimiter: Buffer;
	private buffer: Buffer;
	private state: State = 'preamble';
	private sink: PartSink | undefined;
	/** What is wrong with the body's framing, once something is. */
	error: string | undefined;
	/** Parts seen so far. */
	parts = 0;

	constructor(
		boundary: string,
		private readonly onPart: (headers: PartHeaders) => PartSink,
	) {
		this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
		// A virtual CRLF lets the first delimiter (at the very start of the body) match too.
		this.buffer = Buffer.from(CRLF);
	}

	get finished(): boolean {
		return this.state === 'done';
	}

	private fail(problem: string): void {
		this.state = 'error';
		this.error = problem;
		this.buffer = Buffer.alloc(0);
	}

	async write(chunk: Buffer): Promise<void> {
		if (this.state === 'done' || this.state === 'error') return;
		this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
		await this.process();
	}

	/** The body ended: anything but a closing delimiter by now is broken framing. */
	async end(): Promise<void> {
		if (this.state === 'done' || this.state === 'error') return;
		if (this.sink) await this.sink.end();
		this.sink = undefined;
		this.fail(this.parts === 0 && this.state === 'preamble' ? 'no delimiter in the body' : 'no closing delimiter');
	}

	private async process(): Promise<void> {
		const keep = this.delimiter.length - 1;
		for (;;) {
			switch (this.state) {
				case 'preamble': {
					const at = this.buffer.indexOf(this.delimiter);
					if (at < 0) {
						if (this.buffer.length > keep) this.buffer = this.buffer.subarray(this.buffer.length - keep);
						return;
					}
					this.buffer = this.buffer.subarray(at + this.delimiter.length);
					this.state = 'afterDelimiter';
					break;
				}
				case 'afterDelimiter': {
					if (this.buffer.length < 2) return;
					if (this.buffer[0] === 0x2d && this.buffer[1] === 0x2d) {
						this.state = 'done'; // close delimiter; the epilogue is ignored
						this.buffer = Buffer.alloc(0);
						return;
					}
					const eol = this.buffer.indexOf(CRLF);
					if (eol < 0) {
						if (this.buffer.length > 1024) this.fail(`delimiter #${this.parts + 1} is not followed by CRLF`);
						return;
					}
					if (!/^[ \t]*$/.test(this.buffer.subarray(0, eol).toString('latin1'))) {
						this.fail(`delimiter #${this.parts + 1} is not followed by CRLF`);
						return;
					}
					this.buffer = this.buffer.subarray(eol + 2);
					this.state = 'headers';
					break;
				}
				case 'headers': {
					let headerBlock: string;
					if (this.buffer.length >= 2 && this.buffer[0] === 0x0d && this.buffer[1] === 0x0a) {
						headerBlock = '';
						this.buffer = this.buffer.subarray(2);
					} else {
						const end = this.buffer.indexOf(HEADER_END);
						if (end < 0) {
							if (this.buffer.length > MAX_HEADER_BYTES) this.fail(`part #${this.parts + 1} has no blank line after its headers`);
							return;
						}
						headerBlock = this.buffer.subarray(0, end).toString('utf8');
						this.buffer = this.buffer.subarray(end + HEADER_END.length);
					}
					this.parts++;
					this.sink = this.onPart(parsePartHeaders(headerBlock));
					this.state = 'body';
					break;
				}
				case 'body': {
					const at = this.buffer.indexOf(this.delimiter);
					if (at < 0) {
						if (this.buffer.length > keep) {
							const data = this.buffer.subarray(0, this.buffer.length - keep);
							this.buffer = this.buffer.subarray(this.buffer.length - keep);
							await this.sink?.write(data);
						}
						return;
					}
					const data = this.buffer.subarray(0, at);
					this.buffer = this.buffer.subarray(at + this.delimiter.length);
					if (data.length) await this.sink?.write(data);
					await this.sink?.end();
					this.sink = undefined;
					this.state = 'afterDelimiter';
					break;
				}
				default:
					return;
			}
		}
	}
}

/** The boundary of a `multipart/form-data` Content-Type, or undefined for any other type. */
export function formDataBoundary(contentType: string | undefined): string | undefined {
	if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType.trim())) return undefined;
	const boundary = headerParameters(contentType).boundary;
	return boundary && boundary.length <= 70 ? boundary : undefined;
}
