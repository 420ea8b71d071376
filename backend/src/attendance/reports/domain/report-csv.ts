import { stringify } from 'csv-stringify/sync';
import type { CourseReport, SessionReport } from '../../../contracts/attendance';
import { attendanceStatuses } from '../../../contracts/attendance';
import { localTime } from '../../alerts/domain/attendance-note';
import { attendanceWords, type AttendanceWords } from '../../domain/attendance-words';

const minutes = (ms: number) => (ms / 60_000).toFixed(1);
/**
 * Text from the LMS (names) as a spreadsheet takes it: a cell starting with = + - @ or a tab/CR would be run as a
 * formula by Excel or LibreOffice (OWASP "CSV injection"), so it is prefixed with an apostrophe.
 */
export const textCell = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
const at = (iso: string | null, zone: string) => (iso ? localTime(iso, zone) : '');

/** One row per student of one class: times in the course's zone, durations in minutes (one decimal). */
export function sessionReportCsv(r: SessionReport, w: AttendanceWords = attendanceWords()): string {
  return stringify(
    r.rows.map((row) => [
      textCell(row.name),
      textCell(row.userId),
      at(row.firstJoin, r.timeZone),
      at(row.lastLeave, r.timeZone),
      minutes(row.presentMs),
      minutes(row.activeMs),
      w.status[row.status],
      row.grade ?? '',
      row.gradeSource ? w.csv.gradeSources[row.gradeSource] : '',
    ]),
    {
      header: true,
      columns: [
        w.csv.student,
        w.csv.userId,
        w.csv.firstJoin(r.timeZone),
        w.csv.lastLeave(r.timeZone),
        w.csv.presentMinutes,
        w.csv.activeMinutes,
        w.csv.status,
        w.csv.grade,
        w.csv.gradeSource,
      ],
    },
  );
}

/** One row per student over the period: how many classes in each status, and the minutes summed. */
export function courseReportCsv(r: CourseReport, w: AttendanceWords = attendanceWords()): string {
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
      columns: [
        w.csv.student,
        w.csv.userId,
        w.csv.classes,
        ...attendanceStatuses.map((s) => w.status[s]),
        w.csv.presentMinutes,
        w.csv.activeMinutes,
      ],
    },
  );
}
