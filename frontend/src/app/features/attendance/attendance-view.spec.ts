import { DEFAULT_THRESHOLDS, type AttendanceThresholds, type SessionReport } from '@contracts/attendance';
import { describe, expect, it } from 'vitest';
import {
  activeMinimumText,
  classEndMs,
  dayInZone,
  defaultRange,
  formatTime,
  liveState,
  liveSummary,
  rangeProblem,
  reportFileName,
  STATUS_LABELS,
  statusReason,
  thresholdLines,
} from './attendance-view';

const min = 60_000;
const thresholds: AttendanceThresholds = {
  lateAfterMinutes: 10,
  leftEarlyMinutes: 15,
  minActiveMinutes: 30,
  minActivePercent: 50,
};
/** A 60-minute class from 09:00 UTC. */
const report: Pick<SessionReport, 'startedAt' | 'endedAt' | 'durationMs' | 'thresholds'> = {
  startedAt: '2026-12-07T09:00:00.000Z',
  endedAt: '2026-12-07T10:00:00.000Z',
  durationMs: 60 * min,
  thresholds,
};
const at = (minutes: number) => new Date(Date.parse(report.startedAt) + minutes * min).toISOString();

describe('attendance statuses in words', () => {
  it('labels every status', () => {
    expect(STATUS_LABELS).toEqual({
      present: 'Present',
      late: 'Late',
      'left-early': 'Left early',
      inactive: 'Inactive',
      absent: 'Absent',
    });
  });

  it("says why each status was given, with the student's numbers and the threshold that decided it", () => {
    expect(statusReason({ status: 'absent', firstJoin: null, lastLeave: null, activeMs: 0 }, report)).toBe(
      'Never joined this class',
    );
    expect(statusReason({ status: 'late', firstJoin: at(14.5), lastLeave: null, activeMs: 45 * min }, report)).toBe(
      'Joined 14 min after the start; late after 10 min',
    );
    expect(
      statusReason({ status: 'left-early', firstJoin: at(0), lastLeave: at(40), activeMs: 40 * min }, report),
    ).toBe('Left 20 min before the end; early at 15 min or more');
    expect(statusReason({ status: 'inactive', firstJoin: at(0), lastLeave: null, activeMs: 12 * min }, report)).toBe(
      'Only active 12 min (20%); needs 30 min and 50% of the class active',
    );
    expect(statusReason({ status: 'present', firstJoin: at(1), lastLeave: null, activeMs: 57 * min }, report)).toBe(
      'On time, active 57 min (95%)',
    );
  });

  it('measures leaving early from the start plus the duration while the class runs', () => {
    const running = { ...report, endedAt: null };
    expect(classEndMs(running)).toBe(Date.parse(report.endedAt!));
    expect(
      statusReason({ status: 'left-early', firstJoin: at(0), lastLeave: at(30), activeMs: 30 * min }, running),
    ).toBe('Left 30 min before the end; early at 15 min or more');
  });

  it('words the thresholds, leaving out an active minimum that is not set', () => {
    expect(thresholdLines(thresholds)).toEqual([
      'Late: first joined more than 10 min after the start',
      'Left early: left for good 15 min or more before the end',
      'Inactive: less than 30 min and 50% of the class active',
      'Absent: never joined',
    ]);
    expect(activeMinimumText(DEFAULT_THRESHOLDS)).toBe('50% of the class active');
    expect(activeMinimumText({ ...thresholds, minActiveMinutes: null, minActivePercent: null })).toBeNull();
    expect(thresholdLines({ ...thresholds, minActiveMinutes: null, minActivePercent: null })[2]).toBe(
      'Inactive: no minimum of active time is set',
    );
    expect(
      statusReason(
        { status: 'inactive', firstJoin: at(0), lastLeave: null, activeMs: 0 },
        { ...report, thresholds: { ...thresholds, minActiveMinutes: null } },
      ),
    ).toBe('Only active 0 min (0%); needs 50% of the class active');
  });
});

