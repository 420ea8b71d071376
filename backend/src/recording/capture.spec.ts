// Over 300 lines on purpose: one class on a real mediasoup worker with real FFmpeg processes serves
// every case here (a worker, a class and an FFmpeg sender per file cost more than the file is long).
import { ChildProcess, execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaAckData, MediaEvents } from '../contracts/media';
import { ClientEvents } from '../contracts/realtime';
import { RecordingEvents, RecordingServerEvents, type RecordingState } from '../contracts/recording';
import { MediaService } from '../media/media.service';
import type { MediaPeer, ProducerData } from '../media/sfu/media-peer';
import { fingerprint, ok, opus } from '../media/testing/signalling';
import { mediaTestsOptedOut, requireWorker } from '../media/testing/worker-check';
import { LaunchClient } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';
import { startTestApp, TestApp } from '../testing/test-app';
import { waitFor } from '../testing/wait-for';
import { parseSegmentList } from './domain/segment-list';
import { RecordingCaptureService } from './recording-capture.service';

const run = promisify(execFile);

interface TrackRow {
  id: string;
  kind: string;
  role: string;
  user_id: string | null;
  producer_id: string;
  playlist: string;
  instance: string;
  started_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
}

/**
 * Live capture with the real mediasoup worker and real FFmpeg. The browser's camera is stood in for by
 * FFmpeg sending VP8 and Opus RTP into a PlainTransport producer on the class's router, announced to
 * the room as the teacher's (Node has no DTLS client to send media through a WebRtcTransport; the
 * producers the teacher makes through signalling are followed too, but carry no packets).
 */
