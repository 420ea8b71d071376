import { CreateBucketCommand, ListObjectsV2Command, PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingPlayback, RecordingSummary } from '../backend/src/contracts/recording-playback';
import { mediaTestsOptedOut, requireWorker } from '../backend/src/media/testing/worker-check';
import { startS3rver } from '../backend/src/recording/testing/s3rver';
import { LaunchClient } from '../backend/src/testing/lti-client';
import { startTestApp, TestApp } from '../backend/src/testing/test-app';
import { waitFor } from '../backend/src/testing/wait-for';
import { frameAt, launchChromium } from './browser';

const run = promisify(execFile);

/** What ffprobe says of a file: its duration, first video and audio codecs, and chapter count. */
async function ffprobe(file: string) {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-show_chapters', file],
  ]);
  const info = JSON.parse(stdout) as {
    format: { duration: string };
    streams: Array<{ codec_type: string; codec_name: string }>;
    chapters: Array<{ tags?: { title?: string } }>;
  };
  return {
    duration: Number(info.format.duration),
    video: info.streams.find((s) => s.codec_type === 'video')?.codec_name,
    audio: info.streams.find((s) => s.codec_type === 'audio')?.codec_name,
    chapters: info.chapters.map((c) => c.tags?.title ?? ''),
  };
}

const TTL_SECONDS = 45;

/**
 * Issue 16's end-to-end test, everything real: Debian's Chromium (fake camera, microphone and screen),
 * the mediasoup worker, the live capture's FFmpeg processes, the after-class job's FFmpeg, Postgres,
 * Redis and an S3-compatible server (s3rver) holding the finished recording. The instructor teaches a
 * short class with a student in it (camera and microphone on, a stroke on the first board page, a screen
 * share started and stopped, a second page with a stroke, a pause and a resume) and ends it; the job
 * makes the recording. Then: the MP4 lasts as long as the class (within a second), is H.264 + AAC with
 * one chapter per mark; a student who missed the class sees it listed without reloading her page; it
 * plays in Chromium through hls.js with its chapters listed, the segments coming from S3; the files are
 * in the bucket; the playback links are signed and stop working once they expire; the instructor hides it.
 * Waits are generous and every state is read from attributes or rows, so a loaded machine is only slower.
 */
