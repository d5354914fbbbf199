#!/usr/bin/env node
/**
 * `npm run typecheck:1x`: do nodes/ and credentials/ compile against the types of n8n-workflow
 * 1.120.31, the one n8n 1.123.81 ships (the devDependency n8n-workflow-1x, an alias of
 * n8n-workflow@1.120.31, mapped in tsconfig.1x.json)? The package is built against 2.41's types;
 * this catches a use of something 1.x does not declare.
 *
 * Every error must be listed in known-errors.json beside this file (a known gap, with why it is
 * left for now and who fixes it), and every listed error must still occur: a new error fails, and
 * so does a fixed one that is still listed (remove it from the list). Errors are matched by file,
 * TS code and message, not by line.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

const typesPackage = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'n8n-workflow-1x', 'package.json'), 'utf8'));
console.log(`typecheck:1x: nodes/ and credentials/ against n8n-workflow ${typesPackage.version} (node_modules/n8n-workflow-1x)`);

const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.1x.json', '--noEmit', '--pretty', 'false'], { cwd: root, encoding: 'utf8' });
if (result.error) throw result.error;
const output = `${result.stdout}${result.stderr}`;
const errors = [];
const unparsed = [];
for (const line of output.split('\n')) {
	if (line.trim() === '') continue;
	const match = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
	if (match) errors.push({ file: match[1], line: Number(match[2]), code: match[4], message: match[5] });
	else if (!/^\s/.test(line)) unparsed.push(line); // continuation lines of a message are indented
}
if (result.status !== 0 && errors.length === 0) {
	console.error(`tsc failed without an error this script can read (exit ${result.status}):\n${output}`);
	process.exit(1);
}
if (unparsed.length > 0 && errors.length === 0) console.log(unparsed.join('\n'));

const known = JSON.parse(fs.readFileSync(path.join(here, 'known-errors.json'), 'utf8'));
const sameError = (error, entry) => error.file === entry.file && error.code === entry.code && error.message === entry.message;
const unknown = errors.filter((error) => !known.some((entry) => sameError(error, entry)));
const gone = known.filter((entry) => !errors.some((error) => sameError(error, entry)));

for (const error of errors) {
	const entry = known.find((candidate) => sameError(error, candidate));
	console.log(`${entry ? 'known' : 'NEW  '} ${error.file}:${error.line} ${error.code} ${error.message}${entry ? `\n      (${entry.why})` : ''}`);
}
for (const entry of gone) console.log(`FIXED ${entry.file} ${entry.code} ${entry.message}: remove it from scripts/typecheck-1x/known-errors.json`);
if (unknown.length > 0 || gone.length > 0) {
	console.error(`typecheck:1x failed: ${unknown.length} new error(s), ${gone.length} listed error(s) no longer occur`);
	process.exit(1);
}
console.log(`typecheck:1x passed: ${errors.length === 0 ? 'no errors' : `only the ${errors.length} known error(s) of known-errors.json`}`);
