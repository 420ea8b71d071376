import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEvents, RoomState } from '../contracts/realtime';
import { Cluster, startCluster } from '../testing/cluster';
import { RoomClient } from '../testing/room-client';
import { waitFor } from '../testing/wait-for';
// @ts-expect-error plain ESM modules shared with the start scripts
import { freePort, startRedis } from '../../../scripts/services.mjs';

type Poll = { at: number; port: number; live: number; ready: number; status?: string };

/**
 * A short Redis outage as it happens in production: Redis frozen (SIGSTOP, as a stalled VM or a long
 * fork does), so commands hang instead of being refused. Two instances with the production timings
 * (PRESENCE_TTL_MS 10 s, READY_REDIS_GRACE_MS 15 s) are polled on liveness and readiness through a 3 s
 * freeze: neither may report dead or unready, or the load balancer would take every instance out at once.
 */
describe('two instances through a 3 s Redis freeze (SIGSTOP/SIGCONT)', () => {
  let cluster: Cluster;
  let redis: { url: string; pid: number; stop(): Promise<void> };
  let frozen = false;

  beforeAll(async () => {
    const dir = path.join(os.tmpdir(), `lectern-freeze-redis-${crypto.randomBytes(4).toString('hex')}`);
    redis = await startRedis({ dir, port: await freePort(), persistent: false });
    cluster = await startCluster(2, {
      REDIS_URL: redis.url,
      PRESENCE_TTL_MS: '10000',
      PRESENCE_BEAT_MS: '2000',
    });
  }, 180_000);
  afterAll(async () => {
    if (frozen) process.kill(redis.pid, 'SIGCONT');
    await cluster?.close();
    await redis?.stop().catch(() => undefined);
  });

  async function poll(port: number): Promise<Poll> {
    const at = Date.now();
    const get = (p: string) =>
      fetch(`http://127.0.0.1:${port}/api/health/${p}`, { signal: AbortSignal.timeout(4000) }).catch(() => null);
    const [live, ready] = await Promise.all([get('live'), get('ready')]);
    const body = ready ? ((await ready.json().catch(() => ({}))) as { status?: string }) : {};
    return { at, port, live: live?.status ?? 0, ready: ready?.status ?? 0, status: body.status };
  }

  it('both stay live and ready (degraded) while Redis is frozen, ready again after, and keep their people', async () => {
    const [p0, p1] = cluster.ports;
    const teacher = await cluster.launch.launch('phys-101', 'dev-ada');
    const student = await cluster.launch.launch('phys-101', 'dev-grace');
    const sessionId = (
      (await (await cluster.launch.api('/api/classroom/sessions', teacher, { method: 'POST' })).json()) as {
        session: { id: string };
      }
    ).session.id;
    const a = new RoomClient(`http://127.0.0.1:${p0}`, teacher);
    const b = new RoomClient(`http://127.0.0.1:${p1}`, student);
    try {
      await Promise.all([a.connected(), b.connected()]);
      expect((await a.emit(ClientEvents.join, { sessionId })).ok).toBe(true);
      expect((await b.emit(ClientEvents.join, { sessionId })).ok).toBe(true);

      const polls: Poll[] = [];
      // HAProxy's check in the recipe: every 2 s, 4 s timeout, 3 failures to go down. Poll harder than that.
      const pollers = [p0, p1].map(async (port) => {
        const until = Date.now() + 9000;
        while (Date.now() < until) {
          polls.push(await poll(port));
          await new Promise((r) => setTimeout(r, 250));
        }
      });
      await new Promise((r) => setTimeout(r, 1000));
      process.kill(redis.pid, 'SIGSTOP');
      frozen = true;
      const stoppedAt = Date.now();
      await new Promise((r) => setTimeout(r, 3000));
      process.kill(redis.pid, 'SIGCONT');
      frozen = false;
      const resumedAt = Date.now();
      await Promise.all(pollers);

      const during = polls.filter((p) => p.at >= stoppedAt && p.at < resumedAt);
      const summary = [p0, p1].map((port) => ({
        port,
        polls: polls.filter((p) => p.port === port).length,
        during: during.filter((p) => p.port === port).map((p) => `${p.ready}/${p.status}`),
      }));
      console.log(`[redis-freeze] ${JSON.stringify(summary)}`);
      // The freeze was felt (a readiness probe saw Redis down), so the rest is not vacuous.
      expect(during.some((p) => p.status === 'degraded')).toBe(true);
      for (const port of [p0, p1]) expect(during.filter((p) => p.port === port).length).toBeGreaterThanOrEqual(1);
      // Never dead, never out of the load balancer.
      expect(polls.filter((p) => p.live !== 200)).toEqual([]);
      expect(polls.filter((p) => p.ready !== 200)).toEqual([]);
      // Back to plain ready on both once Redis answers again.
      for (const port of [p0, p1])
        await waitFor(async () => (await poll(port)).status === 'ready', `:${port} ready after the freeze`, 8000);
      // Nobody was declared gone: a third person joining sees both.
      const c = new RoomClient(`http://127.0.0.1:${p1}`, await cluster.launch.launch('phys-101', 'dev-alan'));
      try {
        await c.connected();
        const ack = await c.emit(ClientEvents.join, { sessionId });
        expect(ack.ok).toBe(true);
        const names = (ack as { data: RoomState }).data.participants.map((p) => p.name).sort();
        expect(names.length).toBe(3);
      } finally {
        c.close();
      }
    } finally {
      a.close();
      b.close();
    }
  }, 90_000);
});
