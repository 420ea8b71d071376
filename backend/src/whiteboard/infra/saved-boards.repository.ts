import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { HistoryEntry } from '../board-log';
import type { BoardData, PageData } from '../domain/board';

/** A board saved to Postgres, as its row has it. */
export interface SavedBoardRow {
  seq: number;
  pageOrder: string[];
  pages: Record<string, PageData>;
  savedAt: Date;
}

export interface SavedBoardSummary {
  sessionId: string;
  startedAt: Date;
  savedAt: Date;
  pages: number;
}

/** The whiteboard's tables: saved boards (`whiteboard_snapshot`) and the teacher's page changes (`whiteboard_page_event`). */
@Injectable()
export class SavedBoardsRepository {
  constructor(private readonly db: DataSource) {}

  /** The last save of a class still going (a board the log lost starts again from it), or null. */
  async liveSave(sessionId: string): Promise<BoardData | null> {
    const [row] = await this.db.query(
      `SELECT w.seq, w.page_order, w.pages FROM whiteboard_snapshot w JOIN live_session s ON s.id = w.session_id WHERE w.session_id = $1 AND s.ended_at IS NULL`,
      [sessionId],
    );
    return row ? { seq: row.seq, pageOrder: row.page_order, pages: row.pages } : null;
  }

  /** Saves a board; a save never replaces a newer one (`seq` only grows). */
  async save(
    sessionId: string,
    courseId: string,
    board: { seq: number; order: string[]; pages: Record<string, PageData> },
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO whiteboard_snapshot (session_id, course_id, seq, page_order, pages) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (session_id) DO UPDATE SET seq = EXCLUDED.seq, page_order = EXCLUDED.page_order, pages = EXCLUDED.pages, saved_at = now()
       WHERE whiteboard_snapshot.seq <= EXCLUDED.seq`,
      [sessionId, courseId, board.seq, board.order, JSON.stringify(board.pages)],
    );
  }

  async recordPageChange(sessionId: string, page: string): Promise<void> {
    await this.db.query(`INSERT INTO whiteboard_page_event (session_id, page) VALUES ($1, $2)`, [sessionId, page]);
  }

  /** The saved boards of a classroom's ended classes, newest first (at most 100). */
  async listEnded(courseId: string, activityId: string | null): Promise<SavedBoardSummary[]> {
    const rows = await this.db.query(
      `SELECT w.session_id, w.saved_at, array_length(w.page_order, 1) AS pages, s.started_at
         FROM whiteboard_snapshot w JOIN live_session s ON s.id = w.session_id
        WHERE w.course_id = $1 AND s.activity_id = $2 AND s.ended_at IS NOT NULL AND s.parent_session_id IS NULL
        ORDER BY s.started_at DESC LIMIT 100`,
      [courseId, activityId],
    );
    return rows.map((r: Record<string, unknown>) => ({
      sessionId: r.session_id as string,
      startedAt: new Date(r.started_at as Date),
      savedAt: new Date(r.saved_at as Date),
      pages: Number(r.pages ?? 0),
    }));
  }

  /** A class's saved board, if it belongs to the course. */
  /**
   * The saved board of an ENDED class of this classroom, for someone the instructor did not remove from it
   * (a live class's board is reached through the live room's gate only; saves happen during class too).
   */
  async findEnded(
    sessionId: string,
    courseId: string,
    activityId: string | null,
    userId: string,
  ): Promise<SavedBoardRow | null> {
    const [row] = await this.db.query(
      `SELECT w.seq, w.page_order, w.pages, w.saved_at
         FROM whiteboard_snapshot w JOIN live_session s ON s.id = w.session_id
        WHERE w.session_id = $1 AND w.course_id = $2 AND s.activity_id = $3 AND s.ended_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM session_removal r
                           WHERE r.session_id IN (s.id, s.parent_session_id) AND r.user_id = $4)`,
      [sessionId, courseId, activityId, userId],
    );
    return row ? { seq: row.seq, pageOrder: row.page_order, pages: row.pages, savedAt: new Date(row.saved_at) } : null;
  }

  /** Keeps part of a board's op history after class (idempotent: a retried save writes each op once). */
  async saveHistory(sessionId: string, entries: HistoryEntry[]): Promise<void> {
    if (!entries.length) return;
    await this.db.query(
      `INSERT INTO whiteboard_op_history (session_id, pos, at, user_id, op)
       SELECT $1, e.pos, to_timestamp(e.at / 1000.0), e.user_id, e.op
         FROM jsonb_to_recordset($2::jsonb) AS e(pos integer, at double precision, user_id text, op jsonb)
       ON CONFLICT (session_id, pos) DO NOTHING`,
      [sessionId, JSON.stringify(entries.map((e) => ({ pos: e.pos, at: e.at, user_id: e.userId, op: e.op })))],
    );
  }

  /** A class's board op history with times, in log order (the recording replays it). */
  async history(sessionId: string): Promise<HistoryEntry[]> {
    const rows: Array<{ pos: number; at: Date; user_id: string; op: HistoryEntry['op'] }> = await this.db.query(
      `SELECT pos, at, user_id, op FROM whiteboard_op_history WHERE session_id = $1 ORDER BY pos`,
      [sessionId],
    );
    return rows.map((r) => ({ pos: r.pos, at: new Date(r.at).getTime(), userId: r.user_id, op: r.op }));
  }

  /** Whether the final save of an ended class is done (its board left Redis with its history kept). */
  async finalSaved(sessionId: string): Promise<boolean> {
    const [row] = await this.db.query(
      `SELECT 1 FROM whiteboard_snapshot w JOIN live_session s ON s.id = w.session_id
        WHERE w.session_id = $1 AND s.ended_at IS NOT NULL AND w.saved_at >= s.ended_at`,
      [sessionId],
    );
    return !!row;
  }

  /** The teacher's page changes in a class, in time order (recording chapters). */
  pageChanges(sessionId: string): Promise<Array<{ page: string; at: Date }>> {
    return this.db.query(`SELECT page, at FROM whiteboard_page_event WHERE session_id = $1 ORDER BY at`, [sessionId]);
  }
}
