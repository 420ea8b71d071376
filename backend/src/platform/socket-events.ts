import type { Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { MAX_PAYLOAD_BYTES, type Ack } from '../contracts/realtime';
import type { SessionClaims } from './auth/session-token';
import { DomainError } from './domain-error';

/** What the live room keeps on each socket (set by the room gateway at connection and join). */
export interface SocketData {
  session: SessionClaims;
  sessionId?: string;
  /** The media peer this socket signals for (set by media:join). */
  mediaPeerId?: string;
  /** The class whose media it joined (kept after leaving the room, for the disconnect's grace period). */
  mediaSessionId?: string;
}

/**
 * Runs one socket event: size limit, schema validation, token expiry, then the handler; every outcome
 * is an ack `{ ok, data | error: { code, message } }` and the socket stays up whatever was sent.
 */
export async function handleSocketEvent<S extends z.ZodType, T>(
  socket: Socket,
  schema: S,
  raw: unknown,
  handler: (payload: z.infer<S>, data: SocketData) => Promise<T>,
  logger: Logger,
): Promise<Ack<T>> {
  try {
    let size = 0;
    try {
      size = JSON.stringify(raw ?? null).length;
    } catch {
      size = Infinity;
    }
    if (size > MAX_PAYLOAD_BYTES) throw new DomainError('PAYLOAD_TOO_LARGE', `Payloads are limited to ${MAX_PAYLOAD_BYTES} bytes`, 413);
    const parsed = schema.safeParse(raw ?? {});
    if (!parsed.success) {
      throw new DomainError('INVALID_PAYLOAD', parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; '), 400);
    }
    const data = socket.data as SocketData;
    // A socket outlives its token's expiry only until its next event.
    if (data.session.expiresAt !== undefined && data.session.expiresAt < Date.now()) {
      socket.disconnect(true);
      throw new DomainError('SESSION_EXPIRED', 'Your session has expired', 401);
    }
    return { ok: true, data: await handler(parsed.data, data) };
  } catch (e) {
    if (e instanceof DomainError) return { ok: false, error: { code: e.code, message: e.message } };
    logger.error(e instanceof Error ? e.stack : String(e));
    return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side' } };
  }
}
