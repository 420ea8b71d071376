#!/usr/bin/env bash
# `npm run bench:media`: the SFU figures (forwarding latency, consumers per worker) and the time from
# launch to the first remote video frame in Chromium. Brings what `npm test` brings (Node 24, the
# mediasoup worker, Chromium, FFmpeg), builds, then runs both benches. Results in bench/results/.
set -euo pipefail
source "$(dirname "$0")/ensure-deps.sh"
source "$(dirname "$0")/ensure-system.sh"
npm run -s build:backend
npx ng build --configuration production >/dev/null
node bench/media-sfu.mjs "$@"
node bench/media-first-frame.mjs
