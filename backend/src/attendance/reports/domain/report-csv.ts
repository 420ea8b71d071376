import { stringify } from 'csv-stringify/sync';
import type { CourseReport, SessionReport } from '../../../contracts/attendance';
import { attendanceStatuses } from '../../../contracts/attendance';
import { localTime } from '../../alerts/domain/attendance-note';

const minutes = (ms: number) => (ms / 60_000).toFixed(1);
/**
 * Text from the LMS (names) as a spreadsheet takes it: a cell starting with = + - @ or a tab/CR would be run as a
 * formula by Excel or LibreOffice (OWASP "CSV injection"), so it is prefixed with an apostrophe.
 */
export const textCell = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
const at = (iso: string | null, zone: string) => (iso ? localTime(iso, zone) : '');

/** One row per student of one class: times in the course's zone, durations in minutes (one decimal). */
export function sessionReportCsv(r: SessionReport): string {
  return stringify(
    r.rows.map((row) => [
      textCell(row.name),
      textCell(row.userId),
      at(row.firstJoin, r.timeZone),
      at(row.lastLeave, r.timeZone),
      minutes(row.presentMs),
      minutes(row.activeMs),
      row.status,
      row.grade ?? '',
      row.gradeSource ?? '',
    ]),
    {
      header: true,
      columns: [
        'student',
        'user_id',
        `first_join (${r.timeZone})`,
        `last_leave (${r.timeZone})`,
        'present_minutes',
        'active_minutes',
        'status',
        'grade',
        'grade_source',
      ],
    },
  );
}

/** One row per student over the period: how many classes in each status, and the minutes summed. */
export function courseReportCsv(r: CourseReport): string {
  return stringify(
    r.students.map((s) => [
      textCell(s.name),
      textCell(s.userId),
      r.sessions.length,
      ...attendanceStatuses.map((st) => s.counts[st]),
      minutes(s.presentMs),
      minutes(s.activeMs),
    ]),
    {
      header: true,
      columns: ['student', 'user_id', 'classes', ...attendanceStatuses, 'present_minutes', 'active_minutes'],
    },
  );
}
