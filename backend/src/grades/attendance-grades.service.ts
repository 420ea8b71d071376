import { Injectable } from '@nestjs/common';
import { classroomOf, type SessionClaims } from '../platform/auth/session-token';
import { ConflictError, NotFoundError, ValidationError } from '../platform/domain-error';
import { RosterService } from '../roster/roster.service';
import { TenancyService } from '../tenancy/tenancy.service';
import { ATTENDANCE_TAG, GradesService } from './grades.service';

/** An instructor's attendance grade for one student of the classroom. */
export interface AttendanceGradeInput {
  scoreGiven: number;
  comment?: string;
}

/** Attendance grades an instructor sets (or overrides) by hand; they go out through the grade outbox. */
@Injectable()
export class AttendanceGradesService {
  constructor(
    private readonly grades: GradesService,
    private readonly tenancy: TenancyService,
    private readonly roster: RosterService,
  ) {}

  /** Records the grade (NOT_GRADED, SCORE_ABOVE_MAXIMUM, STUDENT_NOT_FOUND) and queues its post; returns the outbox row. */
  async set(
    session: SessionClaims,
    subject: string,
    input: AttendanceGradeInput,
  ): Promise<{ outboxId: string; status: 'pending' }> {
    const activity = await this.tenancy.gradedActivity(classroomOf(session), session.courseId);
    if (!activity?.attendancePoints)
      throw new ConflictError('NOT_GRADED', 'Attendance is not graded in this classroom: set its points first');
    const points = activity.attendancePoints;
    if (input.scoreGiven > points)
      throw new ConflictError('SCORE_ABOVE_MAXIMUM', `The score must be at most ${points}`);
    const student = await this.roster.findStudent(session.courseId, subject);
    if (!student) throw new NotFoundError('STUDENT_NOT_FOUND', 'No such student in this course');
    // The person (known from the roster, perhaps never launched) and their grade commit together.
    const outboxId = await this.grades.transaction(async (tx) => {
      const userId = await this.tenancy.ensureUser(session.platformId, subject, student, tx);
      return this.grades.record(tx, {
        courseId: session.courseId,
        activityId: activity.id,
        userId,
        tag: ATTENDANCE_TAG,
        label: `Attendance: ${activity.title}`,
        scoreGiven: input.scoreGiven,
        scoreMaximum: points,
        comment: input.comment ?? null,
      });
    });
    await this.grades.enqueue(outboxId);
    return { outboxId, status: 'pending' };
  }

  /**
   * Several students' grades at once (the grades page's save): every row is checked first (NOT_GRADED,
   * SCORE_ABOVE_MAXIMUM, STUDENT_NOT_FOUND, a student twice), then all are recorded in one transaction
   * and queued; a bad row saves nothing. Returns how many were recorded.
   */
  async setMany(session: SessionClaims, grades: ReadonlyArray<{ subject: string; scoreGiven: number }>) {
    const activity = await this.tenancy.gradedActivity(classroomOf(session), session.courseId);
    if (!activity?.attendancePoints)
      throw new ConflictError('NOT_GRADED', 'Attendance is not graded in this classroom: set its points first');
    const points = activity.attendancePoints;
    const subjects = grades.map((g) => g.subject);
    const twice = subjects.filter((s, i) => subjects.indexOf(s) !== i);
    if (twice.length)
      throw new ValidationError(
        'A student appears twice',
        [...new Set(twice)].map((s) => `twice: ${s}`),
      );
    const above = grades.filter((g) => g.scoreGiven > points).map((g) => g.subject);
    if (above.length)
      throw new ConflictError('SCORE_ABOVE_MAXIMUM', `Scores must be at most ${points}: ${above.join(', ')}`);
    const students = new Map((await this.roster.members(session.courseId)).map((m) => [m.subject, m]));
    const unknown = subjects.filter((s) => !students.has(s));
    if (unknown.length)
      throw new NotFoundError(
        'STUDENT_NOT_FOUND',
        `No such student in this course: ${unknown.slice(0, 10).join(', ')}`,
      );
    const ids = await this.grades.transaction(async (tx) => {
      const out: string[] = [];
      for (const g of grades) {
        const student = students.get(g.subject)!;
        const userId = await this.tenancy.ensureUser(session.platformId, g.subject, student, tx);
        out.push(
          await this.grades.record(tx, {
            courseId: session.courseId,
            activityId: activity.id,
            userId,
            tag: ATTENDANCE_TAG,
            label: `Attendance: ${activity.title}`,
            scoreGiven: g.scoreGiven,
            scoreMaximum: points,
            comment: null,
          }),
        );
      }
      return out;
    });
    for (const id of ids) await this.grades.enqueue(id);
    return { saved: ids.length };
  }
}
