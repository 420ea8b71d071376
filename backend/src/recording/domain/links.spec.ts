import { describe, expect, it } from 'vitest';
import { overallPercent, retryDelayMs, stepsToRun } from './job-steps';
import { ProgressReader } from './ffmpeg-progress';
import { masterPlaylist, mediaSegments, peakBandwidth, rewritePlaylist } from './hls-playlist';
import { isSafeKey, signKey, verifyKey, viewerKey } from './signed-url';

describe('signed links', () => {
  const secret = 'x'.repeat(40);
  it('accepts its own signature until it expires, and nothing else', () => {
    const q = signKey(secret, 'recordings/a/master.m3u8', 1000);
    expect(verifyKey(secret, 'recordings/a/master.m3u8', q, 999)).toBe('ok');
    expect(verifyKey(secret, 'recordings/a/master.m3u8', q, 1001)).toBe('expired');
    expect(verifyKey(secret, 'recordings/b/master.m3u8', q, 999)).toBe('invalid');
    expect(verifyKey(secret, 'recordings/a/master.m3u8', { ...q, exp: '2000' }, 999)).toBe('invalid');
    expect(verifyKey('y'.repeat(40), 'recordings/a/master.m3u8', q, 999)).toBe('invalid');
    expect(verifyKey(secret, 'recordings/a/master.m3u8', {}, 999)).toBe('invalid');
  });
  it('binds a link to the viewer it was issued to', () => {
    const grace = viewerKey({ platformId: 'p', deploymentId: 'd', courseId: 'c1', userId: 'grace' });
    const alan = viewerKey({ platformId: 'p', deploymentId: 'd', courseId: 'c1', userId: 'alan' });
    const graceElsewhere = viewerKey({ platformId: 'p', deploymentId: 'd', courseId: 'c2', userId: 'grace' });
    const q = signKey(secret, 'recordings/a/master.m3u8', 1000, grace);
    expect(verifyKey(secret, 'recordings/a/master.m3u8', q, 999, grace)).toBe('ok');
    expect(verifyKey(secret, 'recordings/a/master.m3u8', q, 1001, grace)).toBe('expired');
    for (const other of [alan, graceElsewhere, ''])
      expect(verifyKey(secret, 'recordings/a/master.m3u8', q, 999, other)).toBe('invalid');
    // An unbound link does not pass for a viewer either.
    expect(
      verifyKey(secret, 'recordings/a/master.m3u8', signKey(secret, 'recordings/a/master.m3u8', 1000), 999, grace),
    ).toBe('invalid');
    // Ids are data: no separator in them makes two viewers one.
    expect(viewerKey({ platformId: 'p', deploymentId: 'd', courseId: 'c","1', userId: 'x' })).not.toBe(
      viewerKey({ platformId: 'p', deploymentId: 'd', courseId: 'c', userId: '1","x' }),
    );
  });
  it('knows a storage key from a path trick', () => {
    expect(isSafeKey('recordings/6b1f/hls/720p/seg-00001.ts')).toBe(true);
    for (const k of ['../x', 'recordings/../x', '/abs', 'a//b', 'a/b\\c', 'a b']) expect(isSafeKey(k)).toBe(false);
  });
});

describe('HLS playlists served with signed links', () => {
  it('replaces every URI by a signed link to the key it names, and drops absolute or escaping ones', () => {
    const sign = (k: string) => `https://t/files?key=${k}&sig=s`;
    const media =
      '#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:4.0,\nseg-00000.ts\n#EXTINF:4.0,\nhttp://evil/x.ts\n../../../x.ts\n#EXT-X-ENDLIST\n';
    expect(rewritePlaylist(media, 'recordings/r1/hls/720p/index.m3u8', 'recordings/r1/', sign)).toBe(
      '#EXTM3U\n#EXT-X-MAP:URI="https://t/files?key=recordings/r1/hls/720p/init.mp4&sig=s"\n#EXTINF:4.0,\n' +
        'https://t/files?key=recordings/r1/hls/720p/seg-00000.ts&sig=s\n#EXTINF:4.0,\n#\n#\n#EXT-X-ENDLIST\n',
    );
    expect(rewritePlaylist('#EXTM3U\n360p/index.m3u8\n', 'recordings/r1/hls/master.m3u8', 'recordings/r1/', sign)).toBe(
      '#EXTM3U\nhttps://t/files?key=recordings/r1/hls/360p/index.m3u8&sig=s\n',
    );
  });
});

describe('job steps and progress', () => {
  it('runs only the steps not done, in order', () => {
    expect(stepsToRun([])).toEqual(['audio', 'board', 'composite', 'renditions', 'upload']);
    expect(stepsToRun(['board', 'audio', 'composite'])).toEqual(['renditions', 'upload']);
  });
  it('weighs the steps into one percent', () => {
    expect(overallPercent([], null, 0)).toBe(0);
    expect(overallPercent(['audio', 'board'], 'composite', 0.5)).toBe(47);
    expect(overallPercent(['audio', 'board', 'composite', 'renditions', 'upload'], null, 0)).toBe(100);
  });
  it('backs off 4x per try, capped at an hour', () => {
    expect([1, 2, 3, 9].map((a) => retryDelayMs(a, 30_000))).toEqual([30_000, 120_000, 480_000, 3_600_000]);
  });
  it("reads FFmpeg's -progress blocks, split anywhere", () => {
    const seen: Array<[number, boolean]> = [];
    const r = new ProgressReader((s, end) => seen.push([s, end]));
    r.push('frame=10\nout_time_us=1500');
    r.push('000\nprogress=continue\nout_time_ms=3000000\nprogress=end\n');
    expect(seen).toEqual([
      [1.5, false],
      [3, true],
    ]);
  });
});

describe('HLS master playlist', () => {
  it('reads a media playlist, measures peak bandwidth, names renditions best first', () => {
    const media =
      '#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.000000,\nseg-00000.ts\n#EXTINF:2.5,\nseg-00001.ts\n#EXT-X-ENDLIST\n';
    const segs = mediaSegments(media);
    expect(segs).toEqual([
      { uri: 'seg-00000.ts', seconds: 4 },
      { uri: 'seg-00001.ts', seconds: 2.5 },
    ]);
    expect(
      peakBandwidth([
        { seconds: 4, bytes: 500_000 },
        { seconds: 2.5, bytes: 400_000 },
      ]),
    ).toBe(1_280_000);
    expect(peakBandwidth([])).toBe(1);
    expect(
      masterPlaylist([
        { name: '360p', width: 640, height: 360, bandwidth: 300_000 },
        { name: '720p', width: 1280, height: 720, bandwidth: 900_000 },
      ]),
    ).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=1280x720',
        '720p/index.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=640x360',
        '360p/index.m3u8',
        '',
      ].join('\n'),
    );
  });
});
