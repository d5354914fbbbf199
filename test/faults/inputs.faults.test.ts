/**
 * Odd and bad inputs, as upstream nodes and expressions hand them over. A bad one must be a
 * NodeOperationError that names the parameter to fix, raised before any request leaves (the
 * emulator sees nothing). An odd but legal one (a file name with `/ ? # % ..`, unicode) must
 * arrive at the server exactly as given.
 */
import dns from 'node:dns';

import type { INodeParameters } from 'n8n-workflow';

import type { HarnessItem, RunNodeResult } from '../support/n8n-harness';
import { startAsanaServer, DEFAULT_TASK } from '../../sandbox/asana/server';
import type { AsanaServer } from '../../sandbox/asana/server';
import type { SunshineServer } from '../../sandbox/sunshine/server';
import type { WixServer } from '../../sandbox/wix/server';
import type { XeroServer } from '../../sandbox/xero/server';
import { locator, runAsana } from '../nodes/AsanaAttachment/context';
import { runSunshine, startServer as startSunshine } from '../nodes/SunshineConversationsAttachment/context';
import { CONTACT_ID, runWix, startServer as startWix } from '../nodes/WixAttachment/context';
import { runXero, startServer as startXero, xeroCredentials } from '../nodes/XeroAttachment/context';
import { MiB, expectInputRejected, fileItem } from './support/cases';
import { itCase } from './support/summary';

// Whatever name a request might be sent to (e.g. api.xero.com when a check that should stop it
// first is broken), it resolves to 127.0.0.1: these tests never reach beyond this machine.
const realLookup = dns.lookup;
beforeAll(() => {
	(dns as { lookup: unknown }).lookup = (_hostname: string, options: unknown, callback: unknown) =>
		(realLookup as (...args: unknown[]) => void)('127.0.0.1', options, callback);
});
afterAll(() => {
	(dns as { lookup: unknown }).lookup = realLookup;
});

let xero: XeroServer;
let asana: AsanaServer;
let wix: WixServer;
let sunshine: SunshineServer;
beforeAll(async () => {
	[xero, asana, wix, sunshine] = await Promise.all([startXero(), startAsanaServer(), startWix(), startSunshine()]);
});
afterAll(async () => await Promise.all([xero.close(), asana.close(), wix.close(), sunshine.close()]));
beforeEach(() => {
	xero.reset();
	xero.addDocument('Invoices', guid);
	asana.reset();
	wix.reset();
	sunshine.reset();
});

const requestsSeen = () => xero.requests.length + asana.requests.length + asana.fileRequests.length + wix.requests.length + sunshine.requests.length;

interface BadInput {
	node: 'Xero' | 'Asana' | 'Wix' | 'Sunshine';
	operation: string;
	name: string;
	parameters: INodeParameters;
	input?: HarnessItem[];
	/** The error message, which must name the parameter. */
	message: RegExp;
	/** Xero only: send to Xero's own host (where its size limit applies). */
	xeroHost?: boolean;
}

const guid = '4074292c-09b3-456d-84e7-add864c6c39b';
const xeroUpload = { resource: 'invoice', operation: 'upload', parentId: guid, binaryPropertyName: 'data', options: {} };
const xeroGetByName = (fileName: string) => ({ resource: 'invoice', operation: 'get', parentId: guid, getBy: 'fileName', fileName, binaryPropertyName: 'data', options: { mimeType: 'application/pdf' } });
const asanaUpload = { operation: 'upload', parent: locator(DEFAULT_TASK.gid), source: 'binary', binaryPropertyName: 'data', options: {} };
const wixUpload = { operation: 'upload', contactId: CONTACT_ID, binaryPropertyName: 'data', options: {} };
const sunshineUpload = { operation: 'upload', binaryPropertyName: 'data', options: {} };
const wrongField: HarnessItem[] = [{ binary: { file: { data: 'x', fileName: 'a.pdf', mimeType: 'application/pdf' } } }];
const emptyFile: HarnessItem[] = [{ binary: { data: { data: '', fileName: 'empty.pdf', mimeType: 'application/pdf' } } }];

