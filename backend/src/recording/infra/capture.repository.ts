import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RunEndReason, TrackKind } from '../domain/capture-policy';

export type MarkKind =
  'start' | 'pause' | 'resume' | 'screen-start' | 'screen-stop' | 'gap' | 'breakouts' | 'breakouts-end' | 'stop';

export interface NewRun {
  id: string;
  sessionId: string;
  kind: TrackKind;
  userId: string | null;
  role: 'teacher' | 'student';
  producerId: string;
  /** The segment list's path, relative to RECORDING_DIR. */
  playlist: string;
  instance: string;
  startedAt: Date;
}

export interface OpenRun {
  id: string;
  sessionId: string;
  kind: TrackKind;
  playlist: string;
  instance: string | null;
  startedAt: Date;
}

/** What a class's recording switch comes from: its platform's default and its classroom's own choice. */
export interface RecordingSwitch {
  platformId: string;
  courseId: string;
  activityId: string;
  platformEnabled: boolean;
  classroomEnabled: boolean | null;
  startedAt: Date;
  endedAt: Date | null;
}

/**
 * The capture side's rows: runs (`recording_track`, one per FFmpeg run of a producer), marks
 * (`recording_mark`), and the recording switches on the platform and the classroom.
 */
@Injectable()
export class CaptureRepository {
  constructor(private readonly db: DataSource) {}

  async recordingSwitch(sessionId: string): Promise<RecordingSwitch | null> {
    const [row] = await this.db.query(
      `SELECT c.platform_id, s.course_id, s.activity_id, p.recording_enabled AS platform_enabled,
              a.recording_enabled AS classroom_enabled, s.started_at, s.ended_at
         FROM live_session s
         JOIN classroom_activity a ON a.id = s.activity_id
         JOIN course c ON c.id = s.course_id
         JOIN lti_platform p ON p.id = c.platform_id
        WHERE s.id = $1 AND s.parent_session_id IS NULL`,
      [sessionId],
    );
    if (!row) return null;
    return {
      platformId: row.platform_id,
      courseId: row.course_id,
      activityId: row.activity_id,
      platformEnabled: Boolean(row.platform_enabled),
      classroomEnabled: row.classroom_enabled === null ? null : Boolean(row.classroom_enabled),
      startedAt: new Date(row.started_at),
      endedAt: row.ended_at ? new Date(row.ended_at) : null,
    };
  }

  async openRun(run: NewRun): Promise<void> {
    await this.db.query(
      `INSERT INTO recording_track (id, session_id, kind, user_id, role, producer_id, playlist, instance, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
      [
        run.id,
        run.sessionId,
        run.kind,
        run.userId,
        run.role,
        run.producerId,
        run.playlist,
        run.instance,
        run.startedAt,
      ],
    );
  }

  /** Ends a run once (a second end keeps the first). */
  async endRun(id: string, endedAt: Date, reason: RunEndReason): Promise<boolean> {
    const [rows] = await this.db.query(
      `UPDATE recording_track SET ended_at = GREATEST($2::timestamptz, started_at), end_reason = $3
        WHERE id = $1 AND ended_at IS NULL RETURNING id`,
      [id, endedAt, reason],
    );
    return rows.length > 0;
  }

  /** Runs still open that another instance started (an instance's own are its to close). */
  async openRunsNotOf(instance: string): Promise<OpenRun[]> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT id, session_id, kind, playlist, instance, started_at FROM recording_track
        WHERE ended_at IS NULL AND instance IS DISTINCT FROM $1 ORDER BY started_at`,
      [instance],
    );
    return rows.map((r) => ({
      id: r.id as string,
      sessionId: r.session_id as string,
      kind: r.kind as TrackKind,
      playlist: r.playlist as string,
      instance: (r.instance as string | null) ?? null,
      startedAt: new Date(r.started_at as Date),
    }));
  }

  /** A mark; `start` and `stop` once per class (a second one is ignored). */
  async mark(sessionId: string, kind: MarkKind, at: Date, label: string | null, userId: string | null): Promise<void> {
    const once = kind === 'start' || kind === 'stop';
    // A gap is one per moment: two instances sweeping the same dead host's runs mark it once.
    const oncePerMoment = kind === 'gap';
    await this.db.query(
      `INSERT INTO recording_mark (session_id, at, kind, label, user_id)
       SELECT $1, $2, $3, $4, $5
        WHERE (NOT $6 OR NOT EXISTS (SELECT 1 FROM recording_mark WHERE session_id = $1 AND kind = $3))
          AND (NOT $7 OR NOT EXISTS (SELECT 1 FROM recording_mark WHERE session_id = $1 AND kind = $3 AND at = $2))
       ON CONFLICT DO NOTHING`,
      [sessionId, at, kind, label, userId, once, oncePerMoment],
    );
  }

