import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { LiveSessionView, LobbyView, StartClassResponse } from '../contracts/api';
import { classroomOf, type SessionClaims } from '../platform/auth/session-token';
import { ForbiddenError, NotFoundError } from '../platform/domain-error';
import { canTeach } from '../tenancy/domain/role-mapping';
import { DomainEvents } from '../platform/domain-events';
import { TenancyService } from '../tenancy/tenancy.service';

const toView = (r: { id: string; activity_id: string; started_at: Date; started_by_name: string; ended_at: Date | null }): LiveSessionView => ({
  id: r.id,
  activityId: r.activity_id,
  startedAt: new Date(r.started_at).toISOString(),
  startedBy: r.started_by_name,
  endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
});

const SESSION_SELECT = `SELECT s.id, s.activity_id, s.started_at, s.ended_at, u.name AS started_by_name
  FROM live_session s JOIN lti_user u ON u.id = s.started_by`;

/** Classroom sessions: the lobby, starting and ending a class. Every query is scoped to the caller's course. */
@Injectable()
export class ClassroomService {
  constructor(
    private readonly db: DataSource,
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
    const [row] = await this.db.query(`${SESSION_SELECT} WHERE s.activity_id = $1 AND s.course_id = $2 AND s.ended_at IS NULL`, [
      classroomOf(session),
      session.courseId,
    ]);
    return row ? toView(row) : null;
  }

  /** Starts the class of the caller's classroom, or returns the one already live (idempotent). */
  async startClass(session: SessionClaims): Promise<StartClassResponse> {
    if (!canTeach(session.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can start a class');
    await this.tenancy.activityView(classroomOf(session), session.courseId);
    const inserted = await this.db.query(
      `INSERT INTO live_session (activity_id, course_id, started_by) VALUES ($1, $2, $3)
       ON CONFLICT (activity_id) WHERE ended_at IS NULL DO NOTHING RETURNING id`,
      [classroomOf(session), session.courseId, session.userId],
    );
    const live = await this.liveSession(session);
    if (!live) throw new NotFoundError('SESSION_NOT_FOUND', 'The class could not be found after starting it');
    return { session: live, created: inserted.length > 0 };
  }

  async endClass(session: SessionClaims, sessionId: string): Promise<LiveSessionView> {
    if (!canTeach(session.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can end a class');
    const updated = await this.db.query(
      `UPDATE live_session SET ended_at = now() WHERE id = $1 AND course_id = $2 AND ended_at IS NULL RETURNING id`,
      [sessionId, session.courseId],
    );
    if (updated[0].length === 0) {
      await this.get(session, sessionId); // 404 when it is not in this course; otherwise it had already ended
    } else {
      // However the class ends (lobby or room), the live room hears it: everyone is told and let go.
      this.events.emit('session.ended', { sessionId, courseId: session.courseId, at: new Date() });
    }
    return this.get(session, sessionId);
  }

  /** How this classroom is graded: attendance out of `attendancePoints` (null: not graded). */
  async setGrading(session: SessionClaims, attendancePoints: number | null): Promise<{ attendancePoints: number | null }> {
    if (!canTeach(session.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can change grading');
    await this.db.query(`UPDATE classroom_activity SET attendance_points = $3 WHERE id = $1 AND course_id = $2`, [
      classroomOf(session),
      session.courseId,
      attendancePoints,
    ]);
    return { attendancePoints };
  }

  async get(session: SessionClaims, sessionId: string): Promise<LiveSessionView> {
    const [row] = await this.db.query(`${SESSION_SELECT} WHERE s.id = $1 AND s.course_id = $2`, [sessionId, session.courseId]);
    if (!row) throw new NotFoundError('SESSION_NOT_FOUND', 'No such class in your course');
    return toView(row);
  }
}
