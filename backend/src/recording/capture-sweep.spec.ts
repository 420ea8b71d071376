import crypto from 'node:crypto';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LaunchClient } from '../testing/lti-client';
import { startTestApp, TestApp } from '../testing/test-app';
import { CaptureRepository } from './infra/capture.repository';
import { RecordingCaptureService } from './recording-capture.service';

/**
 * The sweep that closes a dead instance's recording runs (real PostgreSQL and Redis; the runs and their
 * FFmpeg segment lists are written by hand, as a killed host leaves them). One dead host makes one gap in
 * the class, however many sweeps its runs take to close: a run whose list FFmpeg was still finishing is
 * left for a later sweep, and closing it then once made a second gap mark a moment after the first.
 */
describe('closing the recording runs of a dead instance', () => {
  let t: TestApp;
  let sessionId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const launch = new LaunchClient(t);
    const teacher = await launch.launch('phys-101', 'dev-ada');
    sessionId = (
      (await (await launch.api('/api/classroom/sessions', teacher, { method: 'POST' })).json()) as {
        session: { id: string };
      }
    ).session.id;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('marks one gap per dead host, at the end of the first run it lost, once all its runs are closed', async () => {
    const repo = t.app.get(CaptureRepository);
    const capture = t.app.get(RecordingCaptureService);
    const dir = t.config.recording.dir;
    const dead = `dead-${crypto.randomBytes(4).toString('hex')}`; // never beat: no alive key
    const startedAt = new Date(Date.now() - 60_000);
    const longAgo = new Date(Date.now() - 120_000);
    const run = async (kind: 'video' | 'audio', segments: number) => {
      const playlist = path.join(sessionId, `${kind}-${crypto.randomBytes(3).toString('hex')}`, 'list.csv');
      await mkdir(path.join(dir, path.dirname(playlist)), { recursive: true });
      const lines = Array.from({ length: segments }, (_, i) => `seg-${i}.webm,${i},${i + 1}`);
      await writeFile(path.join(dir, playlist), lines.join('\n') + '\n');
      const id = crypto.randomUUID();
      await repo.openRun({
        id,
        sessionId,
        kind,
        userId: null,
        role: 'teacher',
        producerId: crypto.randomUUID(),
        playlist,
        instance: dead,
        startedAt,
      });
      return { id, file: path.join(dir, playlist) };
    };
    const video = await run('video', 4); // ends 4 s in
    const audio = await run('audio', 6); // ends 6 s in, but its FFmpeg is still writing
    await utimes(video.file, longAgo, longAgo);
    const gaps = async () =>
      (await repo.marks(sessionId)).filter((m) => m.kind === 'gap').map((m) => m.at.getTime() - startedAt.getTime());

    // First sweep: the still list is closed, the moving one left; no gap yet (the host's loss is not all known).
    expect(await capture.sweep()).toBe(1);
    expect(await gaps()).toEqual([]);

    // The audio list goes still: the next sweep closes it, and the host's one gap is where its first run ended.
    await utimes(audio.file, longAgo, longAgo);
    expect(await capture.sweep()).toBe(1);
    expect(await gaps()).toEqual([4000]);

    // Nothing left to close; another instance marking the same gap (two sweepers) adds nothing.
    expect(await capture.sweep()).toBe(0);
    await repo.mark(sessionId, 'gap', new Date(startedAt.getTime() + 4000), 'again', null);
    expect(await gaps()).toEqual([4000]);
  });
});
