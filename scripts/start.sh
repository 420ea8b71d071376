#!/usr/bin/env bash
# `npm start`: everything on one machine. Brings Node 24 if missing, installs dependencies, builds the
# backend and the Angular app, then starts PostgreSQL, Redis and the backend (scripts/dev-stack.mjs).
set -euo pipefail
source "$(dirname "$0")/ensure-deps.sh"
echo "[lectern] building backend and frontend ..." >&2
npm run -s build:backend
npx ng build --configuration production >/dev/null
exec node scripts/dev-stack.mjs "$@"