const badInputs: BadInput[] = [
	// Xero
	{ node: 'Xero', operation: 'Upload', name: 'missing binary field (item has "file", node reads "data")', parameters: xeroUpload, input: wrongField, message: /no binary field "data" \(parameter "Input Binary Field"\)/ },
	{ node: 'Xero', operation: 'Upload', name: 'empty file', parameters: xeroUpload, input: emptyFile, message: /is empty \(parameter "Input Binary Field"\)/ },
	{ node: 'Xero', operation: 'Upload', name: 'file over Xero\'s 10 MB limit', parameters: xeroUpload, input: fileItem(10 * MiB + 1, 1), xeroHost: true, message: /^The file "report.pdf" is 10485761 bytes, over the 10485760 bytes Xero accepts$/ },
	{ node: 'Xero', operation: 'Upload', name: 'file type Xero does not take (.exe), on Xero\'s host', parameters: xeroUpload, input: fileItem(10, 7, 'setup.exe', 'application/x-msdownload'), xeroHost: true, message: /^Invalid "File Name": Xero does not take "\.exe" files: name the file with one of \.7z, \.bmp, .*, \.zip$/ },
	{ node: 'Xero', operation: 'Upload', name: 'file name without an extension, on Xero\'s host', parameters: { ...xeroUpload, options: { fileName: 'README' } }, input: fileItem(10, 8), xeroHost: true, message: /^Invalid "File Name": Xero does not take files without an extension/ },
	{ node: 'Xero', operation: 'Get Many', name: 'parent ID that is not a GUID', parameters: { resource: 'invoice', operation: 'getAll', parentId: 'INV-0042', returnAll: true }, message: /^Invalid "Invoice ID": "INV-0042" is not a GUID/ },
	{ node: 'Xero', operation: 'Get', name: 'attachment ID that is not a GUID', parameters: { resource: 'quote', operation: 'get', parentId: guid, getBy: 'attachmentId', attachmentId: 'abc', binaryPropertyName: 'data', options: {} }, message: /^Invalid "Attachment ID"/ },
	{ node: 'Xero', operation: 'Get', name: 'file name ".."', parameters: xeroGetByName('..'), message: /^Invalid "File Name": ".." cannot be used as a name/ },
	{ node: 'Xero', operation: 'Get', name: 'file name with a control character (BEL)', parameters: xeroGetByName('bell\u0007.pdf'), message: /^Invalid "File Name": control characters/ },
	{ node: 'Xero', operation: 'Upload', name: 'file name of 256 characters', parameters: { ...xeroUpload, fileName: `${'a'.repeat(252)}.pdf` }, input: fileItem(10, 2), message: /^Invalid "File Name"/ },
	{ node: 'Xero', operation: 'Get', name: 'expression giving an object as file name', parameters: xeroGetByName('={{ { name: "a.pdf" } }}'), message: /^Invalid "File Name": expected text/ },
	{ node: 'Xero', operation: 'Get Many', name: 'Limit of 0', parameters: { resource: 'invoice', operation: 'getAll', parentId: guid, returnAll: false, limit: 0 }, message: /"Limit" must be a whole number/ },
	{ node: 'Xero', operation: 'Get Many', name: 'expression giving text as Timeout', parameters: { resource: 'invoice', operation: 'getAll', parentId: guid, returnAll: true, options: { timeout: '={{ "soon" }}' } }, message: /^Invalid "Timeout": expected a number of milliseconds/ },
	// Asana
	{ node: 'Asana', operation: 'Upload', name: 'missing binary field', parameters: asanaUpload, input: wrongField, message: /no binary field "data" \(parameter "Input Binary Field"\)/ },
	{ node: 'Asana', operation: 'Upload', name: 'file over Asana\'s 100 MB limit', parameters: asanaUpload, input: fileItem(100 * MiB + 1, 3), message: /^The file "report.pdf" is 104857601 bytes, over the 104857600 bytes Asana accepts$/ },
	{ node: 'Asana', operation: 'Get Many', name: 'parent that is not a numeric GID', parameters: { operation: 'getAll', parent: locator('={{ "TASK-42" }}'), returnAll: true }, message: /^Invalid "Parent": "TASK-42" is neither an Asana ID/ },
	{ node: 'Asana', operation: 'Delete', name: 'attachment ID that is not a numeric GID', parameters: { operation: 'delete', attachmentId: 'att-1' }, message: /^Invalid "Attachment ID": "att-1" is not an Asana ID/ },
	{ node: 'Asana', operation: 'Upload (link)', name: 'link that is not http(s)', parameters: { operation: 'upload', parent: locator(DEFAULT_TASK.gid), source: 'link', url: 'javascript:alert(1)', name: 'x', options: {} }, message: /^Invalid "URL"/ },
	{ node: 'Asana', operation: 'Delete', name: 'expression giving an object as attachment ID', parameters: { operation: 'delete', attachmentId: '={{ { gid: "1" } }}' }, message: /^Invalid "Attachment ID": expected text/ },
	// Wix
	{ node: 'Wix', operation: 'Upload', name: 'empty file', parameters: wixUpload, input: emptyFile, message: /is empty \(parameter "Input Binary Field"\)/ },
	{ node: 'Wix', operation: 'Upload', name: 'MIME type Wix does not take (.exe)', parameters: wixUpload, input: fileItem(10, 4, 'setup.exe', 'application/x-msdownload'), message: /^Invalid "MIME Type"/ },
	{ node: 'Wix', operation: 'Upload', name: 'file name of 261 characters', parameters: { ...wixUpload, options: { fileName: `${'b'.repeat(257)}.pdf` } }, input: fileItem(10, 5), message: /^Invalid "File Name"/ },
	{ node: 'Wix', operation: 'Get Many', name: 'contact ID that is not a GUID', parameters: { operation: 'getAll', contactId: 'ada@example.com', returnAll: true }, message: /^Invalid "Contact ID": "ada@example.com" is not a GUID/ },
	{ node: 'Wix', operation: 'Delete', name: 'Timeout of -5', parameters: { operation: 'delete', contactId: CONTACT_ID, attachmentId: { __rl: true, mode: 'id', value: guid }, options: { timeout: -5 } }, message: /^Invalid "Timeout"/ },
	// Sunshine
	{ node: 'Sunshine', operation: 'Upload', name: 'file over Sunshine\'s 50 MB limit', parameters: sunshineUpload, input: fileItem(50 * MiB + 1, 6, 'big.png', 'image/png'), message: /^The file "big.png" is 52428801 bytes, over the 52428800 bytes Sunshine Conversations accepts$/ },
	{ node: 'Sunshine', operation: 'Upload', name: 'missing binary field', parameters: sunshineUpload, input: wrongField, message: /no binary field "data" \(parameter "Input Binary Field"\)/ },
	{ node: 'Sunshine', operation: 'Delete', name: 'media URL that is not a URL', parameters: { operation: 'delete', mediaUrl: 'old.png' }, message: /^Invalid "Media URL": "old.png" is not a URL/ },
	{ node: 'Sunshine', operation: 'Generate Media Token', name: 'expression giving objects as paths', parameters: { operation: 'generateMediaToken', paths: '={{ [{ path: "/apps" }] }}' }, message: /^Invalid "Paths": expected text/ },
	{ node: 'Sunshine', operation: 'Upload', name: 'conversation ID with a space', parameters: { ...sunshineUpload, options: { conversationId: 'conv 1' } }, input: fileItem(10, 7, 'a.png', 'image/png'), message: /^Invalid "Conversation ID"/ },
];

