import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A class of a classroom (`live_session`), as its row has it. */
export interface LiveSessionRow {
  id: string;
  activityId: string;
  startedAt: Date;
  /** The user id of the instructor who started it. */
  startedBy: string;
  endedAt: Date | null;
}

const toRow = (r: Record<string, unknown>): LiveSessionRow => ({
  id: r.id as string,
  activityId: r.activity_id as string,
  startedAt: new Date(r.started_at as Date),
  startedBy: r.started_by as string,
  endedAt: r.ended_at ? new Date(r.ended_at as Date) : null,
});

const SELECT = `SELECT id, activity_id, started_at, started_by, ended_at FROM live_session`;

/** The classroom's tables: classes (`live_session`) and the people removed from them (`session_removal`). Every read is scoped to a course. */
@Injectable()
export class LiveSessionRepository {
  constructor(private readonly db: DataSource) {}

  /** A class of the course; never a breakout room (reached only through `breakout:enter`, after its placement check). */
  async find(id: string, courseId: string): Promise<LiveSessionRow | null> {
    const [row] = await this.db.query(`${SELECT} WHERE id = $1 AND course_id = $2 AND parent_session_id IS NULL`, [
      id,
      courseId,
    ]);
    return row ? toRow(row) : null;
  }

  /**
   * A class of the course with what a join must know before anything else, in one round trip: whether
   * this person was removed from it and whether its classroom's waiting room is on.
   */
  async findForJoin(
    id: string,
    courseId: string,
    userId: string,
  ): Promise<{ row: LiveSessionRow; removed: boolean; waitingRoom: boolean } | null> {
    const [r] = await this.db.query(
      `SELECT s.id, s.activity_id, s.started_at, s.started_by, s.ended_at,
              EXISTS (SELECT 1 FROM session_removal x WHERE x.session_id = s.id AND x.user_id = $3) AS removed,
              coalesce((SELECT c.waiting_room FROM classroom_control c WHERE c.activity_id = s.activity_id), false) AS waiting_room
         FROM live_session s WHERE s.id = $1 AND s.course_id = $2 AND s.parent_session_id IS NULL`,
      [id, courseId, userId],
    );
    return r ? { row: toRow(r), removed: Boolean(r.removed), waitingRoom: Boolean(r.waiting_room) } : null;
  }

  /** The class of the classroom going on now, if any. */
  async findLive(activityId: string, courseId: string): Promise<LiveSessionRow | null> {
    const [row] = await this.db.query(
      `${SELECT} WHERE activity_id = $1 AND course_id = $2 AND ended_at IS NULL AND parent_session_id IS NULL`,
      [activityId, courseId],
    );
    return row ? toRow(row) : null;
  }

  /** The ids of the course's classes going on now. */
  async liveIds(courseId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(
      `SELECT id FROM live_session WHERE course_id = $1 AND ended_at IS NULL AND parent_session_id IS NULL`,
      [courseId],
    );
    return rows.map((r) => r.id);
  }

  /** The classroom's classes, newest first (at most `limit`). */
  async recent(activityId: string, courseId: string, limit: number): Promise<LiveSessionRow[]> {
    const rows = await this.db.query(
      `${SELECT} WHERE activity_id = $1 AND course_id = $2 AND parent_session_id IS NULL ORDER BY started_at DESC LIMIT $3`,
      [activityId, courseId, limit],
    );
    return rows.map(toRow);
  }

  /** Starts a class unless one of the classroom is going on; says whether this call started it. */
  async start(activityId: string, courseId: string, startedBy: string): Promise<boolean> {
    const inserted = await this.db.query(
      `INSERT INTO live_session (activity_id, course_id, started_by) VALUES ($1, $2, $3)
       ON CONFLICT (activity_id) WHERE ended_at IS NULL AND parent_session_id IS NULL DO NOTHING RETURNING id`,
      [activityId, courseId, startedBy],
    );
    return inserted.length > 0;
  }

  /** Ends a class going on; false when there is none with this id in the course (or it had ended). */
  async end(id: string, courseId: string): Promise<boolean> {
    // An UPDATE answers [rows, count].
    const [rows] = await this.db.query(
      `UPDATE live_session SET ended_at = now() WHERE id = $1 AND course_id = $2 AND ended_at IS NULL RETURNING id`,
      [id, courseId],
    );
    return rows.length > 0;
  }

  async isRemoved(sessionId: string, userId: string): Promise<boolean> {
    const [row] = await this.db.query(`SELECT 1 FROM session_removal WHERE session_id = $1 AND user_id = $2`, [
      sessionId,
      userId,
    ]);
    return Boolean(row);
  }

  /** Whether the class has ended and whether the person was removed from it, read together; null: no such class. */
  async standing(sessionId: string, userId: string): Promise<{ ended: boolean; removed: boolean } | null> {
    const [row] = await this.db.query(
      `SELECT s.ended_at IS NOT NULL AS ended, EXISTS (SELECT 1 FROM session_removal r WHERE r.session_id = s.id AND r.user_id = $2) AS removed
         FROM live_session s WHERE s.id = $1`,
      [sessionId, userId],
    );
    return row ? { ended: Boolean(row.ended), removed: Boolean(row.removed) } : null;
  }

  /** Records a removal (once). */
  async remove(sessionId: string, userId: string, removedBy: string): Promise<void> {
    await this.db.query(
      `INSERT INTO session_removal (session_id, user_id, removed_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [sessionId, userId, removedBy],
    );
  }
}
