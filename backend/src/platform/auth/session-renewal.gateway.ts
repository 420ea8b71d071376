import { Inject } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import Redis from 'ioredis';
import type { Socket } from 'socket.io';
import { SessionEvents, sessionSchemas, type SessionAckData } from '../../contracts/session';
import { DomainError } from '../domain-error';
import { REDIS } from '../redis';
import { SocketGate } from '../socket-events';
import { guestEndedKey } from './guest-access';
import { renewedSession } from './session-renewal';
import { SessionRevocation } from './session-revocation';
import { SESSION_TOKENS } from './session.guard';
import { SessionTokens } from './session-token';

// `connected`: any authenticated socket, in a class or not (the Recordings page's socket too); guests
// renew with the token their own refresh gave them; observers are let in by OBSERVER_EVENTS.
const RENEW = {
  event: SessionEvents.renew,
  schema: sessionSchemas[SessionEvents.renew],
  access: 'connected',
  guests: true,
} as const;

/**
 * `session:renew`: the page hands its socket the token it refreshed, and the socket runs on it from now
 * on (contracts/session.ts). The token is verified as at connection (signature, expiry, absolute lifetime,
 * platform, a guest's access), must be the same session (domain: session-renewal.ts), and only then is
 * written to the socket, after the last await.
 */
@WebSocketGateway({ path: '/socket.io' })
export class SessionRenewalGateway {
  constructor(
    @Inject(SESSION_TOKENS) private readonly tokens: SessionTokens,
    private readonly revocation: SessionRevocation,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly gate: SocketGate,
  ) {}

  @SubscribeMessage(SessionEvents.renew)
  renew(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.gate.run(
      socket,
      RENEW,
      body,
      async ({ token }, { data }): Promise<SessionAckData[typeof SessionEvents.renew]> => {
        const next = await this.tokens.verify(token);
        this.revocation.assertSessionUsable(next);
        if (next.role === 'guest' && (await this.redis.exists(guestEndedKey(next.userId))))
          throw new DomainError('GUEST_ENDED', 'Your guest access to this class has ended', 401);
        // Compared with the socket's session as it is now (after the awaits), and written at once.
        data.session = renewedSession(data.session, next);
        return { expiresAt: new Date(data.session.expiresAt!).toISOString() };
      },
    );
  }
}
