/**
 * Source "URL" of an upload: the file is fetched from the address the user (or an AI agent) gave
 * and streamed into the upload as it arrives, never stored or held whole. The answer's headers
 * give its size (required: every upload sends an exact Content-Length), type and name; the size
 * is checked against the provider's limit before anything is sent to the provider. Each attempt
 * of the upload fetches the file again (a stream is spent once sent), and every fetch must bring
 * exactly the size the first announced.
 *
 * The address is checked like one a provider gave (url-guard.ts): https and public only, redirects
 * included, unless the user allowed internal addresses; it is fetched without any credential.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

import { guardDownload } from './bounded';
import { fileNameFromContentDisposition, mimeTypeFromContentType } from './content-disposition';
import { isStream } from './errors';
import { safeFileName } from './file-name';
import { sendRequest } from './request';
import { readTimeout } from './timeout';
import type { FullResponse } from './request';
import type { BinaryStream, ProviderSpec, UploadSource } from './types';

export const URL_PARAMETERS = { url: 'sourceUrl', allowInternal: 'allowInternalUrl' } as const;

/** Who answers a fetch of the file: named so in errors ("Could not reach the file URL…"). */
const FILE_URL: ProviderSpec = {
	displayName: 'The file URL',
	credentialType: () => '',
	baseUrl: async () => '',
	parseError: (body) => (typeof body === 'string' && body.trim() ? { message: body.trim().slice(0, 300) } : {}),
	credentialRefresh: false,
};

export interface UrlUploadOptions {
	/** File name to use instead of the one the answer gives. */
	fileName?: string;
	maxBytes?: number;
	providerName: string;
	/** The node's credential type: never sent to the URL; its secrets are kept out of errors. */
	credentialType: string;
	/** Says the file is too large, as an upload of a binary file says it. */
	tooLarge: (fileName: string, size: number, where: string) => NodeOperationError;
}

function fileNameOf(url: string, disposition: string | undefined): string {
	const announced = fileNameFromContentDisposition(disposition);
	if (announced) return safeFileName(announced);
	let last = '';
	try {
		last = decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).pop() ?? '');
	} catch {
		last = '';
	}
	return safeFileName(last);
}

/** A text parameter of an upload source, trimmed; an empty one is refused with `problem`, naming it, before any request. */
export function requiredText(ctx: IExecuteFunctions, parameter: string, itemIndex: number, problem: string, description: string): string {
	const raw = ctx.getNodeParameter(parameter, itemIndex, '') as unknown;
	const text = typeof raw === 'string' ? raw.trim() : '';
	if (text === '') throw new NodeOperationError(ctx.getNode(), problem, { itemIndex, description });
	return text;
}

export async function resolveUrlUploadSource(ctx: IExecuteFunctions, itemIndex: number, options: UrlUploadOptions): Promise<UploadSource> {
	const node = ctx.getNode();
	const url = requiredText(
		ctx,
		URL_PARAMETERS.url,
		itemIndex,
		'The parameter "File URL" is empty: there is nothing to upload',
		'Give the address of the file (https://…), or set Source to "Binary File" to upload a file from a binary field.',
	);
	if (!/^https?:\/\/[^/?#\s]+/i.test(url)) {
		throw new NodeOperationError(node, `Invalid "File URL": "${url.replace(/[?#].*$/, '')}" is not an http(s) URL`, { itemIndex });
	}
	const allowInternal = ctx.getNodeParameter(URL_PARAMETERS.allowInternal, itemIndex, false) === true;
	const timeoutMs = readTimeout(ctx, itemIndex);
	const fetchFile = async (): Promise<FullResponse> =>
		await sendRequest(
			ctx,
			FILE_URL,
			{
				method: 'GET',
				url,
				idempotent: true,
				anonymous: true,
				credentialType: options.credentialType,
				streamResponse: true,
				providerUrl: true,
				urlPolicy: allowInternal ? { allowNonPublic: true } : {},
				target: 'the file URL',
				timeoutMs,
			},
			itemIndex,
			async (response) => response,
		);

	const first = await fetchFile();
	const size = Number(first.headers['content-length']);
	const firstBody = first.body as BinaryStream;
	if (first.headers['content-length'] === undefined || !Number.isInteger(size) || size < 0) {
		firstBody.destroy();
		throw new NodeOperationError(node, 'The file URL did not say how large the file is (no Content-Length)', {
			itemIndex,
			description: `${options.providerName} needs the exact size of the file before it is sent. Download it first (HTTP Request node, Response Format "File"), then upload the binary field.`,
		});
	}
	const fileName = options.fileName?.trim() || fileNameOf(first.url ?? url, first.headers['content-disposition']);
	if (size === 0) {
		firstBody.destroy();
		throw new NodeOperationError(node, 'The file at the File URL is empty', { itemIndex, description: 'Empty files cannot be attached.' });
	}
	if (options.maxBytes !== undefined && size > options.maxBytes) {
		firstBody.destroy();
		throw options.tooLarge(fileName, size, 'The file URL');
	}

	const opened = new Set<BinaryStream>();
	let unused: BinaryStream | undefined = firstBody;
	/** A fetched body, held to exactly `size` bytes: an upload with a wrong Content-Length would be corrupt. */
	const exactly = (body: BinaryStream): BinaryStream => {
		guardDownload(body, { transferLength: size, recordSize: size, maxBytes: size, maxDescription: `the ${size} bytes the file URL announced` });
		opened.add(body);
		body.once('close', () => opened.delete(body));
		return body;
	};
	return {
		fileName,
		mimeType: mimeTypeFromContentType(first.headers['content-type']) ?? 'application/octet-stream',
		size,
		open: async () => {
			// The first attempt sends the answer that told the size; later ones fetch the file again.
			const body = unused ?? (await fetchFile()).body;
			unused = undefined;
			if (!isStream(body)) throw new NodeOperationError(node, 'The file URL answered without a file', { itemIndex });
			return exactly(body);
		},
		release: () => {
			unused?.destroy();
			unused = undefined;
			for (const stream of opened) stream.destroy();
			opened.clear();
		},
	};
}
