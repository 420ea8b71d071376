import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import type { ChatMessage } from '../contracts/realtime';
import type { SessionClaims } from '../platform/auth/session-token';
import { DomainError, ForbiddenError, NotFoundError } from '../platform/domain-error';
import { REDIS } from '../platform/redis';
import { canTeach } from '../tenancy/domain/role-mapping';

export const CHAT_HISTORY = 50;
/** At most this many messages per person in each window. */
export const CHAT_RATE = { messages: 5, windowSeconds: 5 };

const toMessage = (r: Record<string, unknown>): ChatMessage => ({
  id: r.id as string,
  clientId: r.client_id as string,
  userId: r.user_id as string,
  authorName: r.author_name as string,
  authorRole: r.author_role as ChatMessage['authorRole'],
  text: r.text as string,
  sentAt: new Date(r.created_at as Date).toISOString(),
});

/** Chat in a class: persisted, deduplicated by the sender's message id, rate limited, deletable by teachers. */
@Injectable()
export class ChatService {
  constructor(
    private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async history(sessionId: string): Promise<ChatMessage[]> {
    const rows = await this.db.query(
      `SELECT * FROM (SELECT * FROM chat_message WHERE session_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC LIMIT $2) m ORDER BY created_at`,
      [sessionId, CHAT_HISTORY],
    );
    return rows.map(toMessage);
  }

  /**
   * Stores a message once: a message sent again with the same client id (a retry after a reconnect)
   * returns the stored one and `created: false`, so it is not broadcast twice.
   */
  async send(session: SessionClaims, sessionId: string, clientId: string, text: string): Promise<{ message: ChatMessage; created: boolean }> {
    const [existing] = await this.db.query(`SELECT * FROM chat_message WHERE session_id = $1 AND user_id = $2 AND client_id = $3`, [
      sessionId,
      session.userId,
      clientId,
    ]);
    if (existing?.deleted_at) throw new DomainError('MESSAGE_DELETED', 'An instructor deleted this message', 410);
    if (existing) return { message: toMessage(existing), created: false };
    const [live] = await this.db.query(`SELECT ended_at FROM live_session WHERE id = $1 AND course_id = $2`, [sessionId, session.courseId]);
    if (!live) throw new NotFoundError('SESSION_NOT_FOUND', 'No such class in your course');
    if (live.ended_at) throw new DomainError('CLASS_ENDED', 'This class has ended', 409);
    const key = `chat:rate:${sessionId}:${session.userId}`;
    // A window that starts with the first message and expires by itself (no EXPIRE NX: works on any Redis).
    const res = await this.redis.multi().set(key, '0', 'EX', CHAT_RATE.windowSeconds, 'NX').incr(key).exec();
    const count = Number(res?.[1]?.[1] ?? Infinity);
    if (count > CHAT_RATE.messages) {
      throw new DomainError('RATE_LIMITED', `At most ${CHAT_RATE.messages} messages every ${CHAT_RATE.windowSeconds} seconds`, 429);
    }
    const rows = await this.db.query(
      `INSERT INTO chat_message (session_id, course_id, user_id, client_id, author_name, author_role, text)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (session_id, user_id, client_id) DO NOTHING RETURNING *`,
      [sessionId, session.courseId, session.userId, clientId, session.name, session.role, text],
    );
    if (rows[0]) return { message: toMessage(rows[0]), created: true };
    const [raced] = await this.db.query(`SELECT * FROM chat_message WHERE session_id = $1 AND user_id = $2 AND client_id = $3`, [sessionId, session.userId, clientId]);
    return { message: toMessage(raced), created: false };
  }

  async delete(session: SessionClaims, sessionId: string, messageId: string): Promise<void> {
    if (!canTeach(session.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can delete messages');
    const res = await this.db.query(
      `UPDATE chat_message SET deleted_at = now(), deleted_by = $3 WHERE id = $1 AND session_id = $2 AND deleted_at IS NULL RETURNING id`,
      [messageId, sessionId, session.userId],
    );
    if (res[0].length === 0) throw new NotFoundError('MESSAGE_NOT_FOUND', 'No such message in this class');
  }
}
