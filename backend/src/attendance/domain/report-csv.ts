/** Attendance reports as CSV (RFC 4180), times in the course's zone. Pure; hand-written like the quiz's. */
import type { CourseReport, SessionReport } from '../../contracts/attendance';
import { csvCell } from '../../quiz/domain/results-csv';
import { formatInZone } from './attendance';

const line = (cells: Array<string | number | boolean | null>) => cells.map(csvCell).join(',');
const minutes = (ms: number) => Math.round(ms / 600) / 100;
const when = (at: string | null, tz: string) => (at ? formatInZone(Date.parse(at), tz) : null);

/** One row per student: first join, last leave, minutes present and active, status, grade; the thresholds in a header line. */
export function sessionReportCsv(r: SessionReport): string {
  const t = r.thresholds;
  const rows = [
    line([
      'name',
      'user_id',
      'first_join',
      'last_leave',
      'present_min',
      'active_min',
      'status',
      'grade',
      'grade_source',
    ]),
    ...r.rows.map((x) =>
      line([
        x.name,
        x.userId,
        when(x.firstJoin, r.timeZone),
        when(x.lastLeave, r.timeZone),
        minutes(x.presentMs),
        minutes(x.activeMs),
        x.status,
        x.grade,
        x.gradeSource,
      ]),
    ),
    '',
    line([
      `class ${when(r.startedAt, r.timeZone)} to ${when(r.endedAt, r.timeZone) ?? 'now'} (${r.timeZone})`,
      `late after ${t.lateAfterMinutes} min`,
      `left early ${t.leftEarlyMinutes} min before the end`,
      `min active ${t.minActiveMinutes ?? '-'} min`,
      `min active ${t.minActivePercent ?? '-'} %`,
    ]),
  ];
  return rows.join('\r\n') + '\r\n';
}

/** One row per student and class over the period. */
export function courseReportCsv(r: CourseReport): string {
  const started = new Map(r.sessions.map((s) => [s.sessionId, s]));
  const rows = [line(['name', 'user_id', 'class', 'started', 'status', 'present_min', 'active_min'])];
  for (const st of r.students)
    for (const s of st.sessions) {
      const c = started.get(s.sessionId);
      rows.push(
        line([
          st.name,
          st.userId,
          c?.classroomTitle ?? '',
          when(c?.startedAt ?? null, r.timeZone),
          s.status,
          minutes(s.presentMs),
          minutes(s.activeMs),
        ]),
      );
    }
  return rows.join('\r\n') + '\r\n';
}
