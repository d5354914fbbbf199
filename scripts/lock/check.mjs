#!/usr/bin/env node
/**
 * `npm run lock:check`: is the committed package-lock.json one that `npm ci` accepts on a fresh
 * clone, on any OS, and that `npm install` leaves unchanged?
 *
 *   1. The lock's root entry declares what package.json declares (name, version, dependencies).
 *   2. Every dependency and optional dependency that any locked package declares resolves, the
 *      way Node resolves modules, to a locked package of a matching version. `npm ci` checks this
 *      for every platform at once: an optional platform build missing from the lock (say, a
 *      macOS binary that the registry did not serve when the lock was made) makes it refuse the
 *      lock with "Missing: <name>@<version> from lock file", on Linux too.
 *   3. (skipped with --offline) `npm install --package-lock-only` in a temporary copy of
 *      package.json, package-lock.json and .npmrc, resolved against the registry, gives the same
 *      bytes back.
 * Exits non-zero with what differs.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// semver from node_modules, or from npm's own copy when node_modules is not installed (yet).
function loadSemver() {
	try {
		return createRequire(path.join(root, 'package.json'))('semver');
	} catch {
		const npmRoot = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' }).stdout.trim();
		return createRequire(path.join(npmRoot, 'npm', 'package.json'))('semver');
	}
}
const semver = loadSemver();
const offline = process.argv.includes('--offline');

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const lockText = fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8');
const lock = JSON.parse(lockText);
const packages = lock.packages ?? {};
const problems = [];

// 1. Root entry.
const top = packages[''] ?? {};
for (const field of ['name', 'version']) {
	if (top[field] !== pkg[field]) {
		problems.push(`root entry ${field} is ${top[field]}, package.json says ${pkg[field]}`);
	}
}
for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
	const want = pkg[field] ?? {};
	const have = top[field] ?? {};
	for (const name of new Set([...Object.keys(want), ...Object.keys(have)])) {
		if (want[name] !== have[name]) {
			problems.push(
				`root entry ${field}.${name} is ${have[name] ?? '(absent)'}, package.json says ${want[name] ?? '(absent)'}`,
			);
		}
	}
}

// 2. Every declared edge resolves inside the lock.
function resolve(from, name) {
	let dir = from;
	for (;;) {
		const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
		if (packages[candidate]) return candidate;
		if (!dir) return null;
		const i = dir.lastIndexOf('/node_modules/');
		dir = i < 0 ? '' : dir.slice(0, i);
	}
}
let edges = 0;
for (const [location, entry] of Object.entries(packages)) {
	if (entry.link) continue;
	for (const field of ['dependencies', 'optionalDependencies']) {
		for (const [name, range] of Object.entries(entry[field] ?? {})) {
			edges++;
			const found = resolve(location, name);
			const who = location || 'package.json';
			if (!found) {
				problems.push(`missing: ${name}@${range} (${field} of ${who}) has no entry in the lock`);
				continue;
			}
			const target = packages[found];
			const version = target.link ? packages[target.resolved]?.version : target.version;
			const spec = range.startsWith('npm:') ? range.slice(range.lastIndexOf('@') + 1) : range;
			if (semver.validRange(spec) && version && !semver.satisfies(version, spec, { includePrerelease: true })) {
				problems.push(`invalid: ${found} is ${version}, ${who} wants ${name}@${range}`);
			}
		}
	}
}
const platformBuilds = Object.values(packages).filter((e) => e.os || e.cpu).length;
console.log(
	`lock: ${Object.keys(packages).length - 1} packages, ${edges} dependency edges, ${platformBuilds} platform-specific optional builds (all OSes)`,
);

// 3. npm install changes nothing.
if (!offline && problems.length === 0) {
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-check-'));
	try {
		for (const f of ['package.json', 'package-lock.json', '.npmrc']) {
			if (fs.existsSync(path.join(root, f))) fs.copyFileSync(path.join(root, f), path.join(tmp, f));
		}
		const r = spawnSync(
			'npm',
			['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
			{ cwd: tmp, encoding: 'utf8' },
		);
		if (r.status !== 0) {
			problems.push(`npm install --package-lock-only failed:\n${r.stderr}`);
		} else {
			const after = fs.readFileSync(path.join(tmp, 'package-lock.json'), 'utf8');
			if (after !== lockText) {
				const was = packages;
				const now = JSON.parse(after).packages ?? {};
				const names = new Set([...Object.keys(was), ...Object.keys(now)]);
				const changed = [...names].filter((n) => JSON.stringify(was[n]) !== JSON.stringify(now[n]));
				problems.push(
					`npm install rewrites package-lock.json (${changed.length} entries differ: ${changed.slice(0, 15).join(', ')}${changed.length > 15 ? ', …' : ''})`,
				);
			} else {
				console.log('lock: npm install --package-lock-only leaves it byte for byte unchanged');
			}
		}
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

if (problems.length > 0) {
	for (const p of problems) console.log(`❌ ${p}`);
	console.log(
		'lock:check failed. To fix: `npm install` (with the registry reachable), then `npm run lock:check`; see CONTRIBUTING.md, "Dependencies and the lock file".',
	);
	process.exit(1);
}
console.log(`lock:check passed${offline ? ' (offline: npm install not tried)' : ''}`);
