import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import crypto from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import {
  RecordingsEvents,
  RecordingsServerEvents,
  type RecordingPlayback,
  type RecordingProgressUpdate,
  type RecordingSummary,
} from '../contracts/recording-playback';
import { Cluster, startCluster } from '../testing/cluster';
import { waitFor } from '../testing/wait-for';
import { probeRecording } from './composite/compositor';
import { viewerKey } from './domain/signed-url';
import { PlaybackLinks } from './playback/playback-links';
import { makeFixtureClass } from './testing/class-fixture';
import { seedRecordedClass } from './testing/seed-class';
import { startS3rver } from './testing/s3rver';

/**
 * The after-class side end to end, with real backend processes (two instances), Postgres, Redis, FFmpeg
 * and a real S3-compatible server (s3rver): a 20 s class captured as the live capture writes it (FFmpeg
 * test sources in VP8/Opus Matroska segments, the runs' rows inserted; the live capture is another
 * engineer's part) with a camera off and on, a screen share, and board strokes on two pages (the board's
 * op history inserted with times as the final save keeps it). The class ends through the API; the job is
 * killed mid-composite with its instance and the other instance finishes it without redoing the steps done.
 */
describe('recording after class (real processes, FFmpeg, s3rver)', () => {
  let cluster: Cluster;
  let db: Client;
  let dir: string;
  let s3: Awaited<ReturnType<typeof startS3rver>>;
  const sessionSecret = crypto.randomBytes(24).toString('hex');
  let teacher: string;
  let student: string;
  let outsider: string;
  let sessionId: string;
  let recording: RecordingSummary;
  /** Who a session token names (its payload, read without checking: the test issued it). */
  const claimsOf = (token: string) => {
    const p = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, string>;
    return { platformId: p.plt, deploymentId: p.dep, courseId: p.crs, userId: p.sub };
  };
  /** A file link fetched as the player does: with the viewer's session token (links are bound to it). */
  const as = (token: string | null, url: string) =>
    fetch(url, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  const api = async <T>(p: string, token: string, init: RequestInit = {}) => {
    const res = await cluster.launch.api(p, token, init);
    return { status: res.status, body: (await res.json().catch(() => null)) as T };
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lectern-recording-'));
    s3 = await startS3rver();
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await client.send(new CreateBucketCommand({ Bucket: 'recordings' }));
    client.destroy();
    cluster = await startCluster(2, {
      SESSION_SECRET: sessionSecret,
      RECORDING_DIR: path.join(dir, 'capture'),
      RECORDINGS_WORK_DIR: path.join(dir, 'work'),
      RECORDINGS_STORAGE: 's3',
      RECORDINGS_S3_ENDPOINT: s3.endpoint,
      RECORDINGS_S3_BUCKET: 'recordings',
      RECORDINGS_S3_ACCESS_KEY_ID: 'S3RVER',
      RECORDINGS_S3_SECRET_ACCESS_KEY: 'S3RVER',
      RECORDINGS_CAPTURE_WAIT_MS: '5000',
      RECORDINGS_RETENTION_CHECK_MS: '1000',
    });
    db = new Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    teacher = await cluster.launch.launch('phys-101', 'dev-ada');
    student = await cluster.launch.launch('phys-101', 'dev-grace');
    outsider = await cluster.launch.launch('hist-210', 'dev-katherine');
  }, 300_000);

  /** A Recordings page's socket on one instance, watching its course's jobs (socket.io-client, as the page). */
  const watchers: Socket[] = [];
  const watch = async (port: number, token: string) => {
    const socket = io(`http://127.0.0.1:${port}`, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: { token },
      reconnection: false,
    });
    watchers.push(socket);
    const updates: RecordingProgressUpdate[] = [];
    socket.on(RecordingsServerEvents.progress, (u: RecordingProgressUpdate) => updates.push(u));
    await new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(undefined));
      socket.once('connect_error', reject);
    });
    const ack = (await socket.timeout(10_000).emitWithAck(RecordingsEvents.watch, {})) as {
      ok: boolean;
      error?: { code: string };
    };
    return { port, updates, ack };
  };

  /** A student's Recordings page: follows its course's list and counts `recordings:changed` (with when). */
  const follow = async (port: number, token: string) => {
    const socket = io(`http://127.0.0.1:${port}`, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: { token },
      reconnection: false,
    });
    watchers.push(socket);
    const heard: number[] = [];
    socket.on(RecordingsServerEvents.changed, () => heard.push(Date.now()));
    await new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(undefined));
      socket.once('connect_error', reject);
    });
    const ack = (await socket.timeout(10_000).emitWithAck(RecordingsEvents.follow, {})) as {
      ok: boolean;
      error?: { code: string };
    };
    return { heard, ack };
  };

  afterAll(async () => {
    for (const w of watchers) w.disconnect();
    await db?.end();
    await cluster?.close();
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('composites the class into an H.264/AAC MP4 with chapters, resuming a job killed mid-composite, stored in S3', async () => {
    const started = await api<{ session: { id: string; startedAt: string } }>('/api/classroom/sessions', teacher, {
      method: 'POST',
    });
    expect(started.status).toBe(200);
    sessionId = started.body.session.id;
    const [{ started_at: origin }] = (await db.query(`SELECT started_at FROM live_session WHERE id = $1`, [sessionId]))
      .rows as Array<{ started_at: Date }>;
    const fixture = await makeFixtureClass(path.join(dir, 'capture'), sessionId, 20, origin);
    for (const run of fixture.runs) {
      await db.query(
        `INSERT INTO recording_track (id, session_id, kind, role, producer_id, playlist, started_at, ended_at, end_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7::timestamptz + make_interval(secs => $8), 'closed')`,
        [
          crypto.randomUUID(),
          sessionId,
          run.kind,
          run.role,
          `p-${run.id}`,
          run.playlist,
          run.startedAt,
          run.segments.at(-1)!.end,
        ],
      );
    }
    const mark = (kind: string, at: Date) =>
      db.query(`INSERT INTO recording_mark (session_id, at, kind) VALUES ($1, $2, $3)`, [sessionId, at, kind]);
    await mark('start', fixture.origin);
    for (const m of fixture.marks) await mark(m.kind, m.at);
    await mark('stop', fixture.end);
    for (const o of fixture.ops)
      await db.query(
        `INSERT INTO whiteboard_op_history (session_id, pos, at, user_id, op) VALUES ($1, $2, $3, $4, $5)`,
        [sessionId, o.pos, new Date(o.at), o.userId, JSON.stringify(o.op)],
      );
    for (const c of fixture.pageChanges)
      await db.query(`INSERT INTO whiteboard_page_event (session_id, page, at) VALUES ($1, $2, $3)`, [
        sessionId,
        c.page,
        c.at,
      ]);

    // The instructor's Recordings page open on each instance; a student may not watch.
    const pages = await Promise.all(cluster.ports.map((port) => watch(port, teacher)));
    expect(pages.map((p) => p.ack.ok)).toEqual([true, true]);
    expect((await watch(cluster.ports[0], student)).ack.error?.code).toBe('TEACHER_ONLY');
    // An instructor of another course may watch, but only their own course: none of this job reaches them.
    const otherCourse = await Promise.all(
      cluster.ports.map(async (port) => watch(port, await cluster.launch.launch('hist-210', 'dev-ada'))),
    );
    expect(otherCourse.map((p) => p.ack.ok)).toEqual([true, true]);
    // Students' pages follow the list (no progress): one on each instance, and one of another course.
    const students = await Promise.all(cluster.ports.map((port) => follow(port, student)));
    const otherStudents = await Promise.all(cluster.ports.map((port) => follow(port, outsider)));
    expect([...students, ...otherStudents].map((f) => f.ack.ok)).toEqual([true, true, true, true]);

    const ended = await api(`/api/classroom/sessions/${sessionId}/end`, teacher, { method: 'POST' });
    expect(ended.status).toBeLessThan(300);

    // Kill the instance running the job once the audio and the board are done and the composite has begun.
    const step = async () =>
      (await db.query(`SELECT steps_done, step_log, status FROM recording WHERE session_id = $1`, [sessionId]))
        .rows[0] as
        { steps_done: string[]; step_log: Array<{ step: string; pid: number }>; status: string } | undefined;
    let compositePid = 0;
    await waitFor(
      async () => {
        const r = await step();
        compositePid = r?.step_log.find((s) => s.step === 'composite')?.pid ?? 0;
        return compositePid > 0;
      },
      'the composite step started',
      90_000,
    );
    const running = cluster.procs.find((p) => p.pid === compositePid)!;
    expect(running).toBeDefined();
    // The page on the other instance heard the steps the job ran here (pushed through the Redis adapter).
    const survivor = pages[cluster.procs.indexOf(running) === 0 ? 1 : 0];
    await waitFor(
      () => survivor.updates.some((u) => u.status === 'processing' && u.stage !== null),
      'a step pushed to the other instance',
    );
    running.kill('SIGKILL');
    expect((await step())!.steps_done).not.toContain('composite');

    await waitFor(async () => (await step())?.status === 'ready', 'the recording ready', 150_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${cluster.logs.join('')}`);
    });
    await waitFor(
      () => survivor.updates.find((u) => u.status === 'ready' && u.percent === 100),
      'the ready recording pushed to the page',
    );
    expect(otherCourse.flatMap((p) => p.updates)).toEqual([]);
    // The student whose page is on the surviving instance hears that the list changed (once the job is ready,
    // not at each step) within seconds of it being ready; the other course's student hears nothing. (The
    // other student's socket was on the killed instance; its page would reconnect, follow again and re-read.)
    const studentPage = students[pages.indexOf(survivor)];
    const readyAt = Date.now();
    await waitFor(() => studentPage.heard.length > 0, "the student's page told of the new recording", 10_000);
    console.log(
      `student page told of the new recording ${Date.now() - readyAt} ms after the instructor's page saw it ready`,
    );
    expect(studentPage.heard).toHaveLength(1);
    expect(otherStudents[pages.indexOf(survivor)].heard).toEqual([]);
    const stages = new Set(survivor.updates.map((u) => u.stage));
    // Audio and board run side by side (either may be the row's stage); the later steps one after another.
    for (const s of ['composite', 'renditions', 'upload']) expect(stages).toContain(s);
    const { step_log: log, steps_done } = (await step())!;
    expect(steps_done.sort()).toEqual(['audio', 'board', 'composite', 'renditions', 'upload']);
    const starts = (s: string) => log.filter((l) => l.step === s);
    expect(starts('audio')).toHaveLength(1);
    expect(starts('board')).toHaveLength(1);
    expect(starts('composite')).toHaveLength(2);
    expect(starts('composite')[1].pid).not.toBe(compositePid);

    const list = await api<RecordingSummary[]>('/api/recordings', teacher);
    recording = list.body.find((r) => r.status === 'ready')!;
    expect(recording.chapters.map((c) => c.title)).toEqual([
      'Start of class',
      'Screen share',
      'Screen share ended',
      'Worked example',
    ]);
    const play = await api<RecordingPlayback>(`/api/recordings/${recording.id}`, student);
    expect(play.status).toBe(200);
    expect(new URL(play.body.mp4Url).origin).toBe(s3.endpoint); // the video comes straight from S3, presigned
    const mp4 = path.join(dir, 'downloaded.mp4');
    await writeFile(mp4, Buffer.from(await (await fetch(play.body.mp4Url)).arrayBuffer()));
    const probed = await probeRecording(mp4);
    expect(Math.abs(probed.duration - 20)).toBeLessThan(1);
    expect(probed).toMatchObject({ video: 'h264', audio: 'aac', chapters: 4 });
  }, 300_000);

  it('serves the HLS playlists with signed links all the way down to the segments, and the chapters as WebVTT', async () => {
    const play = (await api<RecordingPlayback>(`/api/recordings/${recording.id}`, student)).body;
    const master = await (await as(student, play.hlsUrl)).text();
    const variants = master.split('\n').filter((l) => l.startsWith('http'));
    expect(variants).toHaveLength(2);
    const media = await (await as(student, variants[1])).text();
    const segments = media.split('\n').filter((l) => l.startsWith('http'));
    expect(segments.length).toBeGreaterThanOrEqual(5);
    expect(new URL(segments[0]).origin).toBe(s3.endpoint);
    const seg = await fetch(segments[0]);
    expect(seg.status).toBe(200);
    expect((await seg.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    const vtt = await (await as(student, play.chaptersUrl)).text();
    expect(vtt.match(/-->/g)).toHaveLength(4);
    const board = (await (await as(student, play.boardUrl)).json()) as { events: unknown[]; pages: unknown[] };
    expect(board.pages).toHaveLength(2);
    expect(board.events.length).toBe(15);
  });

  it('refuses a student of another course the recording and its links; a tampered or expired link serves nothing', async () => {
    const list = await api<RecordingSummary[]>('/api/recordings', outsider);
    expect(list.body.map((r) => r.id)).not.toContain(recording.id);
    const get = await api<{ code: string }>(`/api/recordings/${recording.id}`, outsider);
    expect(get.status).toBe(404);
    expect(
      (await api(`/api/recordings/${recording.id}/position`, outsider, { method: 'PUT', body: '{"positionMs":1}' }))
        .status,
    ).toBe(404);
    const play = (await api<RecordingPlayback>(`/api/recordings/${recording.id}`, student)).body;
    const tampered = play.hlsUrl.replace(/sig=[^&]+/, 'sig=AAAA');
    expect((await as(student, tampered)).status).toBe(403);
    // A link signed with the deployment's key for this student but expired a second ago.
    const links = new PlaybackLinks(
      sessionSecret,
      cluster.proxyUrl,
      { kind: 'local' } as never,
      60,
      () => Date.now() - 61_000,
    );
    const key = new URL(play.hlsUrl).pathname.replace('/api/recording-files/', '');
    const viewer = viewerKey(claimsOf(student));
    const expired = await as(student, links.backendUrl(key, viewer));
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe('LINK_EXPIRED');
    const fresh = new PlaybackLinks(sessionSecret, cluster.proxyUrl, { kind: 'local' } as never, 60);
    expect((await as(student, fresh.backendUrl(key, viewer))).status).toBe(200);
  });

  it('refuses an observer of another course and a guest the recording, its list and its links', async () => {
    const observer = await cluster.launch.launchAs('hist-210', 'Olive Observer', 'Mentor');
    expect((await api<RecordingSummary[]>('/api/recordings', observer)).body.map((r) => r.id)).not.toContain(
      recording.id,
    );
    expect((await api(`/api/recordings/${recording.id}`, observer)).status).toBe(404);
    // A guest of a class of this very course (invite link): guests take part in their class, nothing more.
    const live = await api<{ session: { id: string } }>('/api/classroom/sessions', teacher, { method: 'POST' });
    expect(live.status).toBe(200);
    const link = await api<{ url: string }>('/api/classroom/guest-links', teacher, {
      method: 'POST',
      body: JSON.stringify({ expiresInMinutes: 60, singleUse: false, needsAdmission: false }),
    });
    expect(link.status).toBe(201);
    const guest = await api<{ token: string }>('/api/guest/enter', '', {
      method: 'POST',
      body: JSON.stringify({ token: link.body.url.slice(link.body.url.indexOf('#') + 1), name: 'Visiting Guest' }),
    });
    expect(guest.status).toBe(200);
    for (const p of ['/api/recordings', `/api/recordings/${recording.id}`]) {
      const r = await api<{ error: { code: string } }>(p, guest.body.token);
      expect(r.status, p).toBe(403);
      expect(r.body.error.code).toBe('GUEST_NOT_ALLOWED');
    }
    const play = (await api<RecordingPlayback>(`/api/recordings/${recording.id}`, student)).body;
    const guestFetch = await as(guest.body.token, play.hlsUrl);
    expect(guestFetch.status).toBe(403);
    expect(((await guestFetch.json()) as { error: { code: string } }).error.code).toBe('GUEST_NOT_ALLOWED');
  });

  it("binds every link to the viewer it was given to: another member's session, an outsider's or none gets nothing", async () => {
    const play = (await api<RecordingPlayback>(`/api/recordings/${recording.id}`, student)).body;
    const alan = await cluster.launch.launch('phys-101', 'dev-alan'); // a student of the same course
    const master = await (await as(student, play.hlsUrl)).text();
    const variant = master.split('\n').find((l) => l.startsWith('http'))!;
    const media = await (await as(student, variant)).text();
    const segment = media.split('\n').find((l) => l.startsWith('http'))!;
    // The playlist, a variant playlist, the chapters and the board: each served to Grace only.
    for (const [what, url] of [
      ['master playlist', play.hlsUrl],
      ['variant playlist', variant],
      ['chapters', play.chaptersUrl],
      ['board', play.boardUrl],
    ]) {
      expect((await as(student, url)).status, `${what} for Grace`).toBe(200);
      for (const [who, token] of [
        ['Alan (same course)', alan],
        ['an outsider', outsider],
        ['the instructor', teacher],
      ]) {
        const r = await as(token, url);
        expect(r.status, `${what} for ${who}`).toBe(403);
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe('LINK_INVALID');
      }
      const bare = await as(null, url);
      expect(bare.status, `${what} without a session`).toBe(401);
      expect(((await bare.json()) as { error: { code: string } }).error.code).toBe('LINK_NEEDS_SESSION');
    }
    // The video itself comes from S3 presigned (S3 knows no viewer): reachable only through the bound
    // playlist above, and expiring (X-Amz-Expires is the links' lifetime).
    for (const url of [segment, play.mp4Url]) {
      expect(new URL(url).origin).toBe(s3.endpoint);
      expect(Number(new URL(url).searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(21600);
    }
  });

  it('lets the instructor hide a recording from students, and keeps each viewer’s place', async () => {
    // The student's page, on an instance still running (the first test SIGKILLed whichever ran the composite).
    const page = await follow(
      cluster.ports[cluster.procs.findIndex((p) => p.exitCode === null && p.signalCode === null)],
      student,
    );
    expect(
      (await api(`/api/recordings/${recording.id}/hidden`, student, { method: 'PUT', body: '{"hidden":true}' })).status,
    ).toBe(403);
    expect(
      (await api(`/api/recordings/${recording.id}/hidden`, teacher, { method: 'PUT', body: '{"hidden":"yes"}' }))
        .status,
    ).toBe(400);
    expect(
      (await api(`/api/recordings/${recording.id}/hidden`, teacher, { method: 'PUT', body: '{"hidden":true}' })).status,
    ).toBe(200);
    expect((await api<RecordingSummary[]>('/api/recordings', student)).body.map((r) => r.id)).not.toContain(
      recording.id,
    );
    expect((await api(`/api/recordings/${recording.id}`, student)).status).toBe(404);
    // Refused attempts told nobody; the hide told the student's page (which then reads its list without it).
    await waitFor(() => page.heard.length === 1, "the student's page told of the hidden recording", 10_000);
    expect(
      (await api<RecordingSummary[]>('/api/recordings', teacher)).body.find((r) => r.id === recording.id)?.hidden,
    ).toBe(true);
    await api(`/api/recordings/${recording.id}/hidden`, teacher, { method: 'PUT', body: '{"hidden":false}' });
    expect((await api<RecordingSummary[]>('/api/recordings', student)).body.map((r) => r.id)).toContain(recording.id);
    expect(
      (await api(`/api/recordings/${recording.id}/position`, student, { method: 'PUT', body: '{"positionMs":12500}' }))
        .status,
    ).toBe(200);
    expect((await api<RecordingPlayback>(`/api/recordings/${recording.id}`, student)).body.positionMs).toBe(12500);
    expect((await api<RecordingPlayback>(`/api/recordings/${recording.id}`, teacher)).body.positionMs).toBe(0);
    expect(
      (await api(`/api/recordings/${recording.id}/position`, student, { method: 'PUT', body: '{"positionMs":-1}' }))
        .status,
    ).toBe(400);
  });

  it("deletes a recording past its platform's retention, files and row", async () => {
    const [{ storage_prefix: prefix }] = (
      await db.query(`SELECT storage_prefix FROM recording WHERE id = $1`, [recording.id])
    ).rows as Array<{ storage_prefix: string }>;
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const count = async () =>
      (await client.send(new ListObjectsV2Command({ Bucket: 'recordings', Prefix: prefix }))).KeyCount ?? 0;
    expect(await count()).toBeGreaterThan(5);
    await db.query(
      `UPDATE lti_platform SET recording_retention_days = 30 WHERE id = (SELECT platform_id FROM course WHERE id = (SELECT course_id FROM recording WHERE id = $1))`,
      [recording.id],
    );
    await new Promise((r) => setTimeout(r, 2500));
    expect((await db.query(`SELECT 1 FROM recording WHERE id = $1`, [recording.id])).rowCount).toBe(1); // 30 days: kept
    await db.query(`UPDATE live_session SET ended_at = now() - interval '31 days' WHERE id = $1`, [sessionId]);
    await waitFor(
      async () => (await db.query(`SELECT 1 FROM recording WHERE id = $1`, [recording.id])).rowCount === 0,
      'the recording deleted by the retention sweep',
      30_000,
    );
    expect(await count()).toBe(0);
    client.destroy();
  });
  it("fails the job with a clear reason naming RECORDING_DIR when a class's runs were captured into another host's RECORDING_DIR", async () => {
    // Straight to an instance still running (the first test SIGKILLed one; the test balancer replays no POST).
    const port = cluster.ports[cluster.procs.findIndex((p) => p.exitCode === null && p.signalCode === null)];
    const post = (p: string) =>
      fetch(`http://127.0.0.1:${port}${p}`, { method: 'POST', headers: { authorization: `Bearer ${teacher}` } });
    const started = await post('/api/classroom/sessions');
    expect(started.status).toBe(200);
    const sid = ((await started.json()) as { session: { id: string } }).session.id;
    // A media host with its own RECORDING_DIR (not shared): the runs' rows are in Postgres, their files there only.
    const otherHost = path.join(dir, 'other-host');
    await seedRecordedClass((sql, params) => db.query(sql, params).then((r) => r.rows), otherHost, sid, 6);
    expect((await post(`/api/classroom/sessions/${sid}/end`)).status).toBeLessThan(300);
    const row = await waitFor(
      async () =>
        (await db.query(`SELECT status, error FROM recording WHERE session_id = $1 AND error IS NOT NULL`, [sid]))
          .rows[0] as { status: string; error: string } | undefined,
      'the try failed with its reason',
      120_000,
    );
    expect(row.status).not.toBe('ready');
    expect(row.error).toContain(`capture files missing from RECORDING_DIR (${path.join(dir, 'capture')})`);
    expect(row.error).toMatch(new RegExp(`: 5 of 5 capture runs, 5 files: run folder ${sid}/`));
    expect(row.error).toContain('must be one storage shared by every instance that hosts media');
    expect(row.error).not.toMatch(/ffmpeg/i);
    // The instructor's list shows it as not ready, with the reason.
    const listed = (await api<RecordingSummary[]>('/api/recordings', teacher)).body.find((r) =>
      r.progress?.error?.includes('RECORDING_DIR'),
    );
    expect(listed).toBeDefined();
    expect(listed!.status).not.toBe('ready');
  }, 180_000);
});
