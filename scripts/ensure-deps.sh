# Sourced by start.sh and test.sh: Node 24 on PATH, then npm dependencies installed from the lock file
# when node_modules is missing or older than package-lock.json.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$LECTERN_ROOT"
export NG_CLI_ANALYTICS=false
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[lectern] installing npm dependencies (npm ci) ..." >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
