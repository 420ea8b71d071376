import { Injectable } from '@nestjs/common';
import type { CourseReport, CourseReportQuery, SessionReport } from '../../contracts/attendance';
import { AttendanceService } from '../attendance.service';
import type { AttendanceReportSource } from './attendance-report-source';
import { localDate } from './domain/report-period';

/** The attendance module's reports, as alerts and report files read them. */
@Injectable()
export class AttendanceServiceSource implements AttendanceReportSource {
  constructor(private readonly attendance: AttendanceService) {}

  sessionReport(courseId: string, sessionId: string): Promise<SessionReport> {
    return this.attendance.sessionReport(courseId, sessionId);
  }

  courseReport(courseId: string, query: CourseReportQuery): Promise<CourseReport> {
    return this.attendance.courseReport(courseId, query);
  }

  /** The zone the course's reports use (a one-day report says it; the attendance service keeps it). */
  async courseTimeZone(courseId: string): Promise<string> {
    const today = localDate(new Date(), 'UTC');
    return (await this.attendance.courseReport(courseId, { from: today, to: today })).timeZone;
  }
}
