import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBoardTimeline } from '../domain/board-timeline';
import { placeRuns } from '../domain/capture-timeline';
import { buildChapters } from '../domain/chapters';
import { makeFixtureClass } from '../testing/class-fixture';
import { Compositor, probeRecording, workFiles } from './compositor';

// Real FFmpeg on a synthetic 20 s class (VP8/Opus Matroska segments, as capture writes them).
describe('Compositor (real FFmpeg)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lectern-composite-'));
  });
  afterAll(() => (process.env.LECTERN_KEEP_TEST_FILES ? undefined : rm(dir, { recursive: true, force: true })));

  it('makes an H.264/AAC MP4 of the class length with its chapters, and HLS renditions', async () => {
    const fixture = await makeFixtureClass(path.join(dir, 'capture'), 'class-a', 20);
    const timeline = placeRuns(fixture.runs, fixture.origin, fixture.end);
    const board = buildBoardTimeline(fixture.ops, fixture.pageChanges, fixture.origin);
    const chapters = buildChapters(
      [
        ...fixture.marks,
        ...fixture.pageChanges.map((c) => ({ kind: 'page' as const, at: c.at, label: 'Worked example' })),
      ],
      fixture.origin,
      timeline.duration,
    );
    expect(chapters.map((c) => c.title)).toEqual([
      'Start of class',
      'Screen share',
      'Screen share ended',
      'Worked example',
    ]);
    const work = path.join(dir, 'work');
    const compositor = new Compositor(
      { recordingDir: path.join(dir, 'capture'), timeline, board, chapters, title: 'Test class' },
      work,
    );
    expect(compositor.layout).toBe('stage');
    const done: string[] = [];
    const started: string[] = [];
    await compositor.run([], {
      started: async (s) => void started.push(s),
      progress: () => undefined,
      done: async (s) => void done.push(s),
    });
    expect(started.sort()).toEqual(['audio', 'board', 'composite', 'renditions']);
    expect(done.sort()).toEqual(['audio', 'board', 'composite', 'renditions']);
    const probed = await probeRecording(workFiles(work).mp4);
    expect(Math.abs(probed.duration - 20)).toBeLessThan(1);
    expect(probed).toMatchObject({ video: 'h264', audio: 'aac', chapters: 4 });
    const master = await readFile(path.join(workFiles(work).hls, 'master.m3u8'), 'utf8');
    expect(master).toContain('720p/index.m3u8');
    expect(master).toContain('360p/index.m3u8');
    expect(existsSync(path.join(workFiles(work).hls, '360p', 'seg-00000.ts'))).toBe(true);
  }, 180_000);
});
