import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pickWorker, placeConsumer, WorkerLoad } from './allocation';
import { classVideoCodec } from './codecs';
import { cpuShare, hostLoad, MediaHostReport, pickMediaHost } from './host-placement';
import { cameraRefusal, DEFAULT_POLICY, produceRefusal, unmuteRefusal } from './policy';
import { qualityFromSample, qualityFromScores, qualityLabel, spatialLayerFor } from './quality';
import { turnCredentials } from './turn';

const w = (index: number, consumers: number, alive = true): WorkerLoad => ({ index, consumers, alive });

describe('media allocation', () => {
  it('puts a new room on the least loaded live worker', () => {
    expect(pickWorker([w(0, 10), w(1, 3), w(2, 3)])).toBe(1);
    expect(pickWorker([w(0, 10), w(1, 3, false)])).toBe(0);
    expect(pickWorker([w(0, 0, false)])).toBeNull();
  });

  it("keeps consumers on the room's routers while their workers have room", () => {
    expect(placeConsumer([{ workerIndex: 1 }], [w(0, 0), w(1, 499)], 500)).toEqual({
      kind: 'existing',
      workerIndex: 1,
    });
    expect(placeConsumer([{ workerIndex: 0 }, { workerIndex: 1 }], [w(0, 300), w(1, 200)], 500)).toEqual({
      kind: 'existing',
      workerIndex: 1,
    });
  });

  it('spreads a room to another worker when its workers are full, and overloads only when all are', () => {
    expect(placeConsumer([{ workerIndex: 1 }], [w(0, 120), w(1, 500), w(2, 40)], 500)).toEqual({
      kind: 'new-router',
      workerIndex: 2,
    });
    expect(placeConsumer([{ workerIndex: 1 }], [w(0, 500), w(1, 520)], 500)).toEqual({
      kind: 'existing',
      workerIndex: 1,
    });
    // The room's own worker died: the next consumer goes to a new router elsewhere.
    expect(placeConsumer([{ workerIndex: 1 }], [w(0, 5), w(1, 0, false)], 500)).toEqual({
      kind: 'new-router',
      workerIndex: 0,
    });
    expect(() => placeConsumer([], [w(0, 0, false)], 500)).toThrow(/no live/);
  });
});

describe('media quality and layers', () => {
  it('asks for the smallest simulcast layer that fills the tile', () => {
    expect(spatialLayerFor(120)).toBe(0);
    expect(spatialLayerFor(120, 2)).toBe(1);
    expect(spatialLayerFor(360)).toBe(1);
    expect(spatialLayerFor(720)).toBe(2);
    expect(spatialLayerFor(720, 1, 2)).toBe(1);
  });

  it("scores a person by their worst producer's best stream", () => {
    expect(qualityFromScores([[10, 9, 3], [7]])).toBe(7);
    expect(qualityFromScores([[2]])).toBe(2);
    expect(qualityFromScores([[], []])).toBe(10);
  });

  it('turns loss, round trip and jitter into a score and a label', () => {
    expect(qualityFromSample({ lost: 0, received: 1000, rttSeconds: 0.02, jitterSeconds: 0.005 })).toBe(10);
    expect(qualityFromSample({ lost: 30, received: 970 })).toBe(8); // 3% loss
    expect(qualityFromSample({ lost: 200, received: 800, rttSeconds: 0.6 })).toBe(1);
    expect(qualityFromSample({ lost: 0, received: 0 })).toBe(10);
    expect([10, 8, 6, 2, 0].map(qualityLabel)).toEqual(['good', 'good', 'fair', 'poor', 'lost']);
  });
});

