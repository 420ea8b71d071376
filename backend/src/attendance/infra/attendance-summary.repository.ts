import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Per person of a course (by LMS subject): the last class they joined and how many they joined. For the roster. */
@Injectable()
export class AttendanceSummaryRepository {
  constructor(private readonly db: DataSource) {}

  async bySubject(courseId: string): Promise<Map<string, { lastAttendedAt: Date; classesAttended: number }>> {
    const rows = (await this.db.query(
      `SELECT u.subject, max(s.joined_at) AS last, count(DISTINCT s.session_id)::int AS n
       FROM attendance_span s JOIN lti_user u ON u.id = s.user_id
       WHERE s.course_id = $1 GROUP BY u.subject`,
      [courseId],
    )) as Array<{ subject: string; last: Date; n: number }>;
    return new Map(rows.map((r) => [r.subject, { lastAttendedAt: r.last, classesAttended: r.n }]));
  }
}
