# shellcheck shell=bash
# Source this to get the environment the e2e tests run the real n8n with:
#
#   source scripts/n8n-host/env.sh <user folder>       # n8n 2.41.1 under Node 24 (.n8n-host/)
#   source scripts/n8n-host/env.sh <user folder> 1x    # n8n 1.123.81 under Node 22 (.n8n-host-1x/)
#   n8n --version
#   n8n import:workflow --input=wf.json
#   n8n execute --id=<id> --rawOutput
#
# The variables come from env.js (one list, shared with test/e2e/support/n8n.ts): N8N_USER_FOLDER,
# a fixed N8N_ENCRYPTION_KEY, telemetry/version checks/templates/banners off, public API off,
# listening on 127.0.0.1 only, binary data on the file system, the line's Node first on PATH.
# Prepare the line's host first (scripts/n8n-host/prepare.sh [--line 1x]).
if [[ $# -lt 1 ]]; then
	echo "usage: source ${BASH_SOURCE[0]} <n8n user folder> [2x|1x]" >&2
	return 2 2>/dev/null || exit 2
fi
mkdir -p "$1"
eval "$(node "$(dirname "${BASH_SOURCE[0]}")/env.js" "$(cd "$1" && pwd)" "${2:-2x}")"
