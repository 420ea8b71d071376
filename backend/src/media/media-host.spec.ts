import crypto from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostOp, MediaCaller } from '../contracts/media-host';
import type { TestApp } from '../testing/test-app';
import { startTestDeployment, type TestDeployment } from '../testing/test-deployment';
import { mediaCaller } from '../testing/two-media-hosts';
import { waitFor } from '../testing/wait-for';
import { MediaCluster } from './media-cluster.service';
import { MediaService } from './media.service';
import { fingerprint, opus, vp8 } from './testing/signalling';
import { mediaTestsOptedOut, requireWorker } from './testing/worker-check';

/**
 * The host protocol between two real instances (real worker, real Redis): instance A hosts a class's
 * media; every kind of host request is sent from instance B, crosses Redis, is parsed and run on A,
 * and its typed reply comes back. A request that does not match the contract is refused on arrival
 * with a code and runs nothing.
 */
describe.skipIf(mediaTestsOptedOut())('media host requests between two instances', () => {
  let deployment: TestDeployment;
  let a: TestApp;
  let b: TestApp;
  let redis: Redis;
  let sub: Redis;
  let onA: MediaService;
  let fromB: MediaCluster;

  beforeAll(async () => {
    requireWorker();
    deployment = await startTestDeployment();
    [a, b] = deployment.apps as [TestApp, TestApp];
    redis = new Redis(a.config.redisUrl);
    sub = new Redis(a.config.redisUrl);
    onA = a.app.get(MediaService);
    fromB = b.app.get(MediaCluster);
  });
  afterAll(async () => {
    redis?.disconnect();
    sub?.disconnect();
    await deployment?.close();
  });

  it('runs every kind of request on the host and brings its typed reply back', async () => {
    // Typed by the contract: a request kind added without a round trip here does not compile (the
    // requests between the hosts of one spread class are run by media-octo.spec.ts and media-speaker-octo.spec.ts).
    const done: Record<Exclude<HostOp, 'pipeConnect' | 'pipeProduce' | 'pipeEvent' | 'classSpeaker'>, boolean> = {
      join: false,
      ready: false,
      createTransport: false,
      connectTransport: false,
      restartIce: false,
      produce: false,
      pauseProducer: false,
      closeProducer: false,
      consume: false,
      resumeConsumer: false,
      setLayers: false,
      leave: false,
      setPolicy: false,
      socketDropped: false,
      teacherAction: false,
      closeRoom: false,
    };
    const sessionId = crypto.randomUUID();
    const teacher = mediaCaller(sessionId, true);
    const student = mediaCaller(sessionId, false);

    // A takes the class with the teacher's join; everything after is sent from B.
    await a.app.get(MediaCluster).call({ op: 'join', caller: teacher, peerId: teacher.peerId! });
    expect(await redis.get(`media:owner:${sessionId}`)).toBe(a.app.get(MediaCluster).instanceId);
    const joined = await fromB.call({ op: 'join', caller: student, peerId: student.peerId! });
    done.join = true;
    expect(joined).toMatchObject({ resumed: false, policy: { studentScreenShare: false }, iceTransportPolicy: 'all' });
    expect(joined.routerRtpCapabilities).toMatchObject({
      codecs: expect.arrayContaining([expect.objectContaining({ mimeType: 'audio/opus' })]),
    });
    const room = onA.room(sessionId)!;
    expect([...room.peers.keys()].sort()).toEqual([teacher.peerId, student.peerId].sort());
    expect(b.app.get(MediaService).room(sessionId)).toBeUndefined();

    const caps = joined.routerRtpCapabilities as {
      codecs: Array<{ kind: 'audio' | 'video'; mimeType: string; clockRate: number }>;
    };
    for (const c of [teacher, student]) {
      const ready = await fromB.call({ op: 'ready', caller: c, rtpCapabilities: { codecs: caps.codecs } });
      expect(ready).toMatchObject({ producers: [], activeSpeaker: null, videoCodec: 'video/VP8' });
    }
    done.ready = true;
    expect(room.peers.get(student.peerId!)!.rtpCapabilities).not.toBeNull();

    const transports = async (c: MediaCaller) => {
      const send = await fromB.call({ op: 'createTransport', caller: c, direction: 'send' });
      const recv = await fromB.call({ op: 'createTransport', caller: c, direction: 'recv' });
      for (const t of [send, recv])
        expect(
          await fromB.call({
            op: 'connectTransport',
            caller: c,
            transportId: t.id,
            dtlsParameters: { role: 'client', fingerprints: [fingerprint()] },
          }),
        ).toBeNull();
      return { send, recv };
    };
    const s = await transports(student);
    await transports(teacher);
    done.createTransport = done.connectTransport = true;
    expect([...room.peers.get(student.peerId!)!.transports.keys()].sort()).toEqual([s.send.id, s.recv.id].sort());
    // Errors come back with their codes: a transport connects once.
    await expect(
      fromB.call({
        op: 'connectTransport',
        caller: student,
        transportId: s.send.id,
        dtlsParameters: { role: 'client', fingerprints: [fingerprint()] },
      }),
    ).rejects.toMatchObject({ code: 'BAD_DTLS_PARAMETERS' });

    const restarted = await fromB.call({ op: 'restartIce', caller: student, transportId: s.send.id });
    done.restartIce = true;
    expect(restarted.iceParameters).toMatchObject({
      usernameFragment: expect.any(String),
      password: expect.any(String),
    });

    const mic = await fromB.call({
      op: 'produce',
      caller: student,
      transportId: s.send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opus(5151),
    });
    const cam = await fromB.call({
      op: 'produce',
      caller: student,
      transportId: s.send.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: vp8(5252),
    });
    done.produce = true;
    const studentPeer = room.peers.get(student.peerId!)!;
    expect(studentPeer.producers.get(mic.producerId)!.kind).toBe('audio');
    expect(studentPeer.producers.get(cam.producerId)!.appData.source).toBe('camera');

    expect(
      await fromB.call({ op: 'pauseProducer', caller: student, producerId: mic.producerId, paused: true }),
    ).toBeNull();
    done.pauseProducer = true;
    expect(studentPeer.producers.get(mic.producerId)!.paused).toBe(true);

    const consumer = await fromB.call({ op: 'consume', caller: teacher, producerId: cam.producerId });
    done.consume = true;
    expect(consumer).toMatchObject({
      producerId: cam.producerId,
      peerId: student.peerId,
      userId: student.userId,
      kind: 'video',
      source: 'camera',
    });
    const onHost = room.peers.get(teacher.peerId!)!.consumers.get(consumer.consumerId)!;
    expect(onHost.paused).toBe(true);
    expect(await fromB.call({ op: 'resumeConsumer', caller: teacher, consumerId: consumer.consumerId })).toBeNull();
    done.resumeConsumer = true;
    expect(onHost.paused).toBe(false);
    expect(
      await fromB.call({ op: 'setLayers', caller: teacher, consumerId: consumer.consumerId, spatialLayer: 0 }),
    ).toBeNull();
    done.setLayers = true;
    await expect(
      fromB.call({ op: 'setLayers', caller: teacher, consumerId: crypto.randomUUID(), spatialLayer: 0 }),
    ).rejects.toMatchObject({ code: 'CONSUMER_NOT_FOUND' });

    expect(await fromB.call({ op: 'closeProducer', caller: student, producerId: cam.producerId })).toBeNull();
    done.closeProducer = true;
    expect(studentPeer.producers.has(cam.producerId)).toBe(false);
    await waitFor(() => onHost.closed, 'the consumer of the closed camera closed on the host');

    const allowed = {
      studentScreenShare: true,
      micLocked: false,
      cameraLocked: false,
      unmuteAllowed: [],
      cameraStopped: [],
    };
    expect(await fromB.call({ op: 'setPolicy', caller: teacher, policy: { studentScreenShare: true } })).toEqual(
      allowed,
    );
    done.setPolicy = true;
    expect(room.policy).toEqual(allowed);
    await expect(
      fromB.call({ op: 'setPolicy', caller: student, policy: { studentScreenShare: true } }),
    ).rejects.toMatchObject({ code: 'TEACHER_ONLY' });

    await fromB.call({ op: 'pauseProducer', caller: student, producerId: mic.producerId, paused: false });
    expect(await fromB.call({ op: 'teacherAction', sessionId, userId: student.userId, action: 'mute' })).toBeNull();
    done.teacherAction = true;
    await waitFor(() => studentPeer.producers.get(mic.producerId)!.paused, 'the student muted on the host');
    expect(studentPeer.producers.get(mic.producerId)!.appData.pausedByTeacher).toBe(true);

    expect(await fromB.call({ op: 'socketDropped', sessionId, socketId: student.socketId })).toBeNull();
    done.socketDropped = true;
    expect(studentPeer.inGrace).toBe(true);

    expect(await fromB.call({ op: 'leave', caller: teacher })).toBeNull();
    done.leave = true;
    expect(room.peers.has(teacher.peerId!)).toBe(false);

    expect(await fromB.call({ op: 'closeRoom', sessionId })).toBeNull();
    done.closeRoom = true;
    expect(room.closed).toBe(true);
    expect(onA.room(sessionId)).toBeUndefined();
    await waitFor(async () => (await redis.get(`media:owner:${sessionId}`)) === null, 'the class released by its host');

    expect(Object.entries(done).filter(([, ok]) => !ok)).toEqual([]);
  });

  it('refuses on arrival a request that does not match the contract, with a code, and runs nothing', async () => {
    const sessionId = crypto.randomUUID();
    const teacher = mediaCaller(sessionId, true);
    await a.app.get(MediaCluster).call({ op: 'join', caller: teacher, peerId: teacher.peerId! });
    const hostId = a.app.get(MediaCluster).instanceId;
    const from = crypto.randomUUID();
    const replies: unknown[] = [];
    await sub.subscribe(`media:reply:${from}`);
    sub.on('message', (_channel, raw: string) => replies.push(JSON.parse(raw)));
    const ask = async (request: unknown) => {
      const id = crypto.randomUUID();
      await redis.publish(`media:rpc:${hostId}`, JSON.stringify({ id, from, request }));
      return waitFor(
        () =>
          replies.find((r) => (r as { id: string }).id === id) as
            { ok: boolean; error?: { code: string; message: string } } | undefined,
        "the host's reply",
      );
    };

    // A method name with positional arguments (the old wire) and a produce whose fields are shuffled.
    const positional = await ask({ method: 'closeRoom', args: [sessionId] });
    expect(positional).toMatchObject({ ok: false, error: { code: 'INVALID_HOST_REQUEST' } });
    const shuffled = await ask({
      op: 'produce',
      caller: teacher,
      transportId: 'audio',
      kind: crypto.randomUUID(),
      source: 'mic',
      rtpParameters: opus(1),
    });
    expect(shuffled).toMatchObject({
      ok: false,
      error: { code: 'INVALID_HOST_REQUEST', message: expect.stringContaining('kind') },
    });
    // A caller is part of the contract too: no extra fields, ids in their formats.
    const forged = await ask({ op: 'leave', caller: { ...teacher, role: 'administrator' } });
    expect(forged).toMatchObject({ ok: false, error: { code: 'INVALID_HOST_REQUEST' } });
    const unknownOp = await ask({ op: 'dropTables', sessionId });
    expect(unknownOp).toMatchObject({ ok: false, error: { code: 'INVALID_HOST_REQUEST' } });

    const room = onA.room(sessionId)!;
    expect(room.closed).toBe(false);
    expect(room.peers.has(teacher.peerId!)).toBe(true);
    // A well-formed request on the same channel still runs.
    expect(await ask({ op: 'closeRoom', sessionId })).toMatchObject({ ok: true, data: null });
    expect(room.closed).toBe(true);
  });
});
