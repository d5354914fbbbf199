/**
 * The vocabulary of declarative operations: an operation says what goes where on the wire and
 * what comes back; `executor.ts` performs any of them. Providers add only their specifics.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { DownloadLimit } from './download';
import type { PacingSpec } from './pacing';
import type { BackoffPolicy } from './retry-after';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The stream type n8n's binary helpers hand out (typed without importing `stream`). */
export type BinaryStream = Awaited<ReturnType<IExecuteFunctions['helpers']['getBinaryStream']>>;

/**
 * What the transport needs of n8n: the execute context of a node, or the narrower context of a
 * list-search method (pickers call the same transport).
 */
export interface TransportContext {
	getNode: IExecuteFunctions['getNode'];
	logger: IExecuteFunctions['logger'];
	getCredentials: IExecuteFunctions['getCredentials'];
	helpers: Pick<IExecuteFunctions['helpers'], 'httpRequest' | 'httpRequestWithAuthentication'>;
}

/** Values resolved for one item, keyed by field name, plus what the executor learnt on the way. */
export interface OperationInput {
	ctx: IExecuteFunctions;
	itemIndex: number;
	values: Record<string, unknown>;
	upload?: UploadSource;
}

/** One value of a request: where it goes and where it comes from. */
export interface FieldSpec {
	/** Where the value goes: a `{name}` path placeholder, a query key, a header or a JSON body key. */
	in: 'path' | 'query' | 'header' | 'body';
	/** Its name on the wire. */
	name: string;
	/** The node parameter giving the value (dotted for collections, e.g. `options.fileName`). */
	parameter?: string;
	/** Display name of that parameter, used in error messages that tell the user what to fix. */
	label?: string | ((ctx: IExecuteFunctions, itemIndex: number) => string);
	/** A value computed from the other values instead of (or when missing from) the parameter. */
	compute?: (input: OperationInput) => unknown;
	/** Whether a request without this value is invalid. */
	required?: boolean;
	/** Returns what is wrong with the value, or undefined when it is fine. */
	validate?: (value: unknown) => string | undefined;
}

export interface UploadSource {
	fileName: string;
	mimeType: string;
	/** Exact size in bytes. */
	size: number;
	/** A fresh body for each attempt: a stream from n8n's binary store, or the in-memory buffer. */
	open(): Promise<BinaryStream | Buffer>;
	/**
	 * Closes every stream `open` gave that is still open: a failed attempt leaves its stream
	 * half-read, and its file handle would otherwise stay open until garbage collection.
	 */
	release?(): void;
}

export type BodySpec =
	| { kind: 'none' }
	/** The `body` fields as a JSON object. */
	| { kind: 'json' }
	/**
	 * The file itself as the body, with its MIME type and exact length. The file is the binary
	 * field `binaryParameter` names, or with Source "Text" the text (see `resolveUploadSource`);
	 * `fileNameParameter` names a binary's file anew (the first of several that is set wins).
	 */
	| { kind: 'binary'; binaryParameter: string; fileNameParameter?: string | string[]; maxBytes?: number }
	/** multipart/form-data: the file in `fileField`, the `body` fields as text parts. */
	| {
			kind: 'multipart';
			fileField: string;
			binaryParameter: string;
			fileNameParameter?: string | string[];
			maxBytes?: number;
			/** How the file name is written in the file part's header (see FileNameEncoding). */
			fileNameEncoding?: FileNameEncoding;
	  }
	/** multipart/form-data of the `body` fields alone, for calls that take a form but no file. */
	| { kind: 'form' };

/**
 * How a multipart file part names its file. Default (undefined): as form-data writes it,
 * `filename="<name>"` in raw UTF-8. `percentEncoded`: a name of plain ASCII goes as it is; any
 * other goes as `filename="<percent-encoded>"; filename*=UTF-8''<percent-encoded>` (RFC 5987), for
 * APIs that read non-ASCII names only that way.
 */
export type FileNameEncoding = 'percentEncoded';

export interface ListPagination {
	/** Query parameter carrying the page size, and the largest size the API allows. */
	pageSize?: { name: string; max: number };
	/** Query changes that fetch the page after `body`, or undefined on the last page. */
	next(body: unknown, query: IDataObject): IDataObject | undefined;
}

/** What a response carried besides its body (header names in lower case). */
export interface ResponseMeta {
	statusCode: number;
	/** Repeated headers are joined with ", ", except `set-cookie`, joined with "\n" (cookies hold commas). */
	headers: Record<string, string | undefined>;
}

