/** Types of env.js (plain CommonJS so that env.sh can run it with any Node). */
export interface HostPaths {
	repoRoot: string;
	hostDir: string;
	/** Folder of the Node 24 binary (put first on PATH) */
	nodeBinDir: string;
	/** The Node 24 binary */
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
}

export const hostPaths: HostPaths;
export const ENCRYPTION_KEY: string;

/** Only the variables that configure n8n for a user folder. */
export function n8nVariables(userFolder: string, options?: N8nEnvOptions): Record<string, string>;

/** A whole child-process environment: `base` (default process.env) without proxies/NODE_OPTIONS, plus n8nVariables, plus `extra`, Node 24 first on PATH. */
export function n8nEnv(
	userFolder: string,
	options?: N8nEnvOptions & { base?: NodeJS.ProcessEnv; extra?: Record<string, string> },
): NodeJS.ProcessEnv;
