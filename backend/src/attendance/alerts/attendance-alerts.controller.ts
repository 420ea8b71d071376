import { Controller, Get, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import { Session, SessionGuard } from '../../platform/auth/session.guard';
import type { SessionClaims } from '../../platform/auth/session-token';
import { ForbiddenError, ValidationError } from '../../platform/domain-error';
import { parseInput } from '../../platform/validation';
import { canTeach } from '../../tenancy/domain/role-mapping';
import { ATTENDANCE_REPORT_SOURCE, type AttendanceReportSource } from '../reports/attendance-report-source';
import { AttendanceAlertsService } from './attendance-alerts.service';
import { GUARDIAN_CSV_LIMITS } from './domain/guardian-csv';

const requireTeacher = (s: SessionClaims) => {
  if (!canTeach(s.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can do this');
};

/** Reads a text body (the app's parsers take JSON only), refusing one over `limit` bytes. */
async function textBody(req: Request, limit: number): Promise<string> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^text\/(csv|plain)\b/i.test(type))
    throw new ValidationError('Send the contacts as text/csv', [
      `content-type: expected text/csv, got ${type || 'none'}`,
    ]);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ValidationError(`The file is larger than ${limit} bytes`, ['(body): too large']);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Guardian contacts (imported as CSV by an instructor or admin, per course) and the notes a class sent. */
@Controller('api/attendance')
@UseGuards(SessionGuard)
export class AttendanceAlertsController {
  constructor(
    private readonly alerts: AttendanceAlertsService,
    @Inject(ATTENDANCE_REPORT_SOURCE) private readonly source: AttendanceReportSource,
  ) {}

  /** POST /api/attendance/contacts (text/csv: student, guardian_email[, guardian_name]); all or nothing. */
  @Post('contacts')
  async importContacts(@Session() s: SessionClaims, @Req() req: Request) {
    requireTeacher(s);
    return this.alerts.importContacts(s.courseId, await textBody(req, GUARDIAN_CSV_LIMITS.maxBytes));
  }

  /** The imported contacts, and the LMS's observers (from launches and NRPS) who also get the notes. */
  @Get('contacts')
  async contacts(@Session() s: SessionClaims) {
    requireTeacher(s);
    const [contacts, observers] = await Promise.all([
      this.alerts.contacts(s.courseId),
      this.alerts.observers(s.courseId),
    ]);
    return { contacts, observers };
  }

  /** The notes a class of this course sent (or is sending), and their state. */
  @Get('notes/:sessionId')
  async notes(@Session() s: SessionClaims, @Param('sessionId') sessionId: string) {
    requireTeacher(s);
    const id = parseInput(z.uuid(), sessionId);
    await this.source.sessionReport(s.courseId, id); // SESSION_NOT_FOUND unless it is this course's class
    return { notes: await this.alerts.notes(id) };
  }
}
