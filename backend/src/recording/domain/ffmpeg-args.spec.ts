import { describe, expect, it } from 'vitest';
import { audioMixArgs, boardVideoArgs, chooseLayout, compositeArgs, hlsArgs, probeArgs } from './ffmpeg-args';

const COMMON = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats'];

describe('FFmpeg argument lists (exact)', () => {
  it('mixes audio runs at their offsets, without normalisation, padded to the class length', () => {
    expect(
      audioMixArgs(
        [
          { list: '/w/a.ffconcat', offset: 0, duration: 20 },
          { list: '/w/b.ffconcat', offset: 3.25, duration: 9 },
        ],
        20,
        '/w/audio.m4a',
      ),
    ).toEqual([
      ...COMMON,
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      '/w/a.ffconcat',
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      '/w/b.ffconcat',
      '-filter_complex',
      '[0:a]asetpts=PTS-STARTPTS,aresample=48000:async=1,aformat=channel_layouts=stereo,adelay=delays=0:all=1[a0];' +
        '[1:a]asetpts=PTS-STARTPTS,aresample=48000:async=1,aformat=channel_layouts=stereo,adelay=delays=3250:all=1[a1];' +
        '[a0][a1]amix=inputs=2:duration=longest:dropout_transition=0:normalize=0,apad[aout]',
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
    expect(audioMixArgs([], 12.5, '/w/audio.m4a')).toEqual([
      ...COMMON,
      '-f',
      'lavfi',
      '-i',
      'anullsrc=r=48000:cl=stereo',
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

  it('encodes the board from raw frames on stdin', () => {
    expect(boardVideoArgs(600, '/w/board.mp4')).toEqual([
      ...COMMON,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      '-s',
      '960x600',
      '-r',
      '5',
      '-i',
      'pipe:0',
      '-t',
      '600',
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
      '/w/board.mp4',
    ]);
  });

  it('lays the screen over the board and the camera small at the top right (stage)', () => {
    expect(
      compositeArgs({
        layout: 'stage',
        duration: 20,
        board: '/w/board.mp4',
        camera: [{ list: '/w/c1.ffconcat', offset: 0, duration: 8 }],
        screen: [{ list: '/w/s1.ffconcat', offset: 5, duration: 7 }],
        audio: '/w/audio.m4a',
        chapters: '/w/chapters.txt',
        output: '/w/out.mp4',
      }),
    ).toEqual([
      ...COMMON,
      '-i',
      '/w/board.mp4',
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      '/w/s1.ffconcat',
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      '/w/c1.ffconcat',
      '-i',
      '/w/audio.m4a',
      '-f',
      'ffmetadata',
      '-i',
      '/w/chapters.txt',
      '-filter_complex',
      '[0:v]fps=25,pad=1280:720:0:60:color=0x202124,setsar=1[base];' +
        '[1:v]setpts=PTS-STARTPTS+5/TB,scale=960:720:force_original_aspect_ratio=decrease,pad=960:720:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1[s0];' +
        "[base][s0]overlay=x=0:y=0:eof_action=pass:repeatlast=0:enable='between(t,5,12)'[so0];" +
        '[2:v]setpts=PTS-STARTPTS+0/TB,scale=320:240:force_original_aspect_ratio=decrease,pad=320:240:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1[c0];' +
        "[so0][c0]overlay=x=960:y=0:eof_action=pass:repeatlast=0:enable='between(t,0,8)'[co0];" +
        '[co0]format=yuv420p[vout]',
      '-map',
      '[vout]',
      '-map',
      '3:a',
      '-map_metadata',
      '4',
      '-map_chapters',
      '4',
      '-t',
      '20',
      '-r',
      '25',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '23',
      '-g',
      '50',
      '-keyint_min',
      '50',
      '-sc_threshold',
      '0',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'copy',
      '-movflags',
      '+faststart',
      '/w/out.mp4',
    ]);
  });

  it('shows the teacher alone, full frame, when there is no board and no screen (camera)', () => {
    expect(chooseLayout(false, false)).toBe('camera');
    expect(chooseLayout(true, false)).toBe('stage');
    expect(chooseLayout(false, true)).toBe('stage');
    expect(
      compositeArgs({
        layout: 'camera',
        duration: 10,
        board: null,
        camera: [{ list: '/w/c1.ffconcat', offset: 1.5, duration: 8.5 }],
        screen: [],
        audio: '/w/audio.m4a',
        chapters: '/w/chapters.txt',
        output: '/w/out.mp4',
      }),
    ).toEqual([
      ...COMMON,
      '-f',
      'lavfi',
      '-i',
      'color=c=0x202124:s=1280x720:r=25',
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      '/w/c1.ffconcat',
      '-i',
      '/w/audio.m4a',
      '-f',
      'ffmetadata',
      '-i',
      '/w/chapters.txt',
      '-filter_complex',
      '[0:v]setsar=1[base];' +
        '[1:v]setpts=PTS-STARTPTS+1.5/TB,scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1[c0];' +
        "[base][c0]overlay=x=0:y=0:eof_action=pass:repeatlast=0:enable='between(t,1.5,10)'[co0];" +
        '[co0]format=yuv420p[vout]',
      '-map',
      '[vout]',
      '-map',
      '2:a',
      '-map_metadata',
      '3',
      '-map_chapters',
      '3',
      '-t',
      '10',
      '-r',
      '25',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '23',
      '-g',
      '50',
      '-keyint_min',
      '50',
      '-sc_threshold',
      '0',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'copy',
      '-movflags',
      '+faststart',
      '/w/out.mp4',
    ]);
  });

  it('refuses a stage layout without a board video', () => {
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
      }),
    ).toThrow(/board video/);
  });

  it('writes two HLS renditions, the 720p copied, with a master playlist', () => {
    expect(hlsArgs('/w/recording.mp4', '/w/hls')).toEqual([
      ...COMMON,
      '-i',
      '/w/recording.mp4',
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
      'scale=-2:360',
      '-preset:v:1',
      'veryfast',
      '-crf:v:1',
      '26',
      '-g:v:1',
      '50',
      '-keyint_min:v:1',
      '50',
      '-sc_threshold:v:1',
      '0',
      '-b:v:0',
      '2500000',
      '-b:v:1',
      '800000',
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
      '/w/hls/%v/seg-%05d.ts',
      '-master_pl_name',
      'master.m3u8',
      '-var_stream_map',
      'v:0,a:0,name:720p v:1,a:1,name:360p',
      '/w/hls/%v/index.m3u8',
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
