/**
 * Where do the bytes go? The pipelines n8n runs for our nodes, rebuilt in plain Node scripts
 * (the Node 24 and the axios of .n8n-host, the n8n the bench runs), each in its own process
 * against the bench server, with time and peak RSS growth over the script's own start:
 *
 *   npx tsx bench/profile.ts [--size=100] [--rounds=3]
 *
 * Downloads: socket → (axios) → fs.promises.writeFile(stream), which is what n8n's binary store
 * does with the stream a node hands to prepareBinaryData (@n8n/blob-storage FsByteStore.write);
 * then the same with the chunks coalesced to 1 MiB first, and a plain stream.pipeline. Uploads:
 * the binary store's read stream (fileHandle.createReadStream, 64 KiB chunks) → axios PUT, and
 * the same with 1 MiB chunks. curl is the reference.
 */
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { hostPaths } from '../test/e2e/support/n8n';
import { runCommand } from './process';
import { fileChunks, largeFileName, startBenchServer } from './server';

const TMP = path.join(__dirname, 'tmp', 'profile');
const MiB = 1024 * 1024;

const PRELUDE = `
const fs = require('node:fs');
const http = require('node:http');
const { pipeline } = require('node:stream/promises');
const axios = require(${JSON.stringify(path.join(hostPaths.n8nDir, 'node_modules', 'axios'))});
const [url, file, size] = process.argv.slice(2);
/** Re-chunks a stream into 1 MiB buffers (one copy of each byte). */
async function* coalesce(source, target = 1024 * 1024) {
  let parts = []; let length = 0;
  for await (const chunk of source) {
    parts.push(chunk); length += chunk.length;
    if (length >= target) { yield Buffer.concat(parts, length); parts = []; length = 0; }
  }
  if (length) yield Buffer.concat(parts, length);
}
let chunks = 0;
async function* count(source) { for await (const chunk of source) { chunks++; yield chunk; } }
const get = () => new Promise((resolve, reject) => http.get(url, resolve).on('error', reject));
let start = process.resourceUsage().maxRSS;
let t0 = process.hrtime.bigint();
`;
const REPORT = `
  .then(() => console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - t0) / 1e6, rssGrowth: (process.resourceUsage().maxRSS - start) * 1024, chunks })))
  .catch((error) => { console.error(error); process.exit(1); });
`;

