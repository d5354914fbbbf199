/**
 * Proves the Prism-based request validator is not vacuous: hand-made requests that the vendors'
 * specs accept pass, and small deviations from them are flagged.
 */
import FormData from 'form-data';
import { getHttpOperationsFromSpec } from '@stoplight/prism-http/dist/utils/operations';
import {
	SPEC_FILES,
	describeWithSpecs,
	loadSpecOperations,
	loadSpecValidator,
	specPath,
	type RecordedRequest,
	type SpecValidator,
} from '../support/spec';

const INVOICE_ID = '4074292c-09b3-456d-84e7-add864c6c39b';
const ATTACHMENT_ID = '9808ad7f-c8d4-41cf-995e-bc29cb76fd2c';
const CONTACT_ID = '2e7bb2c4-5b1d-4d8a-9c0e-1f2a3b4c5d6e';
const BEARER = 'Bearer test-access-token';
const PDF = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x34, 0x0a, 0xe2, 0xe3, 0xcf, 0xd3, 0x00, 0xff, 0x0d, 0x0a]);

function request(method: string, url: string, headers: RecordedRequest['headers'] = {}, body?: Buffer): RecordedRequest {
	const h: RecordedRequest['headers'] = { host: '127.0.0.1:40000', connection: 'keep-alive', ...headers };
	if (body && h['content-length'] === undefined && h['transfer-encoding'] === undefined) {
		h['content-length'] = String(body.length);
	}
	return { method, url, headers: h, body, bodySize: body?.length ?? 0 };
}

function json(method: string, url: string, value: unknown, headers: RecordedRequest['headers'] = {}): RecordedRequest {
	return request(method, url, { 'content-type': 'application/json', ...headers }, Buffer.from(JSON.stringify(value)));
}

function multipart(url: string, fields: Array<[string, string | Buffer, FormData.AppendOptions?]>, headers: RecordedRequest['headers'] = {}) {
	const form = new FormData();
	for (const [name, value, options] of fields) form.append(name, value, options);
	return request('POST', url, { ...form.getHeaders(), ...headers }, form.getBuffer());
}

/** Fails with the violations listed (a readable diff) unless there are none. */
function expectValid(validator: SpecValidator, req: RecordedRequest) {
	expect(validator.validate(req)).toEqual([]);
}

/** At least one violation, and one of them matches `pattern`. */
function expectViolation(validator: SpecValidator, req: RecordedRequest, pattern: RegExp) {
	const violations = validator.validate(req);
	if (!violations.some((v) => pattern.test(v))) {
		throw new Error(`expected a violation matching ${pattern}, got:\n${violations.join('\n') || '(none)'}`);
	}
}

