import type {
  AttendanceStatus,
  AttendanceThresholds,
  LiveStudent,
  SessionReport,
  SessionReportRow,
} from '@contracts/attendance';
import { formatDuration, formatShare } from './duration';

/** How the attendance pages word a status, why it was given, and a student's state in class now. Pure. */

export const STATUS_LABELS: Record<AttendanceStatus, string> = {
  present: 'Present',
  late: 'Late',
  'left-early': 'Left early',
  inactive: 'Inactive',
  absent: 'Absent',
};

const MINUTE = 60_000;

/** The class's end: when it ended, or its start plus its duration while it runs. */
export function classEndMs(report: Pick<SessionReport, 'startedAt' | 'endedAt' | 'durationMs'>): number {
  const end = report.endedAt ? Date.parse(report.endedAt) : Number.NaN;
  return Number.isNaN(end) ? Date.parse(report.startedAt) + report.durationMs : end;
}

/** The active minimum in words: "30 min and 50% of the class active" (a student below any minimum that is set is inactive). */
export function activeMinimumText(t: AttendanceThresholds): string | null {
  const parts = [
    t.minActiveMinutes === null ? '' : `${t.minActiveMinutes} min`,
    t.minActivePercent === null ? '' : `${t.minActivePercent}% of the class`,
  ].filter(Boolean);
  return parts.length ? `${parts.join(' and ')} active` : null;
}

/** The thresholds that decide statuses, one sentence each. */
export function thresholdLines(t: AttendanceThresholds): string[] {
  const active = activeMinimumText(t);
  return [
    `Late: first joined more than ${t.lateAfterMinutes} min after the start`,
    `Left early: left for good ${t.leftEarlyMinutes} min or more before the end`,
    active ? `Inactive: less than ${active}` : 'Inactive: no minimum of active time is set',
    'Absent: never joined',
  ];
}

/**
 * Why a row has its status, with the numbers and the threshold that decided it
 * (e.g. "Joined 14 min after the start; late after 10 min").
 */
export function statusReason(
  row: Pick<SessionReportRow, 'status' | 'firstJoin' | 'lastLeave' | 'activeMs'>,
  report: Pick<SessionReport, 'startedAt' | 'endedAt' | 'durationMs' | 'thresholds'>,
): string {
  const t = report.thresholds;
  const active = `active ${formatDuration(row.activeMs)} (${formatShare(row.activeMs, report.durationMs)})`;
  switch (row.status) {
    case 'absent':
      return 'Never joined this class';
    case 'late': {
      const after = row.firstJoin ? minutesBetween(Date.parse(report.startedAt), Date.parse(row.firstJoin)) : null;
      return `${after === null ? 'Joined late' : `Joined ${after} min after the start`}; late after ${t.lateAfterMinutes} min`;
    }
    case 'left-early': {
      const before = row.lastLeave ? minutesBetween(Date.parse(row.lastLeave), classEndMs(report)) : null;
      return `${before === null ? 'Left early' : `Left ${before} min before the end`}; early at ${t.leftEarlyMinutes} min or more`;
    }
    case 'inactive': {
      const minimum = activeMinimumText(t);
      return `Only ${active}${minimum ? `; needs ${minimum}` : ''}`;
    }
    case 'present':
      return `On time, ${active}`;
  }
}

/** Whole minutes from a to b (never negative). */
function minutesBetween(aMs: number, bMs: number): number | null {
  if (Number.isNaN(aMs) || Number.isNaN(bMs)) return null;
  return Math.max(0, Math.floor((bMs - aMs) / MINUTE));
}

export type LiveState = 'active' | 'inactive' | 'left' | 'not-joined';

/** A student in class now: here and looking, here with the page hidden, gone, or not come yet. */
export function liveState(s: Pick<LiveStudent, 'here' | 'inactive' | 'presentMs'>): LiveState {
  if (s.here) return s.inactive ? 'inactive' : 'active';
  return s.presentMs > 0 ? 'left' : 'not-joined';
}

export const LIVE_LABELS: Record<LiveState, string> = {
  active: 'Here',
  inactive: 'Inactive: page hidden',
  left: 'Left',
  'not-joined': 'Not joined',
};

/** The class now in one line: "12 here, 2 inactive, 3 not joined". */
export function liveSummary(students: ReadonlyArray<Pick<LiveStudent, 'here' | 'inactive' | 'presentMs'>>): string {
  const n: Record<LiveState, number> = { active: 0, inactive: 0, left: 0, 'not-joined': 0 };
  for (const s of students) n[liveState(s)]++;
  const parts = [
    `${n.active + n.inactive} here`,
    n.inactive ? `${n.inactive} inactive` : '',
    n.left ? `${n.left} left` : '',
    n['not-joined'] ? `${n['not-joined']} not joined` : '',
  ].filter(Boolean);
  return parts.join(', ');
}

/** A time in the course's zone: "09:05" (with the day when asked: "Mon 7 Dec, 09:05"). Unknown is "—". */
export function formatTime(iso: string | null, timeZone: string, withDay = false, locale?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const fmt = new Intl.DateTimeFormat(locale, {
    timeZone: safeZone(timeZone),
    hour: '2-digit',
    minute: '2-digit',
    ...(withDay ? { weekday: 'short', day: 'numeric', month: 'short' } : {}),
  });
  return fmt.format(d);
}

/** The course report's default period: the 30 days up to today, in the course's zone (YYYY-MM-DD). */
export function defaultRange(now: Date, timeZone: string, days = 30): { from: string; to: string } {
  const to = dayInZone(now, timeZone);
  const start = new Date(`${to}T00:00:00Z`);
  start.setUTCDate(start.getUTCDate() - (days - 1));
  return { from: start.toISOString().slice(0, 10), to };
}

/** What is wrong with a period, in words, or null when the server will take it. */
export function rangeProblem(from: string, to: string, maxDays: number): string | null {
  const re = /^\d{4}-\d{2}-\d{2}$/;
  if (!re.test(from) || !re.test(to)) return 'Pick both dates.';
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(a) || Number.isNaN(b)) return 'Pick both dates.';
  if (a > b) return 'The period ends before it starts.';
  if ((b - a) / 86_400_000 + 1 > maxDays) return `A report covers at most ${maxDays} days.`;
  return null;
}

/** A download's file name: "attendance-physics-101-2026-12-04.csv". */
export function reportFileName(title: string, day: string, ext: 'csv' | 'pdf'): string {
  const slug =
    title
      .normalize('NFKD')
      .replace(/[^\w\s-]/g, '')
      .trim()
      .replace(/\s+/g, '-')
      .toLowerCase()
      .slice(0, 60) || 'class';
  return `attendance-${slug}-${day}.${ext}`;
}

/** A moment's day in a zone (YYYY-MM-DD). */
export function dayInZone(d: Date, timeZone: string): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: safeZone(timeZone),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(d);
}

/** A zone the browser knows, else UTC (a report is still readable, with its zone named beside it). */
function safeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}
