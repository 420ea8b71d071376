import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { CourseRole } from '../domain/role-mapping';

/** A person as Lectern knows them on a platform (`lti_user`). */
export interface UserRow {
  id: string;
  subject: string;
  name: string;
  email: string | null;
  /** The LMS's language for the person at their last launch (a BCP 47 tag), null when it never said. */
  locale: string | null;
}

/** Someone who launched Lectern from a course (`enrolment` with its `lti_user`). */
export interface EnrolmentRow {
  userId: string;
  subject: string;
  name: string;
  email: string | null;
  role: CourseRole;
  lastLaunchAt: Date;
}

/** What a course's launches told Lectern about its LMS: the platform and the service URLs offered. */
export interface CourseConnectionRow {
  issuer: string;
  clientId: string;
  nrpsUrl: string | null;
  agsLineItemsUrl: string | null;
}

/** A classroom activity as grading needs it. */
export interface GradedActivityRow {
  id: string;
  title: string;
  attendancePoints: number | null;
  /** The points of each graded quiz (deep linking's "Grade quizzes, out of N points"). */
  quizPoints: number | null;
  /** Null for a classroom made by deep linking and not launched yet. */
  resourceLinkId: string | null;
  /** The line item the LMS made for this link (deep linking), if any. */
  lmsLineItemUrl: string | null;
}

/**
 * The tenancy tables other modules read or write through TenancyService: users, enrolments, a course's
 * LMS connection and a classroom's grading settings.
 */
@Injectable()
export class CourseDirectoryRepository {
  constructor(private readonly db: DataSource) {}

  /** The user's id on the platform, creating the user when absent; an existing user is left as it is. */
  async ensureUser(
    platformId: string,
    subject: string,
    profile: { name: string; email: string | null },
    tx?: EntityManager,
  ): Promise<string> {
    const [row] = await (tx ?? this.db).query(
      `INSERT INTO lti_user (platform_id, subject, name, email) VALUES ($1, $2, $3, $4)
       ON CONFLICT (platform_id, subject) DO UPDATE SET updated_at = lti_user.updated_at RETURNING id`,
      [platformId, subject, profile.name, profile.email],
    );
    return row.id;
  }

  async users(ids: readonly string[]): Promise<UserRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.query(
      `SELECT id, subject, name, email, locale FROM lti_user WHERE id = ANY($1::uuid[])`,
      [[...ids]],
    );
    return rows.map(
      (r: Record<string, unknown>) =>
        ({ id: r.id, subject: r.subject, name: r.name, email: r.email ?? null, locale: r.locale ?? null }) as UserRow,
    );
  }

  /** The course's enrolments (of one subject when given). */
  async enrolments(courseId: string, subject?: string): Promise<EnrolmentRow[]> {
    const rows = await this.db.query(
      `SELECT u.id AS user_id, u.subject, u.name, u.email, e.role, e.last_launch_at
         FROM enrolment e JOIN lti_user u ON u.id = e.user_id
        WHERE e.course_id = $1 AND ($2::text IS NULL OR u.subject = $2)`,
      [courseId, subject ?? null],
    );
    return rows.map((r: Record<string, unknown>) => ({
      userId: r.user_id as string,
      subject: r.subject as string,
      name: r.name as string,
      email: (r.email as string | null) ?? null,
      role: r.role as CourseRole,
      lastLaunchAt: new Date(r.last_launch_at as Date),
    }));
  }

  /** Null when the course does not exist. */
  async courseConnection(courseId: string): Promise<CourseConnectionRow | null> {
    const [row] = await this.db.query(
      `SELECT p.issuer, p.client_id, s.nrps_url, s.ags_lineitems_url
         FROM course c JOIN lti_platform p ON p.id = c.platform_id LEFT JOIN course_lti_service s ON s.course_id = c.id
        WHERE c.id = $1`,
      [courseId],
    );
    return row
      ? {
          issuer: row.issuer,
          clientId: row.client_id,
          nrpsUrl: row.nrps_url ?? null,
          agsLineItemsUrl: row.ags_lineitems_url ?? null,
        }
      : null;
  }

  async coursesWithRosterService(): Promise<string[]> {
    const rows: Array<{ course_id: string }> = await this.db.query(
      `SELECT course_id FROM course_lti_service WHERE nrps_url IS NOT NULL`,
    );
    return rows.map((r) => r.course_id);
  }

  async gradedActivity(activityId: string, courseId: string): Promise<GradedActivityRow | null> {
    const [row] = await this.db.query(
      `SELECT id, title, attendance_points, quiz_points, resource_link_id, lms_line_item_url FROM classroom_activity WHERE id = $1 AND course_id = $2`,
      [activityId, courseId],
    );
    return row
      ? {
          id: row.id,
          title: row.title,
          attendancePoints: row.attendance_points != null ? Number(row.attendance_points) : null,
          quizPoints: row.quiz_points != null ? Number(row.quiz_points) : null,
          resourceLinkId: row.resource_link_id ?? null,
          lmsLineItemUrl: row.lms_line_item_url ?? null,
        }
      : null;
  }

  async setAttendancePoints(activityId: string, courseId: string, points: number | null): Promise<void> {
    await this.db.query(`UPDATE classroom_activity SET attendance_points = $3 WHERE id = $1 AND course_id = $2`, [
      activityId,
      courseId,
      points,
    ]);
  }

  /** The course of an LTI context on an enabled platform and a registered deployment; null when Lectern has none. */
  async courseIdForContext(issuer: string, clientId: string, deploymentId: string, contextId: string) {
    const [row]: Array<{ id: string }> = await this.db.query(
      `SELECT c.id FROM course c
         JOIN lti_platform p ON p.id = c.platform_id
         JOIN lti_deployment d ON d.platform_id = p.id AND d.deployment_id = $3
        WHERE p.issuer = $1 AND p.client_id = $2 AND p.active AND c.context_id = $4`,
      [issuer, clientId, deploymentId, contextId],
    );
    return row?.id ?? null;
  }

  /** The course's own time zone (IANA name), null when none was set. */
  async courseTimeZone(courseId: string): Promise<string | null> {
    const [row] = await this.db.query(`SELECT time_zone FROM course WHERE id = $1`, [courseId]);
    return row?.time_zone ?? null;
  }

  /** Sets the course's time zone (the caller validated it); null clears it. */
  async setCourseTimeZone(courseId: string, timeZone: string | null): Promise<void> {
    await this.db.query(`UPDATE course SET time_zone = $2, updated_at = now() WHERE id = $1`, [courseId, timeZone]);
  }
}
