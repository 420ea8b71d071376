import { SessionEvents, SessionServerEvents, type SessionServerPayloads } from '@contracts/session';
import type { Subscription } from 'rxjs';
import type { Socket } from 'socket.io-client';
import type { LtiSession } from './lti-session.service';

/**
 * Keeps a socket on the page's session: each refreshed token is handed to the server (`session:renew`),
 * so the connection outlives the token it was opened with (a class longer than an hour); `onEnded` is
 * called when the server closes it because the session itself ended (SESSION_EXPIRED, PLATFORM_DISABLED).
 * A socket that is disconnected at the time needs nothing: it reconnects with the current token; one whose
 * renewal is refused reconnects so.
 */
export function keepSessionRenewed(
  socket: Socket,
  session: LtiSession,
  onEnded: (code: SessionServerPayloads[typeof SessionServerEvents.ended]['code']) => void,
): Subscription {
  socket.on(SessionServerEvents.ended, (p: SessionServerPayloads[typeof SessionServerEvents.ended]) => onEnded(p.code));
  return session.refreshed.subscribe((token) => {
    if (!socket.connected) return;
    // Refused or unanswered: connect again, which sends the fresh token in the handshake (a reconnect
    // instead of the session ending under the page at the old token's expiry).
    socket.timeout(8000).emit(SessionEvents.renew, { token }, (err: unknown, ack?: { ok: boolean }) => {
      if (!err && ack?.ok) return;
      socket.disconnect();
      socket.connect();
    });
  });
}
