# Sourced by ensure-deps.sh before `npm ci`: makes sure mediasoup has a worker binary.
#
# On a machine with internet, mediasoup's own postinstall downloads the official prebuilt worker
# and nothing here is needed. These development and CI machines cannot download it, so the worker
# is built from the mediasoup npm package's own C++ sources and Debian packages by
# ../shared/mediasoup-worker/build.sh (a copy is kept in scripts/mediasoup-worker/build.sh for clones
# that do not sit beside ../shared), cached in the git-ignored .cache/mediasoup-worker/<version>, and
# exported as MEDIASOUP_WORKER_BIN: mediasoup's postinstall then skips its download, and every
# process that calls createWorker() uses it. The binary is never committed.
#
# Order: MEDIASOUP_WORKER_BIN already set > a worker in node_modules (official prebuilt) > a cached
# build (.cache/ here, or ~/.cache where build.sh puts it by default) > GitHub reachable (let the
# postinstall download) > build it now (about 5.5 minutes on 2 cores, once).
LECTERN_MEDIASOUP_VERSION="$(node -p 'require(process.env.LECTERN_ROOT + "/package.json").dependencies.mediasoup' 2>/dev/null || echo 3.27.1)"
lectern_worker_ok() { [ -n "$1" ] && [ -x "$1" ]; }
if lectern_worker_ok "${MEDIASOUP_WORKER_BIN:-}"; then
  :
elif [ -n "${MEDIASOUP_WORKER_BIN:-}" ]; then
  echo "[lectern] MEDIASOUP_WORKER_BIN=$MEDIASOUP_WORKER_BIN is not an executable file" >&2
  return 1 2>/dev/null || exit 1
elif lectern_worker_ok "$LECTERN_ROOT/node_modules/mediasoup/worker/out/Release/mediasoup-worker"; then
  :
else
  for lectern_dir in "$LECTERN_ROOT/.cache/mediasoup-worker/$LECTERN_MEDIASOUP_VERSION" "${HOME:-/root}/.cache/mediasoup-worker/$LECTERN_MEDIASOUP_VERSION"; do
    if lectern_worker_ok "$lectern_dir/mediasoup-worker" && [ "$(cat "$lectern_dir/VERSION" 2>/dev/null)" = "$LECTERN_MEDIASOUP_VERSION" ]; then
      export MEDIASOUP_WORKER_BIN="$lectern_dir/mediasoup-worker"
      break
    fi
  done
  if [ -z "${MEDIASOUP_WORKER_BIN:-}" ] && [ "${LECTERN_BUILD_WORKER:-auto}" = auto ] \
     && curl -fsS -o /dev/null --max-time 5 https://github.com/versatica/mediasoup/releases 2>/dev/null; then
    echo "[lectern] GitHub is reachable: mediasoup's postinstall will download its prebuilt worker" >&2
  elif [ -z "${MEDIASOUP_WORKER_BIN:-}" ]; then
    lectern_build="$LECTERN_ROOT/../shared/mediasoup-worker/build.sh"
    [ -f "$lectern_build" ] || lectern_build="$LECTERN_ROOT/scripts/mediasoup-worker/build.sh"
    echo "[lectern] no mediasoup worker found and no download possible: building mediasoup $LECTERN_MEDIASOUP_VERSION's worker from its npm sources with $lectern_build (about 5.5 min, once) ..." >&2
    mkdir -p "$LECTERN_ROOT/.cache"
    lectern_out="$(MEDIASOUP_VERSION="$LECTERN_MEDIASOUP_VERSION" bash "$lectern_build" "$LECTERN_ROOT/.cache/mediasoup-worker/$LECTERN_MEDIASOUP_VERSION" 2>&1 | tee "$LECTERN_ROOT/.cache/mediasoup-worker-build.log" | tail -n 1)" || true
    case "$lectern_out" in
      MEDIASOUP_WORKER_BIN=*) export MEDIASOUP_WORKER_BIN="${lectern_out#MEDIASOUP_WORKER_BIN=}" ;;
      *) echo "[lectern] the mediasoup worker build failed; see .cache/mediasoup-worker-build.log. Set MEDIASOUP_WORKER_BIN to a mediasoup $LECTERN_MEDIASOUP_VERSION worker binary, or run on a machine that can download mediasoup's prebuilt worker." >&2
         return 1 2>/dev/null || exit 1 ;;
    esac
  fi
fi
