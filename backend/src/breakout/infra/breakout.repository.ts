import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { PlanRoom } from '../domain/assignment';

export interface BreakoutPlanRow {
  id: string;
  name: string;
  rooms: PlanRoom[];
  updatedAt: Date;
}

export interface BreakoutRoomRow {
  id: string;
  name: string;
  openedAt: Date;
  closedAt: Date | null;
  hasBoard: boolean;
}

/** The class a split belongs to, as Postgres has it (top-level, live, in the caller's course). */
export interface ParentClass {
  id: string;
  activityId: string;
  courseId: string;
}

const toPlan = (r: Record<string, unknown>): BreakoutPlanRow => ({
  id: r.id as string,
  name: r.name as string,
  rooms: (r.rooms as PlanRoom[]).map((room) => ({ name: String(room.name), userIds: [...room.userIds] })),
  updatedAt: new Date(r.updated_at as Date),
});

/** Breakout rooms (child `live_session` rows + `breakout_room`) and plans. The only SQL of the domain. */
@Injectable()
export class BreakoutRepository {
  constructor(private readonly db: DataSource) {}

  async liveParent(sessionId: string, courseId: string): Promise<ParentClass | null> {
    const [row] = await this.db.query(
      `SELECT id, activity_id, course_id FROM live_session
        WHERE id = $1 AND course_id = $2 AND ended_at IS NULL AND parent_session_id IS NULL`,
      [sessionId, courseId],
    );
    return row ? { id: row.id, activityId: row.activity_id, courseId: row.course_id } : null;
  }

  /** Opens the rooms of one split: a live_session row each (a live room of its own) and its name. */
  async openRooms(
    parent: ParentClass,
    startedBy: string,
    runId: string,
    rooms: ReadonlyArray<{ id: string; name: string }>,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO live_session (id, activity_id, course_id, started_by, parent_session_id)
         SELECT r.id, $2, $3, $4, $1 FROM unnest($5::uuid[]) AS r(id)`,
        [parent.id, parent.activityId, parent.courseId, startedBy, rooms.map((r) => r.id)],
      );
      await tx.query(
        `INSERT INTO breakout_room (id, session_id, run_id, position, name)
         SELECT r.id, $1, $2, r.position, r.name
           FROM unnest($3::uuid[], $4::int[], $5::text[]) AS r(id, position, name)`,
        [parent.id, runId, rooms.map((r) => r.id), rooms.map((_, i) => i), rooms.map((r) => r.name)],
      );
    });
  }

  /** Ends every open breakout room of a class (idempotent); answers the ids it ended. */
  async closeRooms(sessionId: string): Promise<string[]> {
    return this.db.transaction(async (tx) => {
      const [rows] = await tx.query(
        `UPDATE live_session SET ended_at = now() WHERE parent_session_id = $1 AND ended_at IS NULL RETURNING id`,
        [sessionId],
      );
      const ids = (rows as Array<{ id: string }>).map((r) => r.id);
      if (ids.length)
        await tx.query(`UPDATE breakout_room SET closed_at = now() WHERE id = ANY($1::uuid[]) AND closed_at IS NULL`, [
          ids,
        ]);
      return ids;
    });
  }

  /** Removes rooms that never opened (a split that lost a race with another). */
  async dropRooms(ids: string[]): Promise<void> {
    await this.db.query(`DELETE FROM live_session WHERE id = ANY($1::uuid[]) AND parent_session_id IS NOT NULL`, [ids]);
  }

  /** The breakout rooms a class had, in the order they were opened. */
  async roomsOf(sessionId: string, courseId: string): Promise<BreakoutRoomRow[]> {
    const rows = await this.db.query(
      `SELECT b.id, b.name, b.opened_at, b.closed_at,
              EXISTS (SELECT 1 FROM whiteboard_snapshot w WHERE w.session_id = b.id) AS has_board
         FROM breakout_room b JOIN live_session s ON s.id = b.session_id
        WHERE b.session_id = $1 AND s.course_id = $2 ORDER BY b.opened_at, b.position`,
      [sessionId, courseId],
    );
    return rows.map((r: Record<string, unknown>) => ({
      id: r.id as string,
      name: r.name as string,
      openedAt: new Date(r.opened_at as Date),
      closedAt: r.closed_at ? new Date(r.closed_at as Date) : null,
      hasBoard: Boolean(r.has_board),
    }));
  }

  /** Whether the person may read the class after it (in the course, the class of the classroom, not removed). */
  async mayRead(sessionId: string, courseId: string, activityId: string, userId: string): Promise<boolean> {
    const [row] = await this.db.query(
      `SELECT 1 FROM live_session s WHERE s.id = $1 AND s.course_id = $2 AND s.activity_id = $3
          AND NOT EXISTS (SELECT 1 FROM session_removal r WHERE r.session_id = s.id AND r.user_id = $4)`,
      [sessionId, courseId, activityId, userId],
    );
    return Boolean(row);
  }

  async plans(courseId: string): Promise<BreakoutPlanRow[]> {
    const rows = await this.db.query(
      `SELECT id, name, rooms, updated_at FROM breakout_plan WHERE course_id = $1 ORDER BY updated_at DESC LIMIT 200`,
      [courseId],
    );
    return rows.map(toPlan);
  }

  async plan(id: string, courseId: string): Promise<BreakoutPlanRow | null> {
    const [row] = await this.db.query(
      `SELECT id, name, rooms, updated_at FROM breakout_plan WHERE id = $1 AND course_id = $2`,
      [id, courseId],
    );
    return row ? toPlan(row) : null;
  }

  async createPlan(courseId: string, userId: string, name: string, rooms: PlanRoom[]): Promise<BreakoutPlanRow> {
    const [row] = await this.db.query(
      `INSERT INTO breakout_plan (course_id, name, rooms, created_by) VALUES ($1, $2, $3, $4)
       RETURNING id, name, rooms, updated_at`,
      [courseId, name, JSON.stringify(rooms), userId],
    );
    return toPlan(row);
  }

  async updatePlan(id: string, courseId: string, name: string, rooms: PlanRoom[]): Promise<BreakoutPlanRow | null> {
    const [rows] = await this.db.query(
      `UPDATE breakout_plan SET name = $3, rooms = $4, updated_at = now() WHERE id = $1 AND course_id = $2
       RETURNING id, name, rooms, updated_at`,
      [id, courseId, name, JSON.stringify(rooms)],
    );
    return rows[0] ? toPlan(rows[0]) : null;
  }

  async deletePlan(id: string, courseId: string): Promise<boolean> {
    const [, count] = await this.db.query(`DELETE FROM breakout_plan WHERE id = $1 AND course_id = $2`, [id, courseId]);
    return count > 0;
  }
}
