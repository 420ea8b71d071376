import type {
  AttendanceStatus,
  AttendanceThresholds,
  LiveStudent,
  SessionReport,
  SessionReportRow,
} from '@contracts/attendance';
import { EN } from '../../core/i18n/en';
import { translatorOf } from '../../core/i18n/language';
import { formatDuration, formatShare } from './duration';

type Translate = (key: string, params?: Record<string, string | number>) => string;
const ENGLISH: Translate = translatorOf(EN);

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
export function activeMinimumText(t: AttendanceThresholds, tr: Translate = ENGLISH): string | null {
  const minutes = t.minActiveMinutes === null ? null : tr('attendance.why.minutes', { n: t.minActiveMinutes });
  const share = t.minActivePercent === null ? null : tr('attendance.why.share', { n: t.minActivePercent });
  if (minutes && share) return tr('attendance.why.bothActive', { a: minutes, b: share });
  return minutes || share ? tr('attendance.why.oneActive', { a: (minutes ?? share)! }) : null;
}

/** The thresholds that decide statuses, one sentence each. */
export function thresholdLines(t: AttendanceThresholds, tr: Translate = ENGLISH): string[] {
  const active = activeMinimumText(t, tr);
  return [
    tr('attendance.why.lateLine', { n: t.lateAfterMinutes }),
    tr('attendance.why.leftEarlyLine', { n: t.leftEarlyMinutes }),
    active ? tr('attendance.why.inactiveLine', { active }) : tr('attendance.why.inactiveNone'),
    tr('attendance.why.absentLine'),
  ];
}

/**
 * Why a row has its status, with the numbers and the threshold that decided it
 * (e.g. "Joined 14 min after the start; late after 10 min").
 */
export function statusReason(
  row: Pick<SessionReportRow, 'status' | 'firstJoin' | 'lastLeave' | 'activeMs'>,
  report: Pick<SessionReport, 'startedAt' | 'endedAt' | 'durationMs' | 'thresholds'>,
  tr: Translate = ENGLISH,
): string {
  const t = report.thresholds;
  const active = tr('attendance.why.activeFor', {
    time: formatDuration(row.activeMs),
    share: formatShare(row.activeMs, report.durationMs),
  });
  switch (row.status) {
    case 'absent':
      return tr('attendance.why.never');
    case 'late': {
      const after = row.firstJoin ? minutesBetween(Date.parse(report.startedAt), Date.parse(row.firstJoin)) : null;
      const joined = after === null ? tr('attendance.why.joinedLate') : tr('attendance.why.joinedAfter', { n: after });
      return tr('attendance.why.late', { joined, n: t.lateAfterMinutes });
    }
    case 'left-early': {
      const before = row.lastLeave ? minutesBetween(Date.parse(row.lastLeave), classEndMs(report)) : null;
      const left = before === null ? tr('attendance.why.leftEarly') : tr('attendance.why.leftBefore', { n: before });
      return tr('attendance.why.early', { left, n: t.leftEarlyMinutes });
    }
    case 'inactive': {
      const minimum = activeMinimumText(t, tr);
      return minimum ? tr('attendance.why.onlyNeeds', { active, minimum }) : tr('attendance.why.only', { active });
    }
    case 'present':
      return tr('attendance.why.onTime', { active });
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

/** The class now in one line: "12 here, 2 inactive, 3 not joined" (in the language of `t`; English by default). */
export function liveSummary(
  students: ReadonlyArray<Pick<LiveStudent, 'here' | 'inactive' | 'presentMs'>>,
  t: Translate = ENGLISH,
): string {
  const n: Record<LiveState, number> = { active: 0, inactive: 0, left: 0, 'not-joined': 0 };
  for (const s of students) n[liveState(s)]++;
  const parts = [
    t('attendance.summary.here', { n: n.active + n.inactive }),
    n.inactive ? t('attendance.summary.inactive', { n: n.inactive }) : '',
    n.left ? t('attendance.summary.left', { n: n.left }) : '',
    n['not-joined'] ? t('attendance.summary.notJoined', { n: n['not-joined'] }) : '',
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
export function rangeProblem(from: string, to: string, maxDays: number, tr: Translate = ENGLISH): string | null {
  const re = /^\d{4}-\d{2}-\d{2}$/;
  if (!re.test(from) || !re.test(to)) return tr('attendance.range.both');
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(a) || Number.isNaN(b)) return tr('attendance.range.both');
  if (a > b) return tr('attendance.range.order');
  if ((b - a) / 86_400_000 + 1 > maxDays) return tr('attendance.range.max', { n: maxDays });
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
