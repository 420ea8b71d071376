import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS } from '../../../migrations';
import { ClientEvents } from '../contracts/realtime';
import { Cluster, startCluster } from '../testing/cluster';
import { RoomClient } from '../testing/room-client';
import { waitFor } from '../testing/wait-for';
// @ts-expect-error plain ESM modules shared with the start scripts
import { freePort, startRedis } from '../../../scripts/services.mjs';

/** One sample of a Prometheus text exposition: `name{labels} value`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    const m = /^([^{ ]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return null;
}

/** The JSON log lines an instance printed (anything else is a failure of the format). */
function jsonLines(logs: string[]): Array<Record<string, unknown>> {
  // Each chunk of output is prefixed with its instance's port: take the prefix off each chunk before joining
  // (a line split over two chunks would otherwise carry a prefix in its middle). One instance per cluster here.
  return logs
    .map((chunk) => chunk.replace(/^\[\d+\] /, ''))
    .join('')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('what an operator sees: JSON logs, Prometheus metrics, liveness and readiness', () => {
  let cluster: Cluster;
  let metricsPort: number;
  const adminToken = crypto.randomBytes(24).toString('base64url');
  const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();

  beforeAll(async () => {
    metricsPort = await freePort();
    cluster = await startCluster(1, { METRICS_PORT: String(metricsPort), LOG_LEVEL: 'debug', ADMIN_TOKEN: adminToken });
  }, 120_000);
  afterAll(async () => cluster?.close());

  it('logs each request as one JSON line carrying the load balancer request id, and never the token', async () => {
    const token = await cluster.launch.launch('phys-101', 'dev-ada');
    const id = `lb-${crypto.randomBytes(6).toString('hex')}`;
    const res = await fetch(`http://127.0.0.1:${cluster.ports[0]}/api/lobby`, {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': id },
    });
    expect(res.headers.get('x-request-id')).toBe(id);
    const forged = await fetch(`http://127.0.0.1:${cluster.ports[0]}/api/health/live`, {
      headers: { 'x-request-id': 'no spaces or "quotes" allowed' },
    });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(
      () => jsonLines(cluster.logs).some((l) => (l.req as { id?: string } | undefined)?.id === id),
      'the request logged with its id',
      5000,
    );
    const line = jsonLines(cluster.logs).find((l) => (l.req as { id?: string } | undefined)?.id === id)!;
    expect(line).toMatchObject({ level: 'info', req: { method: 'GET', url: '/api/lobby' } });
    expect((line.res as { statusCode: number }).statusCode).toBe(res.status);
    expect(typeof line.responseTime).toBe('number');
    expect(line.res).toEqual({ statusCode: res.status });
    expect(cluster.logs.join('')).not.toContain(token);
    // Nest's own loggers write the same format: the audit line of the boot (mapped routes, modules) is JSON too.
    expect(jsonLines(cluster.logs).some((l) => typeof l.context === 'string')).toBe(true);
  });

  it('serves Prometheus metrics on their own port: HTTP, socket events, rooms and participants, queues, grades, process', async () => {
    const port = cluster.ports[0];
    // Not on the app's port (what the load balancer fronts): there it is only the SPA's fallback page.
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).not.toContain('lectern_');
    const token = await cluster.launch.launch('phys-101', 'dev-ada');
    const started = (await (await cluster.launch.api('/api/classroom/sessions', token, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    const c = new RoomClient(`http://127.0.0.1:${port}`, token);
    try {
      await c.connected();
      const ack = await c.emit(ClientEvents.join, { sessionId: started.session.id });
      expect(ack.ok).toBe(true);
      const refused = await c.emit(ClientEvents.chatSend, { clientId: 'x', text: 42 } as never);
      expect(refused.ok).toBe(false);
      const text = await scrape();
      expect(sample(text, 'lectern_socket_events_total', { event: ClientEvents.join, outcome: 'ok' })).toBe(1);
      // LOG_LEVEL=debug: one JSON line per socket event, carrying the socket's id, the event and its outcome.
      const socketId = c.socket.id;
      type Fields = { socketId?: string; event?: string; outcome?: string };
      const gate = () => jsonLines(cluster.logs).filter((l) => (l.params as Fields | undefined)?.socketId === socketId);
      await waitFor(
        () =>
          gate().some(
            (l) =>
              (l.params as Fields).event === ClientEvents.chatSend &&
              (l.params as Fields).outcome === 'INVALID_PAYLOAD',
          ),
        'the refused event logged with its socket id',
        5000,
      );
      expect(gate().find((l) => (l.params as Fields).event === ClientEvents.join)).toMatchObject({
        level: 'debug',
        context: 'SocketGate',
        message: `${ClientEvents.join} ok`,
        params: { outcome: 'ok' },
      });
      expect(
        sample(text, 'lectern_socket_events_total', { event: ClientEvents.chatSend, outcome: 'INVALID_PAYLOAD' }),
      ).toBe(1);
      expect(sample(text, 'lectern_socket_event_duration_seconds_count', { event: ClientEvents.join })).toBe(1);
      expect(sample(text, 'lectern_sockets_connected')).toBe(1);
      expect(sample(text, 'lectern_participants')).toBe(1);
      expect(sample(text, 'lectern_rooms')).toBe(1);
      expect(
        sample(text, 'lectern_http_requests_total', {
          method: 'POST',
          route: '/api/classroom/sessions',
          status: '2xx',
        }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        sample(text, 'lectern_http_requests_total', { method: 'GET', route: '/lti/login', status: '3xx' }),
      ).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'lectern_grades', { status: 'pending' })).toBe(0);
      expect(sample(text, 'lectern_grades', { status: 'failed' })).toBe(0);
      // Queues are found by their keys: the grade sweep and roster schedules exist from boot.
      expect(text).toMatch(/lectern_queue_jobs\{queue="[a-z-]+",state="delayed"\} \d+/);
      expect(sample(text, 'lectern_media_rooms')).toBe(0);
      expect(sample(text, 'lectern_process_resident_memory_bytes')).toBeGreaterThan(1e6);
      c.close();
      await waitFor(async () => sample(await scrape(), 'lectern_participants') === 0, 'the participant gone', 5000);
    } finally {
      c.close();
    }
  });

  it("writes an info line for each of the operator's changes to who may launch: registrations, key rotations, disable/enable", async () => {
    const admin = (p: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${cluster.ports[0]}/api/admin${p}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const issuer = `https://lms-${crypto.randomBytes(4).toString('hex')}.example.edu`;
    const registered = await admin('/platforms', {
      issuer,
      clientId: 'audit-client',
      authUrl: `${issuer}/auth`,
      tokenUrl: `${issuer}/token`,
      jwksUrl: `${issuer}/jwks`,
      deployments: ['d1'],
    });
    expect(registered.status).toBeLessThan(300);
    const { id } = (await registered.json()) as { id: string };
    expect((await admin('/keys/rotate', { platformId: id })).status).toBeLessThan(300);
    expect((await admin(`/platforms/${id}/disable`)).status).toBeLessThan(300);
    expect((await admin(`/platforms/${id}/enable`)).status).toBeLessThan(300);
    const audit = () =>
      jsonLines(cluster.logs).filter((l) => l.level === 'info' && String(l.message ?? '').includes(issuer));
    await waitFor(() => audit().length >= 4, 'four audit lines', 5000);
    const said = audit().map((l) => `${String(l.context)}: ${String(l.message)}`);
    expect(said).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AdminAudit: .*registered by hand/),
        expect.stringMatching(/^KeyRotation: .* published/),
        expect.stringMatching(/^AdminAudit: .*disabled by the operator/),
        expect.stringMatching(/^AdminAudit: .*enabled by the operator/),
      ]),
    );
    expect(cluster.logs.join('')).not.toContain(adminToken);
  });

  it('answers liveness without asking anyone, and readiness from the database and Redis', async () => {
    const base = `http://127.0.0.1:${cluster.ports[0]}/api/health`;
    const live = await fetch(`${base}/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'live' });
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: { status: 'up' }, redis: { status: 'up' } });
  });
});

describe('draining on SIGTERM', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster(1, { SHUTDOWN_DRAIN_MS: '1500' });
  }, 120_000);
  afterAll(async () => cluster?.close());

  it('turns not-ready (draining) while still answering, then exits cleanly', async () => {
    const base = `http://127.0.0.1:${cluster.ports[0]}/api/health`;
    const proc = cluster.procs[0];
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    await waitFor(
      async () => {
        const r = await fetch(`${base}/ready`).catch(() => null);
        return r?.status === 503 && ((await r.json()) as { reason?: string }).reason === 'draining';
      },
      'draining',
      3000,
    );
    expect((await fetch(`${base}/live`)).status).toBe(200);
    expect(await exited).toBe(0);
    // LOG_LEVEL is warn here (the default under NODE_ENV=test): the drain's warning is written, nothing at info.
    const lines = jsonLines(cluster.logs);
    expect(lines.some((l) => l.level === 'warn' && l.context === 'Readiness')).toBe(true);
    expect(lines.filter((l) => l.level === 'info' || l.level === 'debug')).toEqual([]);
  });
});

