import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ClientEvents, ServerEvents } from '../contracts/realtime';
import { Cluster, startCluster } from '../testing/cluster';
import { RoomClient } from '../testing/room-client';
import { waitFor } from '../testing/wait-for';
// @ts-expect-error plain ESM modules shared with the scripts
import { checkHaproxyConfig, startHaproxy } from '../../../scripts/lb-haproxy.mjs';

/**
 * The deploy recipe (deploy/): its HAProxy configuration run unchanged as a process in front of three
 * real instances (TLS, websockets, health checks on readiness, a rolling stop that drops nothing); the
 * compose file's consistency; the image built where a container engine runs.
 */
const DEPLOY = path.resolve('deploy');

describe('the deploy recipe', () => {
  it("HAProxy's configuration is valid (haproxy -c)", async () => {
    expect(await checkHaproxyConfig()).toContain('Configuration file is valid');
  });

  it('compose.yaml names only files that exist and variables that .env.example documents', () => {
    const compose = fs.readFileSync(path.join(DEPLOY, 'compose.yaml'), 'utf8');
    const example = fs.readFileSync(path.join(DEPLOY, '.env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]));
    const used = new Set([...compose.matchAll(/\$\{([A-Z_]+)(?::-[^}]*)?\}/g)].map((m) => m[1]));
    expect([...used].filter((v) => !documented.has(v))).toEqual([]);
    for (const file of [...compose.matchAll(/- \.\/([\w./-]+):/g)].map((m) => m[1]))
      expect(fs.existsSync(path.join(DEPLOY, file)), file).toBe(true);
    expect(compose).toMatch(/dockerfile: deploy\/Dockerfile/);
    expect(fs.existsSync(path.join(DEPLOY, 'Dockerfile'))).toBe(true);
    // The pieces the recipe promises.
    for (const piece of ['haproxy', 'postgres', 'redis', 'coturn', 'migrate', 'lectern-1', 'lectern-2', 'lectern-3'])
      expect(compose).toMatch(new RegExp(`^  ${piece}:`, 'm'));
    expect(compose).toContain('--appendonly');
    expect(compose).toContain('service_completed_successfully');
  });

  it('writes only where the image lets it, shares what every instance serves, pipes over the compose network', () => {
    const compose = fs.readFileSync(path.join(DEPLOY, 'compose.yaml'), 'utf8');
    const dockerfile = fs.readFileSync(path.join(DEPLOY, 'Dockerfile'), 'utf8');
    const turn = fs.readFileSync(path.join(DEPLOY, 'coturn', 'turnserver.conf'), 'utf8');
    // The runtime user cannot write /app: every directory Lectern writes is set under the volume, made and
    // owned by that user in the image (the '.data/...' defaults would fail with EACCES at the first recording).
    for (const v of ['RECORDING_DIR', 'RECORDINGS_WORK_DIR', 'RECORDINGS_STORAGE_DIR', 'HLS_DIR']) {
      const dir = new RegExp(`${v}=(\\S+)`).exec(dockerfile)?.[1];
      expect(dir, v).toMatch(/^\/var\/lib\/lectern\//);
      expect(dockerfile).toContain(dir!);
    }
    expect(dockerfile).toMatch(/chown -R lectern \/var\/lib\/lectern/);
    expect(compose).toMatch(/- lectern-data:\/var\/lib\/lectern$/m);
    // Each instance's pipe transports are announced on its own fixed address of the compose network
    // (MEDIA_ANNOUNCED_ADDRESS is the public IP, where only MEDIA_PORT is published).
    for (const n of [1, 2, 3]) {
      const block = new RegExp(`^  lectern-${n}:\\n((?:    .*\\n)+)`, 'm').exec(compose)?.[1] ?? '';
      const pipe = /MEDIA_PIPE_IP: ([\d.]+)/.exec(block)?.[1];
      expect(pipe, `lectern-${n}`).toBeDefined();
      expect(block).toContain(`ipv4_address: ${pipe}`);
    }
    // coturn gets Lectern's TURN_SECRET, never a placeholder it would also accept.
    expect(compose).toContain('--static-auth-secret=${TURN_SECRET}');
    expect(turn).not.toMatch(/^static-auth-secret=/m);
    // HAProxy publishes 443 on the host coturn shares (network_mode: host): coturn's TLS is elsewhere.
    expect(compose).toMatch(/'443:443'/);
    expect(compose).not.toMatch(/--tls-listening-port=443\b/);
    expect(turn).not.toMatch(/^tls-listening-port=443\b/m);
  });

  const engine = (() => {
    try {
      execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 });
      return null;
    } catch (e) {
      return `no container engine answers here (docker info: ${e instanceof Error ? e.message.split('\n')[0] : e})`;
    }
  })();
  if (engine) console.warn(`[deploy-recipe] SKIPPED the image build: ${engine}`);
  it.skipIf(engine !== null)(
    'the image builds from the repository with the documented command (docker build -f deploy/Dockerfile .)',
    () => {
      execFileSync('docker', ['build', '-f', 'deploy/Dockerfile', '-t', 'lectern:test', '.'], {
        stdio: 'inherit',
        timeout: 30 * 60_000,
      });
      const user = execFileSync('docker', ['run', '--rm', '--entrypoint', 'id', 'lectern:test', '-u'], {
        encoding: 'utf8',
      });
      expect(user.trim()).not.toBe('0');
    },
    35 * 60_000,
  );
});

