import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import type { ChatMessage } from '../contracts/realtime';
import type { SessionClaims } from '../platform/auth/session-token';
import { DomainError, ForbiddenError, NotFoundError } from '../platform/domain-error';
import { REDIS } from '../platform/redis';
import { canTeach } from '../tenancy/domain/role-mapping';
import { ChatMessageRepository, type ChatMessageRow } from './infra/chat-message.repository';

export const CHAT_HISTORY = 50;
/** At most this many messages per person in each window. */
export const CHAT_RATE = { messages: 5, windowSeconds: 5 };

const toMessage = (r: ChatMessageRow): ChatMessage => ({
  id: r.id,
  clientId: r.clientId,
  userId: r.userId,
  authorName: r.authorName,
  authorRole: r.authorRole,
  text: r.text,
  sentAt: r.createdAt.toISOString(),
});

/** Chat in a class: persisted, deduplicated by the sender's message id, rate limited, deletable by teachers. */
@Injectable()
export class ChatService {
  constructor(
    private readonly messages: ChatMessageRepository,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async history(sessionId: string): Promise<ChatMessage[]> {
    return (await this.messages.recent(sessionId, CHAT_HISTORY)).map(toMessage);
  }

  /**
   * Stores a message once: a message sent again with the same client id (a retry after a reconnect)
   * returns the stored one and `created: false`, so it is not broadcast twice.
   */
  async send(
    session: SessionClaims,
    sessionId: string,
    clientId: string,
    text: string,
  ): Promise<{ message: ChatMessage; created: boolean }> {
    const existing = await this.messages.findByClientId(sessionId, session.userId, clientId);
    if (existing?.deletedAt) throw new DomainError('MESSAGE_DELETED', 'An instructor deleted this message', 410);
    if (existing) return { message: toMessage(existing), created: false };
    const ended = await this.messages.classEnded(sessionId, session.courseId);
    if (ended === null) throw new NotFoundError('SESSION_NOT_FOUND', 'No such class in your course');
    if (ended) throw new DomainError('CLASS_ENDED', 'This class has ended', 409);
    const key = `chat:rate:${sessionId}:${session.userId}`;
    // A window that starts with the first message and expires by itself (no EXPIRE NX: works on any Redis).
    const res = await this.redis.multi().set(key, '0', 'EX', CHAT_RATE.windowSeconds, 'NX').incr(key).exec();
    const count = Number(res?.[1]?.[1] ?? Infinity);
    if (count > CHAT_RATE.messages) {
      throw new DomainError(
        'RATE_LIMITED',
        `At most ${CHAT_RATE.messages} messages every ${CHAT_RATE.windowSeconds} seconds`,
        429,
      );
    }
    const stored = await this.messages.insert({
      sessionId,
      courseId: session.courseId,
      userId: session.userId,
      clientId,
      authorName: session.name,
      authorRole: session.role,
      text,
    });
    if (stored) return { message: toMessage(stored), created: true };
    const raced = await this.messages.findByClientId(sessionId, session.userId, clientId);
    return { message: toMessage(raced!), created: false };
  }

  async delete(session: SessionClaims, sessionId: string, messageId: string): Promise<void> {
    if (!canTeach(session.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can delete messages');
    if (!(await this.messages.markDeleted(messageId, sessionId, session.userId)))
      throw new NotFoundError('MESSAGE_NOT_FOUND', 'No such message in this class');
  }
}
