// Over 400 lines on purpose: one media room on a real mediasoup worker serves every case here (starting
// a worker per file costs more than the file is long).
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaAckData, MediaEvents, MediaServerEvents, ProducerInfo } from '../contracts/media';
import { ClientEvents } from '../contracts/realtime';
import { LaunchClient } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';
import { startTestApp, TestApp } from '../testing/test-app';
import { waitFor } from '../testing/wait-for';
import { MediaService } from './media.service';
import { fingerprint, heard, opus, vp8, ok, refusal } from './testing/signalling';
import { mediaTestsOptedOut, requireWorker } from './testing/worker-check';

type Caps = { codecs: Array<Record<string, unknown>>; headerExtensions: Array<Record<string, unknown>> };

/**
 * The SFU with the real mediasoup worker: signalling, lifecycle (nothing outlives its peer, a dropped
 * socket's transports close after the grace period, a killed worker is replaced and its people rejoin),
 * teacher controls acting in the SFU, and bad input refused with a code and nothing leaked. The
 * browsers' side (real WebRTC media) is the browser test's; here the peers signal from Node.
 */
describe.skipIf(mediaTestsOptedOut())('media: mediasoup SFU with a real worker', () => {
  let t: TestApp;
  let launch: LaunchClient;
  let media: MediaService;
  let teacherToken: string;
  let studentToken: string;
  let sessionId: string;
  const clients: RoomClient[] = [];

  beforeAll(async () => {
    requireWorker();
    t = await startTestApp({ MEDIA_PEER_GRACE_MS: '400' });
    media = t.app.get(MediaService);
    launch = new LaunchClient(t);
    teacherToken = await launch.launch('phys-101', 'dev-ada');
    studentToken = await launch.launch('phys-101', 'dev-grace');
    sessionId = await startClass(teacherToken);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.close();
  });

  async function startClass(token: string) {
    const r = (await (await launch.api('/api/classroom/sessions', token, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    return r.session.id;
  }

  /** A peer in the class with media joined: caps sent, both transports made and connected. */
  async function peer(token: string, sid = sessionId, peerId: string = crypto.randomUUID()) {
    const c = new RoomClient(t.url, token);
    clients.push(c);
    await c.connected();
    const room = await c.emit(ClientEvents.join, { sessionId: sid });
    if (!room.ok) throw new Error(JSON.stringify(room.error));
    const joined = await ok<MediaAckData[typeof MediaEvents.join]>(c, MediaEvents.join, { peerId });
    const caps = joined.routerRtpCapabilities as Caps;
    const ready = await ok<MediaAckData[typeof MediaEvents.ready]>(c, MediaEvents.ready, { rtpCapabilities: caps });
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
    await ok(c, MediaEvents.connectTransport, {
      transportId: recv.id,
      dtlsParameters: { role: 'client', fingerprints: [fingerprint()] },
    });
    return { c, peerId, caps, ready, send, recv, joined };
  }

  /** What the worker itself holds: routers, and the transports of every router. */
  async function held() {
    const pool = media.workers;
    const dump = await pool.dump(0);
    return { routers: dump.routerIds.length, webRtcServers: dump.webRtcServerIds.length };
  }

  it("connects teacher and student: each consumes the other's audio and video, and the room closes empty", async () => {
    const teacher = await peer(teacherToken);
    const student = await peer(studentToken);
    expect(teacher.joined.routerRtpCapabilities).toMatchObject({
      codecs: expect.arrayContaining([
        expect.objectContaining({ mimeType: 'audio/opus' }),
        expect.objectContaining({ mimeType: 'video/VP8' }),
        expect.objectContaining({ mimeType: 'video/H264' }),
      ]),
    });

    const mic = await ok<{ producerId: string }>(teacher.c, MediaEvents.produce, {
      transportId: teacher.send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opus(1111),
    });
    const cam = await ok<{ producerId: string }>(teacher.c, MediaEvents.produce, {
      transportId: teacher.send.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: vp8(2222),
    });
    await ok(student.c, MediaEvents.produce, {
      transportId: student.send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opus(3333),
    });
    const added = await heard(student.c, MediaServerEvents.producerAdded, (p) => p.producerId === cam.producerId);
    expect(added).toMatchObject({ kind: 'video', source: 'camera', peerId: teacher.peerId });

    const consumer = await ok<MediaAckData[typeof MediaEvents.consume]>(student.c, MediaEvents.consume, {
      producerId: mic.producerId,
    });
    expect(consumer).toMatchObject({ kind: 'audio', source: 'mic', producerId: mic.producerId });
    await ok(student.c, MediaEvents.resumeConsumer, { consumerId: consumer.consumerId });
    const video = await ok<MediaAckData[typeof MediaEvents.consume]>(student.c, MediaEvents.consume, {
      producerId: cam.producerId,
    });
    await ok(student.c, MediaEvents.setLayers, { consumerId: video.consumerId, spatialLayer: 0 });
    // The teacher, joining late, learns the student's mic from media:ready and consumes it.
    const late = await peer(teacherToken);
    const studentMic = late.ready.producers.find((p: ProducerInfo) => p.peerId === student.peerId)!;
    expect(studentMic.source).toBe('mic');
    await ok(late.c, MediaEvents.consume, { producerId: studentMic.producerId });

    const room = media.room(sessionId)!;
    expect(room.peers.size).toBe(3);
    const router = room.router(0);
    expect((await router.dump()).transportIds).toHaveLength(6);

    // Closing the camera tells the viewer its consumer is gone.
    await ok(teacher.c, MediaEvents.closeProducer, { producerId: cam.producerId });
    expect(
      (await heard(student.c, MediaServerEvents.consumerClosed, (e) => e.producerId === cam.producerId)).consumerId,
    ).toBe(video.consumerId);

    for (const p of [teacher, student, late]) await ok(p.c, MediaEvents.leave, {});
    expect(room.closed).toBe(true);
    expect(media.room(sessionId)).toBeUndefined();
    expect(await held()).toEqual({ routers: 0, webRtcServers: 1 });
  });

  it("keeps a dropped socket's transports for the grace period, resumes the same tab, and closes them after", async () => {
    const teacher = await peer(teacherToken);
    const room = media.room(sessionId)!;
    teacher.c.close();
    // The server hears of the drop and asks the class's hosts (Redis hops): waited for, not a fixed pause.
    await waitFor(() => room.peers.get(teacher.peerId)?.inGrace, 'the dropped peer in its grace period', 1000);
    expect((await room.router(0).dump()).transportIds).toHaveLength(2);
    // The same tab reconnecting within the grace period gets its peer (and transports) back.
    const back = new RoomClient(t.url, teacherToken);
    clients.push(back);
    await back.connected();
    await back.emit(ClientEvents.join, { sessionId });
    expect(
      (await ok<MediaAckData[typeof MediaEvents.join]>(back, MediaEvents.join, { peerId: teacher.peerId })).resumed,
    ).toBe(true);
    expect(room.peers.get(teacher.peerId)?.inGrace).toBe(false);
    // Someone else cannot take over that peer.
    const other = new RoomClient(t.url, studentToken);
    clients.push(other);
    await other.connected();
    await other.emit(ClientEvents.join, { sessionId });
    expect(await refusal(other, MediaEvents.join, { peerId: teacher.peerId })).toBe('PEER_NOT_YOURS');
    other.close();
    // Dropped again and not back: after the grace period nothing of it is left.
    back.close();
    await waitFor(() => room.closed, 'the room closed after the grace period', 5000);
    expect(await held()).toEqual({ routers: 0, webRtcServers: 1 });
  });

  it('acts on teacher controls in the SFU: mute pauses the microphone, stop-camera closes the camera, remove closes the peer', async () => {
    const teacher = await peer(teacherToken);
    const student = await peer(studentToken);
    const mic = await ok<{ producerId: string }>(student.c, MediaEvents.produce, {
      transportId: student.send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opus(4444),
    });
    const cam = await ok<{ producerId: string }>(student.c, MediaEvents.produce, {
      transportId: student.send.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: vp8(5555),
    });
    const room = media.room(sessionId)!;
    const studentPeer = room.peers.get(student.peerId)!;
    const studentUserId = studentPeer.identity.userId;

    expect((await teacher.c.emit(ClientEvents.teacherMute, { userId: studentUserId })).ok).toBe(true);
    const paused = await heard(student.c, MediaServerEvents.producerPaused, (e) => e.producerId === mic.producerId);
    expect(paused).toMatchObject({ paused: true, byTeacher: true });
    expect(studentPeer.producers.get(mic.producerId)!.paused).toBe(true);

    expect((await teacher.c.emit(ClientEvents.teacherStopCamera, { userId: studentUserId })).ok).toBe(true);
    expect(
      await heard(teacher.c, MediaServerEvents.producerClosed, (e) => e.producerId === cam.producerId),
    ).toMatchObject({ byTeacher: true, source: 'camera' });
    expect(studentPeer.producers.has(cam.producerId)).toBe(false);

    // Unmuted by the student, then "mute all": paused again in the SFU.
    await ok(student.c, MediaEvents.pauseProducer, { producerId: mic.producerId, paused: false });
    expect(studentPeer.producers.get(mic.producerId)!.paused).toBe(false);
    expect(await ok<{ muted: number }>(teacher.c, ClientEvents.teacherMuteAll, {})).toEqual({ muted: 1 });
    await waitFor(() => studentPeer.producers.get(mic.producerId)!.paused, 'the student muted by "mute all"');
    // A student cannot mute anyone, nor set the class's media policy.
    expect(await refusal(student.c, ClientEvents.teacherMute, { userId: studentUserId })).toBe('TEACHER_ONLY');
    expect(await refusal(student.c, ClientEvents.teacherMuteAll, {})).toBe('TEACHER_ONLY');
    expect(await refusal(student.c, MediaEvents.policy, { studentScreenShare: true })).toBe('TEACHER_ONLY');

    expect((await teacher.c.emit(ClientEvents.teacherRemove, { userId: studentUserId })).ok).toBe(true);
    await waitFor(() => studentPeer.closed, "the removed student's media closed at once (no grace period)", 3000);
    expect((await room.router(0).dump()).transportIds).toHaveLength(2);
    await ok(teacher.c, MediaEvents.leave, {});
    expect(await held()).toEqual({ routers: 0, webRtcServers: 1 });
    await t.db.query(`DELETE FROM session_removal WHERE user_id = $1`, [studentUserId]);
    await media.setCameraStopped(sessionId, studentUserId, false); // Cam off held for them until now
  });

  it('refuses bad input with a code and leaks nothing', async () => {
    const teacher = await peer(teacherToken);
    const student = await peer(studentToken);
    const room = media.room(sessionId)!;
    const before = (await room.router(0).dump()).transportIds.length;

    // Screen share: a student is refused unless the teacher allows it; then allowed; forbidding again stops it.
    const screen = { transportId: student.send.id, kind: 'video', source: 'screen', rtpParameters: vp8(6666) };
    expect(await refusal(student.c, MediaEvents.produce, screen)).toBe('SCREEN_SHARE_FORBIDDEN');
    expect(await ok(teacher.c, MediaEvents.policy, { studentScreenShare: true })).toEqual({
      studentScreenShare: true,
      micLocked: false,
      cameraLocked: false,
      unmuteAllowed: [],
      cameraStopped: [],
    });
    expect((await heard(student.c, MediaServerEvents.policyChanged)).studentScreenShare).toBe(true);
    const shared = await ok<{ producerId: string }>(student.c, MediaEvents.produce, screen);
    await ok(teacher.c, MediaEvents.policy, { studentScreenShare: false });
    await heard(teacher.c, MediaServerEvents.producerClosed, (e) => e.producerId === shared.producerId);

    // A producer of another class is not consumable from this one.
    const otherTeacher = await launch.launch('hist-210', 'dev-ada');
    const otherClass = await startClass(otherTeacher);
    expect(otherClass).not.toBe(sessionId);
    const elsewhere = await peer(otherTeacher, otherClass);
    const foreign = await ok<{ producerId: string }>(elsewhere.c, MediaEvents.produce, {
      transportId: elsewhere.send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opus(7777),
    });
    expect(await refusal(student.c, MediaEvents.consume, { producerId: foreign.producerId })).toBe(
      'PRODUCER_NOT_FOUND',
    );
    await ok(elsewhere.c, MediaEvents.leave, {});

    // Bogus capabilities, parameters and ids.
    expect(await refusal(student.c, MediaEvents.ready, { rtpCapabilities: { codecs: 'all of them' } })).toBe(
      'INVALID_PAYLOAD',
    );
    expect(
      await refusal(student.c, MediaEvents.ready, {
        rtpCapabilities: { codecs: [{ kind: 'video', mimeType: 'video/Theora', clockRate: 90000 }] },
      }),
    ).toBe('UNSUPPORTED_CAPABILITIES');
    expect(
      await refusal(student.c, MediaEvents.connectTransport, {
        transportId: student.recv.id,
        dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'not-a-fingerprint' }] },
      }),
    ).toBe('INVALID_PAYLOAD');
    expect(
      await refusal(student.c, MediaEvents.connectTransport, {
        transportId: student.send.id,
        dtlsParameters: { role: 'client', fingerprints: [fingerprint()] },
      }),
    ).toBe('BAD_DTLS_PARAMETERS'); // already connected
    expect(
      await refusal(student.c, MediaEvents.connectTransport, {
        transportId: teacher.send.id,
        dtlsParameters: { role: 'client', fingerprints: [fingerprint()] },
      }),
    ).toBe('TRANSPORT_NOT_FOUND');
    expect(
      await refusal(student.c, MediaEvents.produce, {
        transportId: student.send.id,
        kind: 'video',
        source: 'camera',
        rtpParameters: {
          codecs: [{ mimeType: 'video/Theora', payloadType: 100, clockRate: 90000 }],
          encodings: [{ ssrc: 1 }],
        },
      }),
    ).toBe('BAD_RTP_PARAMETERS');
    expect(
      await refusal(student.c, MediaEvents.produce, {
        transportId: student.recv.id,
        kind: 'audio',
        source: 'mic',
        rtpParameters: opus(8888),
      }),
    ).toBe('WRONG_TRANSPORT');
    expect(
      await refusal(student.c, MediaEvents.produce, {
        transportId: student.send.id,
        kind: 'video',
        source: 'mic',
        rtpParameters: vp8(8889),
      }),
    ).toBe('KIND_MISMATCH');
    expect(await refusal(student.c, MediaEvents.resumeConsumer, { consumerId: crypto.randomUUID() })).toBe(
      'CONSUMER_NOT_FOUND',
    );
    expect(await refusal(student.c, MediaEvents.closeProducer, { producerId: crypto.randomUUID() })).toBe(
      'PRODUCER_NOT_FOUND',
    );
    expect(await refusal(student.c, MediaEvents.setLayers, { consumerId: crypto.randomUUID(), spatialLayer: 7 })).toBe(
      'INVALID_PAYLOAD',
    );
    // A socket that has not joined the class gets nothing.
    const stranger = new RoomClient(t.url, studentToken);
    clients.push(stranger);
    await stranger.connected();
    expect(await refusal(stranger, MediaEvents.join, { peerId: crypto.randomUUID() })).toBe('NOT_IN_ROOM');
    expect(await refusal(student.c, MediaEvents.createTransport, { direction: 'send' })).toBe('OK'); // replaces its own send transport
    expect((await room.router(0).dump()).transportIds.length).toBe(before);
    expect([...room.peers.get(student.peerId)!.producers.values()]).toHaveLength(0);

    for (const p of [teacher, student]) await ok(p.c, MediaEvents.leave, {});
    expect(await held()).toEqual({ routers: 0, webRtcServers: 1 });
  });

  it('replaces a killed worker, tells its people to rejoin, and their media works again', async () => {
    const teacher = await peer(teacherToken);
    const student = await peer(studentToken);
    const [pid] = media.workers.pids();
    process.kill(pid, 'SIGKILL');
    await heard(teacher.c, MediaServerEvents.rejoin);
    await heard(student.c, MediaServerEvents.rejoin);
    await waitFor(
      () => {
        try {
          return media.workers.pids()[0] !== pid && media.workers.loads()[0].alive;
        } catch {
          return false;
        }
      },
      'a new worker',
      10_000,
    );
    expect(media.room(sessionId)).toBeUndefined();
    // Rejoining on the same sockets (what the browser does by itself) works on the new worker.
    const again = await ok<MediaAckData[typeof MediaEvents.join]>(teacher.c, MediaEvents.join, {
      peerId: crypto.randomUUID(),
    });
    expect(again.resumed).toBe(false);
    await ok(teacher.c, MediaEvents.ready, { rtpCapabilities: again.routerRtpCapabilities });
    const send = await ok<MediaAckData[typeof MediaEvents.createTransport]>(teacher.c, MediaEvents.createTransport, {
      direction: 'send',
    });
    expect(
      (
        await ok<{ producerId: string }>(teacher.c, MediaEvents.produce, {
          transportId: send.id,
          kind: 'audio',
          source: 'mic',
          rtpParameters: opus(9999),
        })
      ).producerId,
    ).toMatch(/-/);
    await ok(teacher.c, MediaEvents.leave, {});
    expect(await held()).toEqual({ routers: 0, webRtcServers: 1 });
  });

  it('switches the class to H.264 when someone cannot decode VP8, so they still get a picture, and back when they leave', async () => {
    const teacher = await peer(teacherToken);
    const cam = await ok<{ producerId: string }>(teacher.c, MediaEvents.produce, {
      transportId: teacher.send.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: vp8(1357),
    });
    // An older Safari: H.264 and Opus, no VP8.
    const noVp8: Caps = {
      ...teacher.caps,
      codecs: teacher.caps.codecs.filter(
        (c) =>
          !/vp8/i.test(String(c.mimeType)) &&
          !(
            c.mimeType === 'video/rtx' &&
            (c.parameters as { apt?: number })?.apt ===
              teacher.caps.codecs.find((x) => /vp8/i.test(String(x.mimeType)))!.preferredPayloadType
          ),
      ),
    };
    const safari = new RoomClient(t.url, studentToken);
    clients.push(safari);
    await safari.connected();
    await safari.emit(ClientEvents.join, { sessionId });
    await ok(safari, MediaEvents.join, { peerId: crypto.randomUUID() });
    const ready = await ok<MediaAckData[typeof MediaEvents.ready]>(safari, MediaEvents.ready, {
      rtpCapabilities: noVp8,
    });
    expect(ready.videoCodec).toBe('video/H264');
    expect((await heard(teacher.c, MediaServerEvents.videoCodec)).mimeType).toBe('video/H264');
    await ok(safari, MediaEvents.createTransport, { direction: 'recv' });
    expect(await refusal(safari, MediaEvents.consume, { producerId: cam.producerId })).toBe('CANNOT_CONSUME');
    // The teacher's browser sends its camera again in H.264: Safari can take that one.
    const h264 = teacher.caps.codecs.find(
      (c) => c.mimeType === 'video/H264' && (c.parameters as Record<string, unknown>)['profile-level-id'] === '42e01f',
    )!;
    const cam2 = await ok<{ producerId: string }>(teacher.c, MediaEvents.produce, {
      transportId: teacher.send.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: {
        codecs: [
          {
            mimeType: 'video/H264',
            payloadType: 102,
            clockRate: 90000,
            parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
          },
        ],
        encodings: [{ ssrc: 2468 }],
        rtcp: { cname: 'h264' },
      },
    });
    expect(h264).toBeTruthy();
    const consumer = await ok<MediaAckData[typeof MediaEvents.consume]>(safari, MediaEvents.consume, {
      producerId: cam2.producerId,
    });
    expect((consumer.rtpParameters as { codecs: Array<{ mimeType: string }> }).codecs[0].mimeType).toBe('video/H264');
    // Safari leaves: back to VP8 for everyone.
    await ok(safari, MediaEvents.leave, {});
    await heard(teacher.c, MediaServerEvents.videoCodec, (e) => e.mimeType === 'video/VP8');
    await ok(teacher.c, MediaEvents.leave, {});
    expect(await held()).toEqual({ routers: 0, webRtcServers: 1 });
  });

  it('hands out ephemeral TURN credentials only to a signed-in person', async () => {
    expect((await launch.api('/api/media/ice-servers', 'nope')).status).toBe(401);
    const r = await (await launch.api('/api/media/ice-servers', studentToken)).json();
    expect(r).toEqual({ iceServers: [] }); // no TURN configured in this app; see the TURN test
  });
});