describe('the class now', () => {
  it('tells here, inactive (page hidden), left and not joined apart', () => {
    expect(liveState({ here: true, inactive: false, presentMs: 5 })).toBe('active');
    expect(liveState({ here: true, inactive: true, presentMs: 5 })).toBe('inactive');
    expect(liveState({ here: false, inactive: false, presentMs: 5 })).toBe('left');
    // A student not in the room is never "inactive", whatever the flag says: they are gone.
    expect(liveState({ here: false, inactive: true, presentMs: 5 })).toBe('left');
    expect(liveState({ here: false, inactive: false, presentMs: 0 })).toBe('not-joined');
  });

  it('counts the class in one line, inactive students among those here', () => {
    expect(
      liveSummary([
        { here: true, inactive: false, presentMs: 1 },
        { here: true, inactive: true, presentMs: 1 },
        { here: false, inactive: false, presentMs: 1 },
        { here: false, inactive: false, presentMs: 0 },
        { here: false, inactive: false, presentMs: 0 },
      ]),
    ).toBe('2 here, 1 inactive, 1 left, 2 not joined');
    expect(liveSummary([])).toBe('0 here');
  });
});

describe("times and periods in the course's zone", () => {
  it("formats a time in the course's zone, not the browser's", () => {
    expect(formatTime('2026-12-07T09:05:00Z', 'UTC', false, 'en-GB')).toBe('09:05');
    expect(formatTime('2026-12-07T09:05:00Z', 'Europe/Paris', false, 'en-GB')).toBe('10:05');
    expect(formatTime('2026-12-07T09:05:00Z', 'America/New_York', true, 'en-GB')).toBe('Mon 7 Dec, 04:05');
    // Across midnight, the day is the course's.
    expect(formatTime('2026-12-07T23:30:00Z', 'Asia/Tokyo', true, 'en-GB')).toBe('Tue 8 Dec, 08:30');
    expect(formatTime(null, 'UTC')).toBe('—');
    expect(formatTime('not a time', 'UTC')).toBe('—');
    // A zone the browser does not know falls back to UTC instead of failing the page.
    expect(formatTime('2026-12-07T09:05:00Z', 'Mars/Olympus', false, 'en-GB')).toBe('09:05');
  });

  it("defaults to the 30 days up to today in the course's zone", () => {
    const now = new Date('2026-03-01T02:00:00Z');
    expect(defaultRange(now, 'UTC')).toEqual({ from: '2026-01-31', to: '2026-03-01' });
    // Still 28 February in Los Angeles.
    expect(defaultRange(now, 'America/Los_Angeles')).toEqual({ from: '2026-01-30', to: '2026-02-28' });
    expect(defaultRange(now, 'UTC', 1)).toEqual({ from: '2026-03-01', to: '2026-03-01' });
    expect(dayInZone(now, 'Asia/Tokyo')).toBe('2026-03-01');
  });

  it('says what is wrong with a period before asking the server', () => {
    expect(rangeProblem('2026-01-01', '2026-01-31', 370)).toBeNull();
    expect(rangeProblem('2026-01-01', '2026-01-01', 370)).toBeNull();
    expect(rangeProblem('', '2026-01-31', 370)).toBe('Pick both dates.');
    expect(rangeProblem('2026-02-01', '2026-01-31', 370)).toBe('The period ends before it starts.');
    expect(rangeProblem('2025-01-01', '2026-01-06', 370)).toBe('A report covers at most 370 days.');
    expect(rangeProblem('2025-01-01', '2026-01-05', 370)).toBeNull();
  });

  it('names downloads after the class and its day', () => {
    expect(reportFileName('Physics 101: Waves!', '2026-12-07', 'csv')).toBe(
      'attendance-physics-101-waves-2026-12-07.csv',
    );
    expect(reportFileName('Ωμέγα', '2026-12-07', 'pdf')).toBe('attendance-class-2026-12-07.pdf');
  });
});
