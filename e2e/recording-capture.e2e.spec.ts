import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import os from 'node:os';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaTestsOptedOut, requireWorker } from '../backend/src/media/testing/worker-check';
import { parseSegmentList } from '../backend/src/recording/domain/segment-list';
import { Cluster, startCluster } from '../backend/src/testing/cluster';
import { waitFor } from '../backend/src/testing/wait-for';
import { frameAt, launchChromium } from './browser';

const run = promisify(execFile);
const SEGMENT_SECONDS = 1;

interface TrackRow {
  id: string;
  kind: string;
  playlist: string;
  instance: string;
  started_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
}

/** The pids of running processes whose command line holds `needle`, with their parent pids. */
async function processesWith(needle: string): Promise<Array<{ pid: number; ppid: number }>> {
  const { stdout } = await run('ps', ['-eo', 'pid=,ppid=,args=']);
  return stdout
    .split('\n')
    .filter((l) => l.includes(needle) && !l.includes('ps -eo'))
    .map((l) => l.trim().split(/\s+/))
    .map(([pid, ppid]) => ({ pid: Number(pid), ppid: Number(ppid) }));
}

/**
 * The class's media host is killed with SIGKILL mid-class, with a real browser sending camera and
 * microphone (Chromium's fake devices) through two backend instances. What was recorded stays: the
 * segments on disk play, the capture FFmpeg processes do not outlive their backend (they close their
 * last segment and exit), the surviving instance closes the dead one's runs at their last segment with
 * a gap mark, and when the teacher's browser rejoins media there, that instance records the class.
 * How much the kill costs is measured: the class time between each run's last kept second and the kill
 * (bounded: about one segment), and the outage until the new host records (reported). Then the class
 * ends and its job makes one recording of it all: as long as the class, a gap chapter at the kill.
 */
