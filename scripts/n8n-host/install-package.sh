#!/usr/bin/env bash
# Installs this repository's package into an n8n user folder the way n8n 2.41.1's Community Nodes
# panel does, from a tarball made by `npm pack` (instead of one fetched from the registry):
#
#   scripts/n8n-host/install-package.sh <user-folder>
#
# n8n's steps (CommunityPackagesService.downloadPackage in
# node_modules/n8n/dist/modules/community-packages/community-packages.service.js; n8n 1.123.81's
# are the same, with the same npm arguments), followed here:
#   1. mkdir <user-folder>/.n8n/nodes/node_modules/<name>
#   2. `npm pack <name>@<version> --quiet` with cwd .n8n/nodes      (here: npm pack of the repo)
#   3. `tar -xzf <tarball> -C <package dir> --strip-components=1`   (cwd .n8n/nodes)
#   4. package.json rewritten without devDependencies, peerDependencies, optionalDependencies
#      (JSON.stringify(json, null, 2))
#   5. `npm install --audit=false --fund=false --bin-links=false --install-strategy=shallow
#      --ignore-scripts=true --package-lock=false` with cwd the package dir
#   6. .n8n/nodes/package.json ({"name":"installed-nodes","private":true,"dependencies":{}} when
#      absent) gets dependencies[<name>] = <version>; the tarball is removed
# The panel also writes rows to the installed_packages/installed_nodes tables, which only feed the
# panel's list: at start-up n8n loads every package in .n8n/nodes/node_modules (the
# community-packages module's nodeLoaders scan that folder), with or without those rows.
#
# Builds the package first (npm run build) when dist/ is missing or older than the sources; with
# N8N_PACKAGE_TARBALL set, installs that tarball instead (packed once for several installs).
# The package has no runtime dependencies, so step 5 must install nothing: this script fails if it did.
set -euo pipefail

