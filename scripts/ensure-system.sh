# Sourced by test.sh: the Debian packages the tests use (redis-server, chromium, coturn for the TURN
# test; ffmpeg for media and recording; haproxy and openssl for the deploy recipe's load balancer),
# installed when missing and running as root, else a message naming them.
lectern_missing=()
command -v redis-server >/dev/null 2>&1 || lectern_missing+=(redis-server)
{ [ -x /usr/lib/chromium/chromium ] || command -v chromium >/dev/null 2>&1; } || lectern_missing+=(chromium)
command -v ffmpeg >/dev/null 2>&1 || lectern_missing+=(ffmpeg)
{ [ -x /usr/bin/turnserver ] || command -v turnserver >/dev/null 2>&1; } || lectern_missing+=(coturn)
{ [ -x /usr/sbin/haproxy ] || command -v haproxy >/dev/null 2>&1; } || lectern_missing+=(haproxy)
command -v openssl >/dev/null 2>&1 || lectern_missing+=(openssl)
if [ ${#lectern_missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "[lectern] installing Debian packages: ${lectern_missing[*]} ..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${lectern_missing[@]}" >&2
  else
    echo "[lectern] missing system packages: ${lectern_missing[*]} (Debian/Ubuntu: sudo apt-get install ${lectern_missing[*]})" >&2
    exit 1
  fi
fi
