/**
 * Every FFmpeg command of the after-class job, as plain argument lists (asserted exactly in
 * ffmpeg-args.spec.ts). The processors only run them; what FFmpeg is asked to do is decided here.
 *
 * The picture is 1280×720 at 25 fps. Layout `stage` (a class with board activity or a screen share): the
 * board on the left (960×600, centred in 960×720), covered by the screen share while one runs, and the
 * teacher's camera small at the top right (320×240). Layout `camera` (nothing but the camera): the
 * teacher alone, full frame. Everything sits on the recording's clock: a run starts at its offset; the
 * time between runs is silence and no picture.
 */

export const OUTPUT = { width: 1280, height: 720, fps: 25, gop: 50 } as const;
/** The board as rendered into video: the page's 1600×1000 scaled to 960×600, 5 frames a second. */
export const BOARD = { width: 960, height: 600, fps: 5, x: 0, y: 60 } as const;
export const CAMERA_TILE = { width: 320, height: 240, x: 960, y: 0 } as const;
const BACKGROUND = '0x202124';
/** Every command reports progress on stdout as key=value lines (parsed by ffmpeg-progress.ts). */
const COMMON = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats'];

export type Layout = 'stage' | 'camera';

/** A run as FFmpeg reads it: a concat list of its segments, placed at `offset` seconds. */
export interface RunInput {
  list: string;
  offset: number;
  /** Seconds of media in the run (its segment list's last end). */
  duration: number;
}

const concatInput = (list: string) => ['-f', 'concat', '-safe', '0', '-i', list];
const ms = (seconds: number) => Math.round(seconds * 1000);
const secs = (seconds: number) => String(Math.round(seconds * 1000) / 1000);

/** The stage layout when there is a board or a screen share to show, else the camera alone. */
export function chooseLayout(hasBoardActivity: boolean, hasScreen: boolean): Layout {
  return hasBoardActivity || hasScreen ? 'stage' : 'camera';
}

/**
 * Step 1, the sound: every audio run delayed to its offset (timestamps within a run kept, holes filled
 * with silence by aresample), mixed without level normalisation (one speaker at a time should not get
 * quieter because 30 microphones were captured), padded with silence to the class's length, AAC.
 */
export function audioMixArgs(runs: RunInput[], duration: number, output: string): string[] {
  const inputs = runs.length
    ? runs.flatMap((r) => concatInput(r.list))
    : ['-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo'];
  const chains = runs.map(
    (r, i) =>
      `[${i}:a]asetpts=PTS-STARTPTS,aresample=48000:async=1,aformat=channel_layouts=stereo,adelay=delays=${ms(r.offset)}:all=1[a${i}]`,
  );
  const mix =
    runs.length > 1
      ? `${runs.map((_, i) => `[a${i}]`).join('')}amix=inputs=${runs.length}:duration=longest:dropout_transition=0:normalize=0,apad[aout]`
      : runs.length === 1
        ? '[a0]apad[aout]'
        : '[0:a]apad[aout]';
  return [
    ...COMMON,
    ...inputs,
    '-filter_complex',
    [...chains, mix].join(';'),
    '-map',
    '[aout]',
    '-t',
    secs(duration),
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-ar',
    '48000',
    '-ac',
    '2',
    output,
  ];
}

/** Step 2, the board: raw RGBA frames of BOARD's size piped on stdin, one every 1/BOARD.fps s. */
export function boardVideoArgs(duration: number, output: string): string[] {
  return [
    ...COMMON,
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgba',
    '-s',
    `${BOARD.width}x${BOARD.height}`,
    '-r',
    String(BOARD.fps),
    '-i',
    'pipe:0',
    '-t',
    secs(duration),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-tune',
    'stillimage',
    '-crf',
    '20',
    '-pix_fmt',
    'yuv420p',
    output,
  ];
}

export interface CompositeInputs {
  layout: Layout;
  duration: number;
  /** The board video (stage layout only). */
  board: string | null;
  camera: RunInput[];
  screen: RunInput[];
  /** The mixed sound (step 1). */
  audio: string;
  /** The chapters as an FFmetadata file. */
  chapters: string;
  output: string;
}

/** Fit a picture inside w×h, keeping its shape, on black. */
const fit = (w: number, h: number) =>
  `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1`;

/**
 * Step 3, the MP4: the base (board or background) with each screen run and each camera run overlaid
 * from its offset until it ends, the mixed sound copied, the chapters from the FFmetadata input.
 * Keyframes every 2 s exactly, so HLS segments cut cleanly without re-encoding the 720p rendition.
 */