export type ResponseSpec =
	/**
	 * JSON; `items` picks the records to output (default: the body itself), headers at hand. A body
	 * that is not JSON is an error, unless `acceptsText` (for calls documented without a body).
	 */
	| {
			kind: 'json';
			items?: (body: unknown, input: OperationInput, response: ResponseMeta) => IDataObject[];
			acceptsText?: boolean;
	  }
	/** A file streamed into n8n's binary store under the field named by `outputParameter`. */
	| {
			kind: 'binary';
			outputParameter: string;
			/**
			 * What to use when the response headers do not name or type the file; with
			 * `authoritative`, the name and type given here win over the headers.
			 */
			fallback?: (input: OperationInput) => { fileName?: string; mimeType?: string; size?: number; authoritative?: boolean };
			/** The JSON to output next to the file. */
			json?: (input: OperationInput) => IDataObject;
			/**
			 * Whether the operation has Options → Include Text Content (see text-content.ts): the
			 * text of a text file is added to the JSON.
			 */
			textContent?: boolean;
	  }
	/** Records of a list, honouring Return All / Limit, following pages when the API has them. */
	| {
			kind: 'list';
			items: (body: unknown) => IDataObject[];
			pagination?: ListPagination;
	  }
	/** A fixed result for calls that return nothing useful, e.g. `{ deleted: true }`. */
	| { kind: 'static'; value: IDataObject };

export interface OperationSpec {
	method: HttpMethod;
	/** Path template relative to the provider's base URL, or an absolute URL template. */
	path: string;
	fields: FieldSpec[];
	body?: BodySpec;
	response: ResponseSpec;
	/**
	 * Whether sending the request twice has the effect of sending it once. Decides whether 5xx
	 * and dropped connections are retried: a non-idempotent call is retried only when the server
	 * certainly did not act on it (429).
	 */
	idempotent: boolean;
	/**
	 * An absolute http(s) URL computed from the values, used instead of base URL + `path` and sent
	 * exactly as given, its query included (e.g. a pre-signed download URL an earlier call returned).
	 */
	url?: (input: OperationInput) => string;
	/** The base URL to use instead of the provider's API base (e.g. an identity service). */
	baseUrl?: (input: OperationInput, apiBaseUrl: string) => string;
	/** Whether the request is sent without the credential (e.g. a pre-signed download URL). */
	anonymous?: boolean;
	/**
	 * What a 404 means for this operation, in the user's words (e.g. no attachment with that ID
	 * on this task): the error says it, with the parameter to check, and keeps the service's own
	 * message. `said` is that message, for services that say which of two IDs they did not find.
	 */
	notFound?: (input: OperationInput, said: string) => { message: string; description: string };
	/**
	 * What the request goes to when it is not the API at the credential's address, e.g. "the
	 * upload URL Wix returned": network failures name it instead of pointing at the credential.
	 */
	target?: string;
	/**
	 * Whether a 404 on a repeated attempt means an earlier attempt did the job (a delete whose
	 * answer was lost, then repeated, finds nothing left to delete).
	 */
	missingOnRetryMeansDone?: boolean;
}

export interface ProviderError {
	message?: string;
	details?: string[];
}

export interface ProviderSpec {
	/** Human name, used in error messages. */
	displayName: string;
	/** The credential type the item uses. */
	credentialType(ctx: IExecuteFunctions, itemIndex: number): string;
	/** The API base URL: the vendor's, or the credential's override. */
	baseUrl(ctx: TransportContext, credentialType: string): Promise<string>;
	/** Fields every operation of the provider sends (e.g. a tenant header). */
	commonFields?: FieldSpec[];
	/** The provider's own message and details from an error body. */
	parseError(body: unknown, statusCode: number): ProviderError;
	/** Overrides of the retry policy. */
	backoff?: Partial<BackoffPolicy>;
	/**
	 * Whether n8n can renew the credential after a 401 (OAuth2 tokens can, API keys cannot).
	 * When false, a 401 is final: a streamed upload is not sent a second time. Default true.
	 * A function answers per credential type, for providers that offer both kinds.
	 */
	credentialRefresh?: boolean | ((credentialType: string) => boolean);
	/**
	 * Whether the credential type is an OAuth2 one: n8n signs its requests with the credential as
	 * it reads it itself on every request (and renews its token), not with the one the transport
	 * read for the run (secrets.ts). Default false. A function answers per credential type.
	 */
	oauth2?: boolean | ((credentialType: string) => boolean);
	/** The provider's rate and in-flight limits, as one run of a node paces itself to them (see pacing.ts). */
	pacing?: PacingSpec;
	/**
	 * The largest file a download from this provider may be, for the API base the credential
	 * points at (a provider's documented maximum may hold on its own host only). Undefined: the
	 * general ceiling (DOWNLOAD_CEILING_BYTES).
	 */
	downloadLimit?(apiBase: string): DownloadLimit | undefined;
	/** The fields of the provider's attachment record that hold the file's name (made base names beside a downloaded file). */
	fileNameFields?: readonly string[];
}