describe.skipIf(mediaTestsOptedOut())('recording capture: real worker, real FFmpeg', () => {
  let t: TestApp;
  let launch: LaunchClient;
  let media: MediaService;
  let capture: RecordingCaptureService;
  let teacherToken: string;
  let studentToken: string;
  let sessionId: string;
  let teacher: RoomClient;
  let student: RoomClient;
  let teacherPeer: MediaPeer;
  let sendTransportId: string;
  let sender: ChildProcess | null = null;
  const clients: RoomClient[] = [];
  /** The producers FFmpeg feeds (on PlainTransports of the class's router, announced as the teacher's). */
  const standIns = new Map<string, types.Producer>();
  const ADMIN_TOKEN = crypto.randomBytes(16).toString('hex');

  const tracks = async (): Promise<TrackRow[]> =>
    t.db.query(`SELECT * FROM recording_track WHERE session_id = $1 ORDER BY started_at`, [sessionId]);
  const marks = async (): Promise<Array<{ kind: string; at: Date; label: string | null }>> =>
    t.db.query(`SELECT kind, at, label FROM recording_mark WHERE session_id = $1 ORDER BY at`, [sessionId]);
  const listed = async (playlist: string) =>
    parseSegmentList(await readFile(path.join(t.config.recording.dir, playlist), 'utf8').catch(() => ''));
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    requireWorker();
    t = await startTestApp({ RECORDING_CAPTURE: 'true', RECORDING_SEGMENT_SECONDS: '1', ADMIN_TOKEN });
    media = t.app.get(MediaService);
    capture = t.app.get(RecordingCaptureService);
    launch = new LaunchClient(t);
    teacherToken = await launch.launch('phys-101', 'dev-ada');
    studentToken = await launch.launch('phys-101', 'dev-grace');
    const started = (await (await launch.api('/api/classroom/sessions', teacherToken, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    sessionId = started.session.id;
    teacher = new RoomClient(t.url, teacherToken);
    student = new RoomClient(t.url, studentToken);
    clients.push(teacher, student);
    for (const c of [teacher, student]) {
      await c.connected();
      const joined = await c.emit(ClientEvents.join, { sessionId });
      if (!joined.ok) throw new Error(JSON.stringify(joined.error));
    }
    const peerId = crypto.randomUUID();
    const joined = await ok<MediaAckData[typeof MediaEvents.join]>(teacher, MediaEvents.join, { peerId });
    await ok(teacher, MediaEvents.ready, { rtpCapabilities: joined.routerRtpCapabilities });
    const send = await ok<MediaAckData[typeof MediaEvents.createTransport]>(teacher, MediaEvents.createTransport, {
      direction: 'send',
    });
    await ok(teacher, MediaEvents.connectTransport, {
      transportId: send.id,
      dtlsParameters: { role: 'client', fingerprints: [fingerprint()] },
    });
    sendTransportId = send.id;
    teacherPeer = media.room(sessionId)!.peers.get(peerId)!;
  }, 60_000);

  afterAll(async () => {
    sender?.kill('SIGKILL');
    for (const c of clients) c.close();
    await t?.close();
  });

  /** FFmpeg sending a test picture (VP8, a key frame a second) and a tone (Opus) into two producers of the class, as the teacher's camera and microphone. */
  async function fakeCameraAndMic(): Promise<{
    camera: types.Producer<ProducerData>;
    mic: types.Producer<ProducerData>;
  }> {
    const room = media.room(sessionId)!;
    const router = room.router(teacherPeer.workerIndex);
    const plain = () =>
      router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia: true, rtcpMux: true });
    const [vt, at] = [await plain(), await plain()];
    const data = (source: 'camera' | 'mic'): ProducerData => ({
      peerId: teacherPeer.id,
      userId: teacherPeer.identity.userId,
      source,
    });
    const camera = await vt.produce<ProducerData>({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
        encodings: [{ ssrc: 2222 }],
      },
      appData: data('camera'),
    });
    const mic = await at.produce<ProducerData>({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc: 3333 }],
      },
      appData: data('mic'),
    });
    sender = spawn(
      'ffmpeg',
      [
        ...['-nostdin', '-loglevel', 'error', '-re'],
        ...[
          '-f',
          'lavfi',
          '-i',
          'testsrc=size=320x240:rate=15',
          '-f',
          'lavfi',
          '-i',
          'sine=frequency=440:sample_rate=48000',
        ],
        ...['-map', '0:v', '-c:v', 'libvpx', '-b:v', '200k', '-deadline', 'realtime', '-cpu-used', '8', '-g', '15'],
        ...[
          '-f',
          'rtp',
          '-ssrc',
          '2222',
          '-payload_type',
          '101',
          `rtp://127.0.0.1:${vt.tuple.localPort}?pkt_size=1200`,
        ],
        ...['-map', '1:a', '-c:a', 'libopus', '-b:a', '32k', '-ac', '2'],
        ...[
          '-f',
          'rtp',
          '-ssrc',
          '3333',
          '-payload_type',
          '100',
          `rtp://127.0.0.1:${at.tuple.localPort}?pkt_size=1200`,
        ],
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    standIns.set(camera.id, camera);
    standIns.set(mic.id, mic);
    // What a peer's produce announces: the room's hook the recorder follows.
    room.emit('producer', teacherPeer, camera);
    room.emit('producer', teacherPeer, mic);
    return { camera, mic };
  }

  it("records by itself: the teacher's camera and microphone become growing lists of Matroska segments FFmpeg can read", async () => {
    const state = await ok<RecordingState>(student, RecordingEvents.sync, {});
    expect(state).toMatchObject({ status: 'recording', off: null, by: null });
    const { camera, mic } = await fakeCameraAndMic();
    const recorder = capture.recorder(sessionId)!;
    expect(recorder, 'the class is recorded on its media host').toBeDefined();
    await waitFor(async () => (await tracks()).length === 2, 'a run row for each producer', 45_000);
    const rows = await tracks();
    expect(rows.map((r) => [r.kind, r.role, r.producer_id, r.ended_at]).sort()).toEqual(
      [
        ['audio', 'teacher', mic.id, null],
        ['video', 'teacher', camera.id, null],
      ].sort(),
    );
    for (const r of rows) {
      expect(r.playlist).toBe(`${sessionId}/${r.id}/list.csv`);
      expect(r.instance).toBe(capture.instance);
      expect(Math.abs(r.started_at.getTime() - Date.now())).toBeLessThan(60_000);
    }
    const video = rows.find((r) => r.kind === 'video')!;
    await waitFor(async () => (await listed(video.playlist)).length >= 3, 'three video segments listed', 30_000);
    const before = (await listed(video.playlist)).length;
    await waitFor(async () => (await listed(video.playlist)).length > before, 'the list grows', 15_000);
    const [first] = await listed(video.playlist);
    const probe = JSON.parse(
      (
        await run('ffprobe', [
          ...['-v', 'error', '-show_entries', 'stream=codec_name,codec_type', '-of', 'json'],
          path.join(t.config.recording.dir, sessionId, video.id, first.file),
        ])
      ).stdout,
    ) as { streams: Array<{ codec_name: string; codec_type: string }> };
    expect(probe.streams).toEqual([{ codec_name: 'vp8', codec_type: 'video' }]);
    const audio = rows.find((r) => r.kind === 'audio')!;
    await waitFor(async () => (await listed(audio.playlist)).length >= 2, 'audio segments listed', 20_000);
    const [a0] = await listed(audio.playlist);
    const aprobe = (
      await run('ffprobe', [
        ...['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0'],
        path.join(t.config.recording.dir, sessionId, audio.id, a0.file),
      ])
    ).stdout.trim();
    expect(aprobe).toBe('opus');
    expect((await marks()).map((m) => m.kind)).toContain('start');
  }, 90_000);

  it('a capture FFmpeg killed from outside is restarted: the old run ends at its last segment, a new run starts, a gap is marked', async () => {
    const recorder = capture.recorder(sessionId)!;
    const video = (await tracks()).find((r) => r.kind === 'video' && !r.ended_at)!;
    const cam = recorder.active.get(video.producer_id)!;
    const pid = cam.pid!;
    expect(alive(pid)).toBe(true);
    process.kill(pid, 'SIGKILL');
    await waitFor(
      async () => (await tracks()).find((r) => r.id === video.id)?.ended_at,
      'the killed run ended',
      15_000,
    );
    const ended = (await tracks()).find((r) => r.id === video.id)!;
    expect(ended.end_reason).toBe('ffmpeg-exited');
    const segments = await listed(video.playlist);
    const lastEnd = Math.max(...segments.map((s) => s.end));
    expect(ended.ended_at!.getTime()).toBe(video.started_at.getTime() + Math.round(lastEnd * 1000));
    await waitFor(
      async () => (await tracks()).some((r) => r.kind === 'video' && !r.ended_at && r.id !== video.id),
      'a new video run',
      20_000,
    );
    const next = (await tracks()).find((r) => r.kind === 'video' && !r.ended_at)!;
    expect(next.producer_id).toBe(video.producer_id);
    expect(next.started_at.getTime()).toBeGreaterThanOrEqual(ended.ended_at!.getTime());
    await waitFor(async () => (await listed(next.playlist)).length >= 2, 'the new run writes segments', 20_000);
    expect(cam.pid).not.toBe(pid);
    const gap = (await marks()).filter((m) => m.kind === 'gap');
    expect(gap).toHaveLength(1);
    expect(gap[0].at.getTime()).toBe(ended.ended_at!.getTime());
    expect(gap[0].label).toMatch(/camera capture of .* restarted/);
  }, 90_000);

  it('the instructor pauses: everyone hears it, pause and resume are marked, no FFmpeg runs until the resume', async () => {
    const recorder = capture.recorder(sessionId)!;
    const video = (await tracks()).find((r) => r.kind === 'video' && !r.ended_at)!;
    const gapsBefore = (await marks()).filter((m) => m.kind === 'gap').length;
    const paused = await ok<RecordingState>(teacher, RecordingEvents.pause, { paused: true });
    expect(paused).toMatchObject({ status: 'paused', by: expect.any(String) });
    await student.waitFor<{ [RecordingServerEvents.state]: RecordingState }, typeof RecordingServerEvents.state>(
      RecordingServerEvents.state,
      (s) => s.status === 'paused',
    );
    expect((await ok<RecordingState>(student, RecordingEvents.sync, {})).status).toBe('paused');
    // Every run ends at the pause (not a gap: nothing is lost that should have been kept).
    await waitFor(async () => (await tracks()).every((r) => r.ended_at), 'every run ended at the pause', 20_000);
    expect((await tracks()).find((r) => r.id === video.id)!.end_reason).toBe('paused');
    expect([...recorder.active.values()].map((c) => c.pid)).toEqual([...recorder.active.values()].map(() => null));
    const during = (await listed(video.playlist)).length;
    // Longer than FFmpeg's own 10 s without a packet: nothing runs, nothing is written, nothing restarts.
    await new Promise((r) => setTimeout(r, 12_000));
    expect((await listed(video.playlist)).length, 'no segment written while paused').toBe(during);
    expect((await tracks()).every((r) => r.ended_at)).toBe(true);
    // Pausing twice changes nothing and leaves one mark.
    expect((await ok<RecordingState>(teacher, RecordingEvents.pause, { paused: true })).status).toBe('paused');
    expect(await ok<RecordingState>(teacher, RecordingEvents.pause, { paused: false })).toMatchObject({
      status: 'recording',
    });
    await waitFor(
      async () => (await tracks()).some((r) => r.kind === 'video' && !r.ended_at && r.id !== video.id),
      'a new camera run after the resume',
      30_000,
    );
    const next = (await tracks()).find((r) => r.kind === 'video' && !r.ended_at)!;
    await waitFor(async () => (await listed(next.playlist)).length >= 2, 'writing again after the resume', 30_000);
    expect((await marks()).filter((m) => m.kind === 'pause' || m.kind === 'resume').map((m) => m.kind)).toEqual([
      'pause',
      'resume',
    ]);
    expect((await marks()).filter((m) => m.kind === 'gap').length).toBe(gapsBefore);
    // A student cannot pause.
    const refused = await student.call(RecordingEvents.pause, { paused: true });
    expect(refused).toMatchObject({ ok: false, error: { code: 'TEACHER_ONLY' } });
  }, 120_000);

  it('a muted microphone (its producer paused) has no FFmpeg until it is unmuted, and no gap is marked', async () => {
    const recorder = capture.recorder(sessionId)!;
    await waitFor(async () => (await tracks()).some((r) => r.kind === 'audio' && !r.ended_at), 'an audio run', 30_000);
    const audio = (await tracks()).find((r) => r.kind === 'audio' && !r.ended_at)!;
    const gapsBefore = (await marks()).filter((m) => m.kind === 'gap').length;
    await standIns.get(audio.producer_id)!.pause();
    await waitFor(async () => (await tracks()).find((r) => r.id === audio.id)?.ended_at, 'the mic run ended', 20_000);
    expect((await tracks()).find((r) => r.id === audio.id)!.end_reason).toBe('paused');
    expect(recorder.active.get(audio.producer_id)!.pid).toBeNull();
    await new Promise((r) => setTimeout(r, 12_000));
    expect((await tracks()).filter((r) => r.producer_id === audio.producer_id && !r.ended_at)).toEqual([]);
    await standIns.get(audio.producer_id)!.resume();
    await waitFor(
      async () => (await tracks()).some((r) => r.producer_id === audio.producer_id && !r.ended_at),
      'a new mic run after unmuting',
      30_000,
    );
    expect((await marks()).filter((m) => m.kind === 'gap').length).toBe(gapsBefore);
  }, 90_000);

  it('follows the producers a peer makes through signalling, and ends a run when its producer closes', async () => {
    const recorder = capture.recorder(sessionId)!;
    const signalled = await ok<{ producerId: string }>(teacher, MediaEvents.produce, {
      transportId: sendTransportId,
      kind: 'audio',
      source: 'screen-audio',
      rtpParameters: opus(4444),
    });
    await waitFor(() => recorder.active.get(signalled.producerId)?.pid, 'an FFmpeg for the signalled producer', 15_000);
    const signalledPid = recorder.active.get(signalled.producerId)!.pid!;
    await ok(teacher, MediaEvents.closeProducer, { producerId: signalled.producerId });
    await waitFor(() => !recorder.active.has(signalled.producerId), 'its capture ends', 15_000);
    expect(alive(signalledPid)).toBe(false);

    const audio = (await tracks()).find((r) => r.kind === 'audio' && !r.ended_at)!;
    const micCapture = recorder.active.get(audio.producer_id)!;
    const micPid = micCapture.pid!;
    await waitFor(async () => (await listed(audio.playlist)).length >= 1, 'the mic run has a segment', 30_000);
    // The stand-in microphone closes, as a browser's would.
    standIns.get(audio.producer_id)!.close();
    await waitFor(async () => (await tracks()).find((r) => r.id === audio.id)?.ended_at, 'the mic run ended', 15_000);
    const ended = (await tracks()).find((r) => r.id === audio.id)!;
    expect(ended.end_reason).toBe('producer-closed');
    const segments = await listed(audio.playlist);
    expect(ended.ended_at!.getTime()).toBe(
      audio.started_at.getTime() + Math.round(Math.max(...segments.map((s) => s.end)) * 1000),
    );
    expect(alive(micPid)).toBe(false);
  }, 60_000);

  it('switched off for the classroom: the capture stops now, the class is told, and only instructors may switch it', async () => {
    const refused = await launch.api('/api/recording/settings', studentToken, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: false }),
    });
    expect(refused.status).toBe(403);
    const bad = await launch.api('/api/recording/settings', teacherToken, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: 'no' }),
    });
    expect(bad.status).toBe(400);
    const off = await launch.api('/api/recording/settings', teacherToken, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: false }),
    });
    expect(off.status).toBe(200);
    expect(await off.json()).toEqual({ classroom: false, platform: true, enabled: false });
    await student.waitFor<{ [RecordingServerEvents.state]: RecordingState }, typeof RecordingServerEvents.state>(
      RecordingServerEvents.state,
      (s) => s.status === 'off' && s.off === 'classroom',
    );
    await waitFor(async () => (await tracks()).every((r) => r.ended_at), 'every run ended', 15_000);
    expect(
      new Set(
        (await tracks()).filter((r) => !['ffmpeg-exited', 'paused'].includes(r.end_reason!)).map((r) => r.end_reason),
      ),
    ).toEqual(new Set(['recording-off', 'producer-closed']));
    expect(capture.recorder(sessionId)).toBeUndefined();
    expect((await teacher.call(RecordingEvents.pause, { paused: true })) as unknown).toMatchObject({
      ok: false,
      error: { code: 'RECORDING_OFF' },
    });
  }, 60_000);

  it("the operator's platform switch is final, validated and behind the admin token", async () => {
    const [{ platform_id: platformId }] = await t.db.query(
      `SELECT c.platform_id FROM live_session s JOIN course c ON c.id = s.course_id WHERE s.id = $1`,
      [sessionId],
    );
    const put = (token: string, body: unknown) =>
      fetch(`${t.url}/api/admin/platforms/${platformId}/recording`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    expect((await put('x'.repeat(32), { enabled: false, retentionDays: null })).status).toBe(401);
    expect((await put(ADMIN_TOKEN, { enabled: false, retentionDays: -3 })).status).toBe(400);
    expect((await put(ADMIN_TOKEN, { enabled: false, retentionDays: 30, extra: 1 })).status).toBe(400);
    const ok200 = await put(ADMIN_TOKEN, { enabled: false, retentionDays: 30 });
    expect(ok200.status).toBe(200);
    expect(await ok200.json()).toEqual({ enabled: false, retentionDays: 30 });
    // The classroom turned back on does not overrule the platform.
    await launch.api('/api/recording/settings', teacherToken, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true }),
    });
    expect(await ok<RecordingState>(student, RecordingEvents.sync, {})).toMatchObject({
      status: 'off',
      off: 'platform',
    });
    expect(capture.recorder(sessionId)).toBeUndefined();
  }, 30_000);
});
