import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, type AttendanceThresholds } from '../../contracts/attendance';
import { classify, factsOf, formatInZone, gradeOf, intersect, mergeIntervals, periodOf } from './attendance';

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const at = (m: number) => T0 + m * MIN;
const t: AttendanceThresholds = {
  lateAfterMinutes: 10,
  leftEarlyMinutes: 10,
  minActiveMinutes: null,
  minActivePercent: 50,
};

describe('intervals', () => {
  it('merges overlapping and touching intervals, drops empty ones', () => {
    expect(
      mergeIntervals([
        { start: 5, end: 10 },
        { start: 0, end: 6 },
        { start: 10, end: 12 },
        { start: 20, end: 20 },
        { start: 15, end: 18 },
      ]),
    ).toEqual([
      { start: 0, end: 12 },
      { start: 15, end: 18 },
    ]);
  });
  it('intersects unions', () => {
    expect(
      intersect(
        [
          { start: 0, end: 10 },
          { start: 20, end: 30 },
        ],
        [{ start: 5, end: 25 }],
      ),
    ).toEqual([
      { start: 5, end: 10 },
      { start: 20, end: 25 },
    ]);
  });
});

describe('factsOf', () => {
  it('several tabs overlapping count once', () => {
    const f = factsOf(
      [
        { joinedAt: at(0), leftAt: at(40) },
        { joinedAt: at(10), leftAt: at(60) },
      ],
      [],
      at(0),
      at(60),
    );
    expect(f).toEqual({ firstJoin: at(0), lastLeave: at(60), here: true, presentMs: 60 * MIN, activeMs: 60 * MIN });
  });
  it('reconnects: the gap is not present; last leave is the last span end', () => {
    const f = factsOf(
      [
        { joinedAt: at(0), leftAt: at(20) },
        { joinedAt: at(25), leftAt: at(50) },
      ],
      [],
      at(0),
      at(60),
    );
    expect(f.presentMs).toBe(45 * MIN);
    expect(f.lastLeave).toBe(at(50));
    expect(f.here).toBe(false);
  });
  it('a hidden tab is present but not active; another visible tab makes it active', () => {
    const spans = [{ joinedAt: at(0), leftAt: null }];
    const hidden = [
      { tab: 'a', visible: true, at: at(0) },
      { tab: 'a', visible: false, at: at(5) },
    ];
    const f = factsOf(spans, hidden, at(0), at(60));
    expect(f.presentMs).toBe(60 * MIN);
    expect(f.activeMs).toBe(5 * MIN);
    expect(classify(f, t, at(0), at(60))).toBe('inactive');
    const f2 = factsOf(spans, [...hidden, { tab: 'b', visible: true, at: at(10) }], at(0), at(60));
    expect(f2.activeMs).toBe(55 * MIN);
    expect(classify(f2, t, at(0), at(60))).toBe('present');
  });
  it('visible time outside the spans does not count', () => {
    const f = factsOf([{ joinedAt: at(30), leftAt: at(40) }], [{ tab: 'a', visible: true, at: at(0) }], at(0), at(60));
    expect(f.activeMs).toBe(10 * MIN);
  });
  it('a class ending while connected: the open span ends at the class end, not left early', () => {
    const f = factsOf([{ joinedAt: at(0), leftAt: null }], [], at(0), at(60));
    expect(f).toMatchObject({ here: true, lastLeave: null, presentMs: 60 * MIN });
    expect(classify(f, t, at(0), at(60))).toBe('present');
  });
  it('a session across midnight counts real time', () => {
    const s = Date.UTC(2026, 0, 1, 23, 30);
    const e = Date.UTC(2026, 0, 2, 0, 30);
    const f = factsOf([{ joinedAt: s, leftAt: null }], [], s, e);
    expect(f.presentMs).toBe(60 * MIN);
    expect(formatInZone(s, 'Europe/Paris')).toBe('2026-01-02 00:30:00');
  });
  it('a session across a DST change counts real time (01:30 to 03:30 local on the spring-forward night is 1 h)', () => {
    // Europe/Paris jumps from 02:00 to 03:00 on 2026-03-29 (01:00 UTC).
    const s = Date.UTC(2026, 2, 29, 0, 30); // 01:30 local
    const e = Date.UTC(2026, 2, 29, 1, 30); // 03:30 local
    expect(formatInZone(s, 'Europe/Paris')).toBe('2026-03-29 01:30:00');
    expect(formatInZone(e, 'Europe/Paris')).toBe('2026-03-29 03:30:00');
    const f = factsOf([{ joinedAt: s, leftAt: e }], [], s, e);
    expect(f.presentMs).toBe(60 * MIN);
    // The local day of the change is 23 hours long.
    const p = periodOf('2026-03-29', '2026-03-29', 'Europe/Paris');
    expect(p.end - p.start).toBe(23 * 60 * MIN);
    expect(new Date(p.start).toISOString()).toBe('2026-03-28T23:00:00.000Z');
  });
  it('never joined: absent', () => {
    const f = factsOf([], [], at(0), at(60));
    expect(classify(f, t, at(0), at(60))).toBe('absent');
    expect(gradeOf(f, 'percent', t, 60 * MIN, 10)).toBe(0);
  });
});

describe('thresholds', () => {
  const present = (join: number, leave: number | null) =>
    factsOf([{ joinedAt: at(join), leftAt: leave === null ? null : at(leave) }], [], at(0), at(60));
  it('late after the lateness threshold, not at it', () => {
    expect(classify(present(10, null), t, at(0), at(60))).toBe('present');
    expect(classify(present(11, null), t, at(0), at(60))).toBe('late');
  });
  it('left early', () => {
    expect(classify(present(0, 50), t, at(0), at(60))).toBe('left-early');
    expect(classify(present(0, 51), t, at(0), at(60))).toBe('present');
  });
  it('minimum active minutes and percent both apply when set', () => {
    const f = present(0, 40); // 40 min active of 60
    expect(classify(f, { ...t, minActivePercent: 70 }, at(0), at(60))).toBe('inactive');
    expect(classify(f, { ...t, minActivePercent: null, minActiveMinutes: 45 }, at(0), at(60))).toBe('inactive');
    expect(classify(f, { ...t, minActivePercent: 60, minActiveMinutes: 40, leftEarlyMinutes: 30 }, at(0), at(60))).toBe(
      'present',
    );
  });
  it('grades: percent of active presence, or full/zero by threshold', () => {
    const f = present(0, 40);
    expect(gradeOf(f, 'percent', t, 60 * MIN, 10)).toBe(6.67);
    expect(gradeOf(f, 'threshold', t, 60 * MIN, 10)).toBe(10);
    expect(gradeOf(f, 'threshold', { ...t, minActivePercent: 90 }, 60 * MIN, 10)).toBe(0);
    expect(DEFAULT_THRESHOLDS.minActivePercent).toBe(50);
  });
});