const VARIANTS: Record<string, { direction: 'download' | 'upload'; code: string; flags?: string[] }> = {
	'download: http.get → fs.promises.writeFile, gc() every 4 MiB (is the growth garbage?)': {
		direction: 'download',
		flags: ['--expose-gc'],
		code: `get().then((res) => fs.promises.writeFile(file, (async function* () { for await (const c of res) { chunks++; if (chunks % 64 === 0) globalThis.gc(); yield c; } })()))`,
	},
	'download: http.get → fs.promises.writeFile, 250 MB of live heap like n8n (does GC cost grow?)': {
		direction: 'download',
		code: `globalThis.keep = Array.from({ length: 2_500_000 }, (_, i) => ({ i, s: 'x' + i, a: [i] })); start = process.resourceUsage().maxRSS; t0 = process.hrtime.bigint(); get().then((res) => fs.promises.writeFile(file, count(res)))`,
	},
	'download: http.get → fs.promises.writeFile (the binary store)': {
		direction: 'download',
		code: `get().then((res) => fs.promises.writeFile(file, count(res)))`,
	},
	'download: axios stream → fs.promises.writeFile (n8n: helpers.httpRequest + prepareBinaryData)': {
		direction: 'download',
		code: `axios.get(url, { responseType: 'stream', maxRedirects: 0 }).then((r) => fs.promises.writeFile(file, count(r.data)))`,
	},
	'download: axios stream → 1 MiB chunks → fs.promises.writeFile': {
		direction: 'download',
		code: `axios.get(url, { responseType: 'stream', maxRedirects: 0 }).then((r) => fs.promises.writeFile(file, count(coalesce(r.data))))`,
	},
	'download: http.get → stream.pipeline → fs.createWriteStream': {
		direction: 'download',
		code: `get().then((res) => pipeline(count(res), fs.createWriteStream(file)))`,
	},
	'upload: store read stream (64 KiB) → axios PUT (n8n: getBinaryStream + helpers.httpRequest)': {
		direction: 'upload',
		code: `fs.promises.open(file).then((h) => axios.put(url, h.createReadStream(), { headers: { 'Content-Type': 'application/pdf', 'Content-Length': String(size) }, maxRedirects: 0, maxBodyLength: Infinity }))`,
	},
	'upload: store read stream (1 MiB) → axios PUT': {
		direction: 'upload',
		code: `fs.promises.open(file).then((h) => axios.put(url, h.createReadStream({ highWaterMark: 1024 * 1024 }), { headers: { 'Content-Type': 'application/pdf', 'Content-Length': String(size) }, maxRedirects: 0, maxBodyLength: Infinity }))`,
	},
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export interface ProfileRow {
	variant: string;
	size: number;
	ms: number;
	rssGrowthMiB: number;
	chunks?: number;
}

export async function profilePipelines(size: number, rounds: number): Promise<ProfileRow[]> {
	mkdirSync(TMP, { recursive: true });
	const input = path.join(TMP, largeFileName(size));
	if (!existsSync(input)) {
		const out = createWriteStream(input);
		for (const chunk of fileChunks(size)) if (!out.write(chunk)) await once(out, 'drain');
		out.end();
		await once(out, 'finish');
	}
	const output = path.join(TMP, 'out.bin');
	const server = await startBenchServer();
	const rows: ProfileRow[] = [];
	try {
		const downloadUrl = `${server.url}/storage/${largeFileName(size)}`;
		const uploadUrl = `${server.url}/wix-upload/profile?filename=${largeFileName(size)}`;
		const results: Record<string, Array<{ ms: number; rssGrowth: number; chunks?: number }>> = {};
		for (let round = 0; round < rounds; round++) {
			for (const [name, variant] of Object.entries(VARIANTS)) {
				const script = path.join(TMP, 'variant.js');
				writeFileSync(script, `${PRELUDE}${variant.code}${REPORT}`);
				const url = variant.direction === 'download' ? downloadUrl : uploadUrl;
				const result = await runCommand(hostPaths.node, [...(variant.flags ?? []), script, url, variant.direction === 'download' ? output : input, String(size)]);
				if (result.code !== 0) throw new Error(`${name}: ${result.stderr}`);
				(results[name] ??= []).push(JSON.parse(result.stdout) as { ms: number; rssGrowth: number; chunks?: number });
				rmSync(output, { force: true });
			}
			for (const direction of ['download', 'upload'] as const) {
				const name = `${direction}: curl`;
				const args =
					direction === 'download'
						? ['-sS', '-o', output, '-w', '%{time_total}', downloadUrl]
						: ['-sS', '-o', '/dev/null', '-w', '%{time_total}', '-X', 'PUT', '-T', input, uploadUrl];
				const result = await runCommand('curl', args);
				(results[name] ??= []).push({ ms: Number(result.stdout) * 1000, rssGrowth: NaN });
				rmSync(output, { force: true });
			}
		}
		for (const [variant, samples] of Object.entries(results)) {
			rows.push({
				variant,
				size,
				ms: median(samples.map((s) => s.ms)),
				rssGrowthMiB: median(samples.map((s) => s.rssGrowth)) / MiB,
				chunks: samples[0].chunks || undefined,
			});
		}
	} finally {
		await server.close();
		rmSync(TMP, { recursive: true, force: true });
	}
	return rows;
}

if (require.main === module) {
	const flags = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
	const size = Math.round(Number(flags.size ?? 100) * MiB);
	void profilePipelines(size, Number(flags.rounds ?? 3)).then((rows) => {
		for (const row of rows) {
			console.log(`${row.variant.padEnd(96)} ${(row.ms / 1000).toFixed(3)} s  RSS +${row.rssGrowthMiB.toFixed(1)} MiB${row.chunks ? `  ${row.chunks} chunks` : ''}`);
		}
	});
}
