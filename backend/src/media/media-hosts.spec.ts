import crypto from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaEvents, MediaServerEvents, type MediaServerPayloads } from '../contracts/media';
import { ClientEvents } from '../contracts/realtime';
import { LaunchClient } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';
import type { TestApp } from '../testing/test-app';
import { startTestDeployment, type TestDeployment } from '../testing/test-deployment';
import { waitFor } from '../testing/wait-for';
import { MediaCluster } from './media-cluster.service';
import { MediaService } from './media.service';
import { ok } from './testing/signalling';
import { mediaTestsOptedOut, requireWorker } from './testing/worker-check';

/**
 * Media hosts as a role: an instance with MEDIA_ROLE=off never hosts a class's media; a new class goes
 * to the least-loaded active media host; an operator cordons a host (no new classes, its classes go on)
 * and drains it (its classes move: their people are told to rejoin and land on another host).
 */
describe.skipIf(mediaTestsOptedOut())('media hosts: placement by load, cordon and drain (real workers)', () => {
  let deployment: TestDeployment;
  let front: TestApp;
  let hosts: TestApp[];
  let launch: LaunchClient;
  const teachers = new Map<string, string>();
  let redis: Redis;
  const clients: RoomClient[] = [];
  const adminToken = crypto.randomBytes(24).toString('hex');
  const idOf = (app: TestApp) => app.app.get(MediaCluster).instanceId;
  const admin = (p: string, method = 'GET') =>
    fetch(`${front.url}/api/admin/media-hosts${p}`, { method, headers: { authorization: `Bearer ${adminToken}` } });

  beforeAll(async () => {
    requireWorker();
    deployment = await startTestDeployment([{ MEDIA_ROLE: 'off' }, { MEDIA_ROLE: 'only' }, {}], {
      ADMIN_TOKEN: adminToken,
      PRESENCE_BEAT_MS: '200',
      PRESENCE_TTL_MS: '1500',
    });
    [front, ...hosts] = deployment.apps as [TestApp, ...TestApp[]];
    redis = new Redis(front.config.redisUrl);
    launch = new LaunchClient(front);
    for (const course of ['phys-101', 'hist-210']) teachers.set(course, await launch.launch(course, 'dev-ada'));
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    redis?.disconnect();
    await deployment?.close();
  });

  /** Starts the class of the course's classroom (one live class per classroom) and joins its media on the front instance. */
  async function newClassOnFront(course = 'phys-101') {
    const teacher = teachers.get(course)!;
    const sessionId = (
      (await (await launch.api('/api/classroom/sessions', teacher, { method: 'POST' })).json()) as {
        session: { id: string };
      }
    ).session.id;
    const c = new RoomClient(`http://localhost:${front.config.port}`, teacher);
    clients.push(c);
    await c.connected();
    expect((await c.emit(ClientEvents.join, { sessionId })).ok).toBe(true);
    await ok(c, MediaEvents.join, { peerId: crypto.randomUUID() });
    const end = () => launch.api(`/api/classroom/sessions/${sessionId}/end`, teacher, { method: 'POST' });
    return { sessionId, c, end, owner: await redis.get(`media:owner:${sessionId}`) };
  }

  it('lists the media hosts (not the instance whose role is off) with their load', async () => {
    await waitFor(
      async () => ((await (await admin('')).json()) as { hosts: unknown[] }).hosts.length === 2,
      'two hosts',
    );
    const { hosts: listed } = (await (await admin('')).json()) as {
      hosts: Array<{ instanceId: string; state: string; alive: boolean; load: number; capacity: number }>;
    };
    expect(listed.map((h) => h.instanceId).sort()).toEqual(hosts.map(idOf).sort());
    expect(listed.every((h) => h.state === 'active' && h.alive && h.load >= 0 && h.capacity > 0)).toBe(true);
    expect((await fetch(`${front.url}/api/admin/media-hosts`)).status).toBe(401);
    expect((await admin('/not-a-uuid/cordon', 'POST')).status).toBe(400);
  });

  it('places a class joined on the front instance on a media host, never on the front itself', async () => {
    const { sessionId, owner, end } = await newClassOnFront();
    expect(hosts.map(idOf)).toContain(owner);
    expect(front.app.get(MediaService).hostedClasses()).toEqual([]);
    const host = hosts.find((h) => idOf(h) === owner)!;
    expect(host.app.get(MediaService).hostedClasses()).toContain(sessionId);
    expect((await end()).ok).toBe(true);
    await waitFor(() => !host.app.get(MediaService).hostedClasses().includes(sessionId), 'the ended class let go');
  });

  it('cordon: the cordoned host keeps its class, new classes go elsewhere; drain: its class moves and people rejoin on another host', async () => {
    const first = await newClassOnFront();
    const x = hosts.find((h) => idOf(h) === first.owner)!;
    const y = hosts.find((h) => h !== x)!;
    expect((await admin(`/${idOf(x)}/cordon`, 'POST')).status).toBe(201);
    await waitFor(
      async () =>
        ((await (await admin('')).json()) as { hosts: Array<{ instanceId: string; state: string }> }).hosts.find(
          (h) => h.instanceId === idOf(x),
        )?.state === 'cordoned',
      'x cordoned',
    );
    // Published as cordoned at its next beat.
    await new Promise((r) => setTimeout(r, 500));
    expect((await newClassOnFront('hist-210')).owner).toBe(idOf(y));
    expect(x.app.get(MediaService).hostedClasses()).toContain(first.sessionId);

    expect((await admin(`/${idOf(x)}/drain`, 'POST')).status).toBe(201);
    const notice = await first.c.waitFor<MediaServerPayloads, typeof MediaServerEvents.rejoin>(
      MediaServerEvents.rejoin,
      () => true,
      5000,
    );
    expect(notice.reason).toMatch(/moving/);
    await waitFor(() => !x.app.get(MediaService).hostedClasses().includes(first.sessionId), 'x let the class go');
    const ready = await fetch(`http://localhost:${x.config.port}/api/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ reason: 'draining' });
    // The browser joins the class's media again, as the app does on the notice: it lands on y.
    await ok(first.c, MediaEvents.join, { peerId: crypto.randomUUID() });
    expect(await redis.get(`media:owner:${first.sessionId}`)).toBe(idOf(y));

    expect((await admin(`/${idOf(x)}/activate`, 'POST')).status).toBe(201);
    await waitFor(
      async () => (await fetch(`http://localhost:${x.config.port}/api/health/ready`)).status === 200,
      'x ready again',
    );
  });
});
