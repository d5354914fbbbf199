/**
 * A streaming multipart/form-data parser (RFC 7578 / RFC 2046) for the Asana emulator: parts are
 * handed to sinks chunk by chunk as they arrive, so a 100 MB file part never sits in memory. Only
 * the unmatched tail of a possible delimiter (boundary length + 4 bytes) is held back at a time.
 *
 * How a part names its file, as the emulator reads it (the way Asana's docs describe uploads):
 * `filename*` (RFC 5987, `UTF-8''…`) wins; otherwise `filename`, whose raw bytes are read as
 * Latin-1 (as most servers do: raw UTF-8 names come out garbled) and then percent-decoded when
 * they hold `%XX` escapes (Asana asks for non-ASCII names to be sent percent-encoded).
 */
import { headerParameters } from '../common/http';

export interface PartInfo {
	/** Header names in lower case; values as Latin-1 text of the raw bytes. */
	headers: Record<string, string>;
	name?: string;
	/** The file name as the emulator reads it (see the file comment); undefined for text fields. */
	fileName?: string;
	/** The raw `filename` parameter and the raw `filename*` parameter. */
	rawFileName?: string;
	rawFileNameStar?: string;
	contentType?: string;
}

export interface PartSink {
	write(chunk: Buffer): Promise<void> | void;
	end(): Promise<void> | void;
}

type State = 'preamble' | 'afterDelimiter' | 'headers' | 'body' | 'done' | 'failed';

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;

