import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Chapter } from '../domain/chapters';
import type { CaptureRunInput, TrackKind } from '../domain/capture-timeline';

export type RecordingStatus = 'queued' | 'processing' | 'ready' | 'failed' | 'empty';

export interface RecordingRow {
  id: string;
  sessionId: string;
  courseId: string;
  status: RecordingStatus;
  stage: string | null;
  percent: number;
  stepsDone: string[];
  stepLog: Array<{ step: string; at: string; pid: number }>;
  attempts: number;
  error: string | null;
  storagePrefix: string | null;
  durationMs: number | null;
  chapters: Chapter[];
  hidden: boolean;
  createdAt: Date;
  readyAt: Date | null;
  /** The class: when it started and ended, and its classroom's title. */
  startedAt: Date;
  endedAt: Date | null;
  title: string;
}

const SELECT = `SELECT r.*, s.started_at AS class_started_at, s.ended_at AS class_ended_at, a.title AS class_title
  FROM recording r JOIN live_session s ON s.id = r.session_id JOIN classroom_activity a ON a.id = s.activity_id`;

function toRow(r: Record<string, unknown>): RecordingRow {
  return {
    id: r.id as string,
    sessionId: r.session_id as string,
    courseId: r.course_id as string,
    status: r.status as RecordingStatus,
    stage: (r.stage as string) ?? null,
    percent: Number(r.percent),
    stepsDone: r.steps_done as string[],
    stepLog: r.step_log as RecordingRow['stepLog'],
    attempts: Number(r.attempts),
    error: (r.error as string) ?? null,
    storagePrefix: (r.storage_prefix as string) ?? null,
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    chapters: r.chapters as Chapter[],
    hidden: r.hidden as boolean,
    createdAt: new Date(r.created_at as string),
    readyAt: r.ready_at ? new Date(r.ready_at as string) : null,
    startedAt: new Date(r.class_started_at as string),
    endedAt: r.class_ended_at ? new Date(r.class_ended_at as string) : null,
    title: r.class_title as string,
  };
}

/** The recording tables (and, read only, what capture wrote: runs and marks). */
@Injectable()
export class RecordingsRepository {
  constructor(private readonly db: DataSource) {}

  /** The recording of a class, made once (a second `session.ended` finds the first). */
  async ensure(sessionId: string, courseId: string): Promise<RecordingRow> {
    await this.db.query(
      `INSERT INTO recording (session_id, course_id) VALUES ($1, $2) ON CONFLICT (session_id) DO NOTHING`,
      [sessionId, courseId],
    );
    return (await this.bySession(sessionId))!;
  }

  async bySession(sessionId: string): Promise<RecordingRow | null> {
    const [r] = await this.db.query(`${SELECT} WHERE r.session_id = $1`, [sessionId]);
    return r ? toRow(r) : null;
  }

  async byId(id: string): Promise<RecordingRow | null> {
    const [r] = await this.db.query(`${SELECT} WHERE r.id = $1`, [id]);
    return r ? toRow(r) : null;
  }

  /**
   * A recording of this course for this person: hidden ones only for instructors; none of a class the
   * instructor removed them from.
   */
  async findForViewer(id: string, courseId: string, userId: string, teacher: boolean): Promise<RecordingRow | null> {
    const [r] = await this.db.query(
      `${SELECT} WHERE r.id = $1 AND r.course_id = $2 AND ($4 OR NOT r.hidden)
         AND NOT EXISTS (SELECT 1 FROM session_removal x WHERE x.session_id = r.session_id AND x.user_id = $3)`,
      [id, courseId, userId, teacher],
    );
    return r ? toRow(r) : null;
  }

  /** The course's recordings, newest class first: students see ready, visible ones; instructors all. */
  async listForCourse(courseId: string, userId: string, teacher: boolean): Promise<RecordingRow[]> {
    const rows = await this.db.query(
      `${SELECT} WHERE r.course_id = $1 AND ($3 OR (NOT r.hidden AND r.status = 'ready'))
         AND NOT EXISTS (SELECT 1 FROM session_removal x WHERE x.session_id = r.session_id AND x.user_id = $2)
       ORDER BY s.started_at DESC LIMIT 200`,
      [courseId, userId, teacher],
    );
    return rows.map(toRow);
  }

  async start(id: string): Promise<void> {
    await this.db.query(
      `UPDATE recording SET status = 'processing', attempts = attempts + 1, error = NULL, updated_at = now() WHERE id = $1`,
      [id],
    );
  }

  async stepStarted(id: string, step: string, pid: number): Promise<void> {
    await this.db.query(
      `UPDATE recording SET stage = $2, step_log = step_log || jsonb_build_array(jsonb_build_object('step', $2::text, 'at', now(), 'pid', $3::int)), updated_at = now() WHERE id = $1`,
      [id, step, pid],
    );
  }

  async progress(id: string, stage: string, percent: number): Promise<void> {
    await this.db.query(`UPDATE recording SET stage = $2, percent = $3, updated_at = now() WHERE id = $1`, [
      id,
      stage,
      percent,
    ]);
  }

  async stepDone(id: string, step: string, percent: number): Promise<void> {
    await this.db.query(
      `UPDATE recording SET steps_done = CASE WHEN $2 = ANY(steps_done) THEN steps_done ELSE array_append(steps_done, $2) END,
         percent = $3, updated_at = now() WHERE id = $1`,
      [id, step, percent],
    );
  }

