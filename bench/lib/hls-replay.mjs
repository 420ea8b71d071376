// A live HLS playlist that costs no encoder while it runs, for the viewer-load bench: FFmpeg first
// encodes `seconds` of a camera-like picture (test pattern with noise, H.264 at 1 Mbit/s CBR, 1 s fMP4
// segments) into a source folder, then every second the next source segment is hard-linked into the
// served folder under a new name and the live playlist (6 segments, temp file + rename, as FFmpeg's
// temp_file flag does) moves on, the oldest segments deleted. On a machine whose run queue is 20-30
// deep a live encoder is starved and stalls; this way the serving measurement measures serving.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export async function startHlsReplay({ dir, seconds = 12, listSize = 6, log = () => {} }) {
  const src = path.join(dir, 'source');
  const live = path.join(dir, 'live');
  fs.mkdirSync(src, { recursive: true });
  fs.mkdirSync(live, { recursive: true });
  const ffmpeg = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=640x360:rate=30,noise=alls=12:allf=t`,
      '-t',
      String(seconds),
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-b:v',
      '1000k',
      '-maxrate',
      '1000k',
      '-bufsize',
      '1000k',
      '-g',
      '30',
      '-keyint_min',
      '30',
      '-sc_threshold',
      '0',
      '-f',
      'hls',
      '-hls_time',
      '1',
      '-hls_list_size',
      '0',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      'init.mp4',
      '-hls_segment_filename',
      path.join(src, 'src-%03d.m4s'),
      path.join(src, 'all.m3u8'),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const code = await new Promise((r) => ffmpeg.once('exit', r));
  if (code !== 0) throw new Error(`FFmpeg could not encode the replay source (exit ${code})`);
  const sources = fs
    .readdirSync(src)
    .filter((f) => f.endsWith('.m4s'))
    .sort();
  const sizes = sources.map((f) => fs.statSync(path.join(src, f)).size);
  fs.copyFileSync(path.join(src, 'init.mp4'), path.join(live, 'init.mp4'));
  let next = 0;
  const listed = [];
  const advance = () => {
    const name = `seg-${String(next).padStart(6, '0')}.m4s`;
    fs.linkSync(path.join(src, sources[next % sources.length]), path.join(live, name));
    listed.push(name);
    next++;
    while (listed.length > listSize + 2) fs.rmSync(path.join(live, listed.shift()), { force: true });
    const window = listed.slice(-listSize);
    const text = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:1',
      `#EXT-X-MEDIA-SEQUENCE:${next - window.length}`,
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-MAP:URI="init.mp4"',
      ...window.flatMap((s) => ['#EXTINF:1.000000,', s]),
      '',
    ].join('\n');
    fs.writeFileSync(path.join(live, 'live.m3u8.tmp'), text);
    fs.renameSync(path.join(live, 'live.m3u8.tmp'), path.join(live, 'live.m3u8'));
  };
  for (let i = 0; i < listSize; i++) advance();
  const timer = setInterval(advance, 1000);
  log(
    `[hls-replay] ${sources.length} source segments, ${Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length / 1024)} KiB each on average`,
  );
  return {
    dir: live,
    segmentKbit: Math.round(((sizes.reduce((a, b) => a + b, 0) / sizes.length) * 8) / 1000),
    close: () => clearInterval(timer),
  };
}
