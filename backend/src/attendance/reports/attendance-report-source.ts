import type { CourseReport, CourseReportQuery, SessionReport } from '../../contracts/attendance';

/**
 * Where alerts and reports get their numbers: the attendance module's own reports (spans, active time,
 * statuses by the thresholds in force), tenant-scoped by course. Bound in the module to the attendance
 * report service; alerts and reports never read the attendance tables themselves.
 */
export interface AttendanceReportSource {
  /** One class of the course (SESSION_NOT_FOUND when it is not this course's). */
  sessionReport(courseId: string, sessionId: string): Promise<SessionReport>;
  /** The course's classes in [from, to], local dates in the course's zone. */
  courseReport(courseId: string, query: CourseReportQuery): Promise<CourseReport>;
  /** The course's IANA zone ('UTC' when none is stored). */
  courseTimeZone(courseId: string): Promise<string>;
}

export const ATTENDANCE_REPORT_SOURCE = Symbol('ATTENDANCE_REPORT_SOURCE');
