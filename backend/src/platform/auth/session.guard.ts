import { CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { UnauthenticatedError } from '../domain-error';
import { SessionRevocation } from './session-revocation';
import { SessionClaims, SessionTokens } from './session-token';

export const SESSION_TOKENS = Symbol('SESSION_TOKENS');

type SessionRequest = Request & { lecternSession?: SessionClaims };

/**
 * Requires `Authorization: Bearer <session token>` of a session still usable (not past its absolute
 * lifetime, platform not disabled) and puts the verified claims on the request.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    @Inject(SESSION_TOKENS) private readonly tokens: SessionTokens,
    private readonly revocation: SessionRevocation,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<SessionRequest>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(header);
    if (!match) throw new UnauthenticatedError();
    const session = await this.tokens.verify(match[1]);
    this.revocation.assertSessionUsable(session);
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
