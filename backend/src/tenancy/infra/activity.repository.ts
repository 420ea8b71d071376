import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** A classroom activity (what a resource link opens), as its course's pages show it. */
export interface ActivityRecord {
  id: string;
  title: string;
  description: string | null;
  attendancePoints: number | null;
  scheduledFor: Date | null;
}

export interface NewActivity {
  courseId: string;
  title: string;
  description: string | null;
  attendancePoints: number | null;
  quizPoints: number | null;
  scheduledFor: string | null;
}

interface ActivityRow {
  id: string;
  title: string;
  description: string | null;
  attendance_points: string | number | null;
  scheduled_for: Date | string | null;
}

const toActivity = (r: ActivityRow): ActivityRecord => ({
  id: r.id,
  title: r.title,
  description: r.description,
  attendancePoints: r.attendance_points != null ? Number(r.attendance_points) : null,
  scheduledFor: r.scheduled_for ? new Date(r.scheduled_for) : null,
});

/**
 * Classroom activities and the resource links bound to them (classroom_activity, activity_link).
 * Bound to the DataSource, or to one transaction's EntityManager (TenancyTransaction).
 */
@Injectable()
export class ActivityRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource | EntityManager) {}

  /** The activity, if it belongs to this course. */
  async findInCourse(activityId: string, courseId: string): Promise<ActivityRecord | null> {
    const [row]: ActivityRow[] = await this.db.query(
      `SELECT id, title, description, attendance_points, scheduled_for FROM classroom_activity WHERE id = $1 AND course_id = $2`,
      [activityId, courseId],
    );
    return row ? toActivity(row) : null;
  }

  /** The course's newest activities (at most `limit`). */
  async listInCourse(courseId: string, limit: number): Promise<ActivityRecord[]> {
    const rows: ActivityRow[] = await this.db.query(
      `SELECT id, title, description, attendance_points, scheduled_for FROM classroom_activity WHERE course_id = $1 ORDER BY created_at DESC LIMIT $2`,
      [courseId, limit],
    );
    return rows.map(toActivity);
  }

  /** A new activity bound to no resource link yet (deep linking binds it at its first launch); returns its id. */
  async create(a: NewActivity): Promise<string> {
    const [row]: Array<{ id: string }> = await this.db.query(
      `INSERT INTO classroom_activity (course_id, title, description, attendance_points, quiz_points, scheduled_for)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [a.courseId, a.title, a.description, a.attendancePoints, a.quizPoints, a.scheduledFor],
    );
    return row.id;
  }

  /** Gives the activity this resource link as its own, unless it has one or another activity of the course has this link. */
  async claimResourceLink(activityId: string, courseId: string, resourceLinkId: string): Promise<void> {
    await this.db.query(
      `UPDATE classroom_activity SET resource_link_id = $3 WHERE id = $1 AND resource_link_id IS NULL
         AND NOT EXISTS (SELECT 1 FROM classroom_activity WHERE course_id = $2 AND resource_link_id = $3)`,
      [activityId, courseId, resourceLinkId],
    );
  }

  /** The activity a resource link of the course is bound to, or null. */
  async boundTo(courseId: string, resourceLinkId: string): Promise<string | null> {
    const [row]: Array<{ activity_id: string }> = await this.db.query(
      `SELECT activity_id FROM activity_link WHERE course_id = $1 AND resource_link_id = $2`,
      [courseId, resourceLinkId],
    );
    return row?.activity_id ?? null;
  }

  /** The activity created for a resource link (its title updated when it exists); returns its id. */
  async upsertForLink(
    courseId: string,
    link: { resourceLinkId: string; title: string; description: string | null },
  ): Promise<string> {
    const [row]: Array<{ id: string }> = await this.db.query(
      `INSERT INTO classroom_activity (course_id, resource_link_id, title, description) VALUES ($1, $2, $3, $4)
       ON CONFLICT (course_id, resource_link_id) DO UPDATE SET title = EXCLUDED.title RETURNING id`,
      [courseId, link.resourceLinkId, link.title, link.description],
    );
    return row.id;
  }

  /** Binds the resource link to the activity (rebinding it when it was bound to another). */
  async bindLink(courseId: string, resourceLinkId: string, activityId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO activity_link (course_id, resource_link_id, activity_id) VALUES ($1, $2, $3)
       ON CONFLICT (course_id, resource_link_id) DO UPDATE SET activity_id = EXCLUDED.activity_id`,
      [courseId, resourceLinkId, activityId],
    );
  }

  async setLineItemUrl(activityId: string, url: string): Promise<void> {
    await this.db.query(`UPDATE classroom_activity SET lms_line_item_url = $2 WHERE id = $1`, [activityId, url]);
  }
}
