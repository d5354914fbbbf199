/**
 * A credential's test request, run the way n8n's CredentialsTester runs it: a node whose only
 * property routes that request (executed by n8n-core's RoutingNode), signed by the credential.
 */
import type { ICredentialDataDecryptedObject, ICredentialType, INodeType } from 'n8n-workflow';

import { runNode } from './n8n-harness';

/** What n8n's CredentialsTester builds for a credential with a `test` request. */
export function credentialTestNode(credential: ICredentialType): INodeType {
	return {
		description: {
			displayName: 'Credential Test',
			name: 'harnessCredentialTest',
			group: ['transform'],
			version: 1,
			description: 'Runs a credential test request',
			defaults: { name: 'Credential Test' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: credential.name, required: true }],
			properties: [{ displayName: 'Temp', name: 'temp', type: 'string', default: '', routing: { request: credential.test!.request } }],
		},
	} as unknown as INodeType;
}

/** Runs `credential`'s test request with `data`; `credentialTypes` are the types n8n knows (default: that one). */
export async function runCredentialTest(credential: ICredentialType, data: ICredentialDataDecryptedObject, credentialTypes: ICredentialType[] = [credential]) {
	return await runNode({
		nodeTypes: [credentialTestNode(credential)],
		credentialTypes,
		node: { type: 'harnessCredentialTest', parameters: {} },
		credentials: { [credential.name]: data },
	});
}
