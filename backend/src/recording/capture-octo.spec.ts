import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaCluster } from '../media/media-cluster.service';
import { MediaService } from '../media/media.service';
import type { ProducerData } from '../media/sfu/media-peer';
import {
  joinTeacherThenStudent,
  mediaCaller,
  sendMicrophone,
  startTwoMediaHosts,
  type TwoMediaHosts,
} from '../testing/two-media-hosts';
import { mediaTestsOptedOut } from '../media/testing/worker-check';
import { LaunchClient } from '../testing/lti-client';
import type { TestApp } from '../testing/test-app';
import { waitFor } from '../testing/wait-for';
import { parseSegmentList } from './domain/segment-list';
import { RecordingCaptureService } from './recording-capture.service';

/**
 * Recording capture of one class spread over two media hosts (the setup of media-octo.spec.ts, with
 * capture on): each host records the producers of its own peers, so a student's microphone placed on
 * host B is captured on B (into the shared recording directory), and host A, which only holds a pulled
 * copy of it for its consumers, does not capture it a second time. Producers made through signalling
 * carry no packets here (Node has no DTLS client), so the packets are FFmpeg's: a tone sent as Opus RTP
 * into a PlainTransport producer on B's router, announced to B's room as the student's (as capture.spec.ts
 * does on one host).
 */
describe.skipIf(mediaTestsOptedOut())('recording capture: one class over two media hosts', () => {
  let hosts: TwoMediaHosts;
  let a: TestApp;
  let b: TestApp;
  let sender: ChildProcess | null = null;

  beforeAll(async () => {
    hosts = await startTwoMediaHosts({ RECORDING_CAPTURE: 'true', RECORDING_SEGMENT_SECONDS: '1' });
    ({ a, b } = hosts);
  }, 60_000);
  afterAll(async () => {
    sender?.kill('SIGKILL');
    await hosts?.close();
  });

  it("captures a student's microphone on the host the student is placed on, once, and follows it closing", async () => {
    const launch = new LaunchClient(a);
    const teacherToken = await launch.launch('phys-101', 'dev-ada');
    const started = (await (await launch.api('/api/classroom/sessions', teacherToken, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    const sessionId = started.session.id;
    await launch.launch('phys-101', 'dev-grace');
    // Runs name their person (a foreign key): the people are the launched ones.
    const userOf = async (subject: string) =>
      ((await a.db.query(`SELECT id FROM lti_user WHERE subject = $1`, [subject])) as Array<{ id: string }>)[0]!.id;
    const ids = { true: await userOf('dev-ada'), false: await userOf('dev-grace') };
    const teacher = mediaCaller(sessionId, true, ids.true);
    const student = mediaCaller(sessionId, false, ids.false);
    const viaA = a.app.get(MediaCluster);
    await joinTeacherThenStudent(viaA, teacher, student);
    const mediaA = a.app.get(MediaService);
    const mediaB = b.app.get(MediaService);
    expect(mediaB.room(sessionId)?.peers.has(student.peerId!)).toBe(true);
    const mic = await sendMicrophone(viaA, student, teacher, 7301);
    // The teacher on A hears it: A pulls a copy over the link.
    await viaA.call({ op: 'consume', caller: teacher, producerId: mic.producerId });
    expect(mediaA.room(sessionId)!.links!.counts().pulled).toBe(1);

    const capA = a.app.get(RecordingCaptureService);
    const capB = b.app.get(RecordingCaptureService);
    await waitFor(() => capB.recorder(sessionId)?.active.has(mic.producerId) === true, 'the mic captured on B');
    const onB = capB.recorder(sessionId)!.active.get(mic.producerId)!;
    // A records the class too (its host), but not the copy it pulled: one capture of the microphone.
    await waitFor(() => capA.recorder(sessionId) !== undefined, 'the class recorded on A');
    expect(capA.recorder(sessionId)!.active.has(mic.producerId)).toBe(false);

    // Packets: a tone into a producer of the student's on B. Its run is B's, and its segments grow.
    const roomB = mediaB.room(sessionId)!;
    const studentOnB = roomB.peers.get(student.peerId!)!;
    const plain = await roomB
      .router(studentOnB.workerIndex)
      .createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia: true, rtcpMux: true });
    const tone: types.Producer<ProducerData> = await plain.produce<ProducerData>({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc: 4444 }],
      },
      appData: { peerId: student.peerId!, userId: student.userId, source: 'mic' },
    });
    sender = spawn(
      'ffmpeg',
      [
        ...['-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
        ...['-c:a', 'libopus', '-b:a', '32k', '-ac', '2', '-f', 'rtp', '-ssrc', '4444', '-payload_type', '100'],
        `rtp://127.0.0.1:${plain.tuple.localPort}?pkt_size=1200`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    roomB.emit('producer', studentOnB, tone);
    const rowOf = async () =>
      (
        (await a.db.query(
          `SELECT instance, user_id, kind, role, playlist FROM recording_track WHERE producer_id = $1`,
          [tone.id],
        )) as Array<{ instance: string; user_id: string; kind: string; role: string; playlist: string }>
      )[0];
    await waitFor(async () => (await rowOf()) !== undefined, "a run row for the student's tone", 45_000);
    const row = (await rowOf())!;
    expect(row).toMatchObject({
      instance: b.app.get(MediaCluster).instanceId,
      user_id: student.userId,
      kind: 'audio',
      role: 'student',
    });
    const segments = async () =>
      parseSegmentList(await readFile(path.join(a.config.recording.dir, row.playlist), 'utf8').catch(() => '')).length;
    await waitFor(async () => (await segments()) >= 2, "the tone's segments grow on B", 30_000);
    expect(capA.recorder(sessionId)!.active.has(tone.id)).toBe(false);
    sender.kill('SIGKILL');
    sender = null;
    tone.close();
    plain.close();
    await waitFor(() => !capB.recorder(sessionId)?.active.has(tone.id), "the tone's capture ended");

    // Closed at its source: its capture on B ends.
    await viaA.call({ op: 'closeProducer', caller: student, producerId: mic.producerId });
    await waitFor(() => !capB.recorder(sessionId)?.active.has(mic.producerId), 'the capture of the closed mic ended');
    expect(capB.recorder(sessionId)!.active.get(mic.producerId)).toBeUndefined();
    expect(onB).toBeDefined();
    await viaA.call({ op: 'closeRoom', sessionId });
    await waitFor(() => !mediaA.room(sessionId) && !mediaB.room(sessionId), 'the class closed on both hosts');
  });
});
