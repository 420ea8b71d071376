/**
 * The socket's session, kept as long as the page's: a page trades its token for a fresh one before it
 * expires (POST /api/session/refresh, or /api/guest/refresh for a guest) and hands the new one to each of
 * its open sockets with `session:renew`, so a class longer than one token (SESSION_TTL_SECONDS, an hour
 * by default) keeps its connection. A socket whose token expired unrenewed, or whose session ended (its
 * absolute lifetime, its platform disabled), is told `session:ended` with the reason's code and closed.
 */
import { z } from 'zod';

export const SessionEvents = {
  renew: 'session:renew',
} as const;

export const SessionServerEvents = {
  ended: 'session:ended',
} as const;

export const sessionSchemas = {
  // A compact JWS is three base64url parts; a session token is well under 2 KB.
  [SessionEvents.renew]: z.object({ token: z.string().min(1).max(4096) }).strict(),
} as const;

export interface SessionAckData {
  /** When the socket's session now expires (ISO 8601), unless renewed again. */
  [SessionEvents.renew]: { expiresAt: string };
}

export interface SessionServerPayloads {
  [SessionServerEvents.ended]: { code: 'SESSION_EXPIRED' | 'PLATFORM_DISABLED' };
}
