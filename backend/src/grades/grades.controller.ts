import { Body, Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { MAX_GRADES_PER_SAVE, type AttendanceGradesSaved } from '../contracts/api';
import { Session, SessionGuard } from '../platform/auth/session.guard';
import { classroomOf, type SessionClaims } from '../platform/auth/session-token';
import { ForbiddenError } from '../platform/domain-error';
import { parseInput } from '../platform/validation';
import { canGrade } from '../tenancy/domain/role-mapping';
import { AttendanceGradesService } from './attendance-grades.service';
import { GradesViewService } from './grades-view.service';
import { GradesService } from './grades.service';

const requireTeacher = (s: SessionClaims) => {
  if (!canGrade(s.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can see and change grades');
};
const gradeBody = z
  .object({ scoreGiven: z.number().min(0).finite(), comment: z.string().max(1000).optional() })
  .strict();
const subjectParam = z.string().min(1).max(255);
const manyBody = z
  .object({
    grades: z
      .array(z.object({ subject: subjectParam, scoreGiven: z.number().min(0).finite() }).strict())
      .min(1)
      .max(MAX_GRADES_PER_SAVE),
  })
  .strict();

@Controller('api/grades')
@UseGuards(SessionGuard)
export class GradesController {
  constructor(
    private readonly attendance: AttendanceGradesService,
    private readonly grades: GradesService,
    private readonly views: GradesViewService,
  ) {}

  @Get()
  view(@Session() session: SessionClaims) {
    requireTeacher(session);
    return this.views.view(session.courseId, classroomOf(session));
  }

  /** An instructor saves several students' attendance grades at once (all or none). */
  @Put('attendance')
  setManyAttendance(@Session() session: SessionClaims, @Body() body: unknown): Promise<AttendanceGradesSaved> {
    requireTeacher(session);
    return this.attendance.setMany(session, parseInput(manyBody, body).grades);
  }

  /** An instructor sets (or overrides) a student's attendance grade for this classroom. */
  @Put('attendance/:subject')
  setAttendance(@Session() session: SessionClaims, @Param('subject') subject: string, @Body() body: unknown) {
    requireTeacher(session);
    return this.attendance.set(session, parseInput(subjectParam, subject), parseInput(gradeBody, body));
  }

  @Post(':outboxId/retry')
  @HttpCode(202)
  async retry(@Session() session: SessionClaims, @Param('outboxId') id: string) {
    requireTeacher(session);
    await this.grades.retry(session.courseId, parseInput(z.uuid(), id));
    return { status: 'pending' };
  }
}
