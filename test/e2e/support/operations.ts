/**
 * The set-up every `*-operations.e2e.test.ts` file shares: its provider's sandbox (Prism in front
 * of the emulator), the project's n8n (support/server.ts), the file's workflows imported with their
 * IDs kept by key, the sandbox closed after the file and the emulator's request log emptied before
 * each test. What differs (seeded files, credentials, the workflows) stays in the file's own
 * `beforeAll`, which jest runs after this one's (hooks run in the order they are declared).
 */
import { startSandbox, type RunningProvider, type Sandbox } from '../../../sandbox';
import type { RecordedRequest } from '../../../sandbox/common/http';

import type { WorkflowToImport } from './n8n';
import { connectN8n, type E2eN8n } from './server';

export interface ProviderInN8n<S> {
	sandbox: Sandbox;
	provider: RunningProvider<S>;
	n8n: E2eN8n;
	/** The imported workflows' IDs, by the keys given to `importWorkflows`. */
	ids: Record<string, string>;
	importWorkflows(workflows: Record<string, WorkflowToImport>): Promise<void>;
}

export function useProviderInN8n<S extends { requests: RecordedRequest[] }>(
	name: string,
	options: { demoData?: boolean; clear?: (emulator: S) => void } = {},
): ProviderInN8n<S> {
	const state = { ids: {} } as ProviderInN8n<S>;
	state.importWorkflows = async (workflows) => {
		await state.n8n.importWorkflows(Object.values(workflows));
		for (const [key, value] of Object.entries(workflows)) state.ids[key] = value.id!;
	};

	beforeAll(async () => {
		state.sandbox = await startSandbox({ only: [name], noDemoData: options.demoData !== true });
		state.provider = state.sandbox.get<S>(name);
		state.n8n = await connectN8n();
	}, 30 * 60_000);

	afterAll(async () => {
		await state.sandbox?.close();
	});

	beforeEach(() => {
		state.provider.emulator.requests.length = 0;
		options.clear?.(state.provider.emulator);
	});

	return state;
}