/** RFC 5987 `charset'lang'pct-encoded`, or undefined when it cannot be read. */
export function decodeExtValue(value: string): string | undefined {
	const match = /^([\w!#$%&+^`{}~-]*)'[\w-]*'(.*)$/.exec(value);
	if (!match) return undefined;
	const charset = match[1].toLowerCase();
	try {
		if (charset === 'utf-8') return decodeURIComponent(match[2]);
		if (charset === 'iso-8859-1') {
			return match[2].replace(/%([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
		}
	} catch {
		return undefined;
	}
	return undefined;
}

/** The file name of a part's Content-Disposition parameters, read as the emulator reads it. */
export function readFileName(params: Record<string, string>): string | undefined {
	if (params['filename*'] !== undefined) {
		const decoded = decodeExtValue(params['filename*']);
		if (decoded !== undefined) return decoded;
	}
	const raw = params.filename;
	if (raw === undefined) return undefined;
	if (/%[0-9a-f]{2}/i.test(raw)) {
		try {
			return decodeURIComponent(raw);
		} catch {
			return raw;
		}
	}
	return raw;
}

export class MultipartParser {
	private state: State = 'preamble';
	// A CRLF in front lets the first delimiter (which may open the body) match like the others.
	private pending: Buffer = CRLF;
	private sink: PartSink | undefined;
	private readonly delimiter: Buffer;
	readonly errors: string[] = [];
	readonly parts: PartInfo[] = [];

	constructor(
		boundary: string,
		private readonly onPart: (part: PartInfo) => PartSink,
	) {
		this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
	}

	get complete(): boolean {
		return this.state === 'done';
	}

	async write(chunk: Buffer): Promise<void> {
		if (this.state === 'done' || this.state === 'failed') return;
		if (
			this.state === 'body' &&
			this.pending.length > 0 &&
			this.pending.length < this.delimiter.length &&
			chunk.length >= this.delimiter.length
		) {
			// The held-back tail is data unless a delimiter starts in it: check the seam only, so a
			// large part is never copied chunk by chunk.
			const seam = Buffer.concat([this.pending, chunk.subarray(0, this.delimiter.length)]);
			const at = seam.indexOf(this.delimiter);
			if (at < 0 || at >= this.pending.length) {
				const tail = this.pending;
				this.pending = chunk;
				await this.sink?.write(tail);
				await this.run();
				return;
			}
		}
		this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
		await this.run();
	}

	/** Call at the end of the body; a body without its closing delimiter is an error. */
	async end(): Promise<void> {
		if (this.state !== 'done' && this.state !== 'failed') {
			this.fail(`the body ended before the closing delimiter (in ${this.state})`);
			await this.sink?.end();
			this.sink = undefined;
		}
	}

	private fail(message: string): void {
		this.errors.push(message);
		this.state = 'failed';
		this.pending = Buffer.alloc(0);
	}

	private async run(): Promise<void> {
		for (;;) {
			switch (this.state) {
				case 'preamble': {
					const at = this.pending.indexOf(this.delimiter);
					if (at < 0) {
						this.pending = this.pending.subarray(Math.max(0, this.pending.length - this.delimiter.length + 1));
						return;
					}
					this.pending = this.pending.subarray(at + this.delimiter.length);
					this.state = 'afterDelimiter';
					break;
				}
				case 'afterDelimiter': {
					let i = 0;
					while (i < this.pending.length && (this.pending[i] === 0x20 || this.pending[i] === 0x09)) i++;
					if (this.pending.length < i + 2) return;
					if (this.pending[i] === 0x2d && this.pending[i + 1] === 0x2d) {
						this.state = 'done';
						this.pending = Buffer.alloc(0);
						return;
					}
					if (this.pending[i] !== 0x0d || this.pending[i + 1] !== 0x0a) {
						this.fail(`delimiter #${this.parts.length + 1} is not followed by CRLF`);
						return;
					}
					this.pending = this.pending.subarray(i + 2);
					this.state = 'headers';
					break;
				}
				case 'headers': {
					let headerText: string;
					if (this.pending.length >= 2 && this.pending[0] === 0x0d && this.pending[1] === 0x0a) {
						headerText = '';
						this.pending = this.pending.subarray(2);
					} else {
						const end = this.pending.indexOf(HEADER_END);
						if (end < 0) {
							if (this.pending.length > MAX_HEADER_BYTES) this.fail(`the headers of part #${this.parts.length + 1} are too long`);
							return;
						}
						headerText = this.pending.subarray(0, end).toString('latin1');
						this.pending = this.pending.subarray(end + HEADER_END.length);
					}
					this.sink = this.openPart(headerText);
					this.state = 'body';
					break;
				}
				case 'body': {
					const at = this.pending.indexOf(this.delimiter);
					if (at < 0) {
						const safe = this.pending.length - this.delimiter.length + 1;
						if (safe > 0) {
							const data = this.pending.subarray(0, safe);
							this.pending = Buffer.from(this.pending.subarray(safe));
							await this.sink?.write(data);
						}
						return;
					}
					const data = this.pending.subarray(0, at);
					this.pending = this.pending.subarray(at + this.delimiter.length);
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

	private openPart(headerText: string): PartSink {
		const headers: Record<string, string> = {};
		for (const line of headerText.split('\r\n')) {
			const colon = line.indexOf(':');
			if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
		}
		const part: PartInfo = { headers, contentType: headers['content-type'] };
		const disposition = headers['content-disposition'];
		if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) {
			this.errors.push(`part #${this.parts.length + 1} has no "Content-Disposition: form-data" header`);
		} else {
			const params = headerParameters(disposition);
			part.name = params.name;
			part.rawFileName = params.filename;
			part.rawFileNameStar = params['filename*'];
			part.fileName = readFileName(params);
		}
		this.parts.push(part);
		return this.onPart(part);
	}
}

/** The boundary of a `multipart/form-data` Content-Type, or undefined for any other type. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
	if (!contentType) return undefined;
	const [essence, ...rest] = contentType.split(';');
	if (essence.trim().toLowerCase() !== 'multipart/form-data') return undefined;
	const boundary = headerParameters(`;${rest.join(';')}`).boundary;
	return boundary && boundary.length <= 70 ? boundary : undefined;
}
