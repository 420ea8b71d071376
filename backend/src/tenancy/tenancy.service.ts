import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LaunchRejectedError, NotFoundError, UnauthenticatedError } from '../platform/domain-error';
import type { LaunchIdentity } from './domain/launch-identity';
import { canTeach, type CourseRole } from './domain/role-mapping';
import { ActivityRecord, ActivityRepository, NewActivity } from './infra/activity.repository';
import {
  CourseDirectoryRepository,
  type CourseConnectionRow,
  type EnrolmentRow,
  type GradedActivityRow,
  type UserRow,
} from './infra/course-directory.repository';
import { CourseRepository } from './infra/course.repository';
import {
  PlatformIdentity,
  PlatformRecord,
  PlatformRepository,
  PlatformSource,
  PlatformSummary,
} from './infra/platform.repository';
import { TenancyRepositories, TenancyTransaction } from './infra/tenancy-transaction';

export type { ActivityRecord, NewActivity, PlatformIdentity, PlatformRecord, PlatformSummary };

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

/** Platforms, deployments, courses, users, enrolments and classroom activities. */
@Injectable()
export class TenancyService {
  constructor(
    private readonly platforms: PlatformRepository,
    private readonly courses: CourseRepository,
    private readonly activities: ActivityRepository,
    private readonly transaction: TenancyTransaction,
  ) {}

  findPlatform(issuer: string, clientId: string): Promise<PlatformRecord | null> {
    return this.platforms.findByIssuer(issuer, clientId);
  }

  /** Records (or updates) a platform registration and adds its deployments. */
  async savePlatform(input: {
    issuer: string;
    clientId: string;
    name: string;
    ltijsKid: string;
    deployments: string[];
    source?: PlatformSource;
    acceptNewDeployments?: boolean;
  }): Promise<PlatformRecord> {
    await this.platforms.upsert({
      ...input,
      source: input.source ?? 'manual',
      acceptNewDeployments: input.acceptNewDeployments ?? false,
    });
    return (await this.platforms.findByIssuer(input.issuer, input.clientId))!;
  }

