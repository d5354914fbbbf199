/**
 * What a run asks of n8n per item (nodes/shared/transport/run.ts, secrets.ts), through n8n's real
 * execution code: a parameter without an expression is resolved once per run, one with an
 * expression once per item; a credential n8n signs with the object it is handed is read (loaded
 * and decrypted) once per run; an OAuth2 credential too, handed to n8n's own OAuth2 signing and
 * renewal, but read again when the read is OAUTH2_READ_MAX_AGE_MS old or a request carried a token
 * the run did not know (n8n renewed it).
 */
import { ExecuteContext } from 'n8n-core';

import { HarnessCredentialsHelper } from '../support/n8n-harness';
import { OAUTH2_READ_MAX_AGE_MS } from '../../nodes/shared/transport/secrets';
import { DEFAULT_TASK } from '../../sandbox/asana/server';
import { DEFAULT_ACCESS_TOKEN } from '../../sandbox/xero/server';
import { runAsana, useAsanaEmulator } from './AsanaAttachment/context';
import { runXero, useXeroEmulator } from './XeroAttachment/context';

type Reader = { _getNodeParameter: (name: string, itemIndex: number, fallback?: unknown, options?: { rawExpressions?: boolean }) => unknown };

/** Parameter reads n8n resolved (raw reads apart), by parameter name. */
function spyParameters() {
	const spy = jest.spyOn(ExecuteContext.prototype as unknown as Reader, '_getNodeParameter');
	return {
		resolved: (name: string) => spy.mock.calls.filter(([parameter, , , options]) => parameter === name && !options?.rawExpressions).length,
		restore: () => spy.mockRestore(),
	};
}

function spyCredentialReads() {
	const spy = jest.spyOn(HarnessCredentialsHelper.prototype, 'getDecrypted');
	return { reads: () => spy.mock.calls.length, restore: () => spy.mockRestore() };
}

describe('Asana, personal access token: Get with Download File, 4 items', () => {
	const server = useAsanaEmulator();

	it('resolves constant parameters once per run and expressions once per item, and reads the credential once', async () => {
		const gids = Array.from({ length: 4 }, (_, i) => server.seedAttachment(DEFAULT_TASK.gid, `file-${i}.txt`, Buffer.from(`content ${i}`), 'text/plain').gid);
		const parameters = spyParameters();
		const credentials = spyCredentialReads();
		try {
			const result = await runAsana(
				server,
				{ operation: 'get', attachmentId: '={{ $json.gid }}', download: true, binaryPropertyName: 'data', options: {} },
				{ input: gids.map((gid) => ({ json: { gid } })) },
			);
			expect(result.error).toBeUndefined();
			expect(result.items.map((item) => item.json.gid)).toEqual(gids);
			// Two requests an item (the record, then the file), one credential read in all.
			expect(credentials.reads()).toBe(1);
			expect(parameters.resolved('download')).toBe(1);
			expect(parameters.resolved('authentication')).toBe(1);
			expect(parameters.resolved('options.timeout')).toBe(1);
			expect(parameters.resolved('attachmentId')).toBe(4);
		} finally {
			parameters.restore();
			credentials.restore();
		}
	});
});

describe('Xero (OAuth2): Get by attachment ID with the MIME type given, 3 items', () => {
	const server = useXeroEmulator();
	const parentId = '5b1d3e0a-8c1f-4f6e-9a2d-7e3b1c0d9f01';
	const seedThree = () => Array.from({ length: 3 }, (_, i) => server.seedAttachment('Invoices', parentId, `page-${i}.pdf`, Buffer.from(`page ${i}`), 'application/pdf').attachmentId);
	const getEach = async (ids: string[]) =>
		await runXero(
			server,
			{ resource: 'invoice', operation: 'get', parentId, getBy: 'attachmentId', attachmentId: '={{ $json.id }}', binaryPropertyName: 'data', options: { mimeType: 'application/pdf' } },
			{ input: ids.map((id) => ({ json: { id } })) },
		);
	const fileRequests = () => server.requests.filter((request) => request.path.includes('/Attachments/'));

	it('hands n8n\'s OAuth2 signing the run\'s one read instead of a load and decryption per request', async () => {
		const ids = seedThree();
		const credentials = spyCredentialReads();
		try {
			const result = await getEach(ids);
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(3);
			expect(credentials.reads()).toBe(1);
		} finally {
			credentials.restore();
		}
	});

	it('reads it again once the read is OAUTH2_READ_MAX_AGE_MS old (a token another execution renewed reaches the run)', async () => {
		const ids = seedThree();
		const credentials = spyCredentialReads();
		const realNow = Date.now.bind(Date);
		// After the first item's request, the clock is past the read's age.
		const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + (fileRequests().length >= 1 ? OAUTH2_READ_MAX_AGE_MS + 1_000 : 0));
		try {
			const result = await getEach(ids);
			expect(result.error).toBeUndefined();
			expect(credentials.reads()).toBe(2);
		} finally {
			clock.mockRestore();
			credentials.restore();
		}
	});

	it('an expired token: n8n renews it in the run\'s read (two sends, as n8n\'s own), and the later items carry the new token', async () => {
		const ids = seedThree();
		server.expireToken(DEFAULT_ACCESS_TOKEN);
		const credentials = spyCredentialReads();
		try {
			const result = await getEach(ids);
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(3);
			const tokens = fileRequests().map((request) => String(request.headers.authorization).replace(/^Bearer /, ''));
			expect(tokens).toHaveLength(4);
			expect(tokens[0]).toBe(DEFAULT_ACCESS_TOKEN);
			expect(new Set(tokens.slice(1)).size).toBe(1);
			expect(tokens[1]).not.toBe(DEFAULT_ACCESS_TOKEN);
			// The run's read, n8n's check of the stored token before it renews, and one read once the renewal was seen.
			expect(credentials.reads()).toBe(3);
		} finally {
			credentials.restore();
		}
	});

	it('uploads the same way: where the files go (Xero\'s host or an override) comes from the run\'s one read', async () => {
		const uploadParent = '5b1d3e0a-8c1f-4f6e-9a2d-7e3b1c0d9f02';
		server.addDocument('Invoices', uploadParent);
		const credentials = spyCredentialReads();
		try {
			const result = await runXero(
				server,
				{ resource: 'invoice', operation: 'upload', parentId: uploadParent, binaryPropertyName: 'data', options: {} },
				{ input: Array.from({ length: 3 }, (_, i) => ({ binary: { data: { data: Buffer.from(`page ${i}`), fileName: `page-${i}.pdf`, mimeType: 'application/pdf' } } })) },
			);
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(3);
			expect(credentials.reads()).toBe(1);
		} finally {
			credentials.restore();
		}
	});
});
