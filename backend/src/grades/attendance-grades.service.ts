import { Injectable } from '@nestjs/common';
import { classroomOf, type SessionClaims } from '../platform/auth/session-token';
import { ConflictError, NotFoundError } from '../platform/domain-error';
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
}
