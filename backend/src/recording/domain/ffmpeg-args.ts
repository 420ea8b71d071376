/**
 * Every FFmpeg command of the after-class job, as plain data (asserted exactly in ffmpeg-args.spec.ts).
 * The compositor hands them to fluent-ffmpeg as they are (inputs with their options, the filter graph,
 * outputs with their options) and `commandLine` is the argument list fluent-ffmpeg runs from them; what
 * FFmpeg is asked to do is decided here.
 *
 * The picture is 1280×720 at 15 fps (a lecture: a board, slides, a talking head; 25 fps bought nothing
 * but encoding time). Layout `stage` (a class with board activity or a screen share): the board on the
 * left (960×600, centred in 960×720, drawn 1:1 so its text stays sharp), covered by the screen share while
 * one runs, and the teacher's camera small at the top right (320×240). Layout `camera` (nothing but the
 * camera): the teacher alone, full frame. Everything sits on the recording's clock: a run starts at its
 * offset; the time between runs is silence and no picture.
 *
 * Speed (class end to ready well under half the class's length): one decode and one filter graph make
 * both renditions (the MP4's 720p, which HLS then copies, and the 360p written as HLS directly); the board
 * is a still image per change, which FFmpeg repeats itself; x264 `superfast`.
 */

export const OUTPUT = { width: 1280, height: 720, fps: 15, gop: 30 } as const;
/** The board as rendered into video: the page's 1600×1000 scaled to 960×600, sampled 5 times a second. */
export const BOARD = { width: 960, height: 600, fps: 5, x: 0, y: 60 } as const;
export const CAMERA_TILE = { width: 320, height: 240, x: 960, y: 0 } as const;
/** x264 for lecture content: `superfast` is about twice `veryfast`'s speed for a few percent more bytes. */
export const X264 = { preset: 'superfast', crf: 23 } as const;
/** The renditions played back through HLS: the MP4's own 720p (copied) and a 360p encoded beside it. */
export const RENDITIONS = [
  { name: '720p', width: OUTPUT.width, height: 720 },
  { name: '360p', width: 640, height: 360, crf: 26 },
] as const;
export const HLS_SEGMENT_SECONDS = 4;
const BACKGROUND = '0x202124';
/** Every command reports progress on stdout as key=value lines (parsed by ffmpeg-progress.ts); errors only on stderr. */
const GLOBAL = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats'];

export type Layout = 'stage' | 'camera';

/** One FFmpeg run as fluent-ffmpeg is given it. */
export interface FfmpegInput {
  options: string[];
  source: string;
}
export interface FfmpegOutput {
  options: string[];
  target: string;
}
export interface FfmpegCommandSpec {
  /** The first input's options start with the global ones (FFmpeg takes a global option anywhere). */
  inputs: FfmpegInput[];
  filterGraph: string | null;
  outputs: FfmpegOutput[];
}

/** The argument list fluent-ffmpeg builds from a spec (inputs, `-y` for file outputs, the graph, outputs). */
export function commandLine(c: FfmpegCommandSpec): string[] {
  return [
    ...c.inputs.flatMap((i) => [...i.options, '-i', i.source]),
    '-y',
    ...(c.filterGraph ? ['-filter_complex', c.filterGraph] : []),
    ...c.outputs.flatMap((o) => [...o.options, o.target]),
  ];
}

/** A run as FFmpeg reads it: a concat list of its segments, placed at `offset` seconds. */
export interface RunInput {
  list: string;
  offset: number;
  /** Seconds of media in the run (its segment list's last end). */
  duration: number;
}

const concatInput = (list: string): FfmpegInput => ({ options: ['-f', 'concat', '-safe', '0'], source: list });
const withGlobal = (inputs: FfmpegInput[]): FfmpegInput[] =>
  inputs.map((i, n) => (n === 0 ? { ...i, options: [...GLOBAL, ...i.options] } : i));
const ms = (seconds: number) => Math.round(seconds * 1000);
const secs = (seconds: number) => String(Math.round(seconds * 1000) / 1000);
const quote = (p: string) => `'${p.replace(/'/g, "'\\''")}'`;

/** The stage layout when there is a board or a screen share to show, else the camera alone. */
export function chooseLayout(hasBoardActivity: boolean, hasScreen: boolean): Layout {
  return hasBoardActivity || hasScreen ? 'stage' : 'camera';
}

/**
 * Step 1, the sound: every audio run delayed to its offset (timestamps within a run kept, holes filled
 * with silence by aresample), mixed without level normalisation (one speaker at a time should not get
 * quieter because 30 microphones were captured), padded with silence to the class's length, AAC.
 */
export function audioMixArgs(runs: RunInput[], duration: number, output: string): FfmpegCommandSpec {
  const inputs = runs.length
    ? runs.map((r) => concatInput(r.list))
    : [{ options: ['-f', 'lavfi'], source: 'anullsrc=r=48000:cl=stereo' }];
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
  return {
    inputs: withGlobal(inputs),
    filterGraph: [...chains, mix].join(';'),
    outputs: [
      {
        options: ['-map', '[aout]', '-t', secs(duration), '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2'],
        target: output,
      },
    ],
  };
}

/** A picture of the board, shown from `at` (seconds) until the next one. */
export interface BoardStill {
  file: string;
  at: number;
}

/**
 * Step 2, the board: a still image per change of what the board shows, as the concat demuxer's list
 * (each image lasts until the next; the last until the class's end, and named twice, as the demuxer
 * wants, so its duration is kept). FFmpeg repeats each still to the video's rate: nothing is painted twice.
 */
