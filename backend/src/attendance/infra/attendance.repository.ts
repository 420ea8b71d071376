import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AttendanceStatus, AttendanceThresholds, GradingMode } from '../../contracts/attendance';
import type { SpanRecord, VisibilityRecord } from '../domain/attendance';

type Db = DataSource | EntityManager;

export interface ClassRow {
  id: string;
  courseId: string;
  activityId: string;
  platformId: string;
  classroomTitle: string;
  startedAt: Date;
  endedAt: Date | null;
  timeZone: string | null;
}

export interface StudentRow {
  userId: string;
  name: string;
}

export interface ClassroomSettingsRow {
  thresholds: AttendanceThresholds | null;
  gradingMode: GradingMode;
  autoGrade: boolean;
}

export interface GradeRow {
  userId: string;
  status: AttendanceStatus;
  presentMs: number;
  activeMs: number;
  score: number | null;
  source: 'auto' | 'manual' | null;
  outboxId: string | null;
  thresholds: AttendanceThresholds;
}

const STUDENT_ROLES = `('learner')`;

/** Attendance's tables (spans, visibility, settings, grades) and what it reads of the class and course. */
@Injectable()
export class AttendanceRepository {
  constructor(private readonly db: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** A span opens, unless the class has ended (a late join event after the end is dropped). */
  async openSpan(s: { sessionId: string; courseId: string; userId: string; role: string; at: Date }): Promise<void> {
    await this.db.query(
      `INSERT INTO attendance_span (session_id, course_id, user_id, role, joined_at)
       SELECT $1, $2, $3, $4, $5 FROM live_session WHERE id = $1 AND ended_at IS NULL`,
      [s.sessionId, s.courseId, s.userId, s.role, s.at],
    );
  }

  /** Closes a person's open spans at `at` (never before they opened). */
  async closeSpans(
    sessionId: string,
    userId: string | null,
    at: Date,
    reason: string,
    db: Db = this.db,
  ): Promise<number> {
    const res = (await db.query(
      `UPDATE attendance_span SET left_at = GREATEST(joined_at, $3), left_reason = $4
       WHERE session_id = $1 AND ($2::uuid IS NULL OR user_id = $2) AND left_at IS NULL`,
      [sessionId, userId, at, reason],
    )) as [unknown[], number];
    return res[1];
  }

  async addVisibility(v: {
    sessionId: string;
    userId: string;
    tab: string;
    visible: boolean;
    at: Date;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO attendance_visibility (session_id, user_id, tab, visible, at) VALUES ($1, $2, $3, $4, $5)`,
      [v.sessionId, v.userId, v.tab, v.visible, v.at],
    );
  }

  async classOf(sessionId: string, courseId: string): Promise<ClassRow | null> {
    const [r] = (await this.db.query(
      `SELECT s.id, s.course_id, s.activity_id, c.platform_id, a.title, s.started_at, s.ended_at,
              coalesce(c.time_zone, ps.time_zone) AS time_zone
       FROM live_session s JOIN course c ON c.id = s.course_id JOIN classroom_activity a ON a.id = s.activity_id
       LEFT JOIN attendance_platform_settings ps ON ps.platform_id = c.platform_id
       WHERE s.id = $1 AND s.course_id = $2`,
      [sessionId, courseId],
    )) as Array<Record<string, never>>;
    return r ? toClass(r) : null;
  }

  /** The classroom's live class, if one runs. */
  async liveClass(activityId: string, courseId: string): Promise<ClassRow | null> {
    const [r] = (await this.db.query(
      `SELECT s.id, s.course_id, s.activity_id, c.platform_id, a.title, s.started_at, s.ended_at,
              coalesce(c.time_zone, ps.time_zone) AS time_zone
       FROM live_session s JOIN course c ON c.id = s.course_id JOIN classroom_activity a ON a.id = s.activity_id
       LEFT JOIN attendance_platform_settings ps ON ps.platform_id = c.platform_id
       WHERE s.activity_id = $1 AND s.course_id = $2 AND s.ended_at IS NULL AND s.parent_session_id IS NULL`,
      [activityId, courseId],
    )) as Array<Record<string, never>>;
    return r ? toClass(r) : null;
  }

  /** The course's classes started in [from, to). */
  async classesIn(courseId: string, from: Date, to: Date): Promise<ClassRow[]> {
    const rows = (await this.db.query(
      `SELECT s.id, s.course_id, s.activity_id, c.platform_id, a.title, s.started_at, s.ended_at,
              coalesce(c.time_zone, ps.time_zone) AS time_zone
       FROM live_session s JOIN course c ON c.id = s.course_id JOIN classroom_activity a ON a.id = s.activity_id
       LEFT JOIN attendance_platform_settings ps ON ps.platform_id = c.platform_id
       WHERE s.course_id = $1 AND s.started_at >= $2 AND s.started_at < $3 AND s.parent_session_id IS NULL
       ORDER BY s.started_at`,
      [courseId, from, to],
    )) as Array<Record<string, never>>;
    return rows.map(toClass);
  }

  /** The course's title and zones: its own, the platform's default, and the one that applies (null: UTC). */
  async courseInfo(
    courseId: string,
  ): Promise<{ title: string; timeZone: string | null; own: string | null; platform: string | null } | null> {
    const [r] = (await this.db.query(
      `SELECT c.title, c.time_zone, ps.time_zone AS platform_time_zone FROM course c
         LEFT JOIN attendance_platform_settings ps ON ps.platform_id = c.platform_id WHERE c.id = $1`,
      [courseId],
    )) as Array<{ title: string; time_zone: string | null; platform_time_zone: string | null }>;
    return r
      ? {
          title: r.title,
          timeZone: r.time_zone ?? r.platform_time_zone,
          own: r.time_zone,
          platform: r.platform_time_zone,
        }
      : null;
  }

  /**
   * The course's students: enrolled learners, the LMS roster's learners (matched to a person once they
   * launched), and anyone who joined a class as a learner.
   */
  async students(courseId: string, sessionIds: readonly string[]): Promise<StudentRow[]> {
    const rows = (await this.db.query(
      `SELECT u.id, u.name FROM lti_user u WHERE u.id IN (
         SELECT user_id FROM enrolment WHERE course_id = $1 AND role IN ${STUDENT_ROLES}
         UNION SELECT user_id FROM attendance_span WHERE session_id = ANY($2::uuid[]) AND role IN ${STUDENT_ROLES}
         UNION SELECT u2.id FROM roster_member m JOIN course c ON c.id = m.course_id
           JOIN lti_user u2 ON u2.platform_id = c.platform_id AND u2.subject = m.subject
           WHERE m.course_id = $1 AND m.status = 'active' AND m.role IN ${STUDENT_ROLES})
       ORDER BY u.name, u.id`,
      [courseId, sessionIds],
    )) as Array<{ id: string; name: string }>;
    return rows.map((r) => ({ userId: r.id, name: r.name }));
  }

  async spans(sessionIds: readonly string[]): Promise<Array<SpanRecord & { sessionId: string; userId: string }>> {
    const rows = (await this.db.query(
      `SELECT session_id, user_id, joined_at, left_at FROM attendance_span WHERE session_id = ANY($1::uuid[])`,
      [sessionIds],
    )) as Array<{ session_id: string; user_id: string; joined_at: Date; left_at: Date | null }>;
    return rows.map((r) => ({
      sessionId: r.session_id,
      userId: r.user_id,
      joinedAt: r.joined_at.getTime(),
      leftAt: r.left_at ? r.left_at.getTime() : null,
    }));
  }

  async visibility(
    sessionIds: readonly string[],
  ): Promise<Array<VisibilityRecord & { sessionId: string; userId: string }>> {
    const rows = (await this.db.query(
      `SELECT session_id, user_id, tab, visible, at FROM attendance_visibility WHERE session_id = ANY($1::uuid[]) ORDER BY at, id`,
      [sessionIds],
    )) as Array<{ session_id: string; user_id: string; tab: string; visible: boolean; at: Date }>;
    return rows.map((r) => ({
      sessionId: r.session_id,
      userId: r.user_id,
      tab: r.tab,
      visible: r.visible,
      at: r.at.getTime(),
    }));
  }

  async platformThresholds(platformId: string): Promise<AttendanceThresholds | null> {
    return (await this.platformSettings(platformId)).thresholds;
  }

  /** The platform's defaults (null thresholds: Lectern's; null zone: UTC). */
  async platformSettings(
    platformId: string,
  ): Promise<{ thresholds: AttendanceThresholds | null; timeZone: string | null }> {
    const [r] = (await this.db.query(
      `SELECT thresholds, time_zone FROM attendance_platform_settings WHERE platform_id = $1`,
      [platformId],
    )) as Array<{ thresholds: AttendanceThresholds | null; time_zone: string | null }>;
    return { thresholds: r?.thresholds ?? null, timeZone: r?.time_zone ?? null };
  }

  async savePlatformThresholds(platformId: string, t: AttendanceThresholds): Promise<void> {
    await this.db.query(
      `INSERT INTO attendance_platform_settings (platform_id, thresholds) VALUES ($1, $2)
       ON CONFLICT (platform_id) DO UPDATE SET thresholds = EXCLUDED.thresholds, updated_at = now()`,
      [platformId, JSON.stringify(t)],
    );
  }

  /** Both platform defaults at once (the operator's console). */
  async savePlatformSettings(
    platformId: string,
    s: { thresholds: AttendanceThresholds | null; timeZone: string | null },
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO attendance_platform_settings (platform_id, thresholds, time_zone) VALUES ($1, $2, $3)
       ON CONFLICT (platform_id) DO UPDATE SET thresholds = EXCLUDED.thresholds, time_zone = EXCLUDED.time_zone,
         updated_at = now()`,
      [platformId, s.thresholds ? JSON.stringify(s.thresholds) : null, s.timeZone],
    );
  }

  async classroomSettings(activityId: string): Promise<ClassroomSettingsRow> {
    const [r] = (await this.db.query(
      `SELECT thresholds, grading_mode, auto_grade FROM attendance_classroom_settings WHERE activity_id = $1`,
      [activityId],
    )) as Array<{ thresholds: AttendanceThresholds | null; grading_mode: GradingMode; auto_grade: boolean }>;
    return r
      ? { thresholds: r.thresholds, gradingMode: r.grading_mode, autoGrade: r.auto_grade }
      : { thresholds: null, gradingMode: 'percent', autoGrade: true };
  }

  async saveClassroomSettings(activityId: string, s: ClassroomSettingsRow): Promise<void> {
    await this.db.query(
      `INSERT INTO attendance_classroom_settings (activity_id, thresholds, grading_mode, auto_grade) VALUES ($1, $2, $3, $4)
       ON CONFLICT (activity_id) DO UPDATE SET thresholds = EXCLUDED.thresholds, grading_mode = EXCLUDED.grading_mode,
         auto_grade = EXCLUDED.auto_grade, updated_at = now()`,
      [activityId, s.thresholds === null ? null : JSON.stringify(s.thresholds), s.gradingMode, s.autoGrade],
    );
  }

  /** Records a class's result for a person once (a second end of the same class finds it there: false). */
  async saveGrade(tx: Db, sessionId: string, g: GradeRow): Promise<boolean> {
    const rows = (await tx.query(
      `INSERT INTO attendance_grade (session_id, user_id, status, present_ms, active_ms, score, source, outbox_id, thresholds)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (session_id, user_id) DO NOTHING RETURNING user_id`,
      [
        sessionId,
        g.userId,
        g.status,
        g.presentMs,
        g.activeMs,
        g.score,
        g.source,
        g.outboxId,
        JSON.stringify(g.thresholds),
      ],
    )) as unknown[];
    return rows.length === 1;
  }

  async setGradeOutbox(tx: Db, sessionId: string, userId: string, outboxId: string): Promise<void> {
    await tx.query(`UPDATE attendance_grade SET outbox_id = $3 WHERE session_id = $1 AND user_id = $2`, [
      sessionId,
      userId,
      outboxId,
    ]);
  }

  async grades(sessionIds: readonly string[]): Promise<Array<GradeRow & { sessionId: string }>> {
    const rows = (await this.db.query(
      `SELECT session_id, user_id, status, present_ms, active_ms, score, source, outbox_id, thresholds
       FROM attendance_grade WHERE session_id = ANY($1::uuid[])`,
      [sessionIds],
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      sessionId: r.session_id as string,
      userId: r.user_id as string,
      status: r.status as AttendanceStatus,
      presentMs: Number(r.present_ms),
      activeMs: Number(r.active_ms),
      score: r.score === null ? null : Number(r.score),
      source: r.source as 'auto' | 'manual' | null,
      outboxId: r.outbox_id as string | null,
      thresholds: r.thresholds as AttendanceThresholds,
    }));
  }

