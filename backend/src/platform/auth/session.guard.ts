import { CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { UnauthenticatedError } from '../domain-error';
import { SessionClaims, SessionTokens } from './session-token';

export const SESSION_TOKENS = Symbol('SESSION_TOKENS');

type SessionRequest = Request & { lecternSession?: SessionClaims };

/** Requires `Authorization: Bearer <session token>` and puts the verified claims on the request. */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(@Inject(SESSION_TOKENS) private readonly tokens: SessionTokens) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<SessionRequest>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(header);
    if (!match) throw new UnauthenticatedError();
    req.lecternSession = await this.tokens.verify(match[1]);
    return true;
  }
}

/** The verified session of the caller (use behind SessionGuard). */
export const Session = createParamDecorator((_data: unknown, ctx: ExecutionContext): SessionClaims => {
  const session = ctx.switchToHttp().getRequest<SessionRequest>().lecternSession;
  if (!session) throw new UnauthenticatedError();
  return session;
});