export function boardStillsList(stills: BoardStill[], duration: number): string {
  if (!stills.length) throw new Error('the board needs at least one still');
  const lines = ['ffconcat version 1.0'];
  stills.forEach((s, i) => {
    const until = i + 1 < stills.length ? stills[i + 1].at : Math.max(duration, s.at + 0.001);
    lines.push(`file ${quote(s.file)}`, `duration ${secs(Math.max(0.001, until - s.at))}`);
  });
  lines.push(`file ${quote(stills[stills.length - 1].file)}`, '');
  return lines.join('\n');
}

export interface CompositeInputs {
  layout: Layout;
  duration: number;
  /** The board's stills list (stage layout only). */
  board: string | null;
  camera: RunInput[];
  screen: RunInput[];
  /** The mixed sound (step 1). */
  audio: string;
  /** The chapters as an FFmetadata file. */
  chapters: string;
  /** The MP4 (720p). */
  output: string;
  /** The folder of the 360p HLS rendition (`index.m3u8`, `seg-00000.ts`…). */
  lowDir: string;
}

/** Fit a picture inside w×h, keeping its shape, on black. */
const fit = (w: number, h: number) =>
  `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1`;

/** x264 at a fixed GOP of 2 s (HLS segments then cut on keyframes, the 720p copied without re-encoding). */
const x264 = (crf: number) => [
  '-c:v',
  'libx264',
  '-preset',
  X264.preset,
  '-crf',
  String(crf),
  '-g',
  String(OUTPUT.gop),
  '-keyint_min',
  String(OUTPUT.gop),
  '-sc_threshold',
  '0',
  '-pix_fmt',
  'yuv420p',
];

/** An HLS VOD rendition written into `dir` (4 s MPEG-TS segments). */
const hlsOutput = (dir: string) => [
  '-f',
  'hls',
  '-hls_time',
  String(HLS_SEGMENT_SECONDS),
  '-hls_playlist_type',
  'vod',
  '-hls_flags',
  'independent_segments',
  '-hls_segment_filename',
  `${dir}/seg-%05d.ts`,
];

/**
 * Step 3, the video, in one FFmpeg run: the base (the board's stills or a background) with each screen run
 * and each camera run overlaid from its offset until it ends, split in two: the MP4 (720p, the mixed sound
 * copied, the chapters from the FFmetadata input) and the 360p HLS rendition.
 */
export function compositeArgs(c: CompositeInputs): FfmpegCommandSpec {
  const inputs: FfmpegInput[] = [];
  const add = (i: FfmpegInput) => inputs.push(i) - 1;
  let base: number;
  if (c.layout === 'stage') {
    if (!c.board) throw new Error('the stage layout needs the board stills');
    base = add(concatInput(c.board));
  } else {
    base = add({
      options: ['-f', 'lavfi'],
      source: `color=c=${BACKGROUND}:s=${OUTPUT.width}x${OUTPUT.height}:r=${OUTPUT.fps}`,
    });
  }
  const screens = c.screen.map((r) => ({ ...r, index: add(concatInput(r.list)) }));
  const cameras = c.camera.map((r) => ({ ...r, index: add(concatInput(r.list)) }));
  const audio = add({ options: [], source: c.audio });
  const chapters = add({ options: ['-f', 'ffmetadata'], source: c.chapters });

  const graph: string[] = [];
  graph.push(
    c.layout === 'stage'
      ? `[${base}:v]fps=${OUTPUT.fps},format=yuv420p,pad=${OUTPUT.width}:${OUTPUT.height}:${BOARD.x}:${BOARD.y}:color=${BACKGROUND},setsar=1[base]`
      : `[${base}:v]format=yuv420p,setsar=1[base]`,
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
  const [hi, lo] = RENDITIONS;
  graph.push(`[${last}]format=yuv420p,split=2[v${hi.name}][v${lo.name}in]`);
  graph.push(`[v${lo.name}in]scale=${lo.width}:${lo.height}[v${lo.name}]`);
  const common = ['-t', secs(c.duration), '-r', String(OUTPUT.fps)];

  return {
    inputs: withGlobal(inputs),
    filterGraph: graph.join(';'),
    outputs: [
      {
        options: [
          '-map',
          `[v${hi.name}]`,
          '-map',
          `${audio}:a`,
          '-map_metadata',
          String(chapters),
          '-map_chapters',
          String(chapters),
          ...common,
          ...x264(X264.crf),
          '-c:a',
          'copy',
          '-movflags',
          '+faststart',
        ],
        target: c.output,
      },
      {
        options: [
          '-map',
          `[v${lo.name}]`,
          '-map',
          `${audio}:a`,
          '-map_chapters',
          '-1',
          ...common,
          ...x264(lo.crf),
          '-c:a',
          'copy',
          ...hlsOutput(c.lowDir),
        ],
        target: `${c.lowDir}/index.m3u8`,
      },
    ],
  };
}

/** Step 4, the 720p HLS rendition: the MP4's streams copied into segments (no decoding, seconds of work). */
export function hlsCopyArgs(mp4: string, dir: string): FfmpegCommandSpec {
  return {
    inputs: withGlobal([{ options: [], source: mp4 }]),
    filterGraph: null,
    outputs: [
      { options: ['-map', '0:v:0', '-map', '0:a:0', '-c', 'copy', ...hlsOutput(dir)], target: `${dir}/index.m3u8` },
    ],
  };
}

/** ffprobe of a finished MP4: its duration, streams and chapters as JSON. */
export function probeArgs(file: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-show_chapters', file];
}
