import { CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import Redis from 'ioredis';
import { ForbiddenError, UnauthenticatedError } from '../domain-error';
import { REDIS } from '../redis';
import { GUEST_ALLOWED, guestEndedKey } from './guest-access';
import { SessionRevocation } from './session-revocation';
import { SessionClaims, SessionTokens } from './session-token';

export const SESSION_TOKENS = Symbol('SESSION_TOKENS');

type SessionRequest = Request & { lecternSession?: SessionClaims };

/**
 * Requires `Authorization: Bearer <session token>` of a session still usable (not past its absolute
 * lifetime, platform not disabled) and puts the verified claims on the request. A guest's token
 * (invite link) passes only on routes marked @GuestAllowed() and only while the guest's session has not
 * been ended (link revoked, removed, class over): see guest-access.ts.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    @Inject(SESSION_TOKENS) private readonly tokens: SessionTokens,
    private readonly revocation: SessionRevocation,
    private readonly reflector: Reflector,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<SessionRequest>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(header);
    if (!match) throw new UnauthenticatedError();
    const session = await this.tokens.verify(match[1]);
    this.revocation.assertSessionUsable(session);
    if (session.role === 'guest') {
      const allowed = this.reflector.getAllAndOverride<boolean>(GUEST_ALLOWED, [
        context.getHandler(),
        context.getClass(),
      ]);
      if (!allowed) throw new ForbiddenError('GUEST_NOT_ALLOWED', 'Guests can only take part in their class');
      if (await this.redis.exists(guestEndedKey(session.userId)))
        throw new UnauthenticatedError('GUEST_ENDED', 'Your guest access to this class has ended');
    }
    req.lecternSession = session;
    return true;
  }
}

/** The verified session of the caller (use behind SessionGuard). */
export const Session = createParamDecorator((_data: unknown, ctx: ExecutionContext): SessionClaims => {
  const session = ctx.switchToHttp().getRequest<SessionRequest>().lecternSession;
  if (!session) throw new UnauthenticatedError();
  return session;
});
