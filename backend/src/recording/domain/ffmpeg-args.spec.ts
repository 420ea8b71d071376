import { describe, expect, it } from 'vitest';
import {
  audioMixArgs,
  boardStillsList,
  chooseLayout,
  commandLine,
  compositeArgs,
  hlsCopyArgs,
  probeArgs,
} from './ffmpeg-args';

const GLOBAL = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats'];
const CONCAT = ['-f', 'concat', '-safe', '0'];
const X264 = (crf: string) => [
  '-c:v',
  'libx264',
  '-preset',
  'superfast',
  '-crf',
  crf,
  '-g',
  '30',
  '-keyint_min',
  '30',
  '-sc_threshold',
  '0',
  '-pix_fmt',
  'yuv420p',
];
const HLS = (dir: string) => [
  '-f',
  'hls',
  '-hls_time',
  '4',
  '-hls_playlist_type',
  'vod',
  '-hls_flags',
  'independent_segments',
  '-hls_segment_filename',
  `${dir}/seg-%05d.ts`,
];

describe('FFmpeg commands (exact)', () => {
  it('mixes audio runs at their offsets, without normalisation, padded to the class length', () => {
    const spec = audioMixArgs(
      [
        { list: '/w/a.ffconcat', offset: 0, duration: 20 },
        { list: '/w/b.ffconcat', offset: 3.25, duration: 9 },
      ],
      20,
      '/w/audio.m4a',
    );
    expect(spec).toEqual({
      inputs: [
        { options: [...GLOBAL, ...CONCAT], source: '/w/a.ffconcat' },
        { options: CONCAT, source: '/w/b.ffconcat' },
      ],
      filterGraph:
        '[0:a]asetpts=PTS-STARTPTS,aresample=48000:async=1,aformat=channel_layouts=stereo,adelay=delays=0:all=1[a0];' +
        '[1:a]asetpts=PTS-STARTPTS,aresample=48000:async=1,aformat=channel_layouts=stereo,adelay=delays=3250:all=1[a1];' +
        '[a0][a1]amix=inputs=2:duration=longest:dropout_transition=0:normalize=0,apad[aout]',
      outputs: [
        {
          options: ['-map', '[aout]', '-t', '20', '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2'],
          target: '/w/audio.m4a',
        },
      ],
    });
    // What fluent-ffmpeg runs: inputs (the global options with the first), -y, the graph, the output.
    expect(commandLine(spec)).toEqual([
      ...GLOBAL,
      ...CONCAT,
      '-i',
      '/w/a.ffconcat',
      ...CONCAT,
      '-i',
      '/w/b.ffconcat',
      '-y',
      '-filter_complex',
      spec.filterGraph,
      '-map',
      '[aout]',
      '-t',
      '20',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-ar',
      '48000',
      '-ac',
      '2',
      '/w/audio.m4a',
    ]);
  });

  it('makes silence of the class length when nothing was heard', () => {
    expect(commandLine(audioMixArgs([], 12.5, '/w/audio.m4a'))).toEqual([
      ...GLOBAL,
      '-f',
      'lavfi',
      '-i',
      'anullsrc=r=48000:cl=stereo',
      '-y',
      '-filter_complex',
      '[0:a]apad[aout]',
      '-map',
      '[aout]',
      '-t',
      '12.5',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-ar',
      '48000',
      '-ac',
      '2',
      '/w/audio.m4a',
    ]);
  });

  it('lists the board as stills, each until the next, the last until the end and named twice', () => {
    expect(
      boardStillsList(
        [
          { file: '/w/board/still-00000.png', at: 0 },
          { file: '/w/board/still-00001.png', at: 4.2 },
          { file: "/w/bo'ard/still-00002.png", at: 9 },
        ],
        20,
      ),
    ).toBe(
      [
        'ffconcat version 1.0',
        "file '/w/board/still-00000.png'",
        'duration 4.2',
        "file '/w/board/still-00001.png'",
        'duration 4.8',
        "file '/w/bo'\\''ard/still-00002.png'",
        'duration 11',
        "file '/w/bo'\\''ard/still-00002.png'",
        '',
      ].join('\n'),
    );
    expect(() => boardStillsList([], 10)).toThrow(/at least one still/);
  });

  it('lays the screen over the board and the camera at the top right, and makes both renditions in one run (stage)', () => {
    const spec = compositeArgs({
      layout: 'stage',
      duration: 20,
      board: '/w/board/stills.ffconcat',
      camera: [{ list: '/w/c1.ffconcat', offset: 0, duration: 8 }],
      screen: [{ list: '/w/s1.ffconcat', offset: 5, duration: 7 }],
      audio: '/w/audio.m4a',
      chapters: '/w/chapters.txt',
      output: '/w/out.mp4',
      lowDir: '/w/hls/360p',
    });
    expect(commandLine(spec)).toEqual([
      ...GLOBAL,
      ...CONCAT,
      '-i',
      '/w/board/stills.ffconcat',
      ...CONCAT,
      '-i',
      '/w/s1.ffconcat',
      ...CONCAT,
      '-i',
      '/w/c1.ffconcat',
      '-i',
      '/w/audio.m4a',
      '-f',
      'ffmetadata',
      '-i',
      '/w/chapters.txt',
      '-y',
      '-filter_complex',
      '[0:v]fps=15,format=yuv420p,pad=1280:720:0:60:color=0x202124,setsar=1[base];' +
        '[1:v]setpts=PTS-STARTPTS+5/TB,scale=960:720:force_original_aspect_ratio=decrease,pad=960:720:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1[s0];' +
        "[base][s0]overlay=x=0:y=0:eof_action=pass:repeatlast=0:enable='between(t,5,12)'[so0];" +
        '[2:v]setpts=PTS-STARTPTS+0/TB,scale=320:240:force_original_aspect_ratio=decrease,pad=320:240:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1[c0];' +
        "[so0][c0]overlay=x=960:y=0:eof_action=pass:repeatlast=0:enable='between(t,0,8)'[co0];" +
        '[co0]format=yuv420p,split=2[v720p][v360pin];' +
        '[v360pin]scale=640:360[v360p]',
      '-map',
      '[v720p]',
      '-map',
      '3:a',
      '-map_metadata',
      '4',
      '-map_chapters',
      '4',
      '-t',
      '20',
      '-r',
      '15',
      ...X264('23'),
      '-c:a',
      'copy',
      '-movflags',
      '+faststart',
      '/w/out.mp4',
      '-map',
      '[v360p]',
      '-map',
      '3:a',
      '-map_chapters',
      '-1',
      '-t',
      '20',
      '-r',
      '15',
      ...X264('26'),
      '-c:a',
      'copy',
      ...HLS('/w/hls/360p'),
      '/w/hls/360p/index.m3u8',
    ]);
  });

  it('shows the teacher alone, full frame, when there is no board and no screen (camera)', () => {
    expect(chooseLayout(false, false)).toBe('camera');
    expect(chooseLayout(true, false)).toBe('stage');
    expect(chooseLayout(false, true)).toBe('stage');
    const spec = compositeArgs({
      layout: 'camera',
      duration: 10,
      board: null,
      camera: [{ list: '/w/c1.ffconcat', offset: 1.5, duration: 8.5 }],
      screen: [],
      audio: '/w/audio.m4a',
      chapters: '/w/chapters.txt',
      output: '/w/out.mp4',
      lowDir: '/w/hls/360p',
    });
    expect(spec.inputs).toEqual([
      { options: [...GLOBAL, '-f', 'lavfi'], source: 'color=c=0x202124:s=1280x720:r=15' },
      { options: CONCAT, source: '/w/c1.ffconcat' },
      { options: [], source: '/w/audio.m4a' },
      { options: ['-f', 'ffmetadata'], source: '/w/chapters.txt' },
    ]);
    expect(spec.filterGraph).toBe(
      '[0:v]format=yuv420p,setsar=1[base];' +
        '[1:v]setpts=PTS-STARTPTS+1.5/TB,scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1[c0];' +
        "[base][c0]overlay=x=0:y=0:eof_action=pass:repeatlast=0:enable='between(t,1.5,10)'[co0];" +
        '[co0]format=yuv420p,split=2[v720p][v360pin];' +
        '[v360pin]scale=640:360[v360p]',
    );
    expect(spec.outputs.map((o) => o.target)).toEqual(['/w/out.mp4', '/w/hls/360p/index.m3u8']);
    expect(spec.outputs[0].options.slice(0, 8)).toEqual([
      '-map',
      '[v720p]',
      '-map',
      '2:a',
      '-map_metadata',
      '3',
      '-map_chapters',
      '3',
    ]);
  });

  it('refuses a stage layout without the board stills', () => {
    expect(() =>
      compositeArgs({
        layout: 'stage',
        duration: 1,
        board: null,
        camera: [],
        screen: [],
        audio: 'a',
        chapters: 'c',
        output: 'o',
        lowDir: 'l',
      }),
    ).toThrow(/board stills/);
  });

  it('copies the MP4 into the 720p HLS rendition without re-encoding', () => {
    expect(commandLine(hlsCopyArgs('/w/recording.mp4', '/w/hls/720p'))).toEqual([
      ...GLOBAL,
      '-i',
      '/w/recording.mp4',
      '-y',
      '-map',
      '0:v:0',
      '-map',
      '0:a:0',
      '-c',
      'copy',
      ...HLS('/w/hls/720p'),
      '/w/hls/720p/index.m3u8',
    ]);
  });

  it('probes duration, streams and chapters as JSON', () => {
    expect(probeArgs('/w/x.mp4')).toEqual([
      '-v',
      'error',
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      '-show_chapters',
      '/w/x.mp4',
    ]);
  });
});
