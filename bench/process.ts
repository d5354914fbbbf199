/** Running a command to its end for the bench: its exit code, its output and how long it took. */
import { spawn } from 'node:child_process';

import { hostPaths } from '../test/e2e/support/n8n';

export interface CommandResult {
	code: number | null;
	stdout: string;
	stderr: string;
	ms: number;
}

/** Runs `command` in `cwd` (default: the repository, where `npm run bench` runs too). */
export function runCommand(command: string, args: string[], options: { cwd?: string } = {}): Promise<CommandResult> {
	const started = process.hrtime.bigint();
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd: options.cwd ?? hostPaths.repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, stdout, stderr, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
	});
}