async function runCase(testCase: BadInput): Promise<RunNodeResult> {
	const options = { input: testCase.input };
	switch (testCase.node) {
		case 'Xero':
			return await runXero(xero, testCase.parameters, {
				...options,
				credentials: testCase.xeroHost ? { ...xeroCredentials(xero), baseUrl: '' } : xeroCredentials(xero),
			});
		case 'Asana':
			return await runAsana(asana, testCase.parameters, options);
		case 'Wix':
			return await runWix(wix, testCase.parameters, options);
		case 'Sunshine':
			return await runSunshine(sunshine, testCase.parameters, options);
	}
}

describe('bad inputs: a NodeOperationError naming the parameter, nothing sent', () => {
	for (const testCase of badInputs) {
		itCase({ category: 'input', node: testCase.node, operation: testCase.operation, name: testCase.name, expected: `rejected: ${testCase.message.source}` }, async () => {
			const result = await runCase(testCase);
			expectInputRejected(result, testCase.message);
			expect(result.error!.message).toMatch(/"[A-Z][A-Za-z ]+"|bytes .* accepts/);
			expect(requestsSeen()).toBe(0);
			return { attempts: 0 };
		});
	}
});

// Names a file system would refuse but the APIs take: they must arrive byte for byte.
const oddNames = ['Q3/Q4 report?.pdf', 'Invoice #42 – 100% paid.pdf', '..hidden..pdf', 'Überweisung 日本語 🙂.pdf'];

