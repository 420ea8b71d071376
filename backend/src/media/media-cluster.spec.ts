import crypto from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaAckData, MediaEvents, MediaServerEvents } from '../contracts/media';
import { ClientEvents } from '../contracts/realtime';
import { LaunchClient } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';
import type { TestApp } from '../testing/test-app';
import { startTestDeployment, type TestDeployment } from '../testing/test-deployment';
import { waitFor } from '../testing/wait-for';
import { MediaCluster } from './media-cluster.service';
import { MediaService } from './media.service';
import { fingerprint, heard, opus, vp8, ok } from './testing/signalling';
import { mediaTestsOptedOut, requireWorker } from './testing/worker-check';

/**
 * Two backend instances, one class: the class's media is hosted by the instance of the first media join;
 * a student whose socket is on the other instance signals through it (Redis pub/sub) and everything
 * works as on one instance: producing, consuming, teacher controls issued on either instance, the
 * grace period of a dropped socket, and another instance taking the class over when its host goes.
 */
describe.skipIf(mediaTestsOptedOut())('media across two backend instances (real worker, real Redis)', () => {
  let deployment: TestDeployment;
  let a: TestApp;
  let b: TestApp;
  let launch: LaunchClient;
  let sessionId: string;
  let teacherToken: string;
  let studentToken: string;
  let redis: Redis;
  const clients: RoomClient[] = [];

  beforeAll(async () => {
    requireWorker();
    deployment = await startTestDeployment([{}, {}], { MEDIA_PEER_GRACE_MS: '400' });
    [a, b] = deployment.apps as [TestApp, TestApp];
    redis = new Redis(a.config.redisUrl);
    launch = new LaunchClient(a);
    teacherToken = await launch.launch('phys-101', 'dev-ada');
    studentToken = await launch.launch('phys-101', 'dev-grace');
    sessionId = (
      (await (await launch.api('/api/classroom/sessions', teacherToken, { method: 'POST' })).json()) as {
        session: { id: string };
      }
    ).session.id;
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    redis?.disconnect();
    await deployment?.close();
  });

  async function on(app: TestApp, token: string) {
    const c = new RoomClient(`http://localhost:${app.config.port}`, token);
    clients.push(c);
    await c.connected();
    expect((await c.emit(ClientEvents.join, { sessionId })).ok).toBe(true);
    return c;
  }
  async function mediaPeer(c: RoomClient, peerId = crypto.randomUUID()) {
    const joined = await ok<MediaAckData[typeof MediaEvents.join]>(c, MediaEvents.join, { peerId });
    await ok(c, MediaEvents.ready, { rtpCapabilities: joined.routerRtpCapabilities });
    const send = await ok<MediaAckData[typeof MediaEvents.createTransport]>(c, MediaEvents.createTransport, {
      direction: 'send',
    });
    const recv = await ok<MediaAckData[typeof MediaEvents.createTransport]>(c, MediaEvents.createTransport, {
      direction: 'recv',
    });
    await ok(c, MediaEvents.connectTransport, {
      transportId: send.id,
      dtlsParameters: { role: 'client', fingerprints: [fingerprint()] },
    });
    return { peerId, send, recv };
  }

  it('hosts the class on the first instance and serves a student signalling through the second', async () => {
    const teacher = await on(a, teacherToken);
    const t = await mediaPeer(teacher);
    expect(await redis.get(`media:owner:${sessionId}`)).toBe(a.app.get(MediaCluster).instanceId);
    const student = await on(b, studentToken);
    const s = await mediaPeer(student);
    const hostRoom = a.app.get(MediaService).room(sessionId)!;
    expect(hostRoom.peers.size).toBe(2);
    expect(b.app.get(MediaService).room(sessionId)).toBeUndefined();

    // The student produces through B; the teacher (on A) hears of it and consumes it.
    const mic = await ok<{ producerId: string }>(student, MediaEvents.produce, {
      transportId: s.send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opus(1212),
    });
    const cam = await ok<{ producerId: string }>(student, MediaEvents.produce, {
      transportId: s.send.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: vp8(3434),
    });
    await heard(teacher, MediaServerEvents.producerAdded, (p) => p.producerId === mic.producerId);
    const consumer = await ok<MediaAckData[typeof MediaEvents.consume]>(teacher, MediaEvents.consume, {
      producerId: mic.producerId,
    });
    expect(consumer.peerId).toBe(s.peerId);
    // Errors travel back with their codes.
    const bad = await student.call(MediaEvents.consume, { producerId: crypto.randomUUID() });
    expect(bad.ok ? 'OK' : bad.error.code).toBe('PRODUCER_NOT_FOUND');

    // A second teacher tab on B stops the student's camera: the event is B's, the host A acts.
    const teacherOnB = await on(b, teacherToken);
    const studentUserId = hostRoom.peers.get(s.peerId)!.identity.userId;
    expect((await teacherOnB.emit(ClientEvents.teacherStopCamera, { userId: studentUserId })).ok).toBe(true);
    await waitFor(() => !hostRoom.peers.get(s.peerId)!.producers.has(cam.producerId), 'the camera closed on the host');
    expect(
      (await heard(student, MediaServerEvents.producerClosed, (e) => e.producerId === cam.producerId)).byTeacher,
    ).toBe(true);

    // The student's socket on B drops: the host keeps its peer for the grace period, then closes it.
    student.close();
    await waitFor(() => hostRoom.peers.get(s.peerId)?.inGrace === true, 'the grace period started on the host');
    await waitFor(() => !hostRoom.peers.has(s.peerId), 'the peer closed after the grace period', 5000);
    expect((await hostRoom.router(0).dump()).transportIds).toHaveLength(2);
    void t;
  });

  it('moves the class to the other instance when its host goes away', async () => {
    const teacherOnB = await on(b, teacherToken);
    await a.close();
    // A's clients are gone with it; the class's media is free, and B hosts it at the next join.
    const again = await mediaPeer(teacherOnB);
    expect(await redis.get(`media:owner:${sessionId}`)).toBe(b.app.get(MediaCluster).instanceId);
    expect(b.app.get(MediaService).room(sessionId)!.peers.has(again.peerId)).toBe(true);
    await ok(teacherOnB, MediaEvents.leave, {});
    await waitFor(
      async () => (await redis.get(`media:owner:${sessionId}`)) === null,
      'the owner key released when the room closed',
    );
  });
});
