import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioMixArgs, commandLine, compositeArgs, FfmpegCommandSpec, hlsCopyArgs } from '../domain/ffmpeg-args';
import { FfmpegFailed, fluentCommand, runFfmpeg } from './ffmpeg-process';

const getArguments = (spec: FfmpegCommandSpec): string[] =>
  (fluentCommand(spec) as unknown as { _getArguments(): string[] })._getArguments();

describe('FFmpeg through fluent-ffmpeg', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lectern-ffmpeg-run-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('passes every built command exactly as built (paths with spaces kept whole)', () => {
    const specs = [
      audioMixArgs([{ list: '/w w/a.ffconcat', offset: 1, duration: 2 }], 3, '/w w/audio.m4a'),
      compositeArgs({
        layout: 'stage',
        duration: 20,
        board: '/w w/board/stills.ffconcat',
        camera: [{ list: '/w/c 1.ffconcat', offset: 0, duration: 8 }],
        screen: [{ list: '/w/s1.ffconcat', offset: 5, duration: 7 }],
        audio: '/w/audio.m4a',
        chapters: '/w/chapters.txt',
        output: '/w/out.mp4',
        lowDir: '/w/hls/360p',
      }),
      hlsCopyArgs('/w w/recording.mp4', '/w w/hls/720p'),
    ];
    for (const spec of specs) expect(getArguments(spec)).toEqual(commandLine(spec));
  });

  it('reports progress and finishes (real FFmpeg)', async () => {
    const seen: number[] = [];
    const out = path.join(dir, 'tone.m4a');
    await runFfmpeg(
      {
        inputs: [
          {
            options: [
              '-hide_banner',
              '-nostdin',
              '-loglevel',
              'error',
              '-progress',
              'pipe:1',
              '-nostats',
              '-f',
              'lavfi',
            ],
            source: 'sine=frequency=440:duration=3',
          },
        ],
        filterGraph: null,
        outputs: [{ options: ['-c:a', 'aac'], target: out }],
      },
      { onProgress: (s) => seen.push(s), pidFile: path.join(dir, 'pids') },
    );
    expect(seen.at(-1)).toBeGreaterThan(2.5);
    expect((await readFile(path.join(dir, 'pids'), 'utf8')).trim()).toMatch(/^\d+$/);
  });

  it('fails with FFmpeg exit code and error line', async () => {
    const err = await runFfmpeg(audioMixArgs([], 1, path.join(dir, 'no-such-dir', 'x.m4a'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegFailed);
    expect((err as FfmpegFailed).code).not.toBe(0);
    expect((err as FfmpegFailed).signal).toBeNull();
    expect((err as FfmpegFailed).message).toMatch(/no-such-dir/);
  });

  it('sees a kill: an aborted run rejects with the signal', async () => {
    const controller = new AbortController();
    const run = runFfmpeg(
      {
        inputs: [{ options: ['-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi'], source: 'testsrc=duration=60' }],
        filterGraph: null,
        outputs: [{ options: ['-f', 'null'], target: '-' }],
      },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 5); // before or after FFmpeg started: both end in a kill
    const err = await run.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegFailed);
    expect((err as FfmpegFailed).signal).toBe('SIGKILL');
  }, 20_000);
});
