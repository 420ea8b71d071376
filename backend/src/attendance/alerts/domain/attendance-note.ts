import { formatInZone } from '../../domain/attendance';
import type { AttendanceStatus, SessionReport, SessionReportRow } from '../../../contracts/attendance';

/** Statuses that are below the classroom's thresholds and send a note. */
export const NOTE_STATUSES: readonly AttendanceStatus[] = ['inactive', 'absent'];

/** The students of a finished class who fell below its thresholds. */
export function studentsBelowThresholds(report: SessionReport): SessionReportRow[] {
  return report.rows.filter((r) => NOTE_STATUSES.includes(r.status));
}

const minutes = (ms: number) => Math.round(ms / 60_000);

/** The local date and time of an instant in the course's zone, to the minute (e.g. "2026-12-04 09:00"). */
export const localTime = (iso: string, timeZone: string): string =>
  formatInZone(Date.parse(iso), timeZone).slice(0, 16);

/** The note sent to a student (or about them, to a guardian) who fell below the thresholds. */
export function attendanceNote(
  report: SessionReport,
  row: SessionReportRow,
  to: 'student' | 'guardian',
): { subject: string; text: string } {
  const when = localTime(report.startedAt, report.timeZone);
  const who = to === 'student' ? 'You' : row.name;
  const t = report.thresholds;
  const rules = [
    t.minActiveMinutes !== null ? `at least ${t.minActiveMinutes} active minutes` : null,
    t.minActivePercent !== null ? `active for at least ${t.minActivePercent}% of the class` : null,
  ].filter(Boolean);
  const what =
    row.status === 'absent'
      ? `${who} did not attend the class "${report.classroomTitle}" of ${when} (${report.timeZone}).`
      : `${who} attended the class "${report.classroomTitle}" of ${when} (${report.timeZone}) for ${minutes(row.presentMs)} minutes, ` +
        `of which ${minutes(row.activeMs)} active (the class page visible), out of ${minutes(report.durationMs)} minutes.`;
  return {
    subject: `Attendance: ${report.classroomTitle}, ${when}`,
    text: [
      to === 'student' ? `Hello ${row.name},` : 'Hello,',
      '',
      what,
      rules.length ? `The class asks for ${rules.join(' or ')}.` : '',
      '',
      'This note was sent automatically by Lectern.',
    ].join('\n'),
  };
}
