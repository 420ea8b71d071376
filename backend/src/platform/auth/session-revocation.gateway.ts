import { Inject, Logger, OnModuleDestroy } from '@nestjs/common';
import { OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Subscription } from 'rxjs';
import type { Server } from 'socket.io';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config';
import { SocketData, SocketGate } from '../socket-events';
import { SessionServerEvents, type SessionServerPayloads } from '../../contracts/session';
import { sessionTokenExpired } from './session-renewal';
import { SessionRevocation } from './session-revocation';

/**
 * Ends the live connections of sessions that may no longer be used (SessionRevocation): a platform an
 * administrator disabled, a session past its absolute lifetime, a token that expired unrenewed. SocketAuthenticator refuses such a socket
 * at connection; this gateway closes this instance's open ones at once when a platform is disabled (on any instance: the change
 * comes over Redis) and on a sweep every `session.sweepMs`. Every instance closes its own sockets.
 * Between sweeps, the socket gate refuses each event of such a session (SESSION_EXPIRED, PLATFORM_DISABLED).
 */
@WebSocketGateway({ path: '/socket.io' })
export class SessionRevocationGateway implements OnGatewayInit, OnModuleDestroy {
  private readonly logger = new Logger('SessionRevocationGateway');
  private timer?: NodeJS.Timeout;
  private subscription?: Subscription;
  @WebSocketServer() server: Server;

  constructor(
    private readonly revocation: SessionRevocation,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    gate: SocketGate,
  ) {
    gate.addCheck((_event, session) => this.revocation.assertSessionUsable(session));
  }

  afterInit(): void {
    this.subscription = this.revocation.changes.subscribe(() => this.sweep());
    this.timer = setInterval(() => this.sweep(), this.config.session.sweepMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.subscription?.unsubscribe();
  }

  /** Closes this instance's sockets whose session may no longer be used; returns how many. */
  sweep(): number {
    let closed = 0;
    if (!this.server?.sockets) return closed;
    for (const socket of this.server.sockets.sockets.values()) {
      const session = (socket.data as Partial<SocketData> | undefined)?.session;
      if (!session) continue;
      // Past its absolute lifetime or its platform disabled; or its token expired and the page never
      // renewed it (session:renew): a socket does not outlive its session by more than a sweep.
      const code = this.revocation.refusal(session)?.code ?? (sessionTokenExpired(session) ? 'SESSION_EXPIRED' : null);
      if (!code) continue;
      this.logger.log(`closing socket ${socket.id}: ${code}`);
      // Told why first: the page shows that its session ended, rather than that it went offline.
      const payload: SessionServerPayloads[typeof SessionServerEvents.ended] = {
        code: code === 'PLATFORM_DISABLED' ? 'PLATFORM_DISABLED' : 'SESSION_EXPIRED',
      };
      socket.emit(SessionServerEvents.ended, payload);
      socket.disconnect(true);
      closed++;
    }
    return closed;
  }
}
