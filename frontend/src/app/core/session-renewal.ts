import { SessionEvents, SessionServerEvents, type SessionServerPayloads } from '@contracts/session';
import type { Subscription } from 'rxjs';
import type { Socket } from 'socket.io-client';
import type { LtiSession } from './lti-session.service';

/**
 * Keeps a socket on the page's session: each refreshed token is handed to the server (`session:renew`),
 * so the connection outlives the token it was opened with (a class longer than an hour); `onEnded` is
 * called when the server closes it because the session itself ended (SESSION_EXPIRED, PLATFORM_DISABLED).
 * A socket that is disconnected at the time needs nothing: it reconnects with the current token.
 */
export function keepSessionRenewed(
  socket: Socket,
  session: LtiSession,
  onEnded: (code: SessionServerPayloads[typeof SessionServerEvents.ended]['code']) => void,
): Subscription {
  socket.on(SessionServerEvents.ended, (p: SessionServerPayloads[typeof SessionServerEvents.ended]) => onEnded(p.code));
  return session.refreshed.subscribe((token) => {
    if (socket.connected) socket.timeout(8000).emit(SessionEvents.renew, { token }, () => undefined);
  });
}
