import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaAckData, MediaEvents } from '../contracts/media';
import { ClientEvents } from '../contracts/realtime';
import { LaunchClient } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';
import { startTestApp, TestApp } from '../testing/test-app';
import { MediaService } from './media.service';
import { fingerprint, opus, ok } from './testing/signalling';
import { mediaTestsOptedOut, requireWorker } from './testing/worker-check';

/**
 * A class bigger than one worker: with two workers and a capacity of one consumer per worker, the
 * second viewer is placed on a router of the other worker, the teacher's producer is piped there, and
 * when everyone leaves both workers hold nothing.
 */
describe.skipIf(mediaTestsOptedOut())('media: a class spread over two workers (real workers, pipeToRouter)', () => {
  let t: TestApp;
  let launch: LaunchClient;
  const clients: RoomClient[] = [];
  beforeAll(async () => {
    requireWorker();
    t = await startTestApp({ MEDIA_WORKERS: '2', MEDIA_CONSUMERS_PER_WORKER: '1' });
    launch = new LaunchClient(t);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.close();
  });

  async function peer(token: string, sessionId: string) {
    const c = new RoomClient(t.url, token);
    clients.push(c);
    await c.connected();
    expect((await c.emit(ClientEvents.join, { sessionId })).ok).toBe(true);
    const peerId = crypto.randomUUID();
    const joined = await ok<MediaAckData[typeof MediaEvents.join]>(c, MediaEvents.join, { peerId });
    await ok(c, MediaEvents.ready, { rtpCapabilities: joined.routerRtpCapabilities });
    const send = await ok<MediaAckData[typeof MediaEvents.createTransport]>(c, MediaEvents.createTransport, {
      direction: 'send',
    });
    await ok(c, MediaEvents.createTransport, { direction: 'recv' });
    await ok(c, MediaEvents.connectTransport, {
      transportId: send.id,
      dtlsParameters: { role: 'client', fingerprints: [fingerprint()] },
    });
    return { c, peerId, send };
  }

  it('places viewers on a second worker when the first is full and pipes the producer to them', async () => {
    const teacherToken = await launch.launch('phys-101', 'dev-ada');
    const sessionId = (
      (await (await launch.api('/api/classroom/sessions', teacherToken, { method: 'POST' })).json()) as {
        session: { id: string };
      }
    ).session.id;
    const media = t.app.get(MediaService);
    const teacher = await peer(teacherToken, sessionId);
    const mic = await ok<{ producerId: string }>(teacher.c, MediaEvents.produce, {
      transportId: teacher.send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opus(4242),
    });
    const viewers = [];
    for (const user of ['dev-grace', 'dev-alan', 'dev-grace']) {
      const v = await peer(await launch.launch('phys-101', user), sessionId);
      await ok(v.c, MediaEvents.consume, { producerId: mic.producerId });
      viewers.push(v);
    }
    const room = media.room(sessionId)!;
    const workersOfPeers = new Set([...room.peers.values()].map((p) => p.workerIndex));
    expect(workersOfPeers).toEqual(new Set([0, 1]));
    expect(room.workerIndexes().sort()).toEqual([0, 1]);
    // Both workers carry consumers of the one producer (one of them through a pipe).
    const loads = media.workers.loads();
    expect(loads.every((w) => w.consumers >= 1)).toBe(true);
    expect(loads.reduce((n, w) => n + w.consumers, 0)).toBe(3);
    for (const p of [teacher, ...viewers]) await ok(p.c, MediaEvents.leave, {});
    expect(media.room(sessionId)).toBeUndefined();
    for (const i of [0, 1]) expect((await media.workers.dump(i)).routerIds).toEqual([]);
    expect(media.workers.loads().map((w) => w.consumers)).toEqual([0, 0]);
  });
});
