import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { LaunchRejectedError, NotFoundError, UnauthenticatedError } from '../platform/domain-error';
import type { LaunchIdentity } from './domain/launch-identity';
import { CourseDirectoryRepository, type CourseConnectionRow, type EnrolmentRow, type GradedActivityRow, type UserRow } from './infra/course-directory.repository';
import type { CourseRole } from './domain/role-mapping';

export interface LaunchTenant {
  platformId: string;
  deploymentId: string;
  courseId: string;
  userId: string;
  /** The classroom launched; null for a deep-linking request. */
  activityId: string | null;
  role: CourseRole;
  name: string;
}

export interface PlatformRecord {
  id: string;
  issuer: string;
  clientId: string;
  name: string;
  ltijsKid: string;
  active: boolean;
  source: 'manual' | 'dynamic';
  acceptNewDeployments: boolean;
  deployments: string[];
}

/** Platforms, deployments, courses, users, enrolments and classroom activities. */
@Injectable()
export class TenancyService {
  constructor(private readonly db: DataSource) {}

  async findPlatform(issuer: string, clientId: string): Promise<PlatformRecord | null> {
    const [row] = await this.db.query(
      `SELECT p.id, p.issuer, p.client_id, p.name, p.ltijs_kid, p.active, p.source, p.accept_new_deployments,
              coalesce(array_agg(d.deployment_id) FILTER (WHERE d.id IS NOT NULL), '{}') AS deployments
         FROM lti_platform p LEFT JOIN lti_deployment d ON d.platform_id = p.id
        WHERE p.issuer = $1 AND p.client_id = $2 GROUP BY p.id`,
      [issuer, clientId],
    );
    return row
      ? {
          id: row.id,
          issuer: row.issuer,
          clientId: row.client_id,
          name: row.name,
          ltijsKid: row.ltijs_kid,
          active: row.active,
          source: row.source,
          acceptNewDeployments: row.accept_new_deployments,
          deployments: row.deployments,
        }
      : null;
  }

