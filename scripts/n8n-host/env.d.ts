/** Types of env.js (plain CommonJS so that env.sh and prepare.sh can run it with any Node). */
export type HostLine = '2x' | '1x';

export interface HostPaths {
	/** The n8n line: 2x (n8n 2.41.1, Node 24) or 1x (n8n 1.123.81, Node 22) */
	line: HostLine;
	repoRoot: string;
	hostDir: string;
	/** scripts/n8n-host/host (2x) or host-1x (1x): the pinned package.json and lock */
	hostPackageDir: string;
	/** Major version of the line's Node ('24', '22') */
	nodeMajor: string;
	nodeDir: string;
	/** Folder of the line's Node binary (put first on PATH) */
	nodeBinDir: string;
	/** The line's Node binary */
	node: string;
	n8nDir: string;
	/** node_modules/n8n/bin/n8n of the host (run it with `node`) */
	n8nBin: string;
	prepareScript: string;
	installPackageScript: string;
}

export interface N8nEnvOptions {
	/** Editor/REST port for `n8n start` (default 5678) */
	port?: number;
	/** Task broker port (default 5679) */
	brokerPort?: number;
	/** The n8n line (default 2x) */
	line?: HostLine;
}

export const LINES: Record<HostLine, { packageDir: string; nodeMajor: string; dirVariable: string; defaultDir: string }>;

/** The 2x host (n8n 2.41.1 under Node 24). */
export const hostPaths: HostPaths;
/** The host of a line (default 2x). */
export function hostPathsFor(line?: HostLine): HostPaths;
export const ENCRYPTION_KEY: string;

/** Only the variables that configure n8n for a user folder. */
export function n8nVariables(userFolder: string, options?: N8nEnvOptions): Record<string, string>;

/** A whole child-process environment: `base` (default process.env) without proxies/NODE_OPTIONS, plus n8nVariables, plus `extra`, the line's Node first on PATH. */
export function n8nEnv(
	userFolder: string,
	options?: N8nEnvOptions & { base?: NodeJS.ProcessEnv; extra?: Record<string, string> },
): NodeJS.ProcessEnv;
