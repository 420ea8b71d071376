import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { GradebookView, GradeCellView } from '../contracts/api';
import { ATTENDANCE_TAG } from './grades.service';

/** The instructor's view of the grades of one classroom: each student's latest grade and whether it reached the LMS. */
@Injectable()
export class GradesViewService {
  constructor(private readonly db: DataSource) {}

  async view(courseId: string, activityId: string): Promise<GradebookView> {
    const [activity] = await this.db.query(`SELECT attendance_points FROM classroom_activity WHERE id = $1 AND course_id = $2`, [activityId, courseId]);
    const [svc] = await this.db.query(`SELECT ags_lineitems_url FROM course_lti_service WHERE course_id = $1`, [courseId]);
    const rows = await this.db.query(
      `WITH students AS (
         SELECT r.subject, r.name, r.status FROM roster_member r WHERE r.course_id = $1 AND r.role = 'learner'
         UNION
         SELECT u.subject, u.name, 'active' FROM enrolment e JOIN lti_user u ON u.id = e.user_id
          WHERE e.course_id = $1 AND e.role = 'learner' AND NOT EXISTS (SELECT 1 FROM roster_member r WHERE r.course_id = $1 AND r.subject = u.subject)
       ), latest AS (
         SELECT DISTINCT ON (o.user_id) o.*, u.subject FROM grade_outbox o
           JOIN grade_line_item li ON li.id = o.line_item_id AND li.activity_id = $2 AND li.tag = $3
           JOIN lti_user u ON u.id = o.user_id
          WHERE o.status <> 'superseded' ORDER BY o.user_id, o.created_at DESC
       )
       SELECT s.subject, s.name, s.status, l.id AS outbox_id, l.score_given, l.score_maximum, l.status AS sync_status,
              l.attempts, l.last_error, l.graded_at, l.sent_at
         FROM students s LEFT JOIN latest l ON l.subject = s.subject
        ORDER BY s.status, s.name LIMIT 10000`,
      [courseId, activityId, ATTENDANCE_TAG],
    );
    const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
    return {
      attendancePoints: activity?.attendance_points != null ? Number(activity.attendance_points) : null,
      agsOffered: Boolean(svc?.ags_lineitems_url),
      students: rows.map((r: Record<string, unknown>) => ({
        subject: r.subject as string,
        name: r.name as string,
        status: r.status as 'active',
        attendance: r.outbox_id
          ? ({
              outboxId: r.outbox_id as string,
              scoreGiven: Number(r.score_given),
              scoreMaximum: Number(r.score_maximum),
              status: r.sync_status as GradeCellView['status'],
              attempts: Number(r.attempts),
              lastError: (r.last_error as string) ?? null,
              gradedAt: iso(r.graded_at as Date)!,
              sentAt: iso(r.sent_at as Date | null),
            } satisfies GradeCellView)
          : null,
      })),
    };
  }
}
