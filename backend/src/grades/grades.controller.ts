import { Body, Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { Session, SessionGuard } from '../platform/auth/session.guard';
import { classroomOf, type SessionClaims } from '../platform/auth/session-token';
import { ConflictError, ForbiddenError, NotFoundError } from '../platform/domain-error';
import { parseInput } from '../platform/validation';
import { canTeach } from '../tenancy/domain/role-mapping';
import { GradesViewService } from './grades-view.service';
import { ATTENDANCE_TAG, GradesService } from './grades.service';

const requireTeacher = (s: SessionClaims) => {
  if (!canTeach(s.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can see and change grades');
};
const gradeBody = z.object({ scoreGiven: z.number().min(0).finite(), comment: z.string().max(1000).optional() }).strict();
const subjectParam = z.string().min(1).max(255);

@Controller('api/grades')
@UseGuards(SessionGuard)
export class GradesController {
  constructor(
    private readonly db: DataSource,
    private readonly grades: GradesService,
    private readonly views: GradesViewService,
  ) {}

  @Get()
  view(@Session() session: SessionClaims) {
    requireTeacher(session);
    return this.views.view(session.courseId, classroomOf(session));
  }

  /** An instructor sets (or overrides) a student's attendance grade for this classroom. */
  @Put('attendance/:subject')
  async setAttendance(@Session() session: SessionClaims, @Param('subject') rawSubject: string, @Body() raw: unknown) {
    requireTeacher(session);
    const subject = parseInput(subjectParam, rawSubject);
    const body = parseInput(gradeBody, raw);
    const outboxId = await this.db.transaction(async (m) => {
      const [activity] = await m.query(`SELECT title, attendance_points FROM classroom_activity WHERE id = $1 AND course_id = $2`, [
        classroomOf(session),
        session.courseId,
      ]);
      if (!activity?.attendance_points) throw new ConflictError('NOT_GRADED', 'Attendance is not graded in this classroom: set its points first');
      const points = Number(activity.attendance_points);
      if (body.scoreGiven > points) throw new ConflictError('SCORE_ABOVE_MAXIMUM', `The score must be at most ${points}`);
      const [member] = await m.query(
        `SELECT name, email FROM roster_member WHERE course_id = $1 AND subject = $2
         UNION ALL SELECT u.name, u.email FROM enrolment e JOIN lti_user u ON u.id = e.user_id WHERE e.course_id = $1 AND u.subject = $2 LIMIT 1`,
        [session.courseId, subject],
      );
      if (!member) throw new NotFoundError('STUDENT_NOT_FOUND', 'No such student in this course');
      const [user] = await m.query(
        `INSERT INTO lti_user (platform_id, subject, name, email) VALUES ($1, $2, $3, $4)
         ON CONFLICT (platform_id, subject) DO UPDATE SET updated_at = lti_user.updated_at RETURNING id`,
        [session.platformId, subject, member.name, member.email],
      );
      return this.grades.record(m, {
        courseId: session.courseId,
        activityId: classroomOf(session),
        userId: user.id,
        tag: ATTENDANCE_TAG,
        label: `Attendance: ${activity.title}`,
        scoreGiven: body.scoreGiven,
        scoreMaximum: points,
        comment: body.comment ?? null,
      });
    });
    await this.grades.enqueue(outboxId);
    return { outboxId, status: 'pending' };
  }

  @Post(':outboxId/retry')
  @HttpCode(202)
  async retry(@Session() session: SessionClaims, @Param('outboxId') id: string) {
    requireTeacher(session);
    await this.grades.retry(session.courseId, parseInput(z.uuid(), id));
    return { status: 'pending' };
  }
}