  /**
   * The people of this classroom whose attendance grade was set by hand: an attendance outbox row that no
   * attendance_grade row points to (the manual grade page writes those; this module never does).
   */
  async manuallyGraded(activityId: string, tag: string, userIds: readonly string[], tx: Db): Promise<Set<string>> {
    const rows = (await tx.query(
      `SELECT DISTINCT o.user_id FROM grade_outbox o JOIN grade_line_item li ON li.id = o.line_item_id
       WHERE li.activity_id = $1 AND li.tag = $2 AND o.user_id = ANY($3::uuid[])
         AND NOT EXISTS (SELECT 1 FROM attendance_grade g WHERE g.outbox_id = o.id)`,
      [activityId, tag, userIds],
    )) as Array<{ user_id: string }>;
    return new Set(rows.map((r) => r.user_id));
  }

  /** Classes ended in the last day with spans but no results: their session.ended was missed (the instance died). */
  async ungradedEnded(): Promise<Array<{ id: string; courseId: string; endedAt: Date }>> {
    const rows = (await this.db.query(
      `SELECT s.id, s.course_id, s.ended_at FROM live_session s
       WHERE s.ended_at IS NOT NULL AND s.ended_at > now() - interval '1 day'
         AND EXISTS (SELECT 1 FROM attendance_span a WHERE a.session_id = s.id)
         AND NOT EXISTS (SELECT 1 FROM attendance_grade g WHERE g.session_id = s.id)`,
    )) as Array<{ id: string; course_id: string; ended_at: Date }>;
    return rows.map((r) => ({ id: r.id, courseId: r.course_id, endedAt: r.ended_at }));
  }

  /** Serialises the end-of-class grading of one class across instances (transaction-scoped advisory lock). */
  async lockClass(tx: Db, sessionId: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('attendance:' || $1))`, [sessionId]);
  }
}

function toClass(r: Record<string, never>): ClassRow {
  return {
    id: r.id,
    courseId: r.course_id,
    activityId: r.activity_id,
    platformId: r.platform_id,
    classroomTitle: r.title,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    timeZone: r.time_zone,
  };
}
