import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { CourseRole } from '../domain/role-mapping';

export interface CourseUpsert {
  platformId: string;
  deploymentRowId: string;
  contextId: string;
  title: string;
  label: string | null;
}

export interface UserUpsert {
  platformId: string;
  subject: string;
  name: string;
  email: string | null;
  /** The LMS's language for the person (launch_presentation.locale); null or absent: keep the one known. */
  locale?: string | null;
}

export interface EnrolmentUpsert {
  courseId: string;
  userId: string;
  role: CourseRole;
  ltiRoles: string[];
}

/** The LTI Advantage endpoints a launch named for its course; null leaves what an earlier launch gave. */
export interface CourseServicesUpsert {
  courseId: string;
  nrpsUrl: string | null;
  agsLineItemsUrl: string | null;
  agsScopes: string[];
}

export interface CourseRow {
  id: string;
  title: string;
  label: string | null;
  /** IANA zone the course's times are shown in (null: none stored; shown in UTC). */
  timeZone: string | null;
}

/** Where a session stands now: its platform enabled, the person enrolled, not removed from the live class. */
export interface SessionStanding {
  platformActive: boolean;
  enrolled: boolean;
  removedFromClass: boolean;
  /** The enrolment's role now (the LMS's last launch may have changed it), null when not enrolled. */
  role: CourseRole | null;
  /** What the last roster sync (NRPS) says of this person, null when no sync has listed them. */
  rosterStatus: 'active' | 'inactive' | 'deleted' | null;
}

/**
 * Courses (LTI contexts), users, enrolments and a course's LTI service endpoints.
 * Bound to the DataSource, or to one transaction's EntityManager (TenancyTransaction).
 */
@Injectable()
export class CourseRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource | EntityManager) {}

  /** Inserts the course or updates its title, label and deployment; returns its id. */
  async upsertCourse(c: CourseUpsert): Promise<string> {
    const [row]: Array<{ id: string }> = await this.db.query(
      `INSERT INTO course (platform_id, deployment_id, context_id, title, label) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (platform_id, context_id)
       DO UPDATE SET title = EXCLUDED.title, label = EXCLUDED.label, deployment_id = EXCLUDED.deployment_id, updated_at = now()
       RETURNING id`,
      [c.platformId, c.deploymentRowId, c.contextId, c.title, c.label],
    );
    return row.id;
  }

  /** Gives the course this time zone unless it has one already (the caller validated it). */
  async setTimeZoneIfUnset(courseId: string, timeZone: string): Promise<void> {
    await this.db.query(`UPDATE course SET time_zone = $2 WHERE id = $1 AND time_zone IS NULL`, [courseId, timeZone]);
  }

  /** Inserts the user or updates their name and email; returns their id. */
  async upsertUser(u: UserUpsert): Promise<string> {
    const [row]: Array<{ id: string }> = await this.db.query(
      `INSERT INTO lti_user (platform_id, subject, name, email, locale) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (platform_id, subject) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,
         locale = coalesce(EXCLUDED.locale, lti_user.locale), updated_at = now()
       RETURNING id`,
      [u.platformId, u.subject, u.name, u.email, u.locale ?? null],
    );
    return row.id;
  }

  /** Inserts the enrolment or updates its role; either way it records a launch now. */
  async upsertEnrolment(e: EnrolmentUpsert): Promise<void> {
    await this.db.query(
      `INSERT INTO enrolment (course_id, user_id, role, lti_roles, last_launch_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (course_id, user_id) DO UPDATE SET role = EXCLUDED.role, lti_roles = EXCLUDED.lti_roles, last_launch_at = now()`,
      [e.courseId, e.userId, e.role, e.ltiRoles],
    );
  }

  /** Keeps the endpoints a launch named; an endpoint it did not name stays (the AGS scopes go with the line items URL). */
  async upsertServices(s: CourseServicesUpsert): Promise<void> {
    await this.db.query(
      `INSERT INTO course_lti_service (course_id, nrps_url, ags_lineitems_url, ags_scopes) VALUES ($1, $2, $3, $4)
       ON CONFLICT (course_id) DO UPDATE SET
         nrps_url = coalesce(EXCLUDED.nrps_url, course_lti_service.nrps_url),
         ags_lineitems_url = coalesce(EXCLUDED.ags_lineitems_url, course_lti_service.ags_lineitems_url),
         ags_scopes = CASE WHEN EXCLUDED.ags_lineitems_url IS NULL THEN course_lti_service.ags_scopes ELSE EXCLUDED.ags_scopes END,
         updated_at = now()`,
      [s.courseId, s.nrpsUrl, s.agsLineItemsUrl, s.agsScopes],
    );
  }

  /** The course, if it belongs to this platform (or to any, when platformId is null). */
  async findCourse(courseId: string, platformId: string | null): Promise<CourseRow | null> {
    const [row]: CourseRow[] = await this.db.query(
      `SELECT id, title, label, time_zone AS "timeZone" FROM course WHERE id = $1 AND ($2::uuid IS NULL OR platform_id = $2::uuid)`,
      [courseId, platformId],
    );
    return row ?? null;
  }

  /**
   * One read: the platform's active flag, whether the person is enrolled in the course (of that platform),
   * and whether an instructor removed them from the live class of the activity. Null: no such platform.
   */
  async sessionStanding(s: {
    platformId: string;
    courseId: string;
    userId: string;
    activityId: string | null;
  }): Promise<SessionStanding | null> {
    const [row]: Array<{
      active: boolean;
      enrolled: boolean;
      removed: boolean;
      role: CourseRole | null;
      roster_status: 'active' | 'inactive' | 'deleted' | null;
    }> = await this.db.query(
      `SELECT p.active,
              EXISTS (SELECT 1 FROM enrolment e JOIN course c ON c.id = e.course_id
                       WHERE e.course_id = $2 AND e.user_id = $3 AND c.platform_id = p.id) AS enrolled,
              (SELECT e.role FROM enrolment e JOIN course c ON c.id = e.course_id
                WHERE e.course_id = $2 AND e.user_id = $3 AND c.platform_id = p.id) AS role,
              (SELECT m.status FROM roster_member m JOIN lti_user u ON u.subject = m.subject AND u.platform_id = p.id
                WHERE m.course_id = $2 AND u.id = $3) AS roster_status,
              ($4::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM session_removal r JOIN live_session l ON l.id = r.session_id
                       WHERE l.activity_id = $4::uuid AND l.ended_at IS NULL AND r.user_id = $3)) AS removed
         FROM lti_platform p WHERE p.id = $1`,
      [s.platformId, s.courseId, s.userId, s.activityId],
    );
    return row
      ? {
          platformActive: row.active,
          enrolled: row.enrolled,
          removedFromClass: row.removed,
          role: row.role,
          rosterStatus: row.roster_status,
        }
      : null;
  }
}