describe('odd but legal file names arrive intact', () => {
	for (const fileName of oddNames) {
		itCase({ category: 'input', node: 'Xero', operation: 'Upload', name: `file name "${fileName}"`, expected: 'stored under exactly that name (path segment percent-encoded)' }, async () => {
			const result = await runXero(xero, { ...xeroUpload, fileName }, { input: fileItem(100, 8) });
			expect(result.error).toBeUndefined();
			expect(xero.attachments('Invoices', guid).map((record) => record.fileName)).toEqual([fileName]);
			expect(result.items[0].json.FileName).toBe(fileName);
			return { attempts: 1 };
		});

		itCase({ category: 'input', node: 'Asana', operation: 'Upload', name: `file name "${fileName}"`, expected: 'attached under exactly that name (multipart filename)' }, async () => {
			const result = await runAsana(asana, { ...asanaUpload, options: { fileName } }, { input: fileItem(100, 9) });
			expect(result.error).toBeUndefined();
			expect(asana.attachments(DEFAULT_TASK.gid).map((record) => record.name)).toEqual([fileName]);
			return { attempts: 1 };
		});
	}

	itCase({ category: 'input', node: 'Wix', operation: 'Upload', name: 'file name "Q3/Q4 #1 – 100%? Überweisung.pdf"', expected: 'announced and stored under exactly that name' }, async () => {
		const fileName = 'Q3/Q4 #1 – 100%? Überweisung.pdf';
		const result = await runWix(wix, { ...wixUpload, options: { fileName } }, { input: fileItem(100, 10) });
		expect(result.error).toBeUndefined();
		expect(wix.attachments(CONTACT_ID).map((record) => record.fileName)).toEqual([fileName]);
		return { attempts: 2 };
	});

	itCase({ category: 'input', node: 'Sunshine', operation: 'Upload', name: 'file name "scans/2024 #3 – 50%?.png"', expected: 'stored under exactly that name (multipart filename, browser escaping)' }, async () => {
		const fileName = 'scans/2024 #3 – 50%?.png';
		const result = await runSunshine(sunshine, { ...sunshineUpload, options: { fileName } }, { input: fileItem(100, 11, 'x.png', 'image/png') });
		expect(result.error).toBeUndefined();
		expect(sunshine.attachments().map((record) => record.fileName)).toEqual([fileName]);
		return { attempts: 1 };
	});
});
