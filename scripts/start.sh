#!/usr/bin/env bash
# `npm start`: everything on one machine. Brings Node 24 if missing, installs dependencies, builds the
# backend and the Angular app (when their sources changed), then starts PostgreSQL, Redis and the backend
# (scripts/dev-stack.mjs).
set -euo pipefail
source "$(dirname "$0")/ensure-deps.sh"
# Each build runs only when one of its inputs changed since it last succeeded (a stamp in dist/): a
# second start after a first one, or after a pull that touched only the other half, skips it.
changed() { # stamp output inputs...
  local stamp=$1 output=$2
  shift 2
  [ ! -f "$stamp" ] || [ ! -f "$output" ] || [ -n "$(find "$@" -newer "$stamp" -type f -print -quit 2>/dev/null)" ]
}
BACKEND_STAMP=dist/.backend-built
FRONTEND_STAMP=dist/.frontend-built
if changed "$BACKEND_STAMP" dist/backend/src/main.js backend migrations package.json package-lock.json; then
  echo "[lectern] building the backend ..." >&2
  mkdir -p dist && touch "$BACKEND_STAMP.new" # dated before the build: an edit made during it counts next time
  npm run -s build:backend
  mv "$BACKEND_STAMP.new" "$BACKEND_STAMP"
else
  echo "[lectern] backend build is up to date" >&2
fi
if changed "$FRONTEND_STAMP" dist/frontend/browser/index.html frontend backend/src/contracts backend/src/whiteboard/domain backend/src/media/domain \
  backend/src/recording/domain angular.json tsconfig.json package.json package-lock.json; then
  echo "[lectern] building the frontend ..." >&2
  mkdir -p dist && touch "$FRONTEND_STAMP.new"
  npx ng build --configuration production >/dev/null
  mv "$FRONTEND_STAMP.new" "$FRONTEND_STAMP"
else
  echo "[lectern] frontend build is up to date" >&2
fi
exec node scripts/dev-stack.mjs "$@"
