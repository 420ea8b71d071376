import crypto from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaServerEvents, MediaServerMessage } from '../contracts/media';
import type { MediaCaller } from '../contracts/media-host';
import type { TestApp } from '../testing/test-app';
import { waitFor } from '../testing/wait-for';
import { MediaCluster } from './media-cluster.service';
import { MediaHosts } from './media-hosts.service';
import { MediaService } from './media.service';
import { fingerprint, opus, vp8 } from './testing/signalling';
import {
  joinTeacherThenStudent,
  mediaCaller,
  sendMicrophone,
  startTwoMediaHosts,
  type TwoMediaHosts,
} from '../testing/two-media-hosts';
import { mediaTestsOptedOut } from './testing/worker-check';

/**
 * One class over two media hosts (two instances, each its own mediasoup worker, one Redis): with
 * MEDIA_PEERS_PER_HOST=1 the teacher stays on the class's host A and the student is placed on B. Each
 * consumes the other's producers through real pipe transports between the two workers (UDP on
 * 127.0.0.1, SRTP), set up over the host protocol; a producer closed at its source closes its pulled
 * copy and the consumer on the other host (whose browser is told); the class ending closes every link.
 * Each host's pipes take their ports from its MEDIA_PIPE_PORT_MIN..MAX (the range an operator opens).
 * That RTP really crosses such a link between machines is shown by e2e/media-netns.e2e.spec.ts.
 */