describe.skipIf(mediaTestsOptedOut())('recording capture survives its host being killed (cluster, Chromium)', () => {
  let cluster: Cluster;
  let db: Client;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    requireWorker();
    dir = path.join(os.tmpdir(), `lectern-rec-e2e-${crypto.randomBytes(4).toString('hex')}`);
    cluster = await startCluster(2, {
      RECORDING_CAPTURE: 'true',
      RECORDING_SEGMENT_SECONDS: String(SEGMENT_SECONDS),
      RECORDING_DIR: dir,
      RECORDINGS_WORK_DIR: `${dir}-work`,
      RECORDINGS_STORAGE_DIR: `${dir}-store`,
      RECORDINGS_CAPTURE_WAIT_MS: '15000',
    });
    db = new Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    browser = await launchChromium({ fakeMedia: true });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await db?.end();
    await cluster?.close();
    for (const d of [dir, `${dir}-work`, `${dir}-store`]) if (dir) await rm(d, { recursive: true, force: true });
  });

  async function enterAsTeacher(page: Page): Promise<Frame> {
    await page.goto(`${cluster.proxyUrl.replace('localhost', '127.0.0.1')}/dev-platform/?course=phys-101`);
    await page.click('#launch-instructor');
    const lobby = await frameAt(page, '/lobby');
    // On a loaded machine a click can land while the lobby re-renders (it re-reads every few seconds)
    // and do nothing: click again when no room came of it.
    let room: Frame | undefined;
    for (let attempt = 1; !room; attempt++) {
      await lobby
        .locator('[data-testid=start-class], [data-testid=enter-class]')
        .first()
        .click({ timeout: 30_000 })
        .catch(() => undefined); // gone: the frame already left the lobby
      room = await frameAt(page, '/room/').catch((e: Error) => {
        if (attempt === 3) throw e;
        return undefined;
      });
    }
    await waitFor(
      async () => (await room.getByTestId('media-state').getAttribute('data-media-state')) === 'connected',
      "the teacher's media connected",
      45_000,
    );
    return room;
  }

  it("keeps every finished segment, leaves no FFmpeg behind, closes the dead host's runs at their last segment, and records on the new host", async () => {
    const page = await (await browser.newContext()).newPage();
    const room = await enterAsTeacher(page);
    // Everyone is told: a banner on joining, and the indicator in the room's bar.
    await room.getByTestId('recording-banner').waitFor({ timeout: 15_000 });
    expect(await room.getByTestId('recording-banner').textContent()).toContain('being recorded');
    expect(await room.getByTestId('recording-indicator').getAttribute('data-recording')).toBe('recording');
    await room.getByTestId('toggle-mic').click();
    await room.getByTestId('toggle-camera').click();
    const [{ id: sessionId }] = (await db.query(`SELECT id FROM live_session WHERE ended_at IS NULL`)).rows;
    const tracks = async (): Promise<TrackRow[]> =>
      (await db.query(`SELECT * FROM recording_track WHERE session_id = $1 ORDER BY started_at`, [sessionId])).rows;
    await waitFor(
      async () => (await tracks()).length >= 2,
      "runs for the teacher's camera and microphone",
      90_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${cluster.logs.slice(-40).join('')}`);
    });
    const first = await tracks();
    expect(new Set(first.map((r) => r.kind))).toEqual(new Set(['video', 'audio']));
    const host = first[0].instance;
    expect(first.every((r) => r.instance === host && r.ended_at === null)).toBe(true);

    const video = first.find((r) => r.kind === 'video')!;
    const ffmpegs = await waitFor(async () => {
      const found = await processesWith(path.dirname(video.playlist));
      return found.length ? found : null;
    }, 'the capture FFmpeg of the camera');
    const listed = async (playlist: string) =>
      parseSegmentList(await readFile(path.join(dir, playlist), 'utf8').catch(() => ''));
    await waitFor(async () => (await listed(video.playlist)).length >= 4, 'four camera segments on disk', 40_000);

    // The host is the backend whose children the capture FFmpeg processes are.
    const hostProc = cluster.procs.find((p) => p.pid === ffmpegs[0].ppid)!;
    expect(hostProc, 'the capture FFmpeg is a child of a cluster instance').toBeDefined();
    const before = new Map<string, number>();
    const lost: string[] = [];
    for (const r of first) before.set(r.id, (await listed(r.playlist)).length);
    const killedAt = Date.now();
    hostProc.kill('SIGKILL');

    // Its FFmpeg processes go with it (each closes its segment and exits).
    await waitFor(
      async () =>
        (await processesWith(`${sessionId}/`)).every((p) => p.ppid !== hostProc.pid) &&
        (await processesWith(path.dirname(video.playlist))).length === 0,
      'no capture FFmpeg of the dead host left',
      20_000,
    );
    // The survivor closes the dead host's runs at their last finished segment, and marks the gap.
    await waitFor(
      async () => (await tracks()).filter((r) => r.instance === host).every((r) => r.ended_at),
      "the dead host's runs closed",
      60_000,
    );
    for (const r of (await tracks()).filter((x) => x.instance === host)) {
      const segments = await listed(r.playlist);
      expect(segments.length, `${r.kind}: every segment listed before the kill is still there`).toBeGreaterThanOrEqual(
        before.get(r.id)!,
      );
      expect(r.end_reason).toBe('instance-lost');
      expect(
        r.ended_at!.getTime(),
        `${r.kind} run ${r.id} from ${r.started_at.toISOString()}: list ${JSON.stringify(segments.slice(-3))}`,
      ).toBe(r.started_at.getTime() + Math.round(Math.max(...segments.map((s) => s.end)) * 1000));
      const last = segments[segments.length - 1];
      const probe = await run('ffprobe', [
        ...['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0'],
        path.join(dir, path.dirname(r.playlist), last.file),
      ]);
      expect(probe.stdout.trim()).toBe(r.kind === 'video' ? 'vp8' : 'opus');
      // What the kill cost: the class time between the run's last kept second and the kill. FFmpeg closes
      // the segment it was writing when its parent dies (SIGTERM by pdeathsig), so at most about one
      // segment (1 s here) is lost; the bound leaves room for FFmpeg's lag on a loaded machine.
      const lostMs = killedAt - r.ended_at!.getTime();
      lost.push(`${r.kind} ${(lostMs / 1000).toFixed(2)} s`);
      expect(lostMs, `${r.kind}: class time lost to the kill`).toBeLessThanOrEqual(SEGMENT_SECONDS * 2000 + 2000);
    }
    // The sweep marks the gap right after closing the host's last run: waited for, then exactly one.
    const gapRows = async () =>
      (await db.query(`SELECT at FROM recording_mark WHERE session_id = $1 AND kind = 'gap'`, [sessionId])).rows;
    await waitFor(async () => (await gapRows()).length > 0, 'the gap marked', 10_000);
    expect(await gapRows()).toHaveLength(1);

    // The teacher's browser rejoins media on the surviving instance, which records the class from then on.
    await waitFor(
      async () => (await tracks()).some((r) => r.instance !== host && r.ended_at === null && r.kind === 'video'),
      'the new host records the camera',
      60_000,
    );
    const next = (await tracks()).find((r) => r.instance !== host && r.kind === 'video')!;
    await waitFor(async () => (await listed(next.playlist)).length >= 2, 'the new host writes segments', 30_000);
    // The outage: from the kill to the first packet recorded on the new host (the browser notices the
    // dead host, rejoins media through the load balancer, and capture starts there). Reported, and
    // bounded loosely: it depends on how fast the browser gives up on the dead host.
    const outageMs = next.started_at.getTime() - killedAt;
    console.log(
      `[recording-capture] SIGKILL of the media host: lost before the kill ${lost.join(', ')}; ` +
        `no recording for ${(outageMs / 1000).toFixed(1)} s until the new host's first packet (load ${os.loadavg()[0].toFixed(1)})`,
    );
    expect(outageMs).toBeGreaterThan(0);
    expect(outageMs).toBeLessThan(90_000);

    // The class ends on the surviving instance; its job makes one recording of the whole class: as long
    // as the class, with a 'Recording gap' chapter where the dead host's runs end (at the kill).
    const now = await frameAt(page, '/room/');
    await now.getByTestId('end-class').click();
    await now.getByTestId('end-for-everyone').click();
    const done = await waitFor(
      async () => {
        const [r] = (
          await db.query(
            `SELECT r.status, r.error, r.storage_prefix, r.chapters, s.started_at, s.ended_at
               FROM recording r JOIN live_session s ON s.id = r.session_id WHERE r.session_id = $1`,
            [sessionId],
          )
        ).rows as Array<{
          status: string;
          error: string | null;
          storage_prefix: string;
          chapters: Array<{ start: number; title: string }>;
          started_at: Date;
          ended_at: Date;
        }>;
        if (r?.status === 'failed') throw new Error(`the recording failed: ${r.error}`);
        return r?.status === 'ready' ? r : null;
      },
      'the recording of the class ready',
      300_000,
    );
    const classSeconds = (done.ended_at.getTime() - done.started_at.getTime()) / 1000;
    const probe = JSON.parse(
      (
        await run('ffprobe', [
          ...['-v', 'error', '-print_format', 'json', '-show_format', '-show_chapters'],
          path.join(`${dir}-store`, done.storage_prefix, 'recording.mp4'),
        ])
      ).stdout,
    ) as { format: { duration: string }; chapters: unknown[] };
    expect(Math.abs(Number(probe.format.duration) - classSeconds), `MP4 vs a class of ${classSeconds} s`).toBeLessThan(
      1,
    );
    const gap = done.chapters.find((c) => c.title === 'Recording gap');
    expect(gap, JSON.stringify(done.chapters)).toBeDefined();
    const killAt = (killedAt - done.started_at.getTime()) / 1000;
    expect(Math.abs(gap!.start - killAt), `gap chapter at ${gap!.start} s, kill at ${killAt} s`).toBeLessThanOrEqual(
      SEGMENT_SECONDS * 2 + 2,
    );
    expect(probe.chapters).toHaveLength(done.chapters.length);
    console.log(
      `[recording-capture] the recording: class ${classSeconds.toFixed(1)} s, MP4 ${Number(probe.format.duration).toFixed(2)} s, ` +
        `gap chapter at ${gap!.start} s (kill at ${killAt.toFixed(1)} s)`,
    );
  }, 600_000);
});