  async ready(id: string, prefix: string, durationMs: number, chapters: Chapter[]): Promise<void> {
    await this.db.query(
      `UPDATE recording SET status = 'ready', stage = NULL, percent = 100, storage_prefix = $2, duration_ms = $3,
         chapters = $4, error = NULL, ready_at = now(), updated_at = now() WHERE id = $1`,
      [id, prefix, durationMs, JSON.stringify(chapters)],
    );
  }

  /** A try failed: `final` when no try is left (then the instructor sees the reason and a Retry). */
  async failed(id: string, error: string, final: boolean): Promise<void> {
    await this.db.query(
      `UPDATE recording SET status = $3, error = $2, updated_at = now() WHERE id = $1 AND status <> 'ready'`,
      [id, error.slice(0, 1000), final ? 'failed' : 'queued'],
    );
  }

  async empty(id: string): Promise<void> {
    await this.db.query(`UPDATE recording SET status = 'empty', stage = NULL, updated_at = now() WHERE id = $1`, [id]);
  }

  /** A retry asked for by an instructor: queued again, its finished steps kept. */
  async requeue(id: string): Promise<void> {
    await this.db.query(`UPDATE recording SET status = 'queued', error = NULL, updated_at = now() WHERE id = $1`, [id]);
  }

  async setHidden(id: string, courseId: string, hidden: boolean): Promise<boolean> {
    const res = await this.db.query(
      `UPDATE recording SET hidden = $3, updated_at = now() WHERE id = $1 AND course_id = $2`,
      [id, courseId, hidden],
    );
    return (res[1] ?? 0) > 0;
  }

  async position(recordingId: string, userId: string): Promise<number> {
    const [r] = await this.db.query(
      `SELECT position_ms FROM recording_position WHERE recording_id = $1 AND user_id = $2`,
      [recordingId, userId],
    );
    return r ? Number(r.position_ms) : 0;
  }

  async savePosition(recordingId: string, userId: string, positionMs: number): Promise<void> {
    await this.db.query(
      `INSERT INTO recording_position (recording_id, user_id, position_ms) VALUES ($1, $2, $3)
       ON CONFLICT (recording_id, user_id) DO UPDATE SET position_ms = EXCLUDED.position_ms, updated_at = now()`,
      [recordingId, userId, positionMs],
    );
  }

  /** Recordings older than their platform's retention (days since the class ended; NULL keeps forever). */
  async pastRetention(limit = 100): Promise<Array<{ id: string; storagePrefix: string | null }>> {
    const rows = await this.db.query(
      `SELECT r.id, r.storage_prefix FROM recording r
         JOIN course c ON c.id = r.course_id JOIN lti_platform p ON p.id = c.platform_id
         JOIN live_session s ON s.id = r.session_id
        WHERE p.recording_retention_days IS NOT NULL
          AND COALESCE(s.ended_at, r.created_at) < now() - make_interval(days => p.recording_retention_days)
        LIMIT $1`,
      [limit],
    );
    return rows.map((r: { id: string; storage_prefix: string | null }) => ({
      id: r.id,
      storagePrefix: r.storage_prefix,
    }));
  }

  /** Recordings not finished nor failed for good whose row has not moved for a while (their job may be lost with Redis). */
  async stale(olderThanMs: number): Promise<Array<{ sessionId: string; courseId: string }>> {
    const rows = await this.db.query(
      `SELECT session_id, course_id FROM recording
        WHERE status IN ('queued', 'processing') AND updated_at < now() - make_interval(secs => $1) LIMIT 100`,
      [olderThanMs / 1000],
    );
    return rows.map((r: { session_id: string; course_id: string }) => ({
      sessionId: r.session_id,
      courseId: r.course_id,
    }));
  }

  async delete(id: string): Promise<void> {
    await this.db.query(`DELETE FROM recording WHERE id = $1`, [id]);
  }

  /** What capture wrote for a class: its runs (segment lists still to read) and its chapter marks. */
  async captureOf(sessionId: string): Promise<{
    runs: Array<Omit<CaptureRunInput, 'segments'> & { endedAt: Date | null; instance: string | null }>;
    marks: Array<{ at: Date; kind: string; label: string | null }>;
  }> {
    const runs = await this.db.query(
      `SELECT id, kind, role, user_id, playlist, instance, started_at, ended_at FROM recording_track WHERE session_id = $1 ORDER BY started_at`,
      [sessionId],
    );
    const marks = await this.db.query(`SELECT at, kind, label FROM recording_mark WHERE session_id = $1 ORDER BY at`, [
      sessionId,
    ]);
    return {
      runs: runs.map((r: Record<string, unknown>) => ({
        id: r.id as string,
        kind: r.kind as TrackKind,
        role: r.role as string,
        userId: (r.user_id as string) ?? null,
        playlist: r.playlist as string,
        instance: (r.instance as string) ?? null,
        startedAt: new Date(r.started_at as string),
        endedAt: r.ended_at ? new Date(r.ended_at as string) : null,
      })),
      marks: marks.map((m: Record<string, unknown>) => ({
        at: new Date(m.at as string),
        kind: m.kind as string,
        label: (m.label as string) ?? null,
      })),
    };
  }
}
