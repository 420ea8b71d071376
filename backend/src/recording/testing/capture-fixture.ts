import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Longer runs loop a clip of this many seconds (stream copy: a ten-minute fixture costs a 10 s encode). */
const CLIP_SECONDS = 10;

/**
 * A capture run as the live capture writes it, made from FFmpeg's test sources instead of a class's
 * producers: codec as WebRTC sends it (VP8 video, Opus audio) in two-second Matroska segments with
 * FFmpeg's CSV segment list (the format written down in migrations/1796370000000). Tests and the
 * benchmark use it so the after-class job is exercised without a live class. A run longer than
 * CLIP_SECONDS is a clip of that length encoded once and looped by stream copy into the segments
 * (keyframes every 2 s, so the loop and the cuts fall on keyframes), the picture's clock restarting.
 */
export async function writeCaptureRun(
  recordingDir: string,
  folder: string,
  kind: 'video' | 'audio' | 'screen',
  seconds: number,
  tone = 440,
): Promise<string> {
  const dir = path.join(recordingDir, folder);
  await mkdir(dir, { recursive: true });
  const clip = Math.min(seconds, CLIP_SECONDS);
  const source =
    kind === 'audio'
      ? ['-f', 'lavfi', '-i', `sine=frequency=${tone}:sample_rate=48000:duration=${clip}`]
      : kind === 'video'
        ? ['-f', 'lavfi', '-i', `testsrc=size=640x360:rate=15:duration=${clip}`]
        : ['-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=5:duration=${clip}`];
  const codec =
    kind === 'audio'
      ? ['-c:a', 'libopus', '-b:a', '32k', '-ac', '1']
      : [
          '-c:v',
          'libvpx',
          '-deadline',
          'realtime',
          '-cpu-used',
          '8',
          '-b:v',
          '600k',
          '-g',
          kind === 'video' ? '30' : '10',
        ];
  const segments = [
    '-f',
    'segment',
    '-segment_time',
    '2',
    '-segment_format',
    'matroska',
    '-segment_list',
    path.join(dir, 'list.csv'),
    '-segment_list_type',
    'csv',
    path.join(dir, 'seg-%05d.mkv'),
  ];
  const quiet = ['-hide_banner', '-loglevel', 'error', '-y'];
  if (seconds <= CLIP_SECONDS) {
    await run('ffmpeg', [...quiet, ...source, ...codec, ...segments]);
  } else {
    const clipFile = `${dir}.clip.mkv`;
    await run('ffmpeg', [...quiet, ...source, ...codec, clipFile]);
    await run('ffmpeg', [
      ...quiet,
      '-stream_loop',
      '-1',
      '-i',
      clipFile,
      '-t',
      String(seconds),
      '-c',
      'copy',
      ...segments,
    ]);
    await rm(clipFile, { force: true });
  }
  return `${folder}/list.csv`;
}