describe('readiness through a Redis outage', () => {
  let cluster: Cluster;
  let redis: { stop(): Promise<void> };

  beforeAll(async () => {
    const dir = path.join(os.tmpdir(), `lectern-ops-redis-${crypto.randomBytes(4).toString('hex')}`);
    redis = await startRedis({ dir, port: await freePort(), persistent: false });
    cluster = await startCluster(1, {
      REDIS_URL: (redis as unknown as { url: string }).url,
      READY_REDIS_GRACE_MS: '3000',
    });
  }, 120_000);
  afterAll(async () => {
    // Its Redis is gone: no clean shutdown to wait for.
    cluster?.procs[0].kill('SIGKILL');
    await cluster?.close();
    await redis?.stop().catch(() => undefined);
  });

  it('stays ready through a short Redis outage and says degraded, turns not-ready after the grace; live throughout', async () => {
    const base = `http://127.0.0.1:${cluster.ports[0]}/api/health`;
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    await redis.stop();
    const during = await fetch(`${base}/ready`);
    expect(during.status).toBe(200);
    expect(await during.json()).toMatchObject({ status: 'degraded', redis: { status: 'down' } });
    expect((await fetch(`${base}/live`)).status).toBe(200);
    await waitFor(async () => (await fetch(`${base}/ready`)).status === 503, 'not ready after the grace', 10_000);
    expect(await (await fetch(`${base}/ready`)).json()).toMatchObject({ status: 'not-ready', reason: 'redis' });
    expect((await fetch(`${base}/live`)).status).toBe(200);
  });
});

