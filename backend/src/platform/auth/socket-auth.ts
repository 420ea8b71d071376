import { Inject, Injectable, Optional } from '@nestjs/common';
import Redis from 'ioredis';
import type { Socket } from 'socket.io';
import { REDIS } from '../redis';
import { guestEndedKey } from './guest-access';
import { DomainError } from '../domain-error';
import { RateLimitedError, RateLimiter } from '../rate-limit/rate-limiter';
import type { SocketData } from '../socket-events';
import { SessionRevocation } from './session-revocation';
import { SESSION_TOKENS } from './session.guard';
import { SessionTokens } from './session-token';

/**
 * The one place a socket is authenticated: the session token from the handshake is verified, must name
 * a classroom, and must not be revoked (platform disabled, past its lifetime). Installed by the socket
 * adapter on every namespace (platform/redis-io.adapter.ts), so no gateway installs its own and a new
 * namespace cannot be opened without it. A refusal is the connect error's message: a code.
 */
@Injectable()
export class SocketAuthenticator {
  constructor(
    @Inject(SESSION_TOKENS) private readonly tokens: SessionTokens,
    private readonly revocation: SessionRevocation,
    @Inject(REDIS) private readonly redis: Redis,
    @Optional() private readonly limiter?: RateLimiter,
  ) {}

  /** Which proxies' X-Forwarded-For to believe (Express's compiled 'trust proxy', set by the adapter). */
  trustProxy: (addr: string, hop: number) => boolean = () => false;

  /** The client's address as far as the trusted proxies tell: X-Forwarded-For walked from the right. */
  clientAddress(socket: Socket): string {
    const direct = socket.request?.socket?.remoteAddress ?? socket.handshake.address ?? '';
    const header = socket.handshake.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    let addr = direct;
    for (let i = 0; this.trustProxy(addr, i) && hops.length; i++) addr = hops.pop()!;
    return addr;
  }

  /** socket.io middleware form. */
  readonly middleware = (socket: Socket, next: (err?: Error) => void): void => {
    this.authenticate(socket).then(
      () => next(),
      (e: unknown) => next(new Error(e instanceof DomainError ? e.code : 'UNAUTHENTICATED')),
    );
  };

  async authenticate(socket: Socket): Promise<void> {
    if (this.limiter) {
      const { ok, retryAfterMs } = await this.limiter.limitHttp('socket.connect', this.clientAddress(socket));
      if (!ok) throw new RateLimitedError(retryAfterMs);
    }
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || !token)
      throw new DomainError('UNAUTHENTICATED', 'A session token is required', 401);
    const session = await this.tokens.verify(token);
    if (!session.activityId) throw new DomainError('NO_CLASSROOM', 'This session has no classroom', 401);
    this.revocation.assertSessionUsable(session);
    if (session.role === 'guest' && (await this.redis.exists(guestEndedKey(session.userId))))
      throw new DomainError('GUEST_ENDED', 'Your guest access to this class has ended', 401);
    (socket.data as SocketData).session = session;
  }
}
