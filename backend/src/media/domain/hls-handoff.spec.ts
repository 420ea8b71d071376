import { describe, expect, it } from 'vitest';
import {
  broadcastWanted,
  ClassMode,
  cpuCalm,
  cpuOverloaded,
  HandoffThresholds,
  Joiner,
  LoadSample,
  nextMode,
  routeJoiner,
  WEBRTC_MODE,
} from './hls-handoff';

const t: HandoffThresholds = {
  cpuHigh: 0.7,
  cpuLow: 0.5,
  windowMs: 30_000,
  calmMs: 60_000,
  sampleMs: 5_000,
  maxWebrtcViewers: 300,
  resumeViewers: 270,
};

/** A sample every 5 s from `from` to `to` (ms), each at `cpu`. */
function held(from: number, to: number, cpu: number | ((at: number) => number)): LoadSample[] {
  const out: LoadSample[] = [];
  for (let at = from; at <= to; at += 5_000) out.push({ at, cpu: typeof cpu === 'number' ? cpu : cpu(at) });
  return out;
}

const NOW = 1_000_000;
const passive: Joiner = { canTeach: false, presenter: false, promoted: false, onWebrtc: false };
const hls: ClassMode = { mode: 'hls', since: NOW - 1000, reason: 'cpu' };

describe('HLS hand-off policy', () => {
  it('is overloaded only when the CPU was over the threshold for the whole window', () => {
    expect(cpuOverloaded(held(NOW - 30_000, NOW, 0.8), NOW, t)).toBe(true);
    // 25 s of history: the window is not covered yet.
    expect(cpuOverloaded(held(NOW - 25_000, NOW, 0.8), NOW, t)).toBe(false);
    // One dip under the threshold inside the window.
    expect(
      cpuOverloaded(
        held(NOW - 30_000, NOW, (at) => (at === NOW - 10_000 ? 0.6 : 0.9)),
        NOW,
        t,
      ),
    ).toBe(false);
    // Exactly at the threshold is not over it.
    expect(cpuOverloaded(held(NOW - 30_000, NOW, 0.7), NOW, t)).toBe(false);
    // An old spike outside the window does not count, nor does history that stopped (a dead monitor).
    expect(cpuOverloaded(held(NOW - 60_000, NOW - 20_000, 0.95), NOW, t)).toBe(false);
    // Samples late by a timer's jitter (every 5.4 s) still cover the window.
    const jittery = Array.from({ length: 7 }, (_, i) => ({ at: NOW - 100 - i * 5_400, cpu: 0.9 }));
    expect(cpuOverloaded(jittery, NOW, t)).toBe(true);
  });

  it('is calm only when the CPU stayed under the low mark for the calm period', () => {
    expect(cpuCalm(held(NOW - 60_000, NOW, 0.3), NOW, t)).toBe(true);
    expect(cpuCalm(held(NOW - 30_000, NOW, 0.3), NOW, t)).toBe(false);
    // Between the marks (0.6): neither overloaded nor calm.
    expect(cpuCalm(held(NOW - 60_000, NOW, 0.6), NOW, t)).toBe(false);
    expect(cpuOverloaded(held(NOW - 60_000, NOW, 0.6), NOW, t)).toBe(false);
  });

  it('enters HLS mode on CPU held over the window, or on the WebRTC viewer cap', () => {
    expect(nextMode(WEBRTC_MODE, held(NOW - 30_000, NOW, 0.9), 10, NOW, t)).toEqual({
      mode: 'hls',
      since: NOW,
      reason: 'cpu',
    });
    expect(nextMode(WEBRTC_MODE, held(NOW - 30_000, NOW, 0.2), 300, NOW, t)).toEqual({
      mode: 'hls',
      since: NOW,
      reason: 'viewers',
    });
    expect(nextMode(WEBRTC_MODE, held(NOW - 30_000, NOW, 0.2), 299, NOW, t)).toBe(WEBRTC_MODE);
    expect(nextMode(WEBRTC_MODE, [], 0, NOW, t)).toBe(WEBRTC_MODE);
  });

  it('leaves HLS mode only when the CPU stayed calm and the viewers fell under the resume mark (no flapping)', () => {
    // Load fell below the high mark but not under the low one: stays.
    expect(nextMode(hls, held(NOW - 60_000, NOW, 0.65), 10, NOW, t)).toBe(hls);
    // Calm, but only for 30 s of the 60: stays.
    expect(nextMode(hls, [...held(NOW - 60_000, NOW - 35_000, 0.9), ...held(NOW - 30_000, NOW, 0.2)], 10, NOW, t)).toBe(
      hls,
    );
    // Calm for the whole period: back to WebRTC.
    expect(nextMode(hls, held(NOW - 60_000, NOW, 0.2), 10, NOW, t)).toBe(WEBRTC_MODE);
    // Calm CPU, but the viewer count is still between the resume mark and the cap: stays.
    const byViewers: ClassMode = { mode: 'hls', since: NOW, reason: 'viewers' };
    expect(nextMode(byViewers, held(NOW - 60_000, NOW, 0.2), 280, NOW, t)).toBe(byViewers);
    expect(nextMode(byViewers, held(NOW - 60_000, NOW, 0.2), 269, NOW, t)).toBe(WEBRTC_MODE);
    // No samples (the monitor is silent): nothing proves calm, the mode holds.
    expect(nextMode(hls, [], 0, NOW, t)).toBe(hls);
  });

  it('a load hovering around the threshold does not flip the mode sample by sample', () => {
    let mode: ClassMode = WEBRTC_MODE;
    const flips: string[] = [];
    // Alternating 0.75 / 0.65 every sample for five minutes.
    const samples = held(NOW - 300_000, NOW + 300_000, (at) => (Math.round(at / 5_000) % 2 ? 0.75 : 0.65));
    for (let now = NOW; now <= NOW + 300_000; now += 5_000) {
      const next = nextMode(mode, samples, 50, now, t);
      if (next.mode !== mode.mode) flips.push(next.mode);
      mode = next;
    }
    expect(flips).toEqual([]);
  });

  it('never moves the instructor, presenters, the promoted or people already on WebRTC', () => {
    expect(routeJoiner(passive, hls)).toBe('hls');
    expect(routeJoiner(passive, WEBRTC_MODE)).toBe('webrtc');
    expect(routeJoiner({ ...passive, canTeach: true }, hls)).toBe('webrtc');
    expect(routeJoiner({ ...passive, presenter: true }, hls)).toBe('webrtc');
    expect(routeJoiner({ ...passive, promoted: true }, hls)).toBe('webrtc');
    expect(routeJoiner({ ...passive, onWebrtc: true }, hls)).toBe('webrtc');
  });

  it('wants the broadcast warm past the configured class size, and whenever HLS is in use', () => {
    expect(broadcastWanted(49, 0, WEBRTC_MODE, 50)).toBe(false);
    expect(broadcastWanted(50, 0, WEBRTC_MODE, 50)).toBe(true);
    expect(broadcastWanted(3, 0, hls, 50)).toBe(true);
    expect(broadcastWanted(3, 1, WEBRTC_MODE, 50)).toBe(true);
  });
});
