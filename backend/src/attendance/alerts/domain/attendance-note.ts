import { formatInZone } from '../../domain/attendance';
import type { AttendanceStatus, SessionReport, SessionReportRow } from '../../../contracts/attendance';
import { attendanceWords, type AttendanceWords } from '../../domain/attendance-words';

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
  w: AttendanceWords = attendanceWords(),
): { subject: string; text: string } {
  const when = localTime(report.startedAt, report.timeZone);
  const [c, zone] = [report.classroomTitle, report.timeZone];
  const t = report.thresholds;
  const rules = [
    t.minActiveMinutes !== null ? w.note.ruleMinutes(t.minActiveMinutes) : null,
    t.minActivePercent !== null ? w.note.rulePercent(t.minActivePercent) : null,
  ].filter((r): r is string => r !== null);
  const [present, active, of] = [minutes(row.presentMs), minutes(row.activeMs), minutes(report.durationMs)];
  const what =
    row.status === 'absent'
      ? to === 'student'
        ? w.note.absentYou(c, when, zone)
        : w.note.absentThem(row.name, c, when, zone)
      : to === 'student'
        ? w.note.attendedYou(c, when, zone, present, active, of)
        : w.note.attendedThem(row.name, c, when, zone, present, active, of);
  return {
    subject: w.note.subject(c, when),
    text: [
      to === 'student' ? w.note.helloStudent(row.name) : w.note.hello,
      '',
      what,
      rules.length ? w.note.asks(rules) : '',
      '',
      w.note.footer,
    ].join('\n'),
  };
}