describe('TURN credentials and what may be produced', () => {
  it('makes coturn REST-API credentials that expire', () => {
    const c = turnCredentials('0123456789abcdef0123', 'user-1', 3600, 1_700_000_000_000);
    expect(c.username).toBe('1700003600:user-1');
    expect(c.credential).toBe(createHmac('sha1', '0123456789abcdef0123').update('1700003600:user-1').digest('base64'));
    expect(c.expiresAt).toBe(1_700_003_600);
  });

  it("refuses a student's screen share unless the teacher allows it, and a source of the wrong kind", () => {
    const p = (studentScreenShare: boolean) => ({ ...DEFAULT_POLICY, studentScreenShare });
    expect(produceRefusal(false, 'screen', 'video', p(false))).toBe('SCREEN_SHARE_FORBIDDEN');
    expect(produceRefusal(false, 'screen', 'video', p(true))).toBeNull();
    expect(produceRefusal(true, 'screen', 'video', p(false))).toBeNull();
    expect(produceRefusal(false, 'mic', 'video', p(true))).toBe('KIND_MISMATCH');
    expect(produceRefusal(false, 'camera', 'video', p(false))).toBeNull();
  });

  it('locks: cameras refused to students, microphones refused unless the instructor let this student unmute', () => {
    const locked = { ...DEFAULT_POLICY, micLocked: true, cameraLocked: true, unmuteAllowed: ['u-allowed'] };
    expect(cameraRefusal({ canTeach: false, userId: 'u-allowed' }, locked)).toBe('CAMERA_LOCKED');
    expect(cameraRefusal({ canTeach: true, userId: 'u-other' }, locked)).toBeNull();
    expect(cameraRefusal({ canTeach: false, userId: 'u-other' }, DEFAULT_POLICY)).toBeNull();
    // Cam off for one person holds for that person only, until allowed again.
    const stopped = { ...DEFAULT_POLICY, cameraStopped: ['u-off'] };
    expect(cameraRefusal({ canTeach: false, userId: 'u-off' }, stopped)).toBe('CAMERA_STOPPED');
    expect(cameraRefusal({ canTeach: false, userId: 'u-other' }, stopped)).toBeNull();
    expect(unmuteRefusal({ canTeach: false, userId: 'u-other' }, 'mic', locked)).toBe('MIC_LOCKED');
    expect(unmuteRefusal({ canTeach: false, userId: 'u-allowed' }, 'mic', locked)).toBeNull();
    expect(unmuteRefusal({ canTeach: true, userId: 'u-other' }, 'mic', locked)).toBeNull();
    expect(unmuteRefusal({ canTeach: false, userId: 'u-other' }, 'camera', locked)).toBeNull();
    expect(unmuteRefusal({ canTeach: false, userId: 'u-other' }, 'mic', DEFAULT_POLICY)).toBeNull();
  });
});

describe("the class's video codec", () => {
  it('uses VP8 while everyone decodes it, H.264 once someone cannot, and the majority when nothing suits all', () => {
    expect(classVideoCodec([['video/VP8', 'video/H264'], ['video/vp8']])).toBe('video/VP8');
    expect(classVideoCodec([['video/VP8', 'video/H264'], ['video/H264']])).toBe('video/H264');
    expect(classVideoCodec([['video/VP8'], ['video/VP8'], ['video/H264']])).toBe('video/VP8');
    expect(classVideoCodec([['video/H264'], ['video/H264'], ['video/VP8']])).toBe('video/H264');
    expect(classVideoCodec([])).toBe('video/VP8');
  });
});

describe('media host placement', () => {
  const host = (id: string, o: Partial<MediaHostReport> = {}): MediaHostReport => ({
    instanceId: id,
    state: 'active',
    consumers: 0,
    capacity: 1000,
    cpu: 0,
    rooms: 0,
    at: 10_000,
    ...o,
  });
  it('takes the least-loaded host: the larger of consumer fill and CPU counts', () => {
    expect(pickMediaHost([host('a', { consumers: 500 }), host('b', { consumers: 100 })], 10_500, 5000)).toBe('b');
    // b has few consumers but its workers are busy: a is less loaded.
    expect(pickMediaHost([host('a', { consumers: 300 }), host('b', { consumers: 100, cpu: 0.8 })], 10_500, 5000)).toBe(
      'a',
    );
  });
  it('skips cordoned, draining and silent hosts; null when none is left', () => {
    const hosts = [host('a', { state: 'cordoned' }), host('b', { state: 'draining' }), host('c', { at: 1000 })];
    expect(pickMediaHost(hosts, 10_500, 5000)).toBeNull();
    expect(pickMediaHost([...hosts, host('d', { consumers: 999 })], 10_500, 5000)).toBe('d');
  });
  it('breaks ties by fewer classes, then by id', () => {
    expect(pickMediaHost([host('a', { rooms: 3 }), host('b', { rooms: 1 })], 10_500, 5000)).toBe('b');
    expect(pickMediaHost([host('b'), host('a')], 10_500, 5000)).toBe('a');
  });
  it('keeps the class on the asking instance when it is within the local margin of the least loaded', () => {
    const hosts = [host('a', { consumers: 150 }), host('b', { consumers: 100 })];
    expect(pickMediaHost(hosts, 10_500, 5000)).toBe('b');
    expect(pickMediaHost(hosts, 10_500, 5000, 'a')).toBe('a');
    expect(pickMediaHost([host('a', { consumers: 250 }), host('b', { consumers: 100 })], 10_500, 5000, 'a')).toBe('b');
    expect(pickMediaHost([host('a', { state: 'cordoned' }), host('b', { consumers: 900 })], 10_500, 5000, 'a')).toBe(
      'b',
    );
    // An asker that is not a media host (role off) is not a candidate.
    expect(pickMediaHost(hosts, 10_500, 5000, 'front')).toBe('b');
  });
  it('a host without capacity is full', () => expect(hostLoad({ consumers: 0, capacity: 0, cpu: 0 })).toBe(1));
  it('CPU share over the beat, clamped to 0..1', () => {
    expect(cpuShare(10, 11, 2, 1)).toBe(0.5);
    expect(cpuShare(10, 14, 2, 2)).toBe(1);
    expect(cpuShare(10, 9, 2, 1)).toBe(0);
    expect(cpuShare(10, 11, 0, 1)).toBe(0);
  });
});
