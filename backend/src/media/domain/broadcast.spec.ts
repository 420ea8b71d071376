import { describe, expect, it } from 'vitest';
import { broadcastArgs } from './broadcast-args';
import { chooseScene, StageProducer } from './broadcast-scene';
import { livePlaylist, parseRunPlaylist } from './live-playlist';

const p = (id: string, userId: string, canTeach: boolean, source: StageProducer['source'], paused = false) => ({
  id,
  userId,
  canTeach,
  source,
  paused,
});

describe('broadcast scene', () => {
  const teacherMic = p('tm', 'ada', true, 'mic');
  const teacherCam = p('tc', 'ada', true, 'camera');
  const studentMic = p('sm', 'grace', false, 'mic');
  const studentCam = p('sc', 'grace', false, 'camera');

  it("plays the instructor's voice and camera, or the active speaker's", () => {
    expect(chooseScene([teacherMic, teacherCam, studentMic, studentCam], null)).toEqual({ audio: 'tm', video: 'tc' });
    expect(chooseScene([teacherMic, teacherCam, studentMic, studentCam], 'grace')).toEqual({
      audio: 'sm',
      video: 'sc',
    });
  });

  it('shows a screen share over any camera, and leaves out paused producers', () => {
    const screen = p('ss', 'grace', false, 'screen');
    expect(chooseScene([teacherMic, teacherCam, screen], null)).toEqual({ audio: 'tm', video: 'ss' });
    expect(chooseScene([p('tm', 'ada', true, 'mic', true), teacherCam], null)).toEqual({ audio: null, video: 'tc' });
    expect(chooseScene([], null)).toEqual({ audio: null, video: null });
  });

  it('keeps the voice on air through a mute (a paused mic of the current scene), so a mute/unmute is no new run', () => {
    const onAir = { audio: 'tm', video: 'tc' };
    const mutedTeacher = p('tm', 'ada', true, 'mic', true);
    expect(chooseScene([mutedTeacher, teacherCam, studentMic], null, onAir)).toEqual(onAir);
    // The muted voice was the active speaker's: still it, and still its camera.
    const grace = { audio: 'sm', video: 'sc' };
    const mutedGrace = p('sm', 'grace', false, 'mic', true);
    expect(chooseScene([teacherMic, teacherCam, mutedGrace, studentCam], 'grace', grace)).toEqual(grace);
    // Someone else speaking still takes over; a muted mic that is not on air is still left out.
    expect(chooseScene([mutedTeacher, teacherCam, studentMic, studentCam], 'grace', onAir)).toEqual(grace);
    expect(chooseScene([teacherMic, teacherCam, mutedGrace, studentCam], 'grace', onAir)).toEqual(onAir);
    // A paused camera on air is not kept (no video packets: FFmpeg would cut no segments).
    expect(chooseScene([teacherMic, p('tc', 'ada', true, 'camera', true)], null, onAir)).toEqual({
      audio: 'tm',
      video: null,
    });
  });
});

describe('broadcast FFmpeg arguments', () => {
  const base = { sdpPath: '/h/c/r1/scene.sdp', folder: '/h/c/r1/', segmentSeconds: 1 };
  it('encodes the scene once as H.264 + AAC in one-second fMP4 HLS segments, a key frame at each', () => {
    const a = broadcastArgs({ ...base, hasAudio: true, hasVideo: true });
    expect(a.input).toBe('/h/c/r1/scene.sdp');
    expect(a.moreInputs).toEqual([]);
    expect(a.output).toBe('/h/c/r1/run.m3u8');
    const o = a.outputOptions.join(' ');
    expect(o).toContain('-map 0:v:0 -map 0:a:0');
    expect(o).toContain('-c:v libx264 -preset veryfast -tune zerolatency');
    expect(o).toContain('-g 15 -keyint_min 15');
    expect(o).toContain('-force_key_frames expr:gte(t,n_forced*1)');
    expect(o).toContain('-c:a aac');
    expect(o).toContain('-f hls -hls_time 1');
    expect(o).toContain(
      '-hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4 -hls_segment_filename /h/c/r1/seg-%05d.m4s',
    );
  });
  it('fills a missing picture or voice with a generated one', () => {
    const silent = broadcastArgs({ ...base, hasAudio: false, hasVideo: true });
    expect(silent.moreInputs).toEqual([{ input: 'anullsrc=r=48000:cl=mono', options: ['-re', '-f', 'lavfi'] }]);
    expect(silent.outputOptions.join(' ')).toContain('-map 0:v:0 -map 1:a:0');
    const none = broadcastArgs({ ...base, hasAudio: false, hasVideo: false });
    expect(none.moreInputs?.map((m) => m.input.split('=')[0])).toEqual(['color', 'anullsrc']);
    expect(none.outputOptions.join(' ')).toContain('-map 1:v:0 -map 2:a:0');
  });
});

describe('live playlist', () => {
  it("reads a run's segments from FFmpeg's playlist, ignoring anything that is not a segment name", () => {
    const text =
      '#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:1.000000,\nseg-00001.m4s\n#EXTINF:0.966,\nseg-00002.m4s\n#EXTINF:1,\n../../etc/passwd\n';
    expect(parseRunPlaylist(text)).toEqual([
      { name: 'seg-00001.m4s', duration: 1 },
      { name: 'seg-00002.m4s', duration: 0.966 },
    ]);
  });

  it('keeps the last segments with ever-growing sequence numbers, a discontinuity and a new init where a run begins', () => {
    const all = [
      ...[1, 2, 3, 4].map((n) => ({ run: 1, name: `seg-0000${n}.m4s`, duration: 1 })),
      ...[0, 1, 2].map((n) => ({ run: 2, name: `seg-0000${n}.m4s`, duration: 1 })),
    ];
    expect(livePlaylist(all, 4, 1)).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-TARGETDURATION:1',
        '#EXT-X-MEDIA-SEQUENCE:3',
        '#EXT-X-DISCONTINUITY-SEQUENCE:0',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-MAP:URI="r1/init.mp4"',
        '#EXTINF:1.000,',
        'r1/seg-00004.m4s',
        '#EXT-X-DISCONTINUITY',
        '#EXT-X-MAP:URI="r2/init.mp4"',
        '#EXTINF:1.000,',
        'r2/seg-00000.m4s',
        '#EXTINF:1.000,',
        'r2/seg-00001.m4s',
        '#EXTINF:1.000,',
        'r2/seg-00002.m4s',
        '',
      ].join('\n'),
    );
    // Once the first run has slid out, the discontinuity is counted in the sequence instead.
    const later = livePlaylist(all, 2, 1);
    expect(later).toContain('#EXT-X-MEDIA-SEQUENCE:5\n#EXT-X-DISCONTINUITY-SEQUENCE:1\n');
    expect(later).not.toContain('#EXT-X-DISCONTINUITY\n');
  });
});
