import type { GradebookView } from '@contracts/api';
import type { AttendanceStatus, SessionReport } from '@contracts/attendance';

/**
 * The grades page's sheet: each student's attendance in a class beside their grade, scores typed but not
 * saved yet, "grade everyone present", and what a save sends. Pure, unit-tested. Attendance statuses come
 * from the attendance module's report, never computed here.
 */

export type GradebookStudent = GradebookView['students'][number];

/** A student's attendance in the chosen class, as the attendance report has it. */
export interface ClassAttendance {
  status: AttendanceStatus;
  presentMs: number;
  activeMs: number;
}

/** Statuses of students who came to the class: "everyone present" means these. */
export const CAME_TO_CLASS: readonly AttendanceStatus[] = ['present', 'late', 'left-early'];

/**
 * Each student's attendance in the report's class, by subject. A student the report does not list (never
 * launched Lectern, so never joined) was absent.
 */
export function attendanceBySubject(
  students: readonly GradebookStudent[],
  report: Pick<SessionReport, 'rows'>,
): Map<string, ClassAttendance> {
  const byUser = new Map(report.rows.map((r) => [r.userId, r]));
  const out = new Map<string, ClassAttendance>();
  for (const s of students) {
    const row = s.userId ? byUser.get(s.userId) : undefined;
    out.set(
      s.subject,
      row
        ? { status: row.status, presentMs: row.presentMs, activeMs: row.activeMs }
        : { status: 'absent', presentMs: 0, activeMs: 0 },
    );
  }
  return out;
}

/** Drafts (typed scores, by subject) with full points for every student who came to the class. */
export function gradeEveryonePresent(
  students: readonly GradebookStudent[],
  attendance: ReadonlyMap<string, ClassAttendance>,
  points: number,
  drafts: ReadonlyMap<string, string>,
): { drafts: Map<string, string>; count: number } {
  const next = new Map(drafts);
  let count = 0;
  for (const s of students) {
    const a = attendance.get(s.subject);
    if (s.status !== 'active' || !a || !CAME_TO_CLASS.includes(a.status)) continue;
    next.set(s.subject, String(points));
    count++;
  }
  return { drafts: next, count };
}

export type DraftProblem = 'not-a-number' | 'negative' | 'above-maximum';

/** What is wrong with a typed score, or null. Empty means "no change". */
export function draftProblem(text: string, points: number): DraftProblem | null {
  const t = text.trim().replace(',', '.');
  if (t === '') return null;
  const n = Number(t);
  if (!Number.isFinite(n)) return 'not-a-number';
  if (n < 0) return 'negative';
  if (n > points) return 'above-maximum';
  return null;
}

/**
 * What a save sends: every typed score that is valid and differs from the saved one; and the subjects
 * whose typed score is not valid (the save waits until they are fixed).
 */
export function pendingGrades(
  students: readonly GradebookStudent[],
  drafts: ReadonlyMap<string, string>,
  points: number,
): { grades: Array<{ subject: string; scoreGiven: number }>; invalid: string[] } {
  const grades: Array<{ subject: string; scoreGiven: number }> = [];
  const invalid: string[] = [];
  for (const s of students) {
    const text = drafts.get(s.subject);
    if (text === undefined || text.trim() === '') continue;
    if (draftProblem(text, points)) {
      invalid.push(s.subject);
      continue;
    }
    const n = Number(text.trim().replace(',', '.'));
    if (s.attendance?.scoreGiven !== n) grades.push({ subject: s.subject, scoreGiven: n });
  }
  return { grades, invalid };
}
