# Sourced by start.sh and test.sh: Node 24 on PATH, a mediasoup worker (scripts/ensure-worker.sh), then
# npm dependencies installed from the lock file when node_modules is missing or older than package-lock.json.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$LECTERN_ROOT"
export NG_CLI_ANALYTICS=false
# Before npm ci: mediasoup's postinstall skips its download when MEDIASOUP_WORKER_BIN is set.
source "$LECTERN_ROOT/scripts/ensure-worker.sh"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[lectern] installing npm dependencies (npm ci) ..." >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