if [[ $# -ne 1 ]]; then
	echo "usage: $0 <n8n user folder>" >&2
	exit 2
fi

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
HOST_DIR="${N8N_HOST_DIR:-$REPO_ROOT/.n8n-host}"
mkdir -p "$1" "$HOST_DIR"
USER_FOLDER="$(cd "$1" && pwd)"

log() { echo "[install-package] $*"; }
die() { echo "[install-package] FAILED: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Build (once at a time: parallel test workers share dist/)

PACK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/n8n-pack.XXXXXX")"
trap 'rm -rf "$PACK_DIR"' EXIT

if [[ -n "${N8N_PACKAGE_TARBALL:-}" ]]; then
	# A tarball packed once for several installs (.ci/run packs dist/ once after its build, and
	# the e2e, queue and editor suites install that same file): no build, no pack here.
	[[ -f "$N8N_PACKAGE_TARBALL" ]] || die "N8N_PACKAGE_TARBALL=$N8N_PACKAGE_TARBALL is not a file"
	TARBALL_NAME="$(basename "$N8N_PACKAGE_TARBALL")"
	cp "$N8N_PACKAGE_TARBALL" "$PACK_DIR/$TARBALL_NAME"
	log "using the packed tarball $N8N_PACKAGE_TARBALL"
else

exec 8>"$HOST_DIR/.build.lock"
flock 8

# Files the package's n8n section names, plus index.js (main).
mapfile -t DIST_FILES < <(cd "$REPO_ROOT" && node -e '
	const p = require("./package.json");
	for (const f of [...(p.n8n.nodes || []), ...(p.n8n.credentials || [])]) console.log(f);
')

dist_stale() {
	local f
	for f in "${DIST_FILES[@]}"; do
		[[ -f "$REPO_ROOT/$f" ]] || { echo "missing $f"; return 0; }
	done
	# Oldest of the declared dist files vs. newest source/asset/config file.
	local oldest_dist newest_src
	oldest_dist="$(cd "$REPO_ROOT" && stat -c %Y "${DIST_FILES[@]}" | sort -n | head -n 1)"
	newest_src="$(cd "$REPO_ROOT" && find nodes credentials icons package.json tsconfig.json gulpfile.js index.js \
		-type f -printf '%T@\n' 2>/dev/null | cut -d. -f1 | sort -n | tail -n 1)"
	if [[ -n "$newest_src" && "$newest_src" -gt "$oldest_dist" ]]; then
		echo "sources are newer than dist/"
		return 0
	fi
	return 1
}

if reason="$(dist_stale)"; then
	log "building the package ($reason): npm run build"
	start=$(date +%s)
	build_log="$HOST_DIR/logs/build.log"
	mkdir -p "$HOST_DIR/logs"
	if ! (cd "$REPO_ROOT" && npm run build) >"$build_log" 2>&1; then
		tail -n 40 "$build_log" >&2
		die "npm run build (log: $build_log)"
	fi
	# tsc/gulp keep the mtime of unchanged outputs: touch the declared files so that they count as fresh.
	(cd "$REPO_ROOT" && touch "${DIST_FILES[@]}")
	log "built in $(( $(date +%s) - start ))s"
fi

# ---------------------------------------------------------------------------------------------
# Pack

TARBALL_NAME="$(cd "$REPO_ROOT" && npm pack --silent --pack-destination "$PACK_DIR" | tail -n 1)"
[[ -f "$PACK_DIR/$TARBALL_NAME" ]] || die "npm pack produced no tarball (got '$TARBALL_NAME')"
flock -u 8
fi

PKG_NAME="$(tar -xzOf "$PACK_DIR/$TARBALL_NAME" package/package.json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).name))')"
[[ "$PKG_NAME" =~ ^(@[a-z0-9][a-z0-9._-]*/)?n8n-nodes-[a-z0-9._-]+$ ]] || die "unexpected package name '$PKG_NAME'"

# ---------------------------------------------------------------------------------------------
# Install as the panel does

NODES_DIR="$USER_FOLDER/.n8n/nodes"
PKG_DIR="$NODES_DIR/node_modules/$PKG_NAME"

rm -rf "$PKG_DIR"
mkdir -p "$PKG_DIR"
cp "$PACK_DIR/$TARBALL_NAME" "$NODES_DIR/$TARBALL_NAME"
(cd "$NODES_DIR" && tar -xzf "$TARBALL_NAME" -C "$PKG_DIR" --strip-components=1)

PKG_VERSION="$(node -e '
	const fs = require("fs");
	const file = process.argv[1];
	const { devDependencies, peerDependencies, optionalDependencies, ...packageJson } = JSON.parse(fs.readFileSync(file, "utf8"));
	fs.writeFileSync(file, JSON.stringify(packageJson, null, 2), "utf8");
	console.log(packageJson.version);
' "$PKG_DIR/package.json")"

NPM_LOG="$NODES_DIR/npm-install.log"
if ! (cd "$PKG_DIR" && npm install --audit=false --fund=false --bin-links=false --install-strategy=shallow \
	--ignore-scripts=true --package-lock=false) >"$NPM_LOG" 2>&1; then
	cat "$NPM_LOG" >&2
	die "npm install in $PKG_DIR"
fi
if [[ -d "$PKG_DIR/node_modules" ]] && [[ -n "$(ls -A "$PKG_DIR/node_modules")" ]]; then
	die "npm install put something in $PKG_DIR/node_modules; the package must have no runtime dependencies: $(ls -A "$PKG_DIR/node_modules" | tr '\n' ' ')"
fi
rm -f "$NPM_LOG"

node -e '
	const fs = require("fs");
	const [file, name, version] = process.argv.slice(1);
	let packageJson = null;
	try { packageJson = JSON.parse(fs.readFileSync(file, "utf8")); } catch {}
	if (!packageJson || !packageJson.dependencies) packageJson = { name: "installed-nodes", private: true, dependencies: {} };
	packageJson.dependencies[name] = version;
	fs.writeFileSync(file, JSON.stringify(packageJson, null, 2), "utf8");
' "$NODES_DIR/package.json" "$PKG_NAME" "$PKG_VERSION"

rm -f "$NODES_DIR/$TARBALL_NAME"
log "installed $PKG_NAME@$PKG_VERSION into $PKG_DIR"
