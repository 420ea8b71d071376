import { describe, expect, it } from 'vitest';
import { clockOffset, countdownAnnouncement, formatCountdown, remainingMs, spokenCountdown } from './countdown';

describe('formatCountdown', () => {
  it('shows minutes and two-digit seconds, rounding up so that 0:00 means over', () => {
    expect(formatCountdown(65_000)).toBe('1:05');
    expect(formatCountdown(9_000)).toBe('0:09');
    expect(formatCountdown(200)).toBe('0:01');
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(-4_000)).toBe('0:00');
    expect(formatCountdown(12 * 60_000)).toBe('12:00');
    expect(formatCountdown(3_723_000)).toBe('1:02:03');
  });
});

describe('spokenCountdown', () => {
  it('says the time in words, singular and plural, and when it is up', () => {
    expect(spokenCountdown(65_000)).toBe('1 minute 5 seconds left');
    expect(spokenCountdown(1_000)).toBe('1 second left');
    expect(spokenCountdown(120_000)).toBe('2 minutes left');
    expect(spokenCountdown(0)).toBe('Time is up');
  });
});

describe('remainingMs', () => {
  it('counts down to the close on the server clock, never below zero', () => {
    const closesAt = '2030-01-01T10:00:30.000Z';
    const now = Date.parse('2030-01-01T10:00:00.000Z');
    expect(remainingMs(closesAt, now)).toBe(30_000);
    // Our clock is 2 s behind the server's: 2 s less are left.
    expect(remainingMs(closesAt, now, 2_000)).toBe(28_000);
    expect(remainingMs(closesAt, now + 60_000)).toBe(0);
    expect(remainingMs('not a date', now)).toBe(0);
  });

  it('reads the offset from a server time', () => {
    expect(clockOffset('2030-01-01T10:00:05.000Z', Date.parse('2030-01-01T10:00:00.000Z'))).toBe(5_000);
    expect(clockOffset('garbage', 0)).toBe(0);
  });
});

describe('countdownAnnouncement', () => {
  /** Runs the announcer over a countdown ticking every `step` ms, as the component does. */
  function spoken(fromMs: number, step: number): string[] {
    const said: string[] = [];
    let last: number | null = null;
    // Ticks every `step` ms, and a last tick at the close.
    const ticks = [...Array.from({ length: Math.ceil(fromMs / step) }, (_, i) => fromMs - i * step), 0];
    for (const ms of ticks) {
      const a = countdownAnnouncement(ms, last);
      if (a) {
        said.push(a.say);
        last = a.milestone;
      }
    }
    return said;
  }

  it('says the time at the start, then only at milestones, ending with time up', () => {
    expect(spoken(45_000, 250)).toEqual([
      '45 seconds left',
      '30 seconds left',
      '10 seconds left',
      '5 seconds left',
      'Time is up',
    ]);
  });

  it('a throttled tab that skips a milestone says the time it sees, once', () => {
    expect(spoken(40_000, 3_000)).toEqual([
      '40 seconds left',
      '28 seconds left',
      '10 seconds left',
      '4 seconds left',
      'Time is up',
    ]);
  });

  it('never announces a milestone again after a clock correction moves the time back up', () => {
    expect(countdownAnnouncement(29_000, 30)).toBeNull();
    expect(countdownAnnouncement(40_000, 10)).toBeNull();
    expect(countdownAnnouncement(9_500, 30)).toEqual({ say: '10 seconds left', milestone: 10 });
  });
});