export function compositeArgs(c: CompositeInputs): string[] {
  const inputs: string[] = [];
  let n = 0;
  const next = () => n++;
  if (c.layout === 'stage') {
    if (!c.board) throw new Error('the stage layout needs the board video');
    inputs.push('-i', c.board);
  } else {
    inputs.push('-f', 'lavfi', '-i', `color=c=${BACKGROUND}:s=${OUTPUT.width}x${OUTPUT.height}:r=${OUTPUT.fps}`);
  }
  const base = next();
  const screens = c.screen.map((r) => (inputs.push(...concatInput(r.list)), { ...r, index: next() }));
  const cameras = c.camera.map((r) => (inputs.push(...concatInput(r.list)), { ...r, index: next() }));
  inputs.push('-i', c.audio);
  const audio = next();
  inputs.push('-f', 'ffmetadata', '-i', c.chapters);
  const chapters = next();

  const graph: string[] = [];
  graph.push(
    c.layout === 'stage'
      ? `[${base}:v]fps=${OUTPUT.fps},pad=${OUTPUT.width}:${OUTPUT.height}:${BOARD.x}:${BOARD.y}:color=${BACKGROUND},setsar=1[base]`
      : `[${base}:v]setsar=1[base]`,
  );
  let last = 'base';
  const place = (runs: typeof screens, label: string, size: string, x: number, y: number) =>
    runs.forEach((r, i) => {
      graph.push(`[${r.index}:v]setpts=PTS-STARTPTS+${secs(r.offset)}/TB,${size}[${label}${i}]`);
      const out = `${label}o${i}`;
      // Shown between its first and last second only: overlay holds a run's last frame until its EOF, whose
      // timestamp FFmpeg 5.1 does not shift with setpts (a run would linger as long as its offset).
      const until = secs(r.offset + r.duration);
      graph.push(
        `[${last}][${label}${i}]overlay=x=${x}:y=${y}:eof_action=pass:repeatlast=0:enable='between(t,${secs(r.offset)},${until})'[${out}]`,
      );
      last = out;
    });
  if (c.layout === 'stage') {
    place(screens, 's', fit(BOARD.width, OUTPUT.height), 0, 0);
    place(cameras, 'c', fit(CAMERA_TILE.width, CAMERA_TILE.height), CAMERA_TILE.x, CAMERA_TILE.y);
  } else {
    place(cameras, 'c', fit(OUTPUT.width, OUTPUT.height), 0, 0);
  }
  graph.push(`[${last}]format=yuv420p[vout]`);

  return [
    ...COMMON,
    ...inputs,
    '-filter_complex',
    graph.join(';'),
    '-map',
    '[vout]',
    '-map',
    `${audio}:a`,
    '-map_metadata',
    String(chapters),
    '-map_chapters',
    String(chapters),
    '-t',
    secs(c.duration),
    '-r',
    String(OUTPUT.fps),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '23',
    '-g',
    String(OUTPUT.gop),
    '-keyint_min',
    String(OUTPUT.gop),
    '-sc_threshold',
    '0',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'copy',
    '-movflags',
    '+faststart',
    c.output,
  ];
}

/** The renditions played back through HLS: the MP4's own 720p (copied) and a 360p re-encoded. */
export const RENDITIONS = [
  { name: '720p', height: 720, bandwidth: 2_500_000 },
  { name: '360p', height: 360, bandwidth: 800_000 },
] as const;

/**
 * Step 4, HLS VOD: one run writes both renditions (`<dir>/<name>/index.m3u8`, 4 s MPEG-TS segments)
 * and the master playlist `<dir>/master.m3u8`. The 720p video and both audio streams are copied.
 */
export function hlsArgs(mp4: string, dir: string): string[] {
  const [hi, lo] = RENDITIONS;
  return [
    ...COMMON,
    '-i',
    mp4,
    '-map',
    '0:v:0',
    '-map',
    '0:a:0',
    '-map',
    '0:v:0',
    '-map',
    '0:a:0',
    '-c:v:0',
    'copy',
    '-c:v:1',
    'libx264',
    '-filter:v:1',
    `scale=-2:${lo.height}`,
    '-preset:v:1',
    'veryfast',
    '-crf:v:1',
    '26',
    '-g:v:1',
    String(OUTPUT.gop),
    '-keyint_min:v:1',
    String(OUTPUT.gop),
    '-sc_threshold:v:1',
    '0',
    '-b:v:0',
    String(hi.bandwidth),
    '-b:v:1',
    String(lo.bandwidth),
    '-c:a',
    'copy',
    '-f',
    'hls',
    '-hls_time',
    '4',
    '-hls_playlist_type',
    'vod',
    '-hls_flags',
    'independent_segments',
    '-hls_segment_filename',
    `${dir}/%v/seg-%05d.ts`,
    '-master_pl_name',
    'master.m3u8',
    '-var_stream_map',
    `v:0,a:0,name:${hi.name} v:1,a:1,name:${lo.name}`,
    `${dir}/%v/index.m3u8`,
  ];
}

/** ffprobe of a finished MP4: its duration, streams and chapters as JSON. */
export function probeArgs(file: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-show_chapters', file];
}
