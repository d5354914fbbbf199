/**
 * What the editor makes of the node descriptions, computed with n8n-workflow's own helpers: the
 * canvas subtitle, the parameter issues under "Custom API Call" (the option n8n's loader adds),
 * how the credential list maps onto the hidden Authentication parameter, and field texts.
 */
import { readFileSync } from 'fs';
import * as path from 'path';

import { NodeHelpers, Workflow } from 'n8n-workflow';
import type { ICredentialType, INode, INodeParameters, INodeProperties, INodeType, INodeTypeDescription, INodeTypes } from 'n8n-workflow';

import { AsanaAttachmentApi } from '../../credentials/AsanaAttachmentApi.credentials';
import { AsanaAttachmentOAuth2Api } from '../../credentials/AsanaAttachmentOAuth2Api.credentials';
import { SunshineConversationsAttachmentApi } from '../../credentials/SunshineConversationsAttachmentApi.credentials';
import { SunshineConversationsAttachmentJwtApi } from '../../credentials/SunshineConversationsAttachmentJwtApi.credentials';
import { WixAttachmentApi } from '../../credentials/WixAttachmentApi.credentials';
import { WixAttachmentAppOAuthApi } from '../../credentials/WixAttachmentAppOAuthApi.credentials';
import { XeroAttachmentOAuth2Api } from '../../credentials/XeroAttachmentOAuth2Api.credentials';
import { AsanaAttachment } from '../../nodes/AsanaAttachment/AsanaAttachment.node';
import { SunshineConversationsAttachment } from '../../nodes/SunshineConversationsAttachment/SunshineConversationsAttachment.node';
import { WixAttachment } from '../../nodes/WixAttachment/WixAttachment.node';
import { XeroAttachment } from '../../nodes/XeroAttachment/XeroAttachment.node';
import { asanaProvider } from '../../sandbox/asana/demo';
import { sunshineProvider } from '../../sandbox/sunshine/demo';
import { WIX_DEMO, wixProvider } from '../../sandbox/wix/demo';
import { XERO_DEMO, xeroProvider } from '../../sandbox/xero/demo';

const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

interface Case {
	node: INodeType;
	credentials: ICredentialType[];
	sandboxPort: number;
}

const CASES: Record<string, Case> = {
	xero: { node: new XeroAttachment(), credentials: [new XeroAttachmentOAuth2Api()], sandboxPort: xeroProvider.defaultPorts.prism },
	asana: {
		node: new AsanaAttachment(),
		credentials: [new AsanaAttachmentApi(), new AsanaAttachmentOAuth2Api()],
		sandboxPort: asanaProvider.defaultPorts.prism,
	},
	wix: { node: new WixAttachment(), credentials: [new WixAttachmentApi(), new WixAttachmentAppOAuthApi()], sandboxPort: wixProvider.defaultPorts.prism },
	sunshine: {
		node: new SunshineConversationsAttachment(),
		credentials: [new SunshineConversationsAttachmentApi(), new SunshineConversationsAttachmentJwtApi()],
		sandboxPort: sunshineProvider.defaultPorts.prism,
	},
};
const cases = Object.entries(CASES);

/** The description as n8n's loader serves it: "Custom API Call" added to Resource and Operation. */
function asLoaded(description: INodeTypeDescription): INodeTypeDescription {
	const copy = structuredClone(description);
	for (const property of copy.properties) {
		if (['resource', 'operation'].includes(property.name) && Array.isArray(property.options)) {
			property.options.push({ name: 'Custom API Call', value: CUSTOM_API_CALL });
		}
	}
	return copy;
}

function nodeOf(description: INodeTypeDescription, parameters: INodeParameters): INode {
	return { id: 'n', name: 'Node', type: `n8n-nodes-attachments.${description.name}`, typeVersion: 1, position: [0, 0], parameters };
}

/** The parameters the editor keeps for these values: defaults filled in, hidden ones dropped. */
function editorParameters(description: INodeTypeDescription, values: INodeParameters): INodeParameters {
	return NodeHelpers.getNodeParameters(description.properties, values, true, false, nodeOf(description, values), description) ?? {};
}

