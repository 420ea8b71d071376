// The deploy recipe's load balancer (deploy/haproxy/haproxy.cfg, unchanged) run as a process on
// loopback, in front of instances given by port: for the recipe's test and the benchmarks. A
// self-signed certificate for localhost is made with openssl. HAProxy comes from Debian (haproxy).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './services.mjs';

const CONFIG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../deploy/haproxy/haproxy.cfg');

export function findHaproxy() {
  for (const p of ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy']) if (fs.existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** A PEM (certificate + key) for localhost, made once per directory. */
export function selfSignedPem(dir) {
  const pem = path.join(dir, 'localhost.pem');
  if (fs.existsSync(pem)) return pem;
  fs.mkdirSync(dir, { recursive: true });
  const key = path.join(dir, 'key.pem');
  const crt = path.join(dir, 'crt.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      // ECDSA P-256, what ACME CAs issue by default now: a handshake costs the balancer a fraction of RSA-2048's.
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      crt,
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  fs.writeFileSync(pem, fs.readFileSync(crt, 'utf8') + fs.readFileSync(key, 'utf8'));
  return pem;
}

/** The recipe's environment for given backend ports (three; fewer repeat the last). */
export async function haproxyEnv(backendPorts, dir) {
  const ports = [0, 1, 2].map((i) => backendPorts[Math.min(i, backendPorts.length - 1)]);
  return {
    LECTERN_1: `127.0.0.1:${ports[0]}`,
    LECTERN_2: `127.0.0.1:${ports[1]}`,
    LECTERN_3: `127.0.0.1:${ports[2]}`,
    HTTPS_BIND: `127.0.0.1:${await freePort()}`,
    HTTP_BIND: `127.0.0.1:${await freePort()}`,
    STATS_BIND: `127.0.0.1:${await freePort()}`,
    TLS_CERT: selfSignedPem(dir),
  };
}

/** Checks the recipe's configuration (haproxy -c); returns HAProxy's output, throws when it is invalid. */
export async function checkHaproxyConfig(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-haproxy-'))) {
  const bin = findHaproxy();
  if (!bin) throw new Error('haproxy is not installed (Debian: apt-get install haproxy)');
  const env = { ...process.env, ...(await haproxyEnv([1, 2, 3], dir)) };
  return execFileSync(bin, ['-c', '-f', CONFIG], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts HAProxy with the recipe's configuration; resolves once its HTTPS port accepts connections. */
export async function startHaproxy({ backendPorts, log = () => {} }) {
  const bin = findHaproxy();
  if (!bin) throw new Error('haproxy is not installed (Debian: apt-get install haproxy)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-haproxy-'));
  const env = await haproxyEnv(backendPorts, dir);
  const child = spawn(bin, ['-db', '-f', CONFIG], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => log(String(d)));
  child.stderr.on('data', (d) => log(String(d)));
  const port = Number(env.HTTPS_BIND.split(':').pop());
  const stats = `http://${env.STATS_BIND}/`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}`);
    const up = await fetch(`${stats};csv`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('haproxy did not start within 15 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid,
    url: `https://localhost:${port}`,
    httpUrl: `http://${env.HTTP_BIND}`,
    pem: env.TLS_CERT,
    /** Each server's status as HAProxy's health checks see it (UP, DOWN, ...). */
    async servers() {
      const csv = await (await fetch(`${stats};csv`)).text();
      const rows = csv.split('\n').filter((l) => l.startsWith('lectern,lectern-'));
      return Object.fromEntries(
        rows.map((l) => {
          const f = l.split(',');
          return [f[1], f[17]];
        }),
      );
    },
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