describeWithSpecs('spec validator: Xero Accounting (prism-patched)', [SPEC_FILES.xeroAccounting], () => {
	let xero: SpecValidator;
	const base = '/api.xro/2.0';
	const auth = { authorization: BEARER, 'xero-tenant-id': 'tenant-1' };

	beforeAll(async () => {
		xero = await loadSpecValidator(SPEC_FILES.xeroAccounting);
	}, 120_000);

	it('loads the spec, strips its server base path and caches the parse', async () => {
		expect(xero.basePaths).toEqual([base]);
		expect(xero.operationCount).toBeGreaterThan(200);
		const started = Date.now();
		const again = await loadSpecValidator(SPEC_FILES.xeroAccounting);
		expect(Date.now() - started).toBeLessThan(1000);
		expect(again.loadMs).toBe(xero.loadMs);
	});

	it('accepts listing the attachments of an invoice with tenant header and Bearer token', () => {
		const req = request('GET', `${base}/Invoices/${INVOICE_ID}/Attachments`, auth);
		expect(xero.check(req)).toEqual({
			operation: { id: 'getInvoiceAttachments', method: 'get', path: '/Invoices/{InvoiceID}/Attachments' },
			violations: [],
			warnings: [],
		});
	});

	it('flags a missing xero-tenant-id header', () => {
		const req = request('GET', `${base}/Invoices/${INVOICE_ID}/Attachments`, { authorization: BEARER });
		expectViolation(xero, req, /required property 'xero-tenant-id'/);
	});

	it('flags a request without credentials (OAuth2 Bearer expected)', () => {
		const req = request('GET', `${base}/Invoices/${INVOICE_ID}/Attachments`, { 'xero-tenant-id': 'tenant-1' });
		expectViolation(xero, req, /^.*security: Invalid security scheme used .*OAuth2/);
		const basic = request('GET', `${base}/Invoices/${INVOICE_ID}/Attachments`, {
			'xero-tenant-id': 'tenant-1',
			authorization: 'Basic dXNlcjpwYXNz',
		});
		expectViolation(xero, basic, /security/);
	});

	it('flags a parent id that is not a uuid', () => {
		const req = request('GET', `${base}/Invoices/INV-0001/Attachments`, auth);
		expectViolation(xero, req, /invoiceid must match format "uuid"/);
	});

	it('accepts uploading raw file bytes with the file MIME type to a percent-encoded file name', () => {
		const req = request('PUT', `${base}/Invoices/${INVOICE_ID}/Attachments/report%20v2.pdf`, { ...auth, 'content-type': 'application/pdf' }, PDF);
		expect(xero.check(req)).toMatchObject({ operation: { id: 'createInvoiceAttachmentByFileName' }, violations: [] });
		expectValid(xero, request('PUT', `${base}/Invoices/${INVOICE_ID}/Attachments/report%20v2.pdf?IncludeOnline=true`, { ...auth, 'content-type': 'application/pdf' }, PDF));
	});

	it('flags an upload without a body and a query parameter of the wrong type', () => {
		expectViolation(xero, request('PUT', `${base}/Invoices/${INVOICE_ID}/Attachments/a.pdf`, { ...auth, 'content-type': 'application/pdf', 'content-length': '0' }), /Body parameter is required/);
		expectViolation(
			xero,
			request('PUT', `${base}/Invoices/${INVOICE_ID}/Attachments/a.pdf?IncludeOnline=maybe`, { ...auth, 'content-type': 'application/pdf' }, PDF),
			/includeonline must be boolean/,
		);
	});

	it('checks only presence and media type of a body that was not recorded, and says so', () => {
		const req: RecordedRequest = {
			...request('PUT', `${base}/Invoices/${INVOICE_ID}/Attachments/big.bin`, { ...auth, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' }),
			bodySize: 5 * 1024 * 1024,
		};
		const result = xero.check(req);
		expect(result.violations).toEqual([]);
		expect(result.warnings.join('\n')).toMatch(/not recorded/);
	});

	it('flags unknown paths, unsupported methods and paths outside the server base path', () => {
		expectViolation(xero, request('GET', `${base}/Invoices/${INVOICE_ID}/Attachmentz`, auth), /hasn't been found in the specification/);
		// The Xero API cannot delete attachments.
		expectViolation(xero, request('DELETE', `${base}/Invoices/${INVOICE_ID}/Attachments/${ATTACHMENT_ID}`, auth), /does not have "delete" method/);
		expectViolation(xero, request('GET', `/Invoices/${INVOICE_ID}/Attachments`, auth), /not under the spec's server base path/);
	});

	it('requires the contentType header the spec declares on downloads', () => {
		const url = `${base}/Invoices/${INVOICE_ID}/Attachments/${ATTACHMENT_ID}`;
		expectValid(xero, request('GET', url, { ...auth, contenttype: 'application/pdf' }));
		expectViolation(xero, request('GET', url, auth), /required property 'contenttype'/);
		expectValid(xero, request('GET', `${base}/Invoices/${INVOICE_ID}/Attachments/report%20v2.pdf`, { ...auth, contenttype: 'application/pdf' }));
	});

	it('validates JSON bodies against the schema, and reports schemas Prism cannot compile instead of passing them', () => {
		const invoice = (quantity: unknown) =>
			json('PUT', `${base}/Invoices`, { Invoices: [{ Type: 'ACCREC', Contact: { ContactID: INVOICE_ID }, LineItems: [{ Description: 'x', Quantity: quantity }] }] }, auth);
		expectValid(xero, invoice(1));
		expectViolation(xero, invoice('one'), /Invoices\.0\.LineItems\.0\.Quantity must be number/);
		// Prism's ajv cannot compile this bundled schema and would silently accept any body.
		expectViolation(xero, json('PUT', `${base}/Payments`, { Payments: [] }, auth), /not validated: Prism could not compile a JSON schema/);
	});

	it('flags a body sent without Content-Type (which Prism itself accepts)', () => {
		expectViolation(xero, request('PUT', `${base}/Invoices/${INVOICE_ID}/Attachments/a.pdf`, auth, PDF), /without Content-Type/);
	});

	it('with a paths filter, loads fast and refuses to vouch for operations it did not load', async () => {
		const attachmentsOnly = await loadSpecValidator(SPEC_FILES.xeroAccounting, { paths: /\/Attachments/ });
		expect(attachmentsOnly.loadMs).toBeLessThan(xero.loadMs);
		expectValid(attachmentsOnly, request('PUT', `${base}/Invoices/${INVOICE_ID}/Attachments/report%20v2.pdf`, { ...auth, 'content-type': 'application/pdf' }, PDF));
		expectViolation(attachmentsOnly, request('GET', `${base}/Invoices/INV-1/Attachments`, auth), /must match format "uuid"/);
		expectViolation(attachmentsOnly, request('GET', `${base}/Invoices/${INVOICE_ID}`, auth), /not validated: the operation was not loaded/);
		expectViolation(attachmentsOnly, request('GET', `${base}/Nope`, auth), /hasn't been found/);
	});

	it('accepts a serverPrefix override', async () => {
		const mounted = await loadSpecValidator(SPEC_FILES.xeroAccounting, { serverPrefix: '/xero/api.xro/2.0' });
		expectValid(mounted, request('GET', `/xero/api.xro/2.0/Invoices/${INVOICE_ID}/Attachments`, auth));
		expectViolation(mounted, request('GET', `${base}/Invoices/${INVOICE_ID}/Attachments`, auth), /not under/);
	});
});

describeWithSpecs('spec validator: Asana', [SPEC_FILES.asana], () => {
	let asana: SpecValidator;
	const auth = { authorization: BEARER };

	beforeAll(async () => {
		asana = await loadSpecValidator(SPEC_FILES.asana);
	}, 120_000);

	it('accepts a multipart upload with parent and file fields', () => {
		const req = multipart('/api/1.0/attachments', [
			['parent', '1204567890123456'],
			['file', PDF, { filename: 'report v2.pdf', contentType: 'application/pdf' }],
		], auth);
		expect(asana.check(req)).toMatchObject({ operation: { id: 'createAttachmentForObject' }, violations: [] });
	});

	it('flags multipart uploads missing parent, with a bad enum value, or broken framing', () => {
		expectViolation(asana, multipart('/api/1.0/attachments', [['file', PDF, { filename: 'a.pdf', contentType: 'application/pdf' }]], auth), /required property 'parent'/);
		expectViolation(
			asana,
			multipart('/api/1.0/attachments', [['parent', '1'], ['resource_subtype', 'dropbox'], ['file', PDF, { filename: 'a.pdf', contentType: 'application/pdf' }]], auth),
			/resource_subtype must be equal to one of the allowed values/,
		);
		const cut = multipart('/api/1.0/attachments', [['parent', '1'], ['file', PDF, { filename: 'a.pdf', contentType: 'application/pdf' }]], auth);
		const truncated = cut.body!.subarray(0, cut.body!.length - 20);
		expectViolation(asana, { ...cut, body: truncated, bodySize: truncated.length, headers: { ...cut.headers, 'content-length': String(truncated.length) } }, /closing delimiter/);
	});

	it('accepts a file part without Content-Type (valid per RFC 7578, crashes Prism\'s own parser)', () => {
		const boundary = 'XyZ123';
		const body = Buffer.concat([
			Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="parent"\r\n\r\n1204567890123456\r\n`),
			Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n`),
			PDF,
			Buffer.from(`\r\n--${boundary}--\r\n`),
		]);
		const req = request('POST', '/api/1.0/attachments', { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, body);
		const result = asana.check(req);
		expect(result.violations).toEqual([]);
		expect(result.warnings.join('\n')).toMatch(/normalised copy/);
	});

	it('flags a JSON body sent to the multipart upload', () => {
		expectViolation(asana, json('POST', '/api/1.0/attachments', { parent: '1' }, auth), /body media type: Supported content types: multipart\/form-data/);
	});

	it('accepts listing attachments of a parent and flags a missing parent', () => {
		expectValid(asana, request('GET', '/api/1.0/attachments?parent=123', auth));
		expectValid(asana, request('GET', '/api/1.0/attachments?parent=123&opt_fields=name,download_url&limit=50', auth));
		expectViolation(asana, request('GET', '/api/1.0/attachments', auth), /required property 'parent'/);
		expectViolation(asana, request('GET', '/api/1.0/attachments?parent=123&opt_fields=name,nonsense', auth), /opt_fields/);
	});

	it('flags a request without credentials', () => {
		expectViolation(asana, request('GET', '/api/1.0/attachments?parent=123'), /security/);
	});
});

describeWithSpecs('spec validator: Sunshine Conversations (legacy v12.8.0)', [SPEC_FILES.sunshineLegacy], () => {
	let sunshine: SpecValidator;
	const basic = { authorization: `Basic ${Buffer.from('app_key_id:secret').toString('base64')}` };

	beforeAll(async () => {
		sunshine = await loadSpecValidator(SPEC_FILES.sunshineLegacy);
	}, 120_000);

	it('accepts a media token request with paths (Basic or Bearer auth)', () => {
		expect(sunshine.check(json('POST', '/v2/apps/5ec41c54fe13cc5ac404bedc/attachments/token', { paths: ['a/b'] }, basic))).toMatchObject({
			operation: { id: 'generateMediaJsonWebToken' },
			violations: [],
		});
		expectValid(sunshine, json('POST', '/v2/apps/app1/attachments/token', { paths: ['a/b'] }, { authorization: BEARER }));
	});

	it('flags a media token body without the required paths, of a wrong type, or not JSON', () => {
		expectViolation(sunshine, json('POST', '/v2/apps/app1/attachments/token', {}, basic), /required property 'paths'/);
		expectViolation(sunshine, json('POST', '/v2/apps/app1/attachments/token', { paths: 'a/b' }, basic), /paths must be array/);
		expectViolation(sunshine, request('POST', '/v2/apps/app1/attachments/token', { ...basic, 'content-type': 'application/json' }, Buffer.from('{paths:')), /not valid JSON/);
	});

	it('checks the media type of a chunked body (no content-length)', () => {
		const req = request('POST', '/v2/apps/app1/attachments/token', { ...basic, 'content-type': 'text/plain', 'transfer-encoding': 'chunked' }, Buffer.from('{"paths":["a/b"]}'));
		expectViolation(sunshine, req, /body media type/);
	});

	it('accepts a multipart upload with source and access, and flags a missing access query', () => {
		const fields: Array<[string, string | Buffer, FormData.AppendOptions?]> = [['source', PDF, { filename: 'a.pdf', contentType: 'application/pdf' }]];
		expectValid(sunshine, multipart('/v2/apps/app1/attachments?access=public&for=message&conversationId=c616a583e4c240a871818541', fields, basic));
		expectViolation(sunshine, multipart('/v2/apps/app1/attachments', fields, basic), /required property 'access'/);
		expectViolation(sunshine, multipart('/v2/apps/app1/attachments?access=public', [['file', PDF, { filename: 'a.pdf', contentType: 'application/pdf' }]], basic), /required property 'source'/);
	});
});

describeWithSpecs('spec validator: Wix contact attachments', [SPEC_FILES.wix], () => {
	let wix: SpecValidator;
	const auth = { authorization: 'IST.raw-api-key', 'wix-site-id': '0b1ba7f4-4d5a-4b09-a6c4-2a5f1b8e1c3d' };

	beforeAll(async () => {
		wix = await loadSpecValidator(SPEC_FILES.wix);
	});

	it('accepts generating an upload URL with its JSON body', () => {
		const req = json('POST', `/contacts/v4/attachments/${CONTACT_ID}/upload-url`, { contactId: CONTACT_ID, fileName: 'contact-cv.pdf', mimeType: 'application/pdf' }, auth);
		expect(wix.check(req)).toMatchObject({ operation: { id: 'GenerateAttachmentUploadUrl' }, violations: [] });
		expectValid(wix, json('POST', `/contacts/v4/attachments/${CONTACT_ID}/upload-url`, { fileName: 'a.png', mimeType: 'image/png' }, { authorization: 'app-token' }));
	});

	it('flags a body without mimeType, a non-uuid contact id and a missing Authorization', () => {
		expectViolation(wix, json('POST', `/contacts/v4/attachments/${CONTACT_ID}/upload-url`, { fileName: 'a.pdf' }, auth), /required property 'mimeType'/);
		expectViolation(wix, json('POST', '/contacts/v4/attachments/not-a-guid/upload-url', { fileName: 'a.pdf', mimeType: 'application/pdf' }, auth), /contactid must match format "uuid"/);
		expectViolation(wix, json('POST', `/contacts/v4/attachments/${CONTACT_ID}/upload-url`, { fileName: 'a.pdf', mimeType: 'application/pdf' }), /security/);
	});

	it('accepts list paging query parameters and flags one out of range', () => {
		expectValid(wix, request('GET', `/contacts/v4/attachments/${CONTACT_ID}?paging.limit=100&paging.offset=0`, auth));
		expectViolation(wix, request('GET', `/contacts/v4/attachments/${CONTACT_ID}?paging.limit=101`, auth), /paging\.limit must be <= 100/);
	});
});

describeWithSpecs('spec validator: reduced loading is equivalent to Prism loading the file', [SPEC_FILES.wix, SPEC_FILES.sunshineLegacy, SPEC_FILES.asana], () => {
	type Op = Awaited<ReturnType<typeof getHttpOperationsFromSpec>>[number] & { __bundled__?: Record<string, unknown> };
	/** The request side of an operation with every bundled schema it references (transitively). */
	function requestSide(op: Op) {
		const side = { method: op.method, path: op.path, iid: op.iid, id: op.id, request: op.request, security: op.security, servers: op.servers };
		const bundled: Record<string, unknown> = {};
		const walk = (value: unknown): void => {
			if (Array.isArray(value)) return value.forEach(walk);
			if (typeof value !== 'object' || value === null) return;
			const ref = (value as { $ref?: unknown }).$ref;
			if (typeof ref === 'string' && ref.startsWith('#/__bundled__/')) {
				const key = ref.slice('#/__bundled__/'.length);
				if (!(key in bundled)) {
					bundled[key] = op.__bundled__?.[key];
					walk(bundled[key]);
				}
			}
			Object.values(value).forEach(walk);
		};
		walk(side);
		return { ...side, bundled };
	}

	it.each([SPEC_FILES.wix, SPEC_FILES.sunshineLegacy, SPEC_FILES.asana])('%s: same operations, same request side', async (file) => {
		const prism = (await getHttpOperationsFromSpec(specPath(file))) as Op[];
		const reduced = (await loadSpecOperations(file)).operations as Op[];
		expect(reduced.map((op) => `${op.method} ${op.path}`)).toEqual(prism.map((op) => `${op.method} ${op.path}`));
		for (let i = 0; i < prism.length; i++) expect(requestSide(reduced[i])).toEqual(requestSide(prism[i]));
	}, 60_000);
});