describe('migrations when several instances start together on an empty database', () => {
  it('one migrates, the others wait for its lock; none fails and each migration is applied once', async () => {
    const { postgresUrl } = inject('services');
    const name = `lectern_race_${crypto.randomBytes(6).toString('hex')}`;
    const admin = new Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = postgresUrl.replace(/\/postgres$/, `/${name}`);
    // LOG_LEVEL info (production's default): the migration line is an info line.
    const cluster = await startCluster(3, { DATABASE_URL: url, LOG_LEVEL: 'info' });
    try {
      const applied = cluster.logs.join('').match(/applied migrations: CreateFoundation1764000000000/g) ?? [];
      expect(applied).toHaveLength(1);
      // Nest's start-up chatter (a line per route, module and gateway) is debug: at info it does not bury the rest.
      expect(cluster.logs.join('')).not.toMatch(/Mapped \{|RoutesResolver|dependencies initialized/);
      const db = new Client({ connectionString: url });
      await db.connect();
      try {
        const rows = await db.query<{ name: string; n: string }>(
          `SELECT name, count(*) AS n FROM schema_migrations GROUP BY name`,
        );
        expect(rows.rows).toHaveLength(MIGRATIONS.length);
        expect(rows.rows.every((r) => r.n === '1')).toBe(true);
      } finally {
        await db.end();
      }
      for (const p of cluster.ports) expect((await fetch(`http://127.0.0.1:${p}/api/health/ready`)).status).toBe(200);
    } finally {
      await cluster.close();
    }
  }, 180_000);
});
