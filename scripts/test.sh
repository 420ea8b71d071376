#!/usr/bin/env bash
# `npm test`: the whole suite on a fresh clone. Brings Node 24 and the npm dependencies, the Debian
# packages the tests need, builds backend and frontend, then runs every spec (unit, integration
# against real PostgreSQL and Redis, browser tests in Debian's Chromium) in one Vitest run.
set -euo pipefail
source "$(dirname "$0")/ensure-deps.sh"
source "$(dirname "$0")/ensure-system.sh"
echo "[lectern] building backend and frontend ..." >&2
npm run -s build:backend
npx ng build --configuration production >/dev/null
mkdir -p .cache
rm -f .cache/test-results.json
status=0
# One linter, one formatter and the type checks for the whole tree (a failure fails the run; the tests still run).
echo "[lectern] lint (ESLint) and format check (Prettier) ..." >&2
npx eslint --quiet . || { echo "[lectern] ESLint found errors (npx eslint . to see them)" >&2; status=1; }
npx prettier --check --log-level warn . || { echo "[lectern] files not formatted: npm run format" >&2; status=1; }
# The specs type-checked too (the builds leave them out; Vitest strips types without checking them).
npx tsc -p backend/tsconfig.json --noEmit || { echo "[lectern] backend (with its specs) does not type-check" >&2; status=1; }
npx tsc -p frontend/tsconfig.spec.json || { echo "[lectern] frontend specs do not type-check" >&2; status=1; }
npx vitest run "$@" || status=$?
node scripts/test-summary.mjs .cache/test-results.json || status=1
exit $status
