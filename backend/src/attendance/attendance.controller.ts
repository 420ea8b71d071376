import { Body, Controller, Get, Param, Put, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import {
  classroomSettingsBodySchema,
  courseReportQuerySchema,
  courseTimeZoneBodySchema,
  platformSettingsBodySchema,
} from '../contracts/attendance';
import { Session, SessionGuard } from '../platform/auth/session.guard';
import type { SessionClaims } from '../platform/auth/session-token';
import { ForbiddenError, NotFoundError } from '../platform/domain-error';
import { parseInput } from '../platform/validation';
import { canTeach } from '../tenancy/domain/role-mapping';
import { AttendanceService } from './attendance.service';

const requireTeacher = (s: SessionClaims) => {
  if (!canTeach(s.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can do this');
};
const classroomOf = (s: SessionClaims): string => {
  if (!s.activityId) throw new NotFoundError('NO_CLASSROOM', 'This session has no classroom');
  return s.activityId;
};
const id = z.uuid();

/** Attendance views, reports and settings (instructors; tenant-scoped by the session's course and classroom). */
@Controller('api/attendance')
@UseGuards(SessionGuard)
export class AttendanceController {
  constructor(private readonly attendance: AttendanceService) {}

  @Get('live')
  live(@Session() s: SessionClaims) {
    requireTeacher(s);
    return this.attendance.live(s.courseId, classroomOf(s));
  }

  @Get('sessions/:id/report')
  sessionReport(@Session() s: SessionClaims, @Param('id') sessionId: string) {
    requireTeacher(s);
    return this.attendance.sessionReport(s.courseId, parseInput(id, sessionId));
  }

  @Get('report')
  courseReport(@Session() s: SessionClaims, @Query() q: unknown) {
    requireTeacher(s);
    return this.attendance.courseReport(s.courseId, parseInput(courseReportQuerySchema, q));
  }

  @Get('classroom/settings')
  settings(@Session() s: SessionClaims) {
    requireTeacher(s);
    return this.attendance.settings(s.platformId, s.courseId, classroomOf(s));
  }

  @Put('classroom/settings')
  async saveClassroom(@Session() s: SessionClaims, @Body() body: unknown) {
    requireTeacher(s);
    const activityId = classroomOf(s);
    await this.attendance.saveClassroom(activityId, parseInput(classroomSettingsBodySchema, body));
    return this.attendance.settings(s.platformId, s.courseId, activityId);
  }

  /** The course's time zone (reports, CSV, PDF and notes show times in it): instructors of the course. */
  @Put('course/time-zone')
  async saveCourseTimeZone(@Session() s: SessionClaims, @Body() body: unknown) {
    requireTeacher(s);
    const { timeZone } = parseInput(courseTimeZoneBodySchema, body);
    await this.attendance.saveCourseTimeZone(s.courseId, timeZone);
    return this.attendance.settings(s.platformId, s.courseId, classroomOf(s));
  }

  /** The platform's default thresholds: an LMS administrator (role administrator) of this platform. */
  @Put('settings')
  async savePlatform(@Session() s: SessionClaims, @Body() body: unknown) {
    if (s.role !== 'administrator') throw new ForbiddenError('ADMIN_ONLY', 'Only an administrator can do this');
    await this.attendance.savePlatform(s.platformId, parseInput(platformSettingsBodySchema, body).thresholds);
    return this.attendance.settings(s.platformId, s.courseId, classroomOf(s));
  }
}