describe('three instances behind the recipe HAProxy (TLS, websockets, readiness health checks)', () => {
  let cluster: Cluster;
  let lb: Awaited<ReturnType<typeof startHaproxy>>;
  let dispatcher: Agent;
  const get = (p: string, token?: string) =>
    fetch(`${lb.url}${p}`, {
      dispatcher,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    } as RequestInit);

  beforeAll(async () => {
    cluster = await startCluster(3, { SHUTDOWN_DRAIN_MS: '9000' });
    lb = await startHaproxy({ backendPorts: cluster.ports });
    dispatcher = new Agent({ connect: { ca: fs.readFileSync(lb.pem, 'utf8') } });
    await waitFor(
      async () => Object.values(await lb.servers()).every((s) => s === 'UP'),
      'HAProxy sees the three instances UP',
      20_000,
    );
  }, 120_000);
  afterAll(async () => {
    await lb?.close();
    await cluster?.close();
  });

  it('redirects http to https, and serves the API and a class over wss through it', async () => {
    const plain = await fetch(`${lb.httpUrl}/api/health/live`, { redirect: 'manual' });
    expect(plain.status).toBe(301);
    expect(plain.headers.get('location')).toMatch(/^https:\/\//);
    const res = await get('/api/health/ready');
    expect(res.status).toBe(200);
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    // The load balancer's request id reaches the instance, which echoes it.
    expect(res.headers.get('x-request-id')).toBeTruthy();

    const teacher = await cluster.launch.launch('phys-101', 'dev-ada');
    const student = await cluster.launch.launch('phys-101', 'dev-grace');
    const started = (await (
      await cluster.launch.api('/api/classroom/sessions', teacher, { method: 'POST' })
    ).json()) as {
      session: { id: string };
    };
    const ca = fs.readFileSync(lb.pem, 'utf8');
    const a = new RoomClient(lb.url, teacher, { ca });
    const b = new RoomClient(lb.url, student, { ca });
    try {
      await Promise.all([a.connected(), b.connected()]);
      expect((await a.emit(ClientEvents.join, { sessionId: started.session.id })).ok).toBe(true);
      expect((await b.emit(ClientEvents.join, { sessionId: started.session.id })).ok).toBe(true);
      await a.emit(ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: 'through HAProxy' });
      expect((await b.waitFor(ServerEvents.chatMessage, (m) => m.text === 'through HAProxy')).authorName).toBe(
        'Ada Lovelace',
      );
    } finally {
      a.close();
      b.close();
    }
  });

  it('a rolling stop (SIGTERM, drain) of one instance loses no request: HAProxy takes it out on readiness first', async () => {
    const token = await cluster.launch.launch('phys-101', 'dev-ada');
    const victim = cluster.procs[1];
    const exited = new Promise((r) => victim.once('exit', r));
    const statuses: number[] = [];
    let stopped = false;
    const load = (async () => {
      while (!stopped) {
        const r = await get('/api/lobby', token).catch(() => null);
        statuses.push(r?.status ?? 0);
        await r?.arrayBuffer().catch(() => undefined);
        await new Promise((res) => setTimeout(res, 20));
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    victim.kill('SIGTERM');
    await waitFor(
      async () => (await lb.servers())['lectern-2'] !== 'UP',
      'HAProxy marks the draining instance down',
      15_000,
    );
    await exited;
    await new Promise((r) => setTimeout(r, 1000));
    stopped = true;
    await load;
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  }, 60_000);
});

describe('an instance told not to migrate (MIGRATE_ON_START=false, the recipe)', () => {
  it('refuses to start on a database with pending migrations, saying how to run them', async () => {
    const { postgresUrl } = inject('services');
    const name = `lectern_behind_${crypto.randomBytes(6).toString('hex')}`;
    const admin = new Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const { redisUrl } = inject('services');
    const child = spawn(process.execPath, [path.resolve('dist/backend/src/main.js')], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        PORT: '0',
        DATABASE_URL: postgresUrl.replace(/\/postgres$/, `/${name}`),
        REDIS_URL: redisUrl,
        LTI_KEY: crypto.randomBytes(24).toString('hex'),
        SESSION_SECRET: crypto.randomBytes(24).toString('hex'),
        MIGRATE_ON_START: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(1);
    expect(err).toContain('migrations pending and MIGRATE_ON_START is false');
  });
});