  /**
   * Writes the tenant rows a verified launch implies, in one transaction:
   * course (LTI context), user, enrolment with mapped role, classroom activity (resource link).
   */
  async upsertFromLaunch(identity: LaunchIdentity): Promise<LaunchTenant> {
    return this.transaction.run(async (tx) => {
      const platform = await this.platformForLaunch(tx, identity);
      const courseId = await tx.courses.upsertCourse({
        platformId: platform.id,
        deploymentRowId: platform.deploymentRowId,
        ...identity.course,
      });
      // A course without a zone of its own takes its first teacher's (as the LMS gave it) for its reports.
      if (identity.timeZone && canTeach(identity.role))
        await tx.courses.setTimeZoneIfUnset(courseId, identity.timeZone);
      const userId = await tx.courses.upsertUser({
        platformId: platform.id,
        ...identity.user,
        locale: identity.locale,
      });
      await tx.courses.upsertEnrolment({ courseId, userId, role: identity.role, ltiRoles: identity.ltiRoles });
      const { services } = identity;
      if (services.nrpsUrl || services.agsLineItemsUrl) {
        await tx.courses.upsertServices({
          courseId,
          nrpsUrl: services.nrpsUrl,
          agsLineItemsUrl: services.agsLineItemsUrl,
          agsScopes: services.agsScopes,
        });
      }
      const activityId = identity.activity ? await this.activityForLaunch(tx, courseId, identity) : null;
      return {
        platformId: platform.id,
        deploymentId: platform.deploymentRowId,
        courseId,
        userId,
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
  private async activityForLaunch(
    { activities }: TenancyRepositories,
    courseId: string,
    identity: LaunchIdentity,
  ): Promise<string> {
    const link = identity.activity!;
    const named = identity.custom.lectern_classroom;
    let activityId: string;
    if (named !== undefined) {
      const a = /^[0-9a-f-]{36}$/i.test(named) ? await activities.findInCourse(named, courseId) : null;
      if (!a)
        throw new LaunchRejectedError(
          'CLASSROOM_NOT_IN_COURSE',
          'This link names a classroom that does not belong to this course',
          403,
        );
      activityId = a.id;
      await activities.claimResourceLink(activityId, courseId, link.resourceLinkId);
    } else {
      activityId =
        (await activities.boundTo(courseId, link.resourceLinkId)) ?? (await activities.upsertForLink(courseId, link));
    }
    await activities.bindLink(courseId, link.resourceLinkId, activityId);
    if (identity.services.agsLineItemUrl) await activities.setLineItemUrl(activityId, identity.services.agsLineItemUrl);
    return activityId;
  }

  private async platformForLaunch(
    { platforms }: TenancyRepositories,
    identity: LaunchIdentity,
  ): Promise<{ id: string; deploymentRowId: string }> {
    const p = await platforms.findForLaunch(identity.issuer, identity.clientId, identity.deploymentId);
    if (!p) throw new LaunchRejectedError('PLATFORM_UNKNOWN', 'This platform is not registered with Lectern', 403);
    if (!p.active)
      throw new LaunchRejectedError('PLATFORM_DISABLED', 'This platform has been disabled by an administrator', 403);
    if (p.deploymentRowId) return { id: p.id, deploymentRowId: p.deploymentRowId };
    if (!p.acceptNewDeployments) {
      throw new LaunchRejectedError(
        'DEPLOYMENT_UNKNOWN',
        `Deployment "${identity.deploymentId}" is not registered for this platform`,
        403,
      );
    }
    return { id: p.id, deploymentRowId: await platforms.addDeployment(p.id, identity.deploymentId) };
  }

  /** The ids of the platforms an administrator disabled (their sessions end). */
  disabledPlatformIds(): Promise<string[]> {
    return this.platforms.disabledIds();
  }

  /**
   * Whether a session may go on (checked at every refresh, read from the database, not the token): its
   * platform is still enabled, the person is still enrolled in the course, and an instructor has not
   * removed them from the live class of its classroom. Throws the reason's code (401: launch again).
   */
  async assertSessionStanding(s: {
    platformId: string;
    courseId: string;
    userId: string;
    activityId: string | null;
  }): Promise<{ role: CourseRole }> {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    if (
      ![s.platformId, s.courseId, s.userId].every((id) => uuid.test(id)) ||
      (s.activityId !== null && !uuid.test(s.activityId))
    ) {
      throw new UnauthenticatedError('SESSION_INVALID', 'The session token is not valid');
    }
    const standing = await this.courses.sessionStanding(s);
    if (!standing)
      throw new UnauthenticatedError('PLATFORM_UNKNOWN', 'This platform is no longer registered with Lectern');
    if (!standing.platformActive)
      throw new UnauthenticatedError('PLATFORM_DISABLED', 'This platform has been disabled by an administrator');
    if (!standing.enrolled) throw new UnauthenticatedError('NOT_ENROLLED', 'You are no longer enrolled in this course');
    if (standing.removedFromClass)
      throw new UnauthenticatedError('REMOVED_FROM_CLASS', 'An instructor removed you from this class');
    // The LMS's roster (NRPS) says this person left the course: no new token (enrolment rows are kept for history).
    if (standing.rosterStatus === 'inactive' || standing.rosterStatus === 'deleted')
      throw new UnauthenticatedError('NOT_ENROLLED', 'You are no longer enrolled in this course');
    return { role: standing.role! };
  }

  /** The course as the lobby shows it; its time zone is UTC when none is stored. */
  async courseView(
    courseId: string,
    platformId: string,
  ): Promise<{ id: string; title: string; label: string | null; timeZone: string }> {
    const course = await this.courses.findCourse(courseId, platformId);
    if (!course) throw new NotFoundError('COURSE_NOT_FOUND', 'Course not found');
    return { ...course, timeZone: course.timeZone ?? 'UTC' };
  }

  async activityView(
    activityId: string,
    courseId: string,
  ): Promise<{ id: string; title: string; description: string | null; attendancePoints: number | null }> {
    const a = await this.activities.findInCourse(activityId, courseId);
    if (!a) throw new NotFoundError('ACTIVITY_NOT_FOUND', 'Classroom not found in this course');
    return { id: a.id, title: a.title, description: a.description, attendancePoints: a.attendancePoints };
  }

  /** Every registered platform, oldest first (the operator's console). */
  listPlatforms(): Promise<PlatformSummary[]> {
    return this.platforms.list();
  }

  /** Every registered platform, or only the one given (key rotation), oldest first. */
  platformIdentities(only?: string): Promise<PlatformIdentity[]> {
    return this.platforms.identities(only ?? null);
  }

  /** Enables or disables a platform (the caller tells ltijs and ends or allows sessions). */
  async setPlatformActive(platformId: string, active: boolean): Promise<PlatformIdentity> {
    const p = await this.platforms.setActive(platformId, active);
    if (!p) throw new NotFoundError('PLATFORM_NOT_FOUND', 'No such platform');
    return p;
  }

  /** Replaces the origins (besides its issuer and authorization endpoint) a platform shows Lectern in a frame from. */
  async setFrameOrigins(platformId: string, origins: string[]): Promise<PlatformIdentity> {
    const p = await this.platforms.replaceFrameOrigins(platformId, origins);
    if (!p) throw new NotFoundError('PLATFORM_NOT_FOUND', 'No such platform');
    return p;
  }

  /** The URLs the active platforms frame Lectern from (issuers, authorization endpoints, added frame origins), unchecked. */
  framingUrls(): Promise<Array<string | null>> {
    return this.platforms.framingUrls();
  }

  /** A course by id, whichever platform it belongs to (the caller checked the session's course). */
  async courseTitle(courseId: string): Promise<string> {
    const course = await this.courses.findCourse(courseId, null);
    if (!course) throw new NotFoundError('COURSE_NOT_FOUND', 'Course not found');
    return course.title;
  }

  /** The course's newest classroom activities (at most `limit`). */
  listActivities(courseId: string, limit: number): Promise<ActivityRecord[]> {
    return this.activities.listInCourse(courseId, limit);
  }

  /** The activity if it belongs to this course, else null. */
  findActivity(activityId: string, courseId: string): Promise<ActivityRecord | null> {
    return this.activities.findInCourse(activityId, courseId);
  }

  /** A new classroom activity, bound to a resource link at its first launch; returns its id. */
  createActivity(activity: NewActivity): Promise<string> {
    return this.activities.create(activity);
  }

  // Users, enrolments, a course's LMS connection and a classroom's grading, for other modules (helper L; SQL in infra/course-directory.repository.ts).
  @Inject(CourseDirectoryRepository) private readonly directory!: CourseDirectoryRepository;

  /** The user's id on the platform, creating the user when absent (inside the caller's transaction when given). */
  ensureUser(
    platformId: string,
    subject: string,
    profile: { name: string; email: string | null },
    tx?: EntityManager,
  ): Promise<string> {
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

  /** The course of an LTI context (enabled platform, registered deployment); null when Lectern has none. */
  courseIdForContext(
    issuer: string,
    clientId: string,
    deploymentId: string,
    contextId: string,
  ): Promise<string | null> {
    return this.directory.courseIdForContext(issuer, clientId, deploymentId, contextId);
  }

  /** The course's own time zone (IANA), null when none was set. */
  courseTimeZone(courseId: string): Promise<string | null> {
    return this.directory.courseTimeZone(courseId);
  }

  /** Sets (or, with null, clears) the course's time zone; the caller checked it is a zone Intl knows. */
  setCourseTimeZone(courseId: string, timeZone: string | null): Promise<void> {
    return this.directory.setCourseTimeZone(courseId, timeZone);
  }
}
