import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { courseReportQuerySchema } from '../../contracts/attendance';
import { Session, SessionGuard } from '../../platform/auth/session.guard';
import type { SessionClaims } from '../../platform/auth/session-token';
import { ForbiddenError } from '../../platform/domain-error';
import { parseInput } from '../../platform/validation';
import { canTeach } from '../../tenancy/domain/role-mapping';
import { AttendanceReportsService, type ReportFile } from './attendance-reports.service';

const requireTeacher = (s: SessionClaims) => {
  if (!canTeach(s.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can do this');
};
const format = z.enum(['csv', 'pdf']);
const sessionQuery = z.object({ format }).strict();
const courseQuery = courseReportQuerySchema.extend({ format });
const subscriptionBody = z.object({ frequency: z.enum(['weekly', 'monthly']) }).strict();

const download = (res: Response, file: ReportFile) =>
  res
    .status(200)
    .setHeader('Content-Type', file.contentType)
    .setHeader('Content-Disposition', `attachment; filename="${file.filename}"`)
    .send(file.content);

/**
 * Attendance reports as files, for the instructors of the session's course (tenant-scoped by it), and the
 * instructor's or admin's subscription to the course report by mail.
 */
@Controller('api/attendance')
@UseGuards(SessionGuard)
export class AttendanceReportsController {
  constructor(private readonly reports: AttendanceReportsService) {}

  /** GET /api/attendance/exports/sessions/:id?format=csv|pdf */
  @Get('exports/sessions/:id')
  async sessionExport(@Session() s: SessionClaims, @Param('id') id: string, @Query() q: unknown, @Res() res: Response) {
    requireTeacher(s);
    const { format: f } = parseInput(sessionQuery, q);
    const lang = await this.reports.languageOf(s.userId);
    download(res, await this.reports.sessionFile(s.courseId, parseInput(z.uuid(), id), f, lang));
  }

  /** GET /api/attendance/exports/course?from=YYYY-MM-DD&to=YYYY-MM-DD&format=csv|pdf */
  @Get('exports/course')
  async courseExport(@Session() s: SessionClaims, @Query() q: unknown, @Res() res: Response) {
    requireTeacher(s);
    const { format: f, ...range } = parseInput(courseQuery, q);
    download(res, await this.reports.courseFile(s.courseId, range, f, await this.reports.languageOf(s.userId)));
  }

  @Get('report-subscription')
  async subscription(@Session() s: SessionClaims) {
    requireTeacher(s);
    return { subscription: await this.reports.subscription(s.courseId, s.userId) };
  }

  @Put('report-subscription')
  async subscribe(@Session() s: SessionClaims, @Body() body: unknown) {
    requireTeacher(s);
    const { frequency } = parseInput(subscriptionBody, body);
    return { subscription: await this.reports.subscribe(s.courseId, s.userId, frequency) };
  }

  @Delete('report-subscription')
  @HttpCode(204)
  async unsubscribe(@Session() s: SessionClaims) {
    requireTeacher(s);
    await this.reports.unsubscribe(s.courseId, s.userId);
  }
}
