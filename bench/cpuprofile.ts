/**
 * Summarises the V8 CPU profiles `npm run bench -- --cpu-prof` writes (one folder per n8n run,
 * one .cpuprofile per process: n8n and its task runner): self time per function, and per module
 * (n8n-core, axios, form-data, node:internal streams...), for the n8n main process (the largest
 * profile of the folder).
 *
 *   npx tsx bench/cpuprofile.ts bench/tmp/cpuprof/xero-download-1073741824-ours-1 [--top=25] [--window=socketOnData]
 *   npx tsx bench/cpuprofile.ts bench/tmp/cpuprof/per-item-asana-download-ours-c1-1 --window=ours --items=300
 *
 * --window=<function>[@<text>][,…]: only the samples from the first to the last one with one of
 * those functions in their stack (with @: a function of a script whose URL holds the text);
 * `--window=ours` is our nodes' item loop (`worker@n8n-nodes-attachments`, resumed for every
 * item), `--window=http` the HTTP Request node's `execute@HttpRequestV3` (resumed for every
 * item). --items=N: ms per item beside ms. --inclusive: also the time of the samples under each
 * function (its callees included; an async function's own resumptions only, not what it awaits).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}
interface CpuProfile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
	startTime: number;
	endTime: number;
}

function moduleOf(url: string): string {
	if (!url) return '(native / V8)';
	if (url.startsWith('node:')) return url.replace(/^node:internal\/(\w+).*$/, 'node:internal/$1');
	const all = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
	return all.length ? all[all.length - 1][1] : path.basename(url);
}

/**
 * Self time per function and module; with `window`, only the samples between the first and the
 * last one whose stack holds a function of that name (e.g. socketOnData: the download itself).
 */
export function summarise(file: string, top = 25, window?: string, items?: number, inclusive = false): string {
	const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parent = new Map<number, number>();
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
	const inStack = (id: number, matches: (frame: ProfileNode['callFrame']) => boolean): boolean => {
		for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) if (matches(byId.get(at)!.callFrame)) return true;
		return false;
	};
	let first = 0;
	let last = profile.samples.length - 1;
	if (window) {
		const named: Record<string, string> = { ours: 'execute@n8n-nodes-attachments,worker@n8n-nodes-attachments', http: 'execute@HttpRequestV3' };
		const specs = (named[window] ?? window).split(',').map((spec) => spec.split('@'));
		const matches = (frame: ProfileNode['callFrame']) => specs.some(([name, url]) => frame.functionName === name && (url === undefined || frame.url.includes(url)));
		const hits = profile.samples.flatMap((id, index) => (inStack(id, matches) ? [index] : []));
		if (hits.length === 0) throw new Error(`no sample has ${window} in its stack`);
		[first, last] = [hits[0], hits[hits.length - 1]];
	}
	const self = new Map<number, number>();
	for (let index = first; index <= last; index++) {
		const id = profile.samples[index];
		self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
	}
	const total = [...self.values()].reduce((a, b) => a + b, 0);
	const byFunction = new Map<string, number>();
	const byModule = new Map<string, number>();
	for (const [id, micros] of self) {
		const frame = byId.get(id)!.callFrame;
		const name = `${frame.functionName || '(anonymous)'}  ${frame.url ? `${frame.url.replace(/^.*node_modules\//, '')}:${frame.lineNumber + 1}` : ''}`;
		byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
		const module = frame.url ? moduleOf(frame.url) : frame.functionName.startsWith('(') ? frame.functionName : '(native / V8)';
		byModule.set(module, (byModule.get(module) ?? 0) + micros);
	}
	const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((sum, [, micros]) => sum + micros, 0);
	const under = window;
	const lines = [
		`${file}: ${(total / 1e6).toFixed(2)} s sampled${under ? ` (from the first to the last sample under ${under})` : ''}, ${((total - idle) / 1e6).toFixed(2)} s not idle` +
			(items ? `: ${((total - idle) / 1e3 / items).toFixed(3)} ms per item of ${items}` : ''),
	];
	const list = (title: string, map: Map<string, number>) => {
		lines.push(`  ${title}`);
		for (const [name, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
			const perItem = items ? `  ${(micros / 1e3 / items).toFixed(3).padStart(7)} ms/item` : '';
			lines.push(`    ${((micros / total) * 100).toFixed(1).padStart(5)}%  ${(micros / 1e3).toFixed(0).padStart(6)} ms${perItem}  ${name}`);
		}
	};
	list('self time by module', byModule);
	list('self time by function', byFunction);
	if (inclusive) {
		const under = new Map<string, number>();
		for (const [id, micros] of self) {
			if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
			const names = new Set<string>();
			for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
				const frame = byId.get(at)!.callFrame;
				if (frame.functionName === '(root)') continue;
				names.add(`${frame.functionName || '(anonymous)'}  ${frame.url ? `${frame.url.replace(/^.*node_modules\//, '')}:${frame.lineNumber + 1}` : ''}`);
			}
			for (const name of names) under.set(name, (under.get(name) ?? 0) + micros);
		}
		list('time under each function (inclusive)', under);
	}
	return lines.join('\n');
}

if (require.main === module) {
	const args = process.argv.slice(2);
	const top = Number(args.find((arg) => arg.startsWith('--top='))?.slice(6) ?? 25);
	const window = args.find((arg) => arg.startsWith('--window='))?.slice(9);
	const items = Number(args.find((arg) => arg.startsWith('--items='))?.slice(8)) || undefined;
	const inclusive = args.includes('--inclusive');
	for (const dir of args.filter((arg) => !arg.startsWith('--'))) {
		const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')).map((name) => path.join(dir, name));
		const main = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
		if (main) console.log(summarise(main, top, window, items, inclusive));
	}
}
