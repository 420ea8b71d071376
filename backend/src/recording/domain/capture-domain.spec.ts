import { describe, expect, it } from 'vitest';
import { captureArgs, captureCommandLine } from './capture-args';
import { recordingSwitch, restartDelay, trackOf } from './capture-policy';
import { captureSdp } from './capture-sdp';
import { parseSegmentList, runEndedAt } from './segment-list';

describe('capture: FFmpeg arguments (codec copy into Matroska segments with a CSV list)', () => {
  it('builds the exact command line', () => {
    const args = captureArgs({ sdpPath: '/rec/s1/r1/in.sdp', folder: '/rec/s1/r1/', segmentSeconds: 2 });
    expect(captureCommandLine(args)).toEqual([
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-threads',
      '1',
      '-protocol_whitelist',
      'file,udp,rtp',
      '-localaddr',
      '127.0.0.1',
      '-reorder_queue_size',
      '64',
      '-analyzeduration',
      '2000000',
      '-i',
      '/rec/s1/r1/in.sdp',
      '-y',
      '-map',
      '0',
      '-c',
      'copy',
      '-threads',
      '1',
      '-f',
      'segment',
      '-segment_time',
      '2',
      '-segment_format',
      'matroska',
      '-segment_list',
      '/rec/s1/r1/list.csv',
      '-segment_list_type',
      'csv',
      '/rec/s1/r1/seg-%05d.mkv',
    ]);
  });

  it('never transcodes: the only codec option is copy', () => {
    const { outputOptions } = captureArgs({ sdpPath: '/a.sdp', folder: '/f', segmentSeconds: 4, listenIp: '10.0.0.1' });
    const codecFlags = outputOptions.filter((a) => /^-(c|codec|vcodec|acodec|c:[av])$/.test(a));
    expect(codecFlags).toEqual(['-c']);
    expect(outputOptions[outputOptions.indexOf('-c') + 1]).toBe('copy');
    expect(outputOptions[outputOptions.indexOf('-segment_time') + 1]).toBe('4');
  });
});

describe('capture: SDP for FFmpeg', () => {
  it('describes an Opus stream on the given port', () => {
    expect(
      captureSdp({ kind: 'audio', mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }, 40000),
    ).toBe(
      [
        'v=0',
        'o=- 0 0 IN IP4 127.0.0.1',
        's=lectern-capture',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        'm=audio 40000 RTP/AVP 100',
        'a=rtpmap:100 opus/48000/2',
        'a=recvonly',
        '',
      ].join('\n'),
    );
  });

  it('describes H.264 with its fmtp, and VP8 without one', () => {
    const h264 = captureSdp(
      {
        kind: 'video',
        mimeType: 'video/H264',
        payloadType: 102,
        clockRate: 90000,
        parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
      },
      41000,
    );
    expect(h264.split('\n').slice(5)).toEqual([
      'm=video 41000 RTP/AVP 102',
      'a=rtpmap:102 H264/90000',
      'a=fmtp:102 packetization-mode=1;profile-level-id=42e01f',
      'a=recvonly',
      '',
    ]);
    const vp8 = captureSdp({ kind: 'video', mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }, 41002);
    expect(vp8).toContain('a=rtpmap:101 VP8/90000\n');
    expect(vp8).not.toContain('a=fmtp');
  });
});

describe('capture: segment list and run end', () => {
  it('reads finished segments and leaves out a torn last line and foreign paths', () => {
    const text =
      'seg-00000.mkv,0.000000,2.020000\nseg-00001.mkv,2.020000,4.040000\n../x.mkv,4,6\n.hidden,1,2\nseg-00002.mkv,4.04';
    expect(parseSegmentList(text)).toEqual([
      { file: 'seg-00000.mkv', start: 0, end: 2.02 },
      { file: 'seg-00001.mkv', start: 2.02, end: 4.04 },
    ]);
  });

  it('ends a run at its first packet plus its last segment end', () => {
    const start = new Date('2026-12-04T08:00:00.000Z');
    expect(runEndedAt(start, parseSegmentList('seg-00000.mkv,0.0,2.5\nseg-00001.mkv,2.5,4.25\n')).toISOString()).toBe(
      '2026-12-04T08:00:04.250Z',
    );
    expect(runEndedAt(start, []).toISOString()).toBe(start.toISOString());
  });
});

describe('capture: what is recorded and how it keeps going', () => {
  it("records the instructors' camera, every screen and every voice; not students' cameras", () => {
    expect(trackOf('camera', true)).toBe('video');
    expect(trackOf('camera', false)).toBeNull();
    expect(trackOf('screen', false)).toBe('screen');
    expect(trackOf('screen', true)).toBe('screen');
    expect(trackOf('mic', false)).toBe('audio');
    expect(trackOf('screen-audio', true)).toBe('audio');
  });

  it("the platform's off is final; a classroom may turn it off; null follows the platform", () => {
    expect(recordingSwitch(true, null)).toEqual({ enabled: true, off: null });
    expect(recordingSwitch(true, true)).toEqual({ enabled: true, off: null });
    expect(recordingSwitch(true, false)).toEqual({ enabled: false, off: 'classroom' });
    expect(recordingSwitch(false, null)).toEqual({ enabled: false, off: 'platform' });
    expect(recordingSwitch(false, true)).toEqual({ enabled: false, off: 'platform' });
  });

  it('backs off on crashes in a row, capped, and starts over after a healthy run', () => {
    const p = { baseMs: 250, maxMs: 2000, healthyMs: 30_000 };
    expect(restartDelay([], p)).toBe(250);
    expect(restartDelay([100], p)).toBe(250);
    expect(restartDelay([100, 100], p)).toBe(500);
    expect(restartDelay([100, 100, 100], p)).toBe(1000);
    expect(restartDelay([100, 100, 100, 100, 100, 100], p)).toBe(2000);
    expect(restartDelay([100, 100, 60_000], p)).toBe(250);
    expect(restartDelay([60_000, 100, 100], p)).toBe(500);
  });
});
