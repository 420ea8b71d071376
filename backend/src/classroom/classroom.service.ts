import { Injectable } from '@nestjs/common';
import type { LiveSessionView, LobbyView, StartClassResponse } from '../contracts/api';
import { classroomOf, type SessionClaims } from '../platform/auth/session-token';
import { ForbiddenError, NotFoundError } from '../platform/domain-error';
import { canTeach } from '../tenancy/domain/role-mapping';
import { DomainEvents } from '../platform/domain-events';
import { TenancyService } from '../tenancy/tenancy.service';
import { LiveSessionRepository, type LiveSessionRow } from './infra/live-session.repository';

/** Classroom sessions: the lobby, starting and ending a class. Every query is scoped to the caller's course. */
@Injectable()
export class ClassroomService {
  constructor(
    private readonly sessions: LiveSessionRepository,
    private readonly tenancy: TenancyService,
    private readonly events: DomainEvents,
  ) {}

  async lobby(session: SessionClaims): Promise<LobbyView> {
    const course = await this.tenancy.courseView(session.courseId, session.platformId);
    const activity = await this.tenancy.activityView(classroomOf(session), session.courseId);
    return {
      course,
      activity,
      me: { id: session.userId, name: session.name, role: session.role, canTeach: canTeach(session.role) },
      liveSession: await this.liveSession(session),
    };
  }

  async liveSession(session: SessionClaims): Promise<LiveSessionView | null> {
    const row = await this.sessions.findLive(classroomOf(session), session.courseId);
    return row ? this.toView(row) : null;
  }

  /** Starts the class of the caller's classroom, or returns the one already live (idempotent). */
  async startClass(session: SessionClaims): Promise<StartClassResponse> {
    if (!canTeach(session.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can start a class');
    await this.tenancy.activityView(classroomOf(session), session.courseId);
    const created = await this.sessions.start(classroomOf(session), session.courseId, session.userId);
    const live = await this.liveSession(session);
    if (!live) throw new NotFoundError('SESSION_NOT_FOUND', 'The class could not be found after starting it');
    return { session: live, created };
  }

  async endClass(session: SessionClaims, sessionId: string): Promise<LiveSessionView> {
    if (!canTeach(session.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can end a class');
    if (!(await this.sessions.end(sessionId, session.courseId))) {
      await this.get(session, sessionId); // 404 when it is not in this course; otherwise it had already ended
    } else {
      // However the class ends (lobby or room), the live room hears it: everyone is told and let go.
      this.events.emit('session.ended', { sessionId, courseId: session.courseId, at: new Date() });
    }
    return this.get(session, sessionId);
  }

  /** How this classroom is graded: attendance out of `attendancePoints` (null: not graded). */
  async setGrading(
    session: SessionClaims,
    attendancePoints: number | null,
  ): Promise<{ attendancePoints: number | null }> {
    if (!canTeach(session.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can change grading');
    await this.tenancy.setAttendancePoints(classroomOf(session), session.courseId, attendancePoints);
    return { attendancePoints };
  }

  async get(session: SessionClaims, sessionId: string): Promise<LiveSessionView> {
    return this.toView(await this.find(session, sessionId));
  }

  /** A class of the caller's course (SESSION_NOT_FOUND otherwise), without the view's names: what the live room checks. */
  async find(session: SessionClaims, sessionId: string): Promise<LiveSessionRow> {
    const row = await this.sessions.find(sessionId, session.courseId);
    if (!row) throw new NotFoundError('SESSION_NOT_FOUND', 'No such class in your course');
    return row;
  }

  /** A classroom's classes, newest first (the grades page shows attendance in one of them). */
  recentClasses(activityId: string, courseId: string, limit = 50): Promise<LiveSessionRow[]> {
    return this.sessions.recent(activityId, courseId, limit);
  }

  /** The ids of the course's classes going on now. */
  liveClassIds(courseId: string): Promise<string[]> {
    return this.sessions.liveIds(courseId);
  }

  private async toView(r: LiveSessionRow): Promise<LiveSessionView> {
    const [starter] = await this.tenancy.users([r.startedBy]);
    return {
      id: r.id,
      activityId: r.activityId,
      startedAt: r.startedAt.toISOString(),
      startedBy: starter?.name ?? '',
      endedAt: r.endedAt ? r.endedAt.toISOString() : null,
    };
  }
}