describe.skipIf(mediaTestsOptedOut())('media: one class spread over two hosts (pipe transports, real workers)', () => {
  let hosts: TwoMediaHosts;
  let a: TestApp;
  let b: TestApp;
  let redis: Redis;
  let mediaA: MediaService;
  let mediaB: MediaService;
  const toSocketOnB: Array<[string, MediaServerMessage]> = [];
  // A range of ten UDP ports per host, apart from each other (both listen on 127.0.0.1), picked per run.
  const pipeBase = 30000 + crypto.randomInt(0, 900) * 10;
  const rangeA = { min: pipeBase, max: pipeBase + 4 };
  const rangeB = { min: pipeBase + 5, max: pipeBase + 9 };

  beforeAll(async () => {
    const range = (r: { min: number; max: number }) => ({
      MEDIA_PIPE_PORT_MIN: String(r.min),
      MEDIA_PIPE_PORT_MAX: String(r.max),
    });
    hosts = await startTwoMediaHosts({}, [range(rangeA), range(rangeB)]);
    ({ a, b } = hosts);
    redis = new Redis(a.config.redisUrl);
    mediaA = a.app.get(MediaService);
    mediaB = b.app.get(MediaService);
    mediaB.on('toSocket', (socketId, message) => toSocketOnB.push([socketId, message]));
  });
  afterAll(async () => {
    redis?.disconnect();
    await hosts?.close();
  });

  it('places the second person on the other host and pipes media both ways, following producers as they go', async () => {
    const sessionId = crypto.randomUUID();
    const teacher = mediaCaller(sessionId, true);
    const student = mediaCaller(sessionId, false);
    const viaA = a.app.get(MediaCluster);
    const viaB = b.app.get(MediaCluster);
    const hostA = viaA.instanceId;
    const hostB = viaB.instanceId;

    // Signalling may come through either instance: the teacher's through A, the student's through A too.
    const joinedT = await viaA.call({ op: 'join', caller: teacher, peerId: teacher.peerId! });
    expect(await redis.get(`media:owner:${sessionId}`)).toBe(hostA);
    await viaA.call({ op: 'join', caller: student, peerId: student.peerId! });
    expect(await redis.hgetall(`media:peers:${sessionId}`)).toEqual({
      [teacher.peerId!]: hostA,
      [student.peerId!]: hostB,
    });
    expect([...mediaA.room(sessionId)!.peers.keys()]).toEqual([teacher.peerId]);
    expect([...mediaB.room(sessionId)!.peers.keys()]).toEqual([student.peerId]);

    const caps = (joinedT.routerRtpCapabilities as { codecs: unknown[] }).codecs as never;
    const setUp = async (c: MediaCaller) => {
      await viaA.call({ op: 'ready', caller: c, rtpCapabilities: { codecs: caps } });
      const send = await viaA.call({ op: 'createTransport', caller: c, direction: 'send' });
      const recv = await viaA.call({ op: 'createTransport', caller: c, direction: 'recv' });
      for (const t of [send, recv])
        await viaA.call({
          op: 'connectTransport',
          caller: c,
          transportId: t.id,
          dtlsParameters: { role: 'client', fingerprints: [fingerprint()] },
        });
      return send;
    };
    const tSend = await setUp(teacher);
    const sSend = await setUp(student);
    const tCam = await viaB.call({
      op: 'produce',
      caller: teacher,
      transportId: tSend.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: vp8(7001),
    });
    const sMic = await viaB.call({
      op: 'produce',
      caller: student,
      transportId: sSend.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opus(7002),
    });

    // Each side lists the other host's producers when it gets ready (a browser arriving late sees them).
    const ready = await viaB.call({ op: 'ready', caller: student, rtpCapabilities: { codecs: caps } });
    expect(ready.producers.map((p) => p.producerId)).toEqual([tCam.producerId]);

    // The student (on B) consumes the teacher's camera (on A), and the teacher the student's microphone.
    const sees = await viaA.call({ op: 'consume', caller: student, producerId: tCam.producerId });
    expect(sees).toMatchObject({
      producerId: tCam.producerId,
      peerId: teacher.peerId,
      kind: 'video',
      source: 'camera',
    });
    const hears = await viaB.call({ op: 'consume', caller: teacher, producerId: sMic.producerId });
    expect(hears).toMatchObject({ producerId: sMic.producerId, peerId: student.peerId, kind: 'audio' });

    const roomA = mediaA.room(sessionId)!;
    const roomB = mediaB.room(sessionId)!;
    // One link each way (each host opened one to pull), one producer pulled and one sent on each side.
    expect(roomA.links!.counts()).toEqual({ links: 2, pulled: 1, sent: 1 });
    expect(roomB.links!.counts()).toEqual({ links: 2, pulled: 1, sent: 1 });
    // Every pipe bound a port of its host's MEDIA_PIPE_PORT_MIN..MAX (the firewall's range), and the two ends of a link differ.
    const inRange = (ports: Array<{ port: number }>, r: { min: number; max: number }) =>
      ports.every(({ port }) => port >= r.min && port <= r.max);
    const portsA = roomA.links!.ports();
    const portsB = roomB.links!.ports();
    expect(portsA.map((p) => p.direction).sort()).toEqual(['in', 'out']);
    expect(inRange(portsA, rangeA)).toBe(true);
    expect(inRange(portsB, rangeB)).toBe(true);
    // The pulled copy on B is the teacher's camera under its own id, on a pipe transport whose far end is A's.
    const pulled = roomB.findProducer(tCam.producerId)!;
    expect(roomB.findOwnProducer(tCam.producerId)).toBeNull();
    expect(pulled.workerIndex).toBe(0);
    expect(pulled.producer.appData).toMatchObject({ peerId: teacher.peerId, source: 'camera' });
    const consumerOnB = [...roomB.peers.get(student.peerId!)!.consumers.values()][0]!;
    expect(consumerOnB.producerId).toBe(tCam.producerId);

    // The teacher's camera closes at its source: the copy on B closes, so does the student's consumer, and the student's browser is told.
    await viaA.call({ op: 'closeProducer', caller: teacher, producerId: tCam.producerId });
    await waitFor(() => consumerOnB.closed, "the student's consumer of the closed camera closed on B");
    await waitFor(
      () =>
        toSocketOnB.some(
          ([s, m]) =>
            s === student.socketId &&
            m.event === MediaServerEvents.consumerClosed &&
            (m.payload as { producerId: string }).producerId === tCam.producerId,
        ),
      'the student told the camera went',
    );
    expect(roomB.findProducer(tCam.producerId)).toBeNull();
    expect(await redis.hexists(`media:producers:${sessionId}`, tCam.producerId)).toBe(0);

    // A pause at the source reaches the pulled copy.
    await viaA.call({ op: 'pauseProducer', caller: student, producerId: sMic.producerId, paused: true });
    await waitFor(
      () => roomA.findProducer(sMic.producerId)?.producer.paused === true,
      'the pulled microphone paused on A',
    );

    // The class ends: every host closes its part, every link goes, both workers hold nothing.
    await viaB.call({ op: 'closeRoom', sessionId });
    await waitFor(() => !mediaA.room(sessionId) && !mediaB.room(sessionId), 'the class closed on both hosts');
    for (const media of [mediaA, mediaB]) expect((await media.workers.dump(0)).routerIds).toEqual([]);
    expect(await redis.exists(`media:peers:${sessionId}`, `media:producers:${sessionId}`)).toBe(0);
  });

  it('a host that goes silent: the other closes its links to it and forgets its people and producers', async () => {
    // The previous class's people are gone from both hosts' load reports (placement reads them).
    await waitFor(
      async () => (await a.app.get(MediaHosts).list()).every((h) => h.peers === 0),
      'both hosts report no peers',
    );
    const sessionId = crypto.randomUUID();
    const teacher = mediaCaller(sessionId, true);
    const student = mediaCaller(sessionId, false);
    const viaA = a.app.get(MediaCluster);
    await joinTeacherThenStudent(viaA, teacher, student);
    const mic = await sendMicrophone(viaA, student, teacher, 7101);
    await viaA.call({ op: 'consume', caller: teacher, producerId: mic.producerId });
    const roomA = mediaA.room(sessionId)!;
    expect(roomA.links!.counts().pulled).toBe(1);
    const consumerOnA = [...roomA.peers.get(teacher.peerId!)!.consumers.values()][0]!;

    // A's beat with B missing from the live hosts (as when B is cut off).
    await mediaA.hostsAlive(new Set([viaA.instanceId]), true);
    expect(roomA.links!.counts()).toEqual({ links: 0, pulled: 0, sent: 0 });
    await waitFor(() => consumerOnA.closed, "the teacher's consumer of B's microphone closed");
    expect(await redis.hgetall(`media:peers:${sessionId}`)).toEqual({ [teacher.peerId!]: viaA.instanceId });
    expect(await redis.hlen(`media:producers:${sessionId}`)).toBe(0);
    await viaA.call({ op: 'closeRoom', sessionId });
    // B was only taken for silent: A no longer lists it for the class, so its part is closed here.
    mediaB.closeRoom(sessionId);
  });

  it("applies a pause the producer's host tells while the pulled copy is still being produced", async () => {
    await waitFor(
      async () => (await a.app.get(MediaHosts).list()).every((h) => h.peers === 0),
      'both hosts report no peers',
    );
    const sessionId = crypto.randomUUID();
    const teacher = mediaCaller(sessionId, true);
    const student = mediaCaller(sessionId, false);
    const viaA = a.app.get(MediaCluster);
    const viaB = b.app.get(MediaCluster);
    // B's way to A, with a hook between A's answer to pipeProduce and B producing the copy: the race
    // of a browser toggling its microphone right as someone on the other host starts to consume it.
    const seen: string[] = [];
    const pipeEvent = mediaB.pipeEvent.bind(mediaB);
    mediaB.pipeEvent = (r) => {
      if (r.event.kind !== 'linkClosed') seen.push(`${r.event.kind}:${r.event.producerId}`);
      return pipeEvent(r);
    };
    let between: (() => Promise<void>) | null = null;
    mediaB.attach({
      self: viaB.instanceId,
      call: async (host, request) => {
        const reply = await viaB.callHost(host, request);
        if (request.op === 'pipeProduce' && between) await between();
        return reply;
      },
    });
    try {
      await joinTeacherThenStudent(viaA, teacher, student);
      expect(mediaB.room(sessionId)?.peers.has(student.peerId!)).toBe(true);
      const mic = await sendMicrophone(viaA, teacher, student, 7201);
      between = async () => {
        between = null;
        await viaA.call({ op: 'pauseProducer', caller: teacher, producerId: mic.producerId, paused: true });
        await waitFor(() => seen.includes(`paused:${mic.producerId}`), "A's pause heard on B");
      };
      const consumed = await viaA.call({ op: 'consume', caller: student, producerId: mic.producerId });
      // A answered "not paused", then paused: the copy on B and the student's consumer know it.
      expect(mediaB.room(sessionId)!.findProducer(mic.producerId)!.producer.paused).toBe(true);
      expect(consumed.producerPaused).toBe(true);
      await viaA.call({ op: 'closeRoom', sessionId });
    } finally {
      mediaB.attach({ self: viaB.instanceId, call: (host, request) => viaB.callHost(host, request) });
      mediaB.pipeEvent = pipeEvent;
    }
  });

  it('refuses a link whose SRTP setting or address does not match, with a code', async () => {
    const sessionId = crypto.randomUUID();
    const teacher = mediaCaller(sessionId, true);
    await a.app.get(MediaCluster).call({ op: 'join', caller: teacher, peerId: teacher.peerId! });
    // Whichever host took the class's first person (placement follows load, which another test can
    // leave uneven), the other one asks it for the link.
    const [host, other] = mediaA.room(sessionId) ? [a, b] : [b, a];
    expect(host.app.get(MediaService).room(sessionId)).toBeDefined();
    const viaB = other.app.get(MediaCluster);
    const hostA = host.app.get(MediaCluster).instanceId;
    const base = { op: 'pipeConnect' as const, sessionId, from: viaB.instanceId, linkId: crypto.randomUUID() };
    await expect(viaB.callHost(hostA, { ...base, tuple: { ip: '127.0.0.1', port: 5000 } })).rejects.toMatchObject({
      code: 'PIPE_SRTP_MISMATCH',
    });
    // Not a valid request at all (a port out of range): refused on arrival by the contract.
    await expect(
      viaB.callHost(hostA, { ...base, tuple: { ip: '127.0.0.1', port: 70000 } } as never),
    ).rejects.toMatchObject({ code: 'INVALID_HOST_REQUEST' });
    await expect(
      viaB.callHost(hostA, {
        op: 'pipeProduce',
        sessionId,
        linkId: crypto.randomUUID(),
        producerId: crypto.randomUUID(),
      }),
    ).rejects.toMatchObject({ code: 'PIPE_NOT_FOUND' });
    await a.app.get(MediaCluster).call({ op: 'closeRoom', sessionId });
  });

  it("refuses a link once every port of the host's MEDIA_PIPE_PORT_MIN..MAX is taken, with a code, and binds again once one frees", async () => {
    const sessionId = crypto.randomUUID();
    const teacher = mediaCaller(sessionId, true);
    const viaA = a.app.get(MediaCluster);
    await viaA.call({ op: 'join', caller: teacher, peerId: teacher.peerId! });
    // Whichever host took the class's first person (placement follows load), the other asks it for links.
    const where = (sid: string) => (mediaA.room(sid) ? ([a, b, rangeA] as const) : ([b, a, rangeB] as const));
    const [host, other, range] = where(sessionId);
    expect(host.app.get(MediaService).room(sessionId)).toBeDefined();
    const hostId = host.app.get(MediaCluster).instanceId;
    const from = other.app.get(MediaCluster).instanceId;
    // Links the other host asks for, as its HostLinks would (each takes one port of the five); the far end is never reached.
    const ask = () =>
      other.app.get(MediaCluster).callHost(hostId, {
        op: 'pipeConnect',
        sessionId,
        from,
        linkId: crypto.randomUUID(),
        tuple: {
          ip: '127.0.0.1',
          port: 9,
          srtpParameters: {
            cryptoSuite: 'AEAD_AES_256_GCM',
            keyBase64: crypto.randomBytes(44).toString('base64'),
          },
        },
      });
    const size = range.max - range.min + 1;
    const tuples = [];
    try {
      for (let i = 0; i < size; i++) tuples.push(await ask());
      expect(new Set(tuples.map((t) => t.port)).size).toBe(size);
      expect(tuples.every((t) => t.port >= range.min && t.port <= range.max)).toBe(true);
      await expect(ask()).rejects.toMatchObject({ code: 'PIPE_PORTS_EXHAUSTED', status: 503 });
    } finally {
      // The class closes: its links go, their ports are free, a new class's link binds again.
      await viaA.call({ op: 'closeRoom', sessionId });
    }
    await waitFor(() => !host.app.get(MediaService).room(sessionId), 'the class closed on its host');
    const next = crypto.randomUUID();
    const again = mediaCaller(next, true);
    await viaA.call({ op: 'join', caller: again, peerId: again.peerId! });
    const [host2, other2, range2] = where(next);
    const reopened = await other2.app.get(MediaCluster).callHost(host2.app.get(MediaCluster).instanceId, {
      op: 'pipeConnect',
      sessionId: next,
      from: other2.app.get(MediaCluster).instanceId,
      linkId: crypto.randomUUID(),
      tuple: {
        ip: '127.0.0.1',
        port: 9,
        srtpParameters: {
          cryptoSuite: 'AEAD_AES_256_GCM',
          keyBase64: crypto.randomBytes(44).toString('base64'),
        },
      },
    });
    expect(reopened.port).toBeGreaterThanOrEqual(range2.min);
    expect(reopened.port).toBeLessThanOrEqual(range2.max);
    await viaA.call({ op: 'closeRoom', sessionId: next });
  });
});