  /** Records (or updates) a platform registration and adds its deployments. */
  async savePlatform(input: {
    issuer: string;
    clientId: string;
    name: string;
    ltijsKid: string;
    deployments: string[];
    source?: 'manual' | 'dynamic';
    acceptNewDeployments?: boolean;
  }): Promise<PlatformRecord> {
    await this.db.transaction(async (m) => {
      const [p] = await m.query(
        `INSERT INTO lti_platform (issuer, client_id, name, ltijs_kid, source, accept_new_deployments) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (issuer, client_id) DO UPDATE SET name = EXCLUDED.name, ltijs_kid = EXCLUDED.ltijs_kid,
           accept_new_deployments = EXCLUDED.accept_new_deployments, active = true
         RETURNING id`,
        [input.issuer, input.clientId, input.name, input.ltijsKid, input.source ?? 'manual', input.acceptNewDeployments ?? false],
      );
      for (const d of input.deployments) {
        await m.query(
          `INSERT INTO lti_deployment (platform_id, deployment_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
          [p.id, d],
        );
      }
    });
    return (await this.findPlatform(input.issuer, input.clientId))!;
  }

  /**
   * Writes the tenant rows a verified launch implies, in one transaction:
   * course (LTI context), user, enrolment with mapped role, classroom activity (resource link).
   */
  async upsertFromLaunch(identity: LaunchIdentity): Promise<LaunchTenant> {
    return this.db.transaction(async (m) => {
      const platform = await this.platformForLaunch(m, identity);
      const [course] = await m.query(
        `INSERT INTO course (platform_id, deployment_id, context_id, title, label) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (platform_id, context_id)
         DO UPDATE SET title = EXCLUDED.title, label = EXCLUDED.label, deployment_id = EXCLUDED.deployment_id, updated_at = now()
         RETURNING id`,
        [platform.id, platform.deploymentRowId, identity.course.contextId, identity.course.title, identity.course.label],
      );
      const [user] = await m.query(
        `INSERT INTO lti_user (platform_id, subject, name, email) VALUES ($1, $2, $3, $4)
         ON CONFLICT (platform_id, subject) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, updated_at = now()
         RETURNING id`,
        [platform.id, identity.user.subject, identity.user.name, identity.user.email],
      );
      await m.query(
        `INSERT INTO enrolment (course_id, user_id, role, lti_roles, last_launch_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (course_id, user_id) DO UPDATE SET role = EXCLUDED.role, lti_roles = EXCLUDED.lti_roles, last_launch_at = now()`,
        [course.id, user.id, identity.role, identity.ltiRoles],
      );
      const { services } = identity;
      if (services.nrpsUrl || services.agsLineItemsUrl) {
        await m.query(
          `INSERT INTO course_lti_service (course_id, nrps_url, ags_lineitems_url, ags_scopes) VALUES ($1, $2, $3, $4)
           ON CONFLICT (course_id) DO UPDATE SET
             nrps_url = coalesce(EXCLUDED.nrps_url, course_lti_service.nrps_url),
             ags_lineitems_url = coalesce(EXCLUDED.ags_lineitems_url, course_lti_service.ags_lineitems_url),
             ags_scopes = CASE WHEN EXCLUDED.ags_lineitems_url IS NULL THEN course_lti_service.ags_scopes ELSE EXCLUDED.ags_scopes END,
             updated_at = now()`,
          [course.id, services.nrpsUrl, services.agsLineItemsUrl, services.agsScopes],
        );
      }
      const activityId = identity.activity ? await this.activityForLaunch(m, course.id, identity) : null;
      return {
        platformId: platform.id,
        deploymentId: platform.deploymentRowId,
        courseId: course.id,
        userId: user.id,
        activityId,
        role: identity.role,
        name: identity.user.name,
      };
    });
  }

  /**
   * The classroom a resource link opens: the one named by the link's custom parameter `lectern_classroom`
   * (set by deep linking; it must belong to this course), else the one already bound to the link, else a new one.
   */
  private async activityForLaunch(m: EntityManager, courseId: string, identity: LaunchIdentity): Promise<string> {
    const link = identity.activity!;
    const named = identity.custom.lectern_classroom;
    let activityId: string | null = null;
    if (named !== undefined) {
      const [a] = /^[0-9a-f-]{36}$/i.test(named)
        ? await m.query(`SELECT id FROM classroom_activity WHERE id = $1 AND course_id = $2`, [named, courseId])
        : [];
      if (!a) throw new LaunchRejectedError('CLASSROOM_NOT_IN_COURSE', 'This link names a classroom that does not belong to this course', 403);
      activityId = a.id;
      await m.query(
        `UPDATE classroom_activity SET resource_link_id = $3 WHERE id = $1 AND resource_link_id IS NULL
           AND NOT EXISTS (SELECT 1 FROM classroom_activity WHERE course_id = $2 AND resource_link_id = $3)`,
        [activityId, courseId, link.resourceLinkId],
      );
    } else {
      const [bound] = await m.query(`SELECT activity_id FROM activity_link WHERE course_id = $1 AND resource_link_id = $2`, [courseId, link.resourceLinkId]);
      activityId = bound?.activity_id ?? null;
      if (!activityId) {
        const [a] = await m.query(
          `INSERT INTO classroom_activity (course_id, resource_link_id, title, description) VALUES ($1, $2, $3, $4)
           ON CONFLICT (course_id, resource_link_id) DO UPDATE SET title = EXCLUDED.title RETURNING id`,
          [courseId, link.resourceLinkId, link.title, link.description],
        );
        activityId = a.id as string;
      }
    }
    await m.query(
      `INSERT INTO activity_link (course_id, resource_link_id, activity_id) VALUES ($1, $2, $3)
       ON CONFLICT (course_id, resource_link_id) DO UPDATE SET activity_id = EXCLUDED.activity_id`,
      [courseId, link.resourceLinkId, activityId],
    );
    if (identity.services.agsLineItemUrl) {
      await m.query(`UPDATE classroom_activity SET lms_line_item_url = $2 WHERE id = $1`, [activityId, identity.services.agsLineItemUrl]);
    }
    return activityId!;
  }

  private async platformForLaunch(m: EntityManager, identity: LaunchIdentity) {
    const [row] = await m.query(
      `SELECT p.id, p.active, p.accept_new_deployments, d.id AS deployment_row_id FROM lti_platform p
         LEFT JOIN lti_deployment d ON d.platform_id = p.id AND d.deployment_id = $3
        WHERE p.issuer = $1 AND p.client_id = $2`,
      [identity.issuer, identity.clientId, identity.deploymentId],
    );
    if (!row) throw new LaunchRejectedError('PLATFORM_UNKNOWN', 'This platform is not registered with Lectern', 403);
    if (!row.active) throw new LaunchRejectedError('PLATFORM_DISABLED', 'This platform has been disabled by an administrator', 403);
    if (!row.deployment_row_id && row.accept_new_deployments) {
      const [d] = await m.query(
        `INSERT INTO lti_deployment (platform_id, deployment_id) VALUES ($1, $2)
         ON CONFLICT (platform_id, deployment_id) DO UPDATE SET deployment_id = EXCLUDED.deployment_id RETURNING id`,
        [row.id, identity.deploymentId],
      );
      return { id: row.id as string, deploymentRowId: d.id as string };
    }
    if (!row.deployment_row_id) {
      throw new LaunchRejectedError('DEPLOYMENT_UNKNOWN', `Deployment "${identity.deploymentId}" is not registered for this platform`, 403);
    }
    return { id: row.id as string, deploymentRowId: row.deployment_row_id as string };
  }

  /** The ids of the platforms an administrator disabled (their sessions end). */
  async disabledPlatformIds(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(`SELECT id FROM lti_platform WHERE NOT active`);
    return rows.map((r) => r.id);
  }

  /**
   * Whether a session may go on (checked at every refresh, read from the database, not the token): its
   * platform is still enabled, the person is still enrolled in the course, and an instructor has not
   * removed them from the live class of its classroom. Throws the reason's code (401: launch again).
   */
  async assertSessionStanding(s: { platformId: string; courseId: string; userId: string; activityId: string | null }): Promise<void> {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    if (![s.platformId, s.courseId, s.userId].every((id) => uuid.test(id)) || (s.activityId !== null && !uuid.test(s.activityId))) {
      throw new UnauthenticatedError('SESSION_INVALID', 'The session token is not valid');
    }
    const [row] = await this.db.query(
      `SELECT p.active,
              EXISTS (SELECT 1 FROM enrolment e JOIN course c ON c.id = e.course_id
                       WHERE e.course_id = $2 AND e.user_id = $3 AND c.platform_id = p.id) AS enrolled,
              ($4::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM session_removal r JOIN live_session l ON l.id = r.session_id
                       WHERE l.activity_id = $4::uuid AND l.ended_at IS NULL AND r.user_id = $3)) AS removed
         FROM lti_platform p WHERE p.id = $1`,
      [s.platformId, s.courseId, s.userId, s.activityId],
    );
    if (!row) throw new UnauthenticatedError('PLATFORM_UNKNOWN', 'This platform is no longer registered with Lectern');
    if (!row.active) throw new UnauthenticatedError('PLATFORM_DISABLED', 'This platform has been disabled by an administrator');
    if (!row.enrolled) throw new UnauthenticatedError('NOT_ENROLLED', 'You are no longer enrolled in this course');
    if (row.removed) throw new UnauthenticatedError('REMOVED_FROM_CLASS', 'An instructor removed you from this class');
  }

  async courseView(courseId: string, platformId: string): Promise<{ id: string; title: string; label: string | null }> {
    const [row] = await this.db.query(`SELECT id, title, label FROM course WHERE id = $1 AND platform_id = $2`, [courseId, platformId]);
    if (!row) throw new NotFoundError('COURSE_NOT_FOUND', 'Course not found');
    return row;
  }

  async activityView(activityId: string, courseId: string): Promise<{ id: string; title: string; description: string | null; attendancePoints: number | null }> {
    const [row] = await this.db.query(`SELECT id, title, description, attendance_points FROM classroom_activity WHERE id = $1 AND course_id = $2`, [
      activityId,
      courseId,
    ]);
    if (!row) throw new NotFoundError('ACTIVITY_NOT_FOUND', 'Classroom not found in this course');
    return { id: row.id, title: row.title, description: row.description, attendancePoints: row.attendance_points != null ? Number(row.attendance_points) : null };
  }

  // Users, enrolments, a course's LMS connection and a classroom's grading, for other modules (their SQL: infra/course-directory.repository.ts).
  @Inject(CourseDirectoryRepository) private readonly directory!: CourseDirectoryRepository;

  /** The user's id on the platform, creating the user when absent (inside the caller's transaction when given). */
  ensureUser(platformId: string, subject: string, profile: { name: string; email: string | null }, tx?: EntityManager): Promise<string> {
    return this.directory.ensureUser(platformId, subject, profile, tx);
  }

  users(ids: readonly string[]): Promise<UserRow[]> {
    return this.directory.users(ids);
  }

  /** Who launched Lectern from the course (only the person with this subject, when given). */
  enrolments(courseId: string, subject?: string): Promise<EnrolmentRow[]> {
    return this.directory.enrolments(courseId, subject);
  }

  /** The course's platform and the LMS services its launches offered; null when there is no such course. */
  courseConnection(courseId: string): Promise<CourseConnectionRow | null> {
    return this.directory.courseConnection(courseId);
  }

  coursesWithRosterService(): Promise<string[]> {
    return this.directory.coursesWithRosterService();
  }

  gradedActivity(activityId: string, courseId: string): Promise<GradedActivityRow | null> {
    return this.directory.gradedActivity(activityId, courseId);
  }

  setAttendancePoints(activityId: string, courseId: string, points: number | null): Promise<void> {
    return this.directory.setAttendancePoints(activityId, courseId, points);
  }
}
