/**
 * Attendance arithmetic, pure: spans and tab visibility as intervals of instants (ms since the epoch),
 * merged, clipped to the class, measured, classified against thresholds and graded. Instants make a
 * class across midnight or a DST change count its real duration; only formatting uses a time zone.
 */
import type { AttendanceStatus, AttendanceThresholds, GradingMode } from '../../contracts/attendance';

export interface Interval {
  start: number;
  end: number;
}

/** A join to a leave (null: still in the room). */
export interface SpanRecord {
  joinedAt: number;
  leftAt: number | null;
}

/** A tab's Page Visibility change. */
export interface VisibilityRecord {
  tab: string;
  visible: boolean;
  at: number;
}

/** The union of intervals, sorted, overlapping and touching ones merged; empty ones dropped. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ ...i });
  }
  return out;
}

/** The intersection of two unions of intervals (each merged first). */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const x = mergeIntervals(a);
  const y = mergeIntervals(b);
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const start = Math.max(x[i].start, y[j].start);
    const end = Math.min(x[i].end, y[j].end);
    if (end > start) out.push({ start, end });
    if (x[i].end < y[j].end) i++;
    else j++;
  }
  return out;
}

export const totalMs = (intervals: readonly Interval[]): number =>
  mergeIntervals(intervals).reduce((s, i) => s + (i.end - i.start), 0);

/** Spans (several tabs, reconnects: overlapping or touching) as the time in the room within [from, to]. */
export function presentIntervals(spans: readonly SpanRecord[], from: number, to: number): Interval[] {
  return intersect(
    spans.map((s) => ({ start: s.joinedAt, end: s.leftAt ?? to })),
    [{ start: from, end: to }],
  );
}

/**
 * When at least one tab was visible. Each tab is visible from a `visible: true` report to its next report
 * (or `to`). A person who never reported (an old client) counts as visible: active = present.
 */
export function visibleIntervals(reports: readonly VisibilityRecord[], from: number, to: number): Interval[] {
  if (reports.length === 0) return [{ start: from, end: to }];
  const byTab = new Map<string, VisibilityRecord[]>();
  for (const r of [...reports].sort((a, b) => a.at - b.at)) {
    const list = byTab.get(r.tab) ?? [];
    list.push(r);
    byTab.set(r.tab, list);
  }
  const out: Interval[] = [];
  for (const list of byTab.values())
    list.forEach((r, k) => {
      if (r.visible) out.push({ start: r.at, end: list[k + 1]?.at ?? to });
    });
  return mergeIntervals(out);
}

export interface AttendanceFacts {
  firstJoin: number | null;
  lastLeave: number | null;
  /** Still in the room at the end (an open span, or one closed by the class's end); lastLeave null while a span is open. */
  here: boolean;
  presentMs: number;
  activeMs: number;
}

/** A person's attendance in a class from `start` to `end` (the class's end, or now while it runs). */
export function factsOf(
  spans: readonly SpanRecord[],
  reports: readonly VisibilityRecord[],
  start: number,
  end: number,
): AttendanceFacts {
  const present = presentIntervals(spans, start, end);
  const active = intersect(present, visibleIntervals(reports, start, end));
  if (present.length === 0) {
    // Joined and left at once, or outside the class: a visit but no time.
    const first = spans.length ? Math.min(...spans.map((s) => s.joinedAt)) : null;
    const last =
      spans.length && spans.every((s) => s.leftAt !== null) ? Math.max(...spans.map((s) => s.leftAt!)) : null;
    return { firstJoin: first, lastLeave: last, here: false, presentMs: 0, activeMs: 0 };
  }
  const here = spans.some((s) => s.leftAt === null || s.leftAt >= end);
  return {
    firstJoin: Math.min(...spans.map((s) => s.joinedAt)),
    lastLeave: spans.some((s) => s.leftAt === null) ? null : present[present.length - 1].end,
    here,
    presentMs: totalMs(present),
    activeMs: totalMs(active),
  };
}

/** Whether the active time meets every active minimum that is set. */
export function meetsActivity(facts: AttendanceFacts, t: AttendanceThresholds, durationMs: number): boolean {
  if (t.minActiveMinutes !== null && facts.activeMs < t.minActiveMinutes * 60_000) return false;
  if (t.minActivePercent !== null && durationMs > 0 && (facts.activeMs / durationMs) * 100 < t.minActivePercent)
    return false;
  return true;
}

/**
 * The status, first that applies: absent (never joined), inactive (below an active minimum), late (first
 * join after the lateness threshold), left early (left for good at least leftEarlyMinutes before the end;
 * a class ending while the student is connected is not leaving early), present.
 */
export function classify(
  facts: AttendanceFacts,
  t: AttendanceThresholds,
  start: number,
  end: number,
): AttendanceStatus {
  if (facts.firstJoin === null) return 'absent';
  if (!meetsActivity(facts, t, end - start)) return 'inactive';
  if (facts.firstJoin > start + t.lateAfterMinutes * 60_000) return 'late';
  if (!facts.here && facts.lastLeave !== null && facts.lastLeave <= end - t.leftEarlyMinutes * 60_000)
    return 'left-early';
  return 'present';
}

/**
 * The attendance grade out of `points`: percent: the share of the class active (rounded to 2 decimals);
 * threshold: full if the active minimums are met, else 0. Absent: 0.
 */
export function gradeOf(
  facts: AttendanceFacts,
  mode: GradingMode,
  t: AttendanceThresholds,
  durationMs: number,
  points: number,
): number {
  if (facts.firstJoin === null || durationMs <= 0) return 0;
  if (mode === 'threshold') return meetsActivity(facts, t, durationMs) ? points : 0;
  const share = Math.min(1, facts.activeMs / durationMs);
  return Math.round(share * points * 100) / 100;
}

/** Whether a string is an IANA time zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** An instant as local wall time in `tz`: "YYYY-MM-DD HH:mm:ss". */
export function formatInZone(ms: number, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '';
  return `${p('year')}-${p('month')}-${p('day')} ${p('hour')}:${p('minute')}:${p('second')}`;
}

/** The offset of `tz` from UTC at an instant, in ms. */
function offsetAt(ms: number, tz: string): number {
  const [d, t] = formatInZone(ms, tz).split(' ');
  const [y, mo, da] = d.split('-').map(Number);
  const [h, mi, s] = t.split(':').map(Number);
  return Date.UTC(y, mo - 1, da, h, mi, s) - Math.floor(ms / 1000) * 1000;
}

/** The instant a local calendar day starts in `tz` (midnight, or the first instant of the day around a DST jump). */
export function startOfDay(date: string, tz: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  let at = guess - offsetAt(guess, tz);
  at = guess - offsetAt(at, tz);
  return at;
}

/** [from 00:00, the day after `to` 00:00) in `tz`, as instants: the course report's period. */
export function periodOf(from: string, to: string, tz: string): Interval {
  const [y, m, d] = to.split('-').map(Number);
  const next = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  return { start: startOfDay(from, tz), end: startOfDay(next, tz) };
}