describe.skipIf(mediaTestsOptedOut())('a recorded class end to end (Chromium, mediasoup, FFmpeg, s3rver)', () => {
  let t: TestApp;
  let browser: Browser;
  let dir: string;
  let s3: Awaited<ReturnType<typeof startS3rver>>;
  let s3client: S3Client;
  const log: string[] = [];
  const step = (what: string) => log.push(`${new Date().toISOString()} ${what}`);

  beforeAll(async () => {
    requireWorker();
    dir = await mkdtemp(path.join(tmpdir(), 'lectern-rec-class-'));
    s3 = await startS3rver();
    s3client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await s3client.send(new CreateBucketCommand({ Bucket: 'recordings' }));
    // The rule an operator adds (README, RECORDINGS_S3_*): browsers fetch segments from the bucket.
    await s3client.send(
      new PutBucketCorsCommand({
        Bucket: 'recordings',
        CORSConfiguration: {
          CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET', 'HEAD'], AllowedHeaders: ['*'] }],
        },
      }),
    );
    t = await startTestApp({
      RECORDING_CAPTURE: 'true',
      RECORDING_SEGMENT_SECONDS: '1',
      RECORDING_DIR: path.join(dir, 'capture'),
      RECORDINGS_WORK_DIR: path.join(dir, 'work'),
      RECORDINGS_STORAGE: 's3',
      RECORDINGS_S3_ENDPOINT: s3.endpoint,
      RECORDINGS_S3_BUCKET: 'recordings',
      RECORDINGS_S3_ACCESS_KEY_ID: 'S3RVER',
      RECORDINGS_S3_SECRET_ACCESS_KEY: 'S3RVER',
      RECORDINGS_CAPTURE_WAIT_MS: '20000',
      RECORDINGS_URL_TTL_SECONDS: String(TTL_SECONDS),
    });
    browser = await launchChromium({ fakeMedia: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    s3client?.destroy();
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const rows = async <T>(sql: string, params: unknown[] = []) => (await t.db.query(sql, params)) as T[];

  async function launch(page: Page, who: 'instructor' | 'student', user?: string): Promise<Frame> {
    if (user) await page.goto(`${t.platformUrl}/launch?course=phys-101&user=${user}&storage=1`);
    else {
      await page.goto(`${t.platformUrl}/?course=phys-101`);
      await page.click(`#launch-${who}`);
    }
    return frameAt(page, '/lobby');
  }

  async function enterRoom(page: Page, lobby: Frame): Promise<Frame> {
    await lobby.locator('[data-testid=start-class], [data-testid=enter-class]').first().click({ timeout: 30_000 });
    const room = await frameAt(page, '/room/');
    await waitFor(
      async () => (await room.getByTestId('media-state').getAttribute('data-media-state')) === 'connected',
      'media connected',
      60_000,
    );
    // The recording notice is answered first (it says the class is recorded).
    await room.getByTestId('recording-banner').waitFor({ timeout: 30_000 });
    await room.getByTestId('recording-banner').getByRole('button').click();
    return room;
  }

  async function stroke(page: Page, room: Frame, dx: number) {
    const board = room.getByTestId('whiteboard');
    const before = Number(await board.getAttribute('data-elements'));
    const box = (await board.boundingBox())!;
    await page.mouse.move(box.x + 40 + dx, box.y + 40);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + 40 + dx + i * 12, box.y + 40 + i * 8);
    await page.mouse.up();
    await waitFor(
      async () => Number(await board.getAttribute('data-elements')) === before + 1,
      'the stroke on the board',
    );
  }

  it('records the class, composites it, stores it in S3 and plays it back with its chapters', async () => {
    // ---- the class ----
    const teacherCtx = await browser.newContext();
    const teacherPage = await teacherCtx.newPage();
    const room = await enterRoom(teacherPage, await launch(teacherPage, 'instructor'));
    const [{ id: sessionId }] = await rows<{ id: string }>(`SELECT id FROM live_session WHERE ended_at IS NULL`);
    step('teacher in the room');
    await room.getByTestId('toggle-mic').click();
    await room.getByTestId('toggle-camera').click();
    await waitFor(
      async () =>
        (await room.getByTestId('toggle-mic').getAttribute('aria-pressed')) === 'true' &&
        (await room.getByTestId('toggle-camera').getAttribute('aria-pressed')) === 'true',
      'microphone and camera on',
      30_000,
    );
    const studentCtx = await browser.newContext();
    const studentPage = await studentCtx.newPage();
    const studentRoom = await enterRoom(studentPage, await launch(studentPage, 'student'));
    await studentRoom.getByTestId('toggle-mic').click();
    step('student in the room');

    const tracks = () =>
      rows<{ kind: string; role: string; ended_at: Date | null }>(
        `SELECT kind, role, ended_at FROM recording_track WHERE session_id = $1`,
        [sessionId],
      );
    await waitFor(
      async () => {
        const open = (await tracks()).filter((r) => r.ended_at === null);
        return (
          open.some((r) => r.kind === 'video' && r.role === 'teacher') &&
          open.some((r) => r.kind === 'audio' && r.role === 'teacher')
        );
      },
      "capture of the teacher's camera and microphone",
      90_000,
    );
    step('capture running');
    const marks = async (kind: string) =>
      (
        await rows<{ n: number }>(`SELECT count(*)::int AS n FROM recording_mark WHERE session_id = $1 AND kind = $2`, [
          sessionId,
          kind,
        ])
      )[0].n;
    // Marks further apart than a chapter's minimum (3 s), with room to spare on a loaded machine.
    const pauseFor = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await stroke(teacherPage, room, 0);
    await pauseFor(5000);
    await room.getByTestId('toggle-screen').click();
    await waitFor(async () => (await marks('screen-start')) === 1, 'the screen share marked', 30_000);
    await waitFor(
      async () => (await tracks()).some((r) => r.kind === 'screen' && r.ended_at === null),
      'the screen share captured',
      60_000,
    );
    step('screen shared');
    await pauseFor(6000);
    await room.getByTestId('toggle-screen').click();
    await waitFor(async () => (await marks('screen-stop')) === 1, 'the end of the screen share marked', 30_000);
    step('screen share stopped');
    await pauseFor(5000);
    await room.getByTestId('wb-add-page').click();
    await waitFor(
      async () => (await room.getByTestId('whiteboard').getAttribute('data-page')) !== 'page-1',
      'the teacher on page 2',
    );
    await stroke(teacherPage, room, 200);
    step('page 2');
    await pauseFor(5000);
    await room.getByTestId('recording-pause').click();
    await waitFor(
      async () => (await room.getByTestId('recording-indicator').getAttribute('data-recording')) === 'paused',
      'the recording shown paused',
      30_000,
    );
    expect(await marks('pause')).toBe(1);
    await pauseFor(5000);
    await room.getByTestId('recording-pause').click();
    await waitFor(
      async () => (await room.getByTestId('recording-indicator').getAttribute('data-recording')) === 'recording',
      'the recording shown recording again',
      30_000,
    );
    step('paused and resumed');
    await pauseFor(6000);
    await room.getByTestId('end-class').click();
    await room.getByTestId('end-for-everyone').click();
    await studentRoom.getByTestId('room-ended').waitFor({ timeout: 30_000 });
    step('class ended');
    await studentCtx.close();
    await teacherCtx.close();
    const [cls] = await rows<{ started_at: Date; ended_at: Date }>(
      `SELECT started_at, ended_at FROM live_session WHERE id = $1`,
      [sessionId],
    );
    const classSeconds = (cls.ended_at.getTime() - cls.started_at.getTime()) / 1000;

    // ---- a student who missed the class has the Recordings page open while the job runs ----
    const alanCtx = await browser.newContext();
    const alanPage = await alanCtx.newPage();
    const alan = await launch(alanPage, 'student', 'dev-alan');
    await alan.click('[data-testid=nav-recordings]');
    await alan.getByTestId('no-recordings').waitFor({ timeout: 30_000 });

    const recordingRow = () =>
      rows<{ id: string; status: string; error: string | null; storage_prefix: string | null }>(
        `SELECT id, status, error, storage_prefix FROM recording WHERE session_id = $1`,
        [sessionId],
      ).then((r) => r[0]);
    const ready = await waitFor(
      async () => {
        const r = await recordingRow();
        if (r?.status === 'failed') throw new Error(`the recording failed: ${r.error}`);
        return r?.status === 'ready' ? r : null;
      },
      'the recording ready',
      360_000,
    );
    const readyAt = Date.now();
    step('recording ready');
    // Listed on the page she has open (it reads the list again by itself), without a reload.
    await alan.getByTestId('recording-link').waitFor({ timeout: 45_000 });
    const listedAfterMs = Date.now() - readyAt;
    await alanCtx.close();

    // ---- the files: in the bucket, the MP4 as long as the class, H.264 + AAC, one chapter per mark ----
    const launcher = new LaunchClient(t);
    const grace = await launcher.launch('phys-101', 'dev-grace');
    const ada = await launcher.launch('phys-101', 'dev-ada');
    const api = async <T>(p: string, token: string, init: RequestInit = {}) => {
      const res = await launcher.api(p, token, init);
      return { status: res.status, body: (await res.json().catch(() => null)) as T };
    };
    const stored = await s3client.send(
      new ListObjectsV2Command({ Bucket: 'recordings', Prefix: `${ready.storage_prefix}/` }),
    );
    const keys = (stored.Contents ?? []).map((o) => o.Key!.slice(ready.storage_prefix!.length + 1));
    expect(keys).toEqual(expect.arrayContaining(['recording.mp4', 'hls/master.m3u8', 'chapters.vtt', 'board.json']));
    expect(keys.filter((k) => k.startsWith('hls/') && !k.endsWith('.m3u8')).length).toBeGreaterThan(5);

    // Links are bound to the viewer they were given to: fetched with her session, as the player does.
    const asGrace = (url: string) => fetch(url, { headers: { Authorization: `Bearer ${grace}` } });
    const play = await api<RecordingPlayback>(`/api/recordings/${ready.id}`, grace);
    expect(play.status).toBe(200);
    const mp4Url = new URL(play.body.mp4Url);
    expect(mp4Url.origin).toBe(s3.endpoint);
    expect(mp4Url.searchParams.get('X-Amz-Expires')).toBe(String(TTL_SECONDS));
    expect(mp4Url.searchParams.get('X-Amz-Signature')).toBeTruthy();
    const mp4 = path.join(dir, 'class.mp4');
    await writeFile(mp4, Buffer.from(await (await fetch(play.body.mp4Url)).arrayBuffer()));
    const probed = await ffprobe(mp4);
    const titles = play.body.chapters.map((c) => c.title);
    expect(titles.slice(1), `chapters of a class ${classSeconds} s long`).toEqual([
      'Screen share',
      'Screen share ended',
      expect.stringMatching(/page|2/i),
      'Recording paused',
      'Recording resumed',
    ]);
    expect(probed.video).toBe('h264');
    expect(probed.audio).toBe('aac');
    expect(probed.chapters).toEqual(titles);
    expect(Math.abs(probed.duration - classSeconds), `MP4 ${probed.duration} s, class ${classSeconds} s`).toBeLessThan(
      1,
    );
    const vtt = await (await asGrace(play.body.chaptersUrl)).text();
    expect(vtt.match(/-->/g)).toHaveLength(titles.length);

    // ---- it plays in Chromium: hls.js, segments from S3, the chapter list shown ----
    const graceCtx = await browser.newContext();
    const gracePage = await graceCtx.newPage();
    const fromS3: number[] = [];
    gracePage.on('response', (r) => {
      if (r.url().startsWith(s3.endpoint)) fromS3.push(r.status());
    });
    const lobby = await launch(gracePage, 'student', 'dev-grace');
    await lobby.click('[data-testid=nav-recordings]');
    await lobby.click('[data-testid=recording-link]', { timeout: 30_000 });
    await lobby.getByTestId('recording-video').waitFor({ timeout: 30_000 });
    await waitFor(
      async () => (await lobby.$$('[data-testid=chapter]')).length === titles.length,
      `${titles.length} chapters listed`,
      30_000,
    );
    await lobby.evaluate(() => {
      const v = document.querySelector('video')!;
      v.muted = true;
      return v.play();
    });
    await waitFor(
      async () => (await lobby.evaluate(() => document.querySelector('video')!.currentTime)) > 2,
      'the video playing (currentTime advancing)',
      60_000,
    );
    expect(fromS3.length, 'segments fetched from the bucket').toBeGreaterThan(0);
    expect(fromS3.every((s) => s === 200)).toBe(true);
    await graceCtx.close();

    // ---- the links expire ----
    const fresh = await api<RecordingPlayback>(`/api/recordings/${ready.id}`, grace);
    const expiresAt = new Date(fresh.body.expiresAt).getTime();
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(TTL_SECONDS * 1000 + 1000);
    expect((await asGrace(fresh.body.hlsUrl)).status).toBe(200);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 2000));
    const expired = await asGrace(fresh.body.hlsUrl);
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe('LINK_EXPIRED');
    expect((await fetch(fresh.body.mp4Url)).status).toBe(403); // S3 refuses an expired presigned URL
    expect((await asGrace(fresh.body.chaptersUrl)).status).toBe(403);
    expect((await asGrace(fresh.body.boardUrl)).status).toBe(403);

    // ---- the instructor hides it: gone from the student's list ----
    const adaCtx = await browser.newContext();
    const adaPage = await adaCtx.newPage();
    const adaLobby = await launch(adaPage, 'instructor');
    await adaLobby.click('[data-testid=nav-recordings]');
    await adaLobby.getByTestId('toggle-hidden').click({ timeout: 30_000 });
    await adaLobby.getByTestId('hidden-badge').waitFor({ timeout: 15_000 });
    expect((await api<RecordingSummary[]>('/api/recordings', grace)).body.map((r) => r.id)).not.toContain(ready.id);
    expect((await api(`/api/recordings/${ready.id}`, grace)).status).toBe(404);
    expect((await api<RecordingSummary[]>('/api/recordings', ada)).body.find((r) => r.id === ready.id)?.hidden).toBe(
      true,
    );
    await adaCtx.close();
    console.log(
      `[recording-class] class ${classSeconds.toFixed(1)} s, MP4 ${probed.duration.toFixed(2)} s, ` +
        `listed on the open page ${(listedAfterMs / 1000).toFixed(1)} s after ready\n${log.join('\n')}`,
    );
  }, 900_000);
});
