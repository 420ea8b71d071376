#!/usr/bin/env bash
set -euo pipefail
source "$(dirname "$0")/ensure-deps.sh"
npm run -s build:backend >&2
exec node scripts/lti-register.mjs "$@"
