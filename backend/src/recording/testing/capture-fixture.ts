import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A capture run as the live capture writes it, made from FFmpeg's test sources instead of a class's
 * producers: codec as WebRTC sends it (VP8 video, Opus audio) in two-second Matroska segments with
 * FFmpeg's CSV segment list (the format written down in migrations/1796370000000). Tests and the
 * benchmark use it so the after-class job is exercised without a live class.
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
  const source =
    kind === 'audio'
      ? ['-f', 'lavfi', '-i', `sine=frequency=${tone}:sample_rate=48000:duration=${seconds}`]
      : kind === 'video'
        ? ['-f', 'lavfi', '-i', `testsrc=size=640x360:rate=15:duration=${seconds}`]
        : ['-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=5:duration=${seconds}`];
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
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    ...source,
    ...codec,
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
  ]);
  return `${folder}/list.csv`;
}