function subtitleOf(nodeType: INodeType, values: INodeParameters): unknown {
	const description = asLoaded(nodeType.description);
	const loaded = { ...nodeType, description } as INodeType;
	const parameters = editorParameters(description, values);
	const node = nodeOf(description, parameters);
	const nodeTypes: INodeTypes = {
		getByName: () => loaded,
		getByNameAndVersion: () => loaded,
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	return workflow.expression.getSimpleParameterValue(node, description.subtitle, 'internal', {});
}

function optionsOf(description: INodeTypeDescription, name: string): Array<{ name: string; value: string }> {
	return description.properties
		.filter((property) => property.name === name)
		.flatMap((property) => (property.options ?? []) as Array<{ name: string; value: string }>);
}

describe('canvas subtitles', () => {
	it.each([
		['xero', { resource: 'invoice', operation: 'getAll' }, 'Get Many: Invoice'],
		['xero', { resource: 'bankTransaction', operation: 'upload' }, 'Upload: Bank Transaction'],
		['asana', { operation: 'get' }, 'Get: Attachment'],
		['wix', { operation: 'getAll' }, 'Get Many: Contact Attachment'],
		['sunshine', { operation: 'generateMediaToken' }, 'Generate Media Token: Attachment'],
		['sunshine', { resource: CUSTOM_API_CALL }, 'Custom API Call'],
		['xero', { resource: 'invoice', operation: CUSTOM_API_CALL }, 'Custom API Call'],
	])('%s %j shows "%s"', (name, values, expected) => {
		expect(subtitleOf(CASES[name].node, values as INodeParameters)).toBe(expected);
	});

	it.each(cases)('%s: every operation of every resource has a human subtitle', (_name, { node }) => {
		const resources = optionsOf(node.description, 'resource');
		const operations = optionsOf(node.description, 'operation');
		for (const resource of resources) {
			for (const operation of operations) {
				const subtitle = subtitleOf(node, { resource: resource.value, operation: operation.value });
				expect(subtitle).toBe(`${operation.name}: ${resource.name}`);
			}
		}
	});
});

describe('Custom API Call (added by n8n to nodes whose credentials can sign other requests)', () => {
	it.each(cases)('%s: its credentials are of the kind n8n adds Custom API Call for', (_name, { credentials }) => {
		// n8n's loader (supportsProxyAuth): a credential with `authenticate`, or extending oAuth2Api.
		expect(credentials.some((credential) => credential.authenticate !== undefined || credential.extends?.includes('oAuth2Api'))).toBe(true);
	});

	it.each(cases)('%s: no hidden parameter is required under Custom API Call', (_name, { node }) => {
		const description = asLoaded(node.description);
		for (const values of [{ resource: CUSTOM_API_CALL }, { operation: CUSTOM_API_CALL }] as INodeParameters[]) {
			const parameters = editorParameters(description, values);
			const issues = NodeHelpers.getNodeParametersIssues(description.properties, nodeOf(description, parameters), description);
			expect({ values, issues }).toEqual({ values, issues: null });
			// Only what n8n keeps visible under it remains (Authentication, Resource, Operation).
			const shown = description.properties
				.filter((property) => NodeHelpers.displayParameter(parameters, property, nodeOf(description, parameters), description))
				.map((property) => property.name);
			expect(shown.filter((name) => !['authentication', 'resource', 'operation'].includes(name))).toEqual([]);
		}
	});

	it.each(cases)('%s: the help names the credential types as n8n lists them', async (_name, { node, credentials }) => {
		let help: unknown;
		const ctx = {
			getInputData: () => [{ json: {} }],
			getNodeParameter: (name: string) => (name === 'resource' ? CUSTOM_API_CALL : ''),
			getNode: () => nodeOf(node.description, {}),
			continueOnFail: () => false,
		};
		try {
			await node.execute!.call(ctx as never);
		} catch (error) {
			help = error;
		}
		expect((help as Error).message).toBe('Custom API Call is made with the HTTP Request node, not with this node');
		for (const credential of credentials) expect((help as { description: string }).description).toContain(`"${credential.displayName}"`);
	});
});

describe('Authentication (n8n 2.41 hides it and lets the credential list set it)', () => {
	it.each(cases.filter(([, { credentials }]) => credentials.length > 1))(
		'%s: each Authentication option stands for exactly one credential type',
		(_name, { node, credentials }) => {
			const authentication = node.description.properties.find((property) => property.name === 'authentication') as INodeProperties;
			expect(authentication).toBeDefined();
			const values = (authentication.options as Array<{ value: string }>).map((option) => option.value);
			const mapped = values.map(
				(value) => node.description.credentials?.filter((credential) => credential.displayOptions?.show?.authentication?.includes(value)).map((credential) => credential.name),
			);
			expect(mapped).toEqual(credentials.map((credential) => [credential.name]));
			// The default is the first credential type, so a workflow that never set Authentication uses it.
			expect(authentication.default).toBe(values[0]);
		},
	);
});

describe('the README on choosing a credential type', () => {
	it('never tells to set an Authentication field n8n 2.41 does not show', () => {
		const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
		expect(readme).not.toMatch(/set \*Authentication\*|node's \*Authentication\*/);
		expect(readme).toContain('*Credential to connect with* list');
	});
});

describe('credential fields', () => {
	it.each(cases)('%s: Base URL Override placeholders name this provider’s sandbox port', (_name, { credentials, sandboxPort }) => {
		for (const credential of credentials) {
			const placeholders = credential.properties
				.filter((property) => property.displayName === 'Base URL Override')
				.map((property) => property.placeholder);
			expect(placeholders.length).toBeGreaterThan(0);
			for (const placeholder of placeholders) expect(placeholder).toBe(`e.g. http://127.0.0.1:${sandboxPort}`);
		}
	});
});

describe('ID fields', () => {
	const properties = (name: string) => CASES[name].node.description.properties;

	it('each Xero document ID says what it is and has its own made-up example, no demo document’s', () => {
		const ids = properties('xero').filter((property) => property.name === 'parentId');
		expect(ids).toHaveLength(11);
		const placeholders = ids.map((property) => property.placeholder);
		expect(new Set(placeholders).size).toBe(11);
		for (const property of ids) {
			const kind = property.displayName.replace(/ ID$/, '');
			expect(property.description).toMatch(new RegExp(`^The ${kind.toLowerCase()} whose attachments to manage: its ${kind.replace(/ /g, '')}ID \\(a GUID\\)`));
			expect(property.placeholder).not.toContain(XERO_DEMO.invoiceId);
			expect(property.placeholder).not.toContain(XERO_DEMO.contactId);
		}
	});

	it('Wix Contact is a picker (From List or ID) with a description', () => {
		const contact = properties('wix').find((property) => property.name === 'contactId')!;
		expect(contact.type).toBe('resourceLocator');
		expect(contact.modes?.map((mode) => [mode.name, mode.typeOptions?.searchListMethod])).toEqual([
			['list', 'searchContacts'],
			['id', undefined],
		]);
		expect(contact.description).toMatch(/Read Contacts/);
		expect(JSON.stringify(contact)).not.toContain(WIX_DEMO.contact.id);
		expect(CASES.wix.node.methods?.listSearch?.searchContacts).toBeDefined();
	});

	it('Asana Attachment is a picker listing the Parent’s attachments, and Get/Delete show that Parent (not required)', () => {
		const attachment = properties('asana').find((property) => property.name === 'attachmentId')!;
		expect(attachment.type).toBe('resourceLocator');
		expect(attachment.modes?.map((mode) => [mode.name, mode.typeOptions?.searchListMethod])).toEqual([
			['list', 'searchAttachments'],
			['id', undefined],
		]);
		const parents = properties('asana').filter((property) => property.name === 'parent');
		expect(parents.map((parent) => [parent.displayOptions?.show?.operation, parent.required])).toEqual([
			[['upload', 'getAll'], true],
			[['get', 'delete'], false],
		]);
		expect(CASES.asana.node.methods?.listSearch?.searchAttachments).toBeDefined();
	});
});

describe('credential references (n8n\'s lint checks them only in a literal array; the nodes share theirs)', () => {
	const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
	/** An instance of the class a built file the manifest lists holds (named as the file, as n8n's loader finds it), from its source. */
	const load = <T>(built: string): T => {
		const source = path.join(__dirname, '..', '..', built.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- the manifest names the files
		const exported = require(source) as Record<string, new () => T>;
		return new exported[path.basename(source).split('.')[0]]();
	};
	const declared = new Set(manifest.n8n.credentials.map((built) => load<ICredentialType>(built).name));

	it.each(manifest.n8n.nodes)('%s names only credential types the package declares', (built) => {
		const names = (load<INodeType>(built).description.credentials ?? []).map((credential) => credential.name);
		expect(names.length).toBeGreaterThan(0);
		for (const name of names) expect(declared).toContain(name);
	});
});