  /**
   * A dead instance's runs in a class: how many are still open, and where the first of those it lost
   * ended (where the class's recording gap begins).
   */
  async lostRunsOf(sessionId: string, instance: string | null): Promise<{ open: number; firstEnd: Date | null }> {
    const [row] = (await this.db.query(
      `SELECT count(*) FILTER (WHERE ended_at IS NULL)::int AS open,
              min(ended_at) FILTER (WHERE end_reason = 'instance-lost') AS first_end
         FROM recording_track WHERE session_id = $1 AND instance IS NOT DISTINCT FROM $2`,
      [sessionId, instance],
    )) as Array<{ open: number; first_end: Date | null }>;
    return { open: row.open, firstEnd: row.first_end ? new Date(row.first_end) : null };
  }

  async marks(sessionId: string): Promise<Array<{ kind: MarkKind; at: Date; label: string | null }>> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT kind, at, label FROM recording_mark WHERE session_id = $1 ORDER BY at, kind`,
      [sessionId],
    );
    return rows.map((r) => ({
      kind: r.kind as MarkKind,
      at: new Date(r.at as Date),
      label: (r.label as string) ?? null,
    }));
  }

  /** The classes going on now of one classroom or of one platform (told when a switch changes). */
  async liveSessions(where: { activityId: string } | { platformId: string }): Promise<string[]> {
    const rows: Array<{ id: string }> =
      'activityId' in where
        ? await this.db.query(
            `SELECT id FROM live_session WHERE activity_id = $1 AND ended_at IS NULL AND parent_session_id IS NULL`,
            [where.activityId],
          )
        : await this.db.query(
            `SELECT s.id FROM live_session s JOIN course c ON c.id = s.course_id
              WHERE c.platform_id = $1 AND s.ended_at IS NULL AND s.parent_session_id IS NULL`,
            [where.platformId],
          );
    return rows.map((r) => r.id);
  }

  async setPlatformSwitch(platformId: string, enabled: boolean, retentionDays: number | null): Promise<boolean> {
    const [rows] = await this.db.query(
      `UPDATE lti_platform SET recording_enabled = $2, recording_retention_days = $3 WHERE id = $1 RETURNING id`,
      [platformId, enabled, retentionDays],
    );
    return rows.length > 0;
  }

  async platformSwitch(platformId: string): Promise<{ enabled: boolean; retentionDays: number | null } | null> {
    const [row] = await this.db.query(
      `SELECT recording_enabled, recording_retention_days FROM lti_platform WHERE id = $1`,
      [platformId],
    );
    return row
      ? { enabled: Boolean(row.recording_enabled), retentionDays: row.recording_retention_days ?? null }
      : null;
  }

  /** The classroom's own choice (null: the platform's default); false when no such classroom in this course. */
  async setClassroomSwitch(activityId: string, courseId: string, enabled: boolean | null): Promise<boolean> {
    const [rows] = await this.db.query(
      `UPDATE classroom_activity SET recording_enabled = $3 WHERE id = $1 AND course_id = $2 RETURNING id`,
      [activityId, courseId, enabled],
    );
    return rows.length > 0;
  }

  async classroomSwitch(
    activityId: string,
    courseId: string,
  ): Promise<{ classroomEnabled: boolean | null; platformEnabled: boolean } | null> {
    const [row] = await this.db.query(
      `SELECT a.recording_enabled AS classroom_enabled, p.recording_enabled AS platform_enabled
         FROM classroom_activity a JOIN course c ON c.id = a.course_id JOIN lti_platform p ON p.id = c.platform_id
        WHERE a.id = $1 AND a.course_id = $2`,
      [activityId, courseId],
    );
    return row
      ? {
          classroomEnabled: row.classroom_enabled === null ? null : Boolean(row.classroom_enabled),
          platformEnabled: Boolean(row.platform_enabled),
        }
      : null;
  }
}
