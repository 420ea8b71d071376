import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CourseRole } from '../../tenancy/domain/role-mapping';

/** A chat message as its row (`chat_message`) has it. */
export interface ChatMessageRow {
  id: string;
  clientId: string;
  userId: string;
  authorName: string;
  authorRole: CourseRole;
  text: string;
  createdAt: Date;
  deletedAt: Date | null;
}

export interface NewChatMessage {
  sessionId: string;
  courseId: string;
  userId: string;
  clientId: string;
  authorName: string;
  authorRole: CourseRole;
  text: string;
}

const toRow = (r: Record<string, unknown>): ChatMessageRow => ({
  id: r.id as string,
  clientId: r.client_id as string,
  userId: r.user_id as string,
  authorName: r.author_name as string,
  authorRole: r.author_role as CourseRole,
  text: r.text as string,
  createdAt: new Date(r.created_at as Date),
  deletedAt: r.deleted_at ? new Date(r.deleted_at as Date) : null,
});

/** The chat's table, `chat_message`, and the one fact of a class it needs (whether it has ended). */
@Injectable()
export class ChatMessageRepository {
  constructor(private readonly db: DataSource) {}

  /** The class's last `limit` messages not deleted, oldest first. */
  async recent(sessionId: string, limit: number): Promise<ChatMessageRow[]> {
    const rows = await this.db.query(
      `SELECT * FROM (SELECT * FROM chat_message WHERE session_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC LIMIT $2) m ORDER BY created_at`,
      [sessionId, limit],
    );
    return rows.map(toRow);
  }

  /** A sender's message by the id their client gave it (deleted ones too). */
  async findByClientId(sessionId: string, userId: string, clientId: string): Promise<ChatMessageRow | null> {
    const [row] = await this.db.query(
      `SELECT * FROM chat_message WHERE session_id = $1 AND user_id = $2 AND client_id = $3`,
      [sessionId, userId, clientId],
    );
    return row ? toRow(row) : null;
  }

  /** Stores a message; null when one with the same client id was stored first. */
  async insert(m: NewChatMessage): Promise<ChatMessageRow | null> {
    const rows = await this.db.query(
      `INSERT INTO chat_message (session_id, course_id, user_id, client_id, author_name, author_role, text)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (session_id, user_id, client_id) DO NOTHING RETURNING *`,
      [m.sessionId, m.courseId, m.userId, m.clientId, m.authorName, m.authorRole, m.text],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  /** Marks a message deleted; false when the class has no such message not yet deleted. */
  async markDeleted(messageId: string, sessionId: string, deletedBy: string): Promise<boolean> {
    // An UPDATE answers [rows, count].
    const [rows] = await this.db.query(
      `UPDATE chat_message SET deleted_at = now(), deleted_by = $3 WHERE id = $1 AND session_id = $2 AND deleted_at IS NULL RETURNING id`,
      [messageId, sessionId, deletedBy],
    );
    return rows.length > 0;
  }

  /**
   * Whether a class of the course has ended; null when the course has no such class. Read here, from the
   * classroom's table, because the classroom module depends on chat (ClassroomService cannot be injected).
   */
  async classEnded(sessionId: string, courseId: string): Promise<boolean | null> {
    const [row] = await this.db.query(`SELECT ended_at FROM live_session WHERE id = $1 AND course_id = $2`, [
      sessionId,
      courseId,
    ]);
    return row ? row.ended_at !== null : null;
  }
}
